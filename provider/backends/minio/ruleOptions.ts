import type { RuleCheck, RuleOptionsOfService } from "../contract";
import { refusedRuleOptions } from "../ruleOptionRefusals";

/** What MinIO refuses in a set of rules (keyed by ID), found at preview. */

const storageClasses = ["STANDARD", "REDUCED_REDUNDANCY"];

/** MinIO refuses a remote target's bandwidth limit below 100 MB/s (cmd/admin-bucket-handlers.go, SetRemoteTargetHandler). */
export const minBandwidthLimit = 100_000_000;

const cannot = (field: string, what: string) => (id: string) => `Rule '${id}': MinIO cannot ${what}. Remove '${field}' on the minio backend.`;

/**
 * The options MinIO keeps on a rule's remote target rather than in the replication document: every rule into
 * one destination shares that target, so they must agree (cmd/admin-bucket-handlers.go, SetRemoteTargetHandler).
 * `synchronous` is `replicationSync`; `healthCheckPeriod` is `healthCheckDuration` (the server's own is 5 s);
 * `resync` is the target's latest resync (`resetID`, set by `PUT /<bucket>?replication-reset`).
 */
export const targetOptions = ["bandwidthLimit", "synchronous", "healthCheckPeriod", "resync"] as const;

const targetOptionWords: Record<(typeof targetOptions)[number], string> = {
    bandwidthLimit: "one bandwidth limit",
    synchronous: "one synchronous setting",
    healthCheckPeriod: "one health check period",
    resync: "one resync at a time",
};

/**
 * MinIO's bucket replication has a tag filter, version deletes, existing objects, replica modifications and,
 * per remote target, a bandwidth limit, synchronous replication, a health check period and resyncs; nothing else.
 */
export const ruleOptions: RuleOptionsOfService = {
    takes: ["tags", "deleteReplication", "existingObjectReplication", "replicaModifications", ...targetOptions],
    whyNot: {
        prefixes: (id) => `Rule '${id}': MinIO filters a rule by one prefix, given as 'prefix'. Use 'prefix', or split the rule into one rule per prefix.`,
        sseKms: cannot("sseKms", "be told how to replicate SSE-KMS objects (it replicates them with the source's key settings)"),
        replicationTimeControl: cannot("replicationTimeControl", "guarantee a replication time"),
        transferType: cannot("transferType", "choose a transfer type (an OSS option)"),
    },
};

export function ruleProblems(rules: Readonly<Record<string, RuleCheck>>): { path: readonly (string | number)[]; message: string }[] {
    const problems: { path: readonly (string | number)[]; message: string }[] = [...refusedRuleOptions("minio", ruleOptions, rules)];
    const bucketByZone = new Map<string, { id: string; bucket: string }>();
    const firstRuleByDestination = new Map<string, { id: string; rule: RuleCheck }>();
    for (const [id, rule] of Object.entries(rules)) {
        if (rule.deleteMarkerReplication === true && rule.tags && Object.keys(rule.tags).length > 0) {
            problems.push({ path: [id, "deleteMarkerReplication"], message: `Rule '${id}': MinIO cannot replicate delete markers for a rule that filters by 'tags'; remove the tags or set 'deleteMarkerReplication: false'.` });
        }
        const storageClass = rule.destination?.storageClass;
        if (storageClass !== undefined && !storageClasses.includes(storageClass)) {
            problems.push({ path: [id, "destination", "storageClass"], message: `Rule '${id}': 'storageClass' '${storageClass}' is not one MinIO knows; use ${storageClasses.join(" or ")}.` });
        }
        const limit = rule.bandwidthLimit;
        if (typeof limit === "number" && limit > 0 && limit < minBandwidthLimit) {
            problems.push({ path: [id, "bandwidthLimit"], message: `Rule '${id}' limits replication to ${limit} bytes per second, but MinIO takes a bandwidth limit of ` +
                `at least ${minBandwidthLimit} (100 MB/s); set 'bandwidthLimit' to ${minBandwidthLimit} or more, or leave it out for no limit.` });
        }
        if (rule.resync !== undefined && rule.existingObjectReplication !== true) {
            problems.push({ path: [id, "existingObjectReplication"], message: `Rule '${id}' sets 'resync', but MinIO resyncs only to a destination whose rule replicates existing objects; ` +
                `set 'existingObjectReplication: true' on rule '${id}', or remove 'resync'.` });
        }
        if (rule.resync !== undefined && rule.status === "Disabled") {
            problems.push({ path: [id, "status"], message: `Rule '${id}' sets 'resync' but is disabled, and MinIO resyncs only to the destinations of enabled rules; ` +
                `enable rule '${id}' (its resync then starts), or remove 'resync' while it is disabled.` });
        }
        const { zone, bucket } = rule.destination ?? {};
        if (typeof zone !== "string" || typeof bucket !== "string") continue;
        const sameDestination = firstRuleByDestination.get(`${zone}/${bucket}`);
        for (const option of sameDestination ? targetOptions : []) {
            const [first, other] = [sameDestination!.rule[option], rule[option]];
            if (option === "synchronous" ? (first === true) === (other === true) : first === other) continue;
            problems.push({ path: [id, option], message: `Rules '${sameDestination!.id}' and '${id}' replicate into ${zone}/${bucket} through one MinIO remote target, ` +
                `which has ${targetOptionWords[option]}; give both the same '${option}'.` });
        }
        if (!sameDestination) firstRuleByDestination.set(`${zone}/${bucket}`, { id, rule });
        const other = bucketByZone.get(zone);
        if (other && other.bucket !== bucket) {
            problems.push({ path: [id, "destination", "bucket"], message: `Rules '${other.id}' and '${id}' replicate into two buckets of zone ${zone}; MinIO allows one destination bucket per zone for a source bucket. Use one destination bucket in ${zone}, with prefixes to separate the rules.` });
        }
        if (!other) bucketByZone.set(zone, { id, bucket });
    }
    return problems;
}
