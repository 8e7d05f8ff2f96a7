import type { BucketRef } from "../backend";
import type { PathProblem, PolicyOptions } from "../contract";
import { isUnknown } from "../../common/unknown";
import { configKey } from "../../common/configKey";

// The RAM policy language: the least policy a sync role needs, the trust policy, and what preview
// refuses in a policy document or a bucket name.

/**
 * The RAM policy that lets OSS replicate from `source` into each destination as the sync role, and
 * nothing else: list and read on the source, list, read, write and delete replicas on each
 * destination (the oss:Replicate* actions that OSS's replication uses).
 */
export function replicationPolicy(source: BucketRef, destinations: readonly BucketRef[], options: PolicyOptions = {}): unknown {
    const resources = (bucket: string) => [`acs:oss:*:*:${ramResourceName(bucket)}`, `acs:oss:*:*:${ramResourceName(bucket)}/*`];
    const destinationBuckets = [...new Set(destinations.map((d) => d.bucket))];
    return {
        Version: "1",
        Statement: [
            { Effect: "Allow", Action: ["oss:ReplicateList", "oss:ReplicateGet"], Resource: resources(source.bucket) },
            {
                Effect: "Allow",
                Action: ["oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut", "oss:ReplicateDelete"],
                Resource: destinationBuckets.flatMap(resources),
            },
            ...kmsStatements(source, options),
        ],
    };
}

/**
 * SSE-KMS objects: decrypting the originals with the source's keys (those named, else any key of the
 * source's region) and encrypting the replicas with each replica key, in its destination's region.
 */
function kmsStatements(source: BucketRef, options: PolicyOptions): object[] {
    const replicaKeys = (options.rules ?? []).filter((rule) => rule.sseKms?.replicateEncryptedObjects && rule.sseKms.replicaKmsKeyId);
    if (replicaKeys.length === 0) return [];
    const keyResource = (zone: string, keyId: string) => keyId.startsWith("acs:kms:") ? keyId : `acs:kms:${zone}:*:key/${keyId}`;
    const sourceKeys = options.sourceKmsKeyArns && options.sourceKmsKeyArns.length > 0
        ? options.sourceKmsKeyArns.map((key) => keyResource(source.zone, key))
        : [`acs:kms:${source.zone}:*:key/*`];
    return [
        { Effect: "Allow", Action: ["kms:Decrypt"], Resource: [...new Set(sourceKeys)] },
        { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Encrypt"],
            Resource: [...new Set(replicaKeys.map((rule) => keyResource(rule.destination.zone, rule.sseKms!.replicaKmsKeyId!)))] },
    ];
}

function ramResourceName(bucket: string): string {
    if (!/^[a-z0-9-]+$/.test(bucket)) {
        throw new Error(`Bucket name '${bucket}' cannot go into a RAM policy: OSS bucket names have only lowercase letters, digits and '-'.`);
    }
    return bucket;
}

/** The trust policy of a sync role: OSS, and only OSS, may assume it. */
export const ossTrustPolicy = {
    Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: ["oss.aliyuncs.com"] } }],
    Version: "1",
};

/** A RAM policy document, judged at preview: Version "1" and statements with an Effect and an Action. */
export function policyProblems(policy: Readonly<Record<string, unknown>>): PathProblem[] {
    const fix = `build it with replicationPolicy({ source, destinations }) under '${configKey("backend")} oss'`;
    const problems: PathProblem[] = [];
    if (policy.Version !== "1" && !isUnknown(policy.Version)) {
        problems.push({ path: ["Version"], message: `A RAM policy has "Version": "1"; this one has ${JSON.stringify(policy.Version)}. Is it another backend's policy? ${fix}.` });
    }
    const statements = policy.Statement;
    if (isUnknown(statements)) return problems;
    if (!Array.isArray(statements) || statements.length === 0) {
        problems.push({ path: ["Statement"], message: `A RAM policy needs a non-empty "Statement" list; ${fix}.` });
        return problems;
    }
    statements.forEach((statement, index) => {
        if (!statement || typeof statement !== "object" || isUnknown(statement)) return;
        const { Effect, Action } = statement as Record<string, unknown>;
        if (Effect !== "Allow" && Effect !== "Deny" && !isUnknown(Effect)) {
            problems.push({ path: ["Statement", index, "Effect"], message: `Every RAM policy statement needs "Effect": "Allow" or "Deny".` });
        }
        if (Action === undefined) problems.push({ path: ["Statement", index, "Action"], message: `Every RAM policy statement needs an "Action", such as "oss:ReplicateGet".` });
    });
    return problems;
}

/** OSS bucket names: 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit. */
export function bucketNameProblems(name: string): string[] {
    const problems: string[] = [];
    if (name.includes(".")) problems.push("contains '.', which OSS does not allow in bucket names (use '-')");
    if (/_/.test(name)) problems.push("contains '_', which OSS does not allow in bucket names (use '-')");
    return problems;
}
