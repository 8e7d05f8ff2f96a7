import type { BucketRef } from "../backend";

// Exoscale IAM's policy language for replication roles.

/**
 * The IAM policy that lets SOS replicate from `source` to each destination, and nothing else: get-object
 * on the source, put-object and put-object-* on each destination. The expressions are the ones of
 * Exoscale's bucket-replication guide (community.exoscale.com, storage/replication/examples).
 */
export function replicationPolicy(source: BucketRef, destinations: readonly BucketRef[]): unknown {
    const destinationBuckets = [...new Set(destinations.map((d) => d.bucket))];
    return {
        "default-service-strategy": "deny",
        services: {
            sos: {
                type: "rules",
                rules: [
                    { action: "allow", expression: `parameters.bucket == ${celString(source.bucket)} && operation == 'get-object'` },
                    ...destinationBuckets.map((bucket) => ({
                        action: "allow",
                        expression: `parameters.bucket == ${celString(bucket)} && operation.startsWith('put-object')`,
                    })),
                ],
            },
        },
    };
}

/** A CEL string literal; bucket names never need escaping, so anything that would is refused rather than quoted. */
function celString(bucket: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(bucket)) {
        throw new Error(`Bucket name '${bucket}' cannot go into an Exoscale IAM policy: use only letters, digits, '.', '-' and '_'.`);
    }
    return `'${bucket}'`;
}
