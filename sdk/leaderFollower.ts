import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "./bucket";
import { BucketVersioning } from "./bucketVersioning";
import { IamRole } from "./iamRole";
import { ReplicationConfiguration, ReplicationRuleArgs } from "./replicationConfiguration";
import { replicationPolicy } from "./replicationPolicy";

/** One bucket of a topology. */
export interface TopologyBucketArgs {
    /** The zone the bucket lives in. */
    readonly zone: pulumi.Input<string>;
    /**
     * The bucket's name.
     * @default the component's name, the bucket's role in it, and a random suffix
     */
    readonly name?: pulumi.Input<string>;
    /**
     * Whether destroying the topology may delete the objects in this bucket.
     * @default false
     */
    readonly forceDestroy?: pulumi.Input<boolean>;
}

export interface LeaderFollowerArgs {
    /** The bucket that is written to. */
    readonly leader: TopologyBucketArgs;
    /** The buckets that receive a copy of everything written to the leader. At least one. */
    readonly followers: readonly TopologyBucketArgs[];
    /**
     * Whether deleting an object on the leader is replicated to the followers as a delete marker.
     * @default true
     */
    readonly deleteMarkerReplication?: pulumi.Input<boolean>;
}

/**
 * Leader-follower replication in one declaration: the buckets, versioning on each, a least-privilege
 * role, and one rule per follower on the leader, applied in an order that converges on the first `up`.
 */
export class LeaderFollower extends pulumi.ComponentResource {
    readonly leader: Bucket;
    readonly followers: Bucket[];
    readonly role: IamRole;
    readonly replication: ReplicationConfiguration;

    constructor(name: string, args: LeaderFollowerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bucket-replication:index:LeaderFollower", name, {}, opts);
        if (args.followers.length === 0) {
            throw new Error(`LeaderFollower '${name}': 'followers' is empty; name at least one follower bucket.`);
        }
        const parent = { parent: this };
        const leader = versionedBucket(`${name}-leader`, args.leader, parent);
        const followers = args.followers.map((follower, i) => versionedBucket(`${name}-follower-${i + 1}`, follower, parent));
        this.leader = leader.bucket;
        this.followers = followers.map((f) => f.bucket);
        this.role = new IamRole(`${name}-replication`, {
            description: pulumi.interpolate`replication from ${leader.bucket.name} to its followers`,
            policy: replicationPolicy({ source: leader.bucket, destinations: this.followers }),
        }, parent);
        const rules: Record<string, pulumi.Input<ReplicationRuleArgs>> = {};
        followers.forEach((follower, i) => {
            rules[`follower-${i + 1}`] = {
                priority: i + 1,
                deleteMarkerReplication: args.deleteMarkerReplication ?? true,
                destination: { bucket: follower.versioning.bucket, zone: follower.versioning.zone },
            };
        });
        this.replication = new ReplicationConfiguration(`${name}-leader`, {
            bucket: leader.versioning.bucket,
            zone: leader.versioning.zone,
            role: this.role,
            rules,
        }, parent);
        this.registerOutputs({ leader: this.leader.name, followers: this.followers.map((f) => f.name) });
    }
}

/** A bucket with versioning enabled; passing `versioning.bucket` onwards orders versioning first. */
export function versionedBucket(name: string, args: TopologyBucketArgs, opts: pulumi.CustomResourceOptions): { bucket: Bucket; versioning: BucketVersioning } {
    const bucket = new Bucket(name, { zone: args.zone, name: args.name, forceDestroy: args.forceDestroy }, opts);
    const versioning = new BucketVersioning(name, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" }, opts);
    return { bucket, versioning };
}
