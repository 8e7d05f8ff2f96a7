// The component provider's interface, as @pulumi/pulumi's schema analyzer reads it: the provider host
// (componentProviderHost) derives the package schema from the TypeScript declarations of the component
// classes found from this folder's index.ts. The classes that run are in host.ts (the SDK's components
// plus the outputs declared here); test/package/plugin-schema.test.ts keeps the two in step.
//
// Declarations only: the analyzer accepts classes that extend ComponentResource directly and args and
// outputs of schema types (text, booleans, lists, objects), which the SDK's own classes do not have.
import * as pulumi from "@pulumi/pulumi";

/** One bucket of a topology. */
export interface TopologyBucketArgs {
    /** The zone the bucket lives in: one of the configured backend's zones. */
    zone: pulumi.Input<string>;
    /** The bucket's name; by default the component's name and the bucket's role in it, plus 8 characters derived from project, stack, zone and account. */
    name?: pulumi.Input<string>;
    /** Whether destroying the topology may delete the objects in this bucket (default false). */
    forceDestroy?: pulumi.Input<boolean>;
}

/** A check, on `up`, that replication delivers: a canary object per rule must arrive in time. */
export interface VerifyArgs {
    /** How long each canary may take to arrive, in seconds (default 300, at most 3600). */
    timeoutSeconds?: pulumi.Input<number>;
}

export interface LeaderFollowerArgs {
    /** The bucket that is written to. */
    leader: TopologyBucketArgs;
    /** The buckets that receive a copy of everything written to the leader. At least one. */
    followers: TopologyBucketArgs[];
    /** Whether deleting an object on the leader is replicated to the followers as a delete marker (default true). */
    deleteMarkerReplication?: pulumi.Input<boolean>;
    /** Verify on `up` that each follower receives a canary object; off when unset. */
    verify?: VerifyArgs;
}

/** Leader-follower replication in one declaration: the buckets, versioning on each, a least-privilege role, and one rule per follower on the leader. */
export declare class LeaderFollower extends pulumi.ComponentResource {
    /** The leader bucket's name. */
    readonly leaderName: pulumi.Output<string>;
    /** The follower buckets' names, in the order of `followers`. */
    readonly followerNames: pulumi.Output<string[]>;
    /** The name of the role replication runs as. */
    readonly roleName: pulumi.Output<string>;
    /** A Mermaid graph of the topology: zones, buckets, one arrow per rule. */
    readonly diagram: pulumi.Output<string>;
    /** Seconds each rule's canary took to arrive, by rule ID; empty when `verify` is off. */
    readonly replicationLag: pulumi.Output<{ [rule: string]: number }>;
    constructor(name: string, args: LeaderFollowerArgs, opts?: pulumi.ComponentResourceOptions);
}

export interface BiDirectionalArgs {
    /** One side. */
    a: TopologyBucketArgs;
    /** The other side. */
    b: TopologyBucketArgs;
    /** Whether deletes on either side are replicated to the other as delete markers (default true). */
    deleteMarkerReplication?: pulumi.Input<boolean>;
    /** Verify on `up` that each side receives a canary object from the other; off when unset. */
    verify?: VerifyArgs;
}

/** Two buckets that replicate into each other: both buckets, versioning, one role and one rule per direction. */
export declare class BiDirectional extends pulumi.ComponentResource {
    /** Bucket a's name. */
    readonly aName: pulumi.Output<string>;
    /** Bucket b's name. */
    readonly bName: pulumi.Output<string>;
    /** The name of the role that replicates from a to b. */
    readonly aToBRoleName: pulumi.Output<string>;
    /** The name of the role that replicates from b to a. */
    readonly bToARoleName: pulumi.Output<string>;
    /** A Mermaid graph of the topology: zones, buckets, one arrow per rule. */
    readonly diagram: pulumi.Output<string>;
    /** Seconds each rule's canary took to arrive, by rule ID; empty when `verify` is off. */
    readonly replicationLag: pulumi.Output<{ [rule: string]: number }>;
    constructor(name: string, args: BiDirectionalArgs, opts?: pulumi.ComponentResourceOptions);
}
