import * as pulumi from "@pulumi/pulumi";
import { defaultBackend, replicationPolicyFor } from "../provider/backends/registry";

/** A bucket as a policy needs it; a `Bucket` resource fits. */
export interface PolicyBucket {
    readonly name: pulumi.Input<string>;
    readonly zone: pulumi.Input<string>;
}

export interface ReplicationPolicyArgs {
    /** The bucket objects are read from. */
    readonly source: PolicyBucket;
    /** The buckets replicas are written into. */
    readonly destinations: readonly PolicyBucket[];
    /**
     * The backend whose policy language to use.
     * @default the stack's `bucket-replication:backend`, or "minio"
     */
    readonly backend?: string;
}

/**
 * The least-privilege policy for replicating `source` into `destinations`, in the configured
 * backend's own policy language: read from the source, write replicas into the destinations, nothing else.
 */
export function replicationPolicy(args: ReplicationPolicyArgs): pulumi.Output<object> {
    const backend = args.backend ?? new pulumi.Config("bucket-replication").get("backend") ?? defaultBackend;
    const ref = (b: PolicyBucket) => pulumi.all([b.zone, b.name]).apply(([zone, bucket]) => ({ zone, bucket }));
    return pulumi.all([ref(args.source), pulumi.all(args.destinations.map(ref))])
        .apply(([source, destinations]) => replicationPolicyFor(backend, source, destinations) as object);
}
