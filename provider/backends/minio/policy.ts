import type { BucketRef } from "../backend";

/**
 * The policy of the user a source zone replicates as, on the destination zones: what MinIO's
 * replication guide lists for a target user, limited to the destination buckets, plus reading the
 * source bucket's objects and nothing else.
 */
export function replicationUserPolicy(source: BucketRef, destinations: readonly BucketRef[]): object {
    const buckets = [...new Set(destinations.map((d) => d.bucket))].sort();
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectVersionTagging"],
                Resource: [`arn:aws:s3:::${source.bucket}/*`],
            },
            {
                Effect: "Allow",
                Action: [
                    "s3:GetBucketLocation",
                    "s3:GetBucketObjectLockConfiguration",
                    "s3:GetBucketVersioning",
                    "s3:GetReplicationConfiguration",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                ],
                Resource: buckets.map((b) => `arn:aws:s3:::${b}`),
            },
            {
                Effect: "Allow",
                Action: [
                    "s3:AbortMultipartUpload",
                    "s3:DeleteObject",
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:GetObjectVersionTagging",
                    "s3:PutObject",
                    "s3:ReplicateDelete",
                    "s3:ReplicateObject",
                    "s3:ReplicateTags",
                ],
                Resource: buckets.map((b) => `arn:aws:s3:::${b}/*`),
            },
        ],
    };
}

/**
 * Whether two IAM policy documents grant the same: MinIO stores policies normalised (single values
 * as arrays, its own order), so a byte comparison would show drift that is not there.
 */
export function samePolicy(a: unknown, b: unknown): boolean {
    return JSON.stringify(normalisedPolicy(a)) === JSON.stringify(normalisedPolicy(b));
}

function normalisedPolicy(policy: unknown): unknown {
    const document = (policy ?? {}) as { Version?: string; Statement?: unknown };
    const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
    const asSortedArray = (value: unknown) => (Array.isArray(value) ? [...value] : value === undefined ? [] : [value]).map(String).sort();
    return {
        Version: document.Version ?? "",
        Statement: statements.map((s: Record<string, unknown>) => JSON.stringify({
            Effect: s.Effect,
            Action: asSortedArray(s.Action),
            NotAction: asSortedArray(s.NotAction),
            Resource: asSortedArray(s.Resource),
            Condition: s.Condition ?? {},
        })).sort(),
    };
}
