import * as pulumi from "@pulumi/pulumi";
import { DynamicResource } from "./providerStub";

export interface BucketVersioningArgs {
    /** The bucket's name, usually `bucket.name`. Changing it replaces this resource. */
    readonly bucket: pulumi.Input<string>;
    /** The bucket's zone, usually `bucket.zone`. Changing it replaces this resource. */
    readonly zone: pulumi.Input<string>;
    /**
     * `Enabled` keeps every version of every object; `Suspended` stops making new versions.
     * Deleting this resource suspends versioning, because S3 cannot turn it off.
     */
    readonly status: pulumi.Input<"Enabled" | "Suspended">;
}


/** The versioning state of a bucket. Replication needs it `Enabled` at both ends. */
export class BucketVersioning extends DynamicResource {
    declare readonly bucket: pulumi.Output<string>;
    declare readonly zone: pulumi.Output<string>;
    /** As last read from the service: `Enabled`, `Suspended`, or `Unversioned` if it was never turned on. */
    declare readonly status: pulumi.Output<string>;

    constructor(name: string, args: BucketVersioningArgs, opts?: pulumi.CustomResourceOptions) {
        super("bucketVersioning", "BucketVersioning", name, { bucket: args.bucket, zone: args.zone, status: args.status }, opts);
    }
}
