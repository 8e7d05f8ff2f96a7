import * as pulumi from "@pulumi/pulumi";
import { resourceIdentity } from "./identity";
import { DynamicResource } from "./providerStub";

export interface BucketArgs {
    /**
     * The zone the bucket lives in: one of the zones of the configured backend (for example
     * `local-a` on the local MinIO pair, `ch-dk-2` on Exoscale). Changing it replaces the bucket.
     */
    readonly zone: pulumi.Input<string>;
    /**
     * The bucket's name: 3 to 63 lowercase letters, digits, dots and hyphens. Changing it replaces the bucket.
     * @default the resource's name plus 8 characters derived from project, stack, resource, zone and
     * account: the same in every preview and `up`, different between stacks and accounts
     */
    readonly name?: pulumi.Input<string>;
    /**
     * Whether `pulumi destroy` (or a replacement) may delete every object version and delete marker
     * in the bucket. Without it, deleting a bucket that still holds anything fails and deletes nothing.
     * @default false
     */
    readonly forceDestroy?: pulumi.Input<boolean>;
    /**
     * Tags of the bucket. Changed in place; changes made outside Pulumi show on `pulumi refresh`.
     * @default no tags
     */
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Take over a bucket of this `name` that already exists (made with `mc`, a console or another
     * tool) instead of failing: nothing is recreated or deleted, its objects, versions and settings
     * stay, and its tags become the program's. Without it, an existing bucket that this resource did
     * not make fails the `up` untouched. `pulumi import` cannot bring in dynamic resources; this can.
     * @default false
     */
    readonly adoptExisting?: pulumi.Input<boolean>;
}


/** An object-storage bucket in one zone of the configured backend. */
export class Bucket extends DynamicResource {
    /** The bucket's name. */
    declare readonly name: pulumi.Output<string>;
    /** The zone it lives in. */
    declare readonly zone: pulumi.Output<string>;
    /** The S3 endpoint of its zone. */
    declare readonly endpoint: pulumi.Output<string>;
    declare readonly forceDestroy: pulumi.Output<boolean>;
    declare readonly tags: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: BucketArgs, opts?: pulumi.CustomResourceOptions) {
        super("bucket", "Bucket", name, {
            name: args.name,
            namePrefix: name,
            identity: resourceIdentity("Bucket", name, opts),
            zone: args.zone,
            forceDestroy: args.forceDestroy,
            tags: args.tags,
            adoptExisting: args.adoptExisting,
            endpoint: undefined,
        }, opts);
    }
}
