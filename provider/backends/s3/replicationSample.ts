import type { ReplicationRule, ReplicationRuleStatus, ReplicationSpec } from "../backend";
import type { SampledReplicationStatus } from "../../common/status";
import type { ListedVersion, ZoneS3 } from "./client";

// Where a service keeps no replication figures of its own (Exoscale SOS, AWS without CloudWatch), the
// status of the latest object versions is the only honest view: each version's x-amz-replication-status
// (PENDING, COMPLETED, FAILED, REPLICA) as a HEAD request returns it. A sample, and said to be one.

export const defaultSampleSize = 20;
/** Versions listed to find the latest ones: one page. Older versions beyond it are not sampled. */
const listedVersions = 1000;
/** HEAD requests in flight at once. */
const parallelHeads = 5;

export type { ListedVersion } from "./client";

/** The `size` most recently written versions, newest first (S3 lists by key, not by time). */
export function latestVersions(versions: readonly ListedVersion[], size: number): ListedVersion[] {
    return [...versions]
        .sort((a, b) => (b.lastModified?.getTime() ?? 0) - (a.lastModified?.getTime() ?? 0))
        .slice(0, Math.max(0, size));
}

/** Counts replication statuses as HEAD returned them (undefined: the version has none). */
export function tally(statuses: readonly (string | undefined)[]): SampledReplicationStatus {
    const counts = { objects: statuses.length, pending: 0, failed: 0, completed: 0, replica: 0, none: 0 };
    for (const status of statuses) {
        switch ((status ?? "").toUpperCase()) {
            case "PENDING": counts.pending++; break;
            case "FAILED": counts.failed++; break;
            case "COMPLETED": case "COMPLETE": counts.completed++; break;
            case "REPLICA": counts.replica++; break;
            default: counts.none++;
        }
    }
    return counts;
}

/** Reads the replication status of the latest `size` object versions under `prefix` (delete markers have none). */
export async function sampleReplicationStatus(s3: ZoneS3, bucket: string, prefix: string, size: number): Promise<SampledReplicationStatus> {
    const page = await s3.listObjectVersions(bucket, { prefix: prefix || undefined, maxKeys: listedVersions });
    const chosen = latestVersions(page.versions, size);
    const statuses: (string | undefined)[] = new Array(chosen.length);
    let next = 0;
    const worker = async () => {
        for (let i = next++; i < chosen.length; i = next++) {
            const version = chosen[i];
            try {
                statuses[i] = (await s3.headObject(bucket, version.key, version.versionId)).replicationStatus;
            } catch (error) {
                // Removed between the listing and the HEAD: not part of the sample.
                if ((error as { httpStatus?: number }).httpStatus === 404) { statuses[i] = "GONE"; continue; }
                throw error;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(parallelHeads, chosen.length) }, worker));
    return tally(statuses.filter((s) => s !== "GONE"));
}

/** What a sample can and cannot say about a rule, for `notes`. */
function sampleNotes(spec: ReplicationSpec, rule: ReplicationRule): string[] {
    const notes: string[] = [];
    const enabled = spec.rules.filter((r) => r.status === "Enabled");
    if (enabled.length > 1) {
        notes.push("an object's replication status covers all of its rules' destinations together: the sample cannot tell this rule's share");
    }
    if (rule.tags && Object.keys(rule.tags).length > 0) notes.push("the sample is filtered by the rule's prefix only, not by its tags");
    if ((rule.prefixes ?? []).length > 1) notes.push(`the sample covers the first prefix ('${rule.prefixes![0]}') only`);
    return notes;
}

function prefixOf(rule: ReplicationRule): string {
    return rule.prefix ?? rule.prefixes?.[0] ?? "";
}

/**
 * Every rule's status from one sample per distinct prefix of the source bucket: pending and failed
 * counts among the latest versions, the rule's state as the configuration says.
 */
export async function sampledRuleStatuses(s3: ZoneS3, spec: ReplicationSpec, size: number = defaultSampleSize): Promise<ReplicationRuleStatus[]> {
    const samples = new Map<string, Promise<SampledReplicationStatus>>();
    const sampleFor = (prefix: string) => {
        if (!samples.has(prefix)) samples.set(prefix, sampleReplicationStatus(s3, spec.source.bucket, prefix, size));
        return samples.get(prefix)!;
    };
    return Promise.all(spec.rules.map(async (rule): Promise<ReplicationRuleStatus> => {
        const sample = await sampleFor(prefixOf(rule));
        const over = `of the ${sample.objects} latest versions`;
        const notes = sampleNotes(spec, rule);
        return {
            ruleId: rule.id,
            destination: { zone: rule.destination.zone, bucket: rule.destination.bucket },
            state: rule.status,
            pending: { count: sample.pending, over },
            failed: { count: sample.failed, over },
            replicated: { count: sample.completed, over },
            sample,
            source: `sampled object status (${sample.objects} objects)`,
            ...(notes.length > 0 ? { notes } : {}),
        };
    }));
}
