import type { RuleCheck } from "../contract";

/** What MinIO refuses in a set of rules (keyed by ID), found at preview. */

const storageClasses = ["STANDARD", "REDUCED_REDUNDANCY"];

export function ruleProblems(rules: Readonly<Record<string, RuleCheck>>): { path: string[]; message: string }[] {
    const problems: { path: string[]; message: string }[] = [];
    const bucketByZone = new Map<string, { id: string; bucket: string }>();
    for (const [id, rule] of Object.entries(rules)) {
        if (rule.deleteMarkerReplication === true && rule.tags && Object.keys(rule.tags).length > 0) {
            problems.push({ path: [id, "deleteMarkerReplication"], message: `Rule '${id}': MinIO cannot replicate delete markers for a rule that filters by 'tags'; remove the tags or set 'deleteMarkerReplication: false'.` });
        }
        problems.push(...unsupportedOptions(id, rule));
        const storageClass = rule.destination?.storageClass;
        if (storageClass !== undefined && !storageClasses.includes(storageClass)) {
            problems.push({ path: [id, "destination", "storageClass"], message: `Rule '${id}': 'storageClass' '${storageClass}' is not one MinIO knows; use ${storageClasses.join(" or ")}.` });
        }
        const { zone, bucket } = rule.destination ?? {};
        if (typeof zone !== "string" || typeof bucket !== "string") continue;
        const other = bucketByZone.get(zone);
        if (other && other.bucket !== bucket) {
            problems.push({ path: [id, "destination", "bucket"], message: `Rules '${other.id}' and '${id}' replicate into two buckets of zone ${zone}; MinIO allows one destination bucket per zone for a source bucket. Use one destination bucket in ${zone}, with prefixes to separate the rules.` });
        }
        if (!other) bucketByZone.set(zone, { id, bucket });
    }
    return problems;
}

/** Rule options of other services that MinIO's bucket replication has no equivalent for. */
function unsupportedOptions(id: string, rule: RuleCheck): { path: string[]; message: string }[] {
    const problems: { path: string[]; message: string }[] = [];
    const refuse = (field: string, what: string) =>
        problems.push({ path: [id, field], message: `Rule '${id}': MinIO cannot ${what}. Remove '${field}' on the minio backend.` });
    if (Array.isArray(rule.prefixes)) {
        problems.push({ path: [id, "prefixes"], message: `Rule '${id}': MinIO filters a rule by one prefix, given as 'prefix'. ` +
            `Use 'prefix', or split the rule into one rule per prefix.` });
    }
    if (rule.sseKms !== undefined) refuse("sseKms", "be told how to replicate SSE-KMS objects (it replicates them with the source's key settings)");
    if (rule.replicationTimeControl !== undefined) refuse("replicationTimeControl", "guarantee a replication time");
    if (rule.transferType !== undefined) refuse("transferType", "choose a transfer type (an OSS option)");
    return problems;
}
