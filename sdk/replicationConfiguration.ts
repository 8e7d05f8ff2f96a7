import * as pulumi from "@pulumi/pulumi";
import type { IamRole } from "./iamRole";
import { providerStub } from "./providerStub";

export interface ReplicationDestination {
    /** The destination bucket's name, usually `destination.name`. */
    readonly bucket: pulumi.Input<string>;
    /** The destination bucket's zone, usually `destination.zone`. */
    readonly zone: pulumi.Input<string>;
    /**
     * The storage class of the replicas.
     * @default the destination bucket's default
     */
    readonly storageClass?: pulumi.Input<string>;
}

export interface ReplicationRuleArgs {
    /** Which rule wins where rules overlap: the highest. Unique within the configuration. */
    readonly priority: pulumi.Input<number>;
    /** @default "Enabled" */
    readonly status?: pulumi.Input<"Enabled" | "Disabled">;
    /**
     * Replicate only keys that start with this prefix.
     * @default "" (every object)
     */
    readonly prefix?: pulumi.Input<string>;
    /**
     * Replicate only objects with all of these tags.
     * @default no tag filter
     */
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Whether deleting an object on the source (which adds a delete marker) is replicated.
     * @default false
     */
    readonly deleteMarkerReplication?: pulumi.Input<boolean>;
    /**
     * Whether deleting a specific object version is replicated (MinIO only).
     * @default false
     */
    readonly deleteReplication?: pulumi.Input<boolean>;
    /**
     * Whether objects that existed before the rule are replicated too (where the service supports it).
     * @default false
     */
    readonly existingObjectReplication?: pulumi.Input<boolean>;
    /**
     * Whether metadata changes on replicas are replicated back (useful in bi-directional setups).
     * @default false
     */
    readonly replicaModifications?: pulumi.Input<boolean>;
    /** Where objects are replicated to. */
    readonly destination: pulumi.Input<ReplicationDestination>;
}

export interface ReplicationConfigurationArgs {
    /** The source bucket's name. Pass `versioning.bucket` to have versioning applied first. Changing it replaces this resource. */
    readonly bucket: pulumi.Input<string>;
    /** The source bucket's zone. Changing it replaces this resource. */
    readonly zone: pulumi.Input<string>;
    /** The role the service replicates as. */
    readonly role: IamRole;
    /**
     * The rules, keyed by rule ID: reordering them changes nothing, and a rule added outside
     * Pulumi shows as drift on refresh.
     */
    readonly rules: pulumi.Input<Record<string, pulumi.Input<ReplicationRuleArgs>>>;
}

const provider = providerStub("replicationConfiguration");

/**
 * The replication configuration of one source bucket: every rule that copies its objects into other
 * buckets. Waits (bounded, with progress) for versioning at both ends. Deleting it leaves every
 * replicated object where it is.
 */
export class ReplicationConfiguration extends pulumi.dynamic.Resource {
    declare readonly bucket: pulumi.Output<string>;
    declare readonly zone: pulumi.Output<string>;
    declare readonly rules: pulumi.Output<Record<string, ReplicationRuleArgs>>;

    constructor(name: string, args: ReplicationConfigurationArgs, opts?: pulumi.CustomResourceOptions) {
        const role = pulumi.all([args.role.id, args.role.name, args.role.secretKey])
            .apply(([id, roleName, secretKey]) => ({ id, name: roleName, secretKey: secretKey ?? null }));
        super(provider, name, { bucket: args.bucket, zone: args.zone, role, rules: args.rules }, opts,
            "bucket-replication", "ReplicationConfiguration");
    }
}
