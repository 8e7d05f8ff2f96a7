import type { ReplicationRuleStatus, ReplicationSpec } from "./backends/backend";

/**
 * The warnings a refresh prints for rules whose objects fail to replicate, one per failing rule, from
 * what the service reports: the latest versions' FAILED status, and failure counters where the service
 * keeps them. A rule whose figures show no failure yields nothing, so a healthy topology prints nothing.
 */
export function failingRuleWarnings(spec: ReplicationSpec, statuses: readonly ReplicationRuleStatus[]): string[] {
    const warnings: string[] = [];
    for (const status of statuses) {
        const evidence = failureEvidence(status);
        if (evidence.length === 0) continue;
        const from = `${spec.source.zone}/${spec.source.bucket}`;
        const to = `${status.destination.zone || "?"}/${status.destination.bucket}`;
        warnings.push(`replication rule '${status.ruleId}' from ${from} to ${to} is failing: ${evidence.join("; ")}. ` +
            `Likely cause: ${likelyCause(spec, status)}.`);
    }
    return warnings;
}

/**
 * Where the latest versions were sampled, they say whether failures remain: a counter of recent failures
 * outlives the objects it counted once they are replicated after a repair. Where the service also counts
 * failures per destination (MinIO, per remote target), that counter says which rule failed: an object's
 * status is one for all its rules, FAILED when any destination failed.
 */
function failureEvidence(status: ReplicationRuleStatus): string[] {
    const perDestination = status.metrics?.failedLastHour;
    const sampled = status.sample ? status.sample.failed > 0 : Boolean(status.failed?.count);
    const failing = sampled && (typeof perDestination !== "number" || perDestination > 0);
    if (!failing) return [];
    const evidence: string[] = [];
    if (status.sample) evidence.push(`${status.sample.failed} of the latest ${status.sample.objects} object versions are FAILED`);
    if (status.failed?.count) evidence.push(`${status.failed.count} objects failed (${status.failed.over})`);
    if (typeof perDestination === "number") evidence.push(`${perDestination} failed in the last hour`);
    return evidence;
}

function likelyCause(spec: ReplicationSpec, status: ReplicationRuleStatus): string {
    const missingTarget = status.notes?.find((note) => note.startsWith("no remote target"));
    if (missingTarget) return missingTarget;
    const zone = status.destination.zone || "the destination zone";
    return `the role '${spec.role.name}' has lost its access on ${zone} (its user removed or disabled, its policy detached or ` +
        `narrowed there, or the credentials the source signs with changed), or the destination bucket '${status.destination.bucket}' ` +
        `is gone or no longer versioned; 'pulumi refresh' names what changed and 'pulumi up' puts it back`;
}
