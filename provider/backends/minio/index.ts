import type { BackendSettings, BucketRef, StorageBackend } from "../backend";
import type { BackendDefaults, PathProblem, RuleCheck } from "../contract";
import { findLocalZones, localCredentials } from "./localZones";

/** MinIO: zones are separate MinIO deployments; roles are users with a canned policy; rules point at remote targets. */

export function defaults(env: NodeJS.ProcessEnv): BackendDefaults {
    const local = findLocalZones(env);
    const fromEnv = {
        accessKey: env.MINIO_ACCESS_KEY ?? env.MINIO_ROOT_USER,
        secretKey: env.MINIO_SECRET_KEY ?? env.MINIO_ROOT_PASSWORD,
    };
    return {
        zones: local?.zones,
        credentials: fromEnv.accessKey && fromEnv.secretKey ? fromEnv : localCredentials(local),
        howToConfigureZones: "Set 'bucket-replication:zones' to your MinIO servers, such as " +
            "pulumi config set --path 'bucket-replication:zones.zone-a.endpoint' http://127.0.0.1:9000 (one entry per server); " +
            "to try the package on a local pair, run 'npm run zones -- up' in a clone of the pulumi-bucket-replication repository.",
        howToSetCredentials: "set MINIO_ACCESS_KEY and MINIO_SECRET_KEY in the environment.",
    };
}

export function open(settings: BackendSettings): StorageBackend {
    const { MinioBackend } = require("./minioBackend") as typeof import("./minioBackend");
    return new MinioBackend(settings);
}

export function replicationPolicy(source: BucketRef, destinations: readonly BucketRef[]): unknown {
    const { replicationUserPolicy } = require("./policy") as typeof import("./policy");
    return replicationUserPolicy(source, destinations);
}

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

// The preview-time rules for policies and bucket names live beside MinIO's policy language.
export function policyProblems(policy: Readonly<Record<string, unknown>>): PathProblem[] {
    return (require("./policy") as typeof import("./policy")).policyProblems(policy);
}

export function bucketNameProblems(name: string): string[] {
    return (require("./policy") as typeof import("./policy")).bucketNameProblems(name);
}
