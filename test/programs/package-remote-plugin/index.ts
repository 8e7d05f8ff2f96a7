// A program that uses LeaderFollower the way a program in any Pulumi language does: by its type token,
// served by the plugin pulumi-bucket-replication, without importing this package's SDK or having it in its
// folder. The component's parts are the plugin's own resources (pulumi-bucket-replication:index:Bucket...).
import * as pulumi from "@pulumi/pulumi";

interface TopologyBucket { zone: pulumi.Input<string>; name?: pulumi.Input<string>; forceDestroy?: pulumi.Input<boolean> }

class LeaderFollower extends pulumi.ComponentResource {
    declare readonly leaderName: pulumi.Output<string>;
    declare readonly followerNames: pulumi.Output<string[]>;
    declare readonly roleName: pulumi.Output<string>;
    declare readonly diagram: pulumi.Output<string>;
    declare readonly replicationLag: pulumi.Output<Record<string, number>>;

    constructor(name: string, args: { leader: TopologyBucket; followers: TopologyBucket[]; verify?: { timeoutSeconds?: number } }, opts?: pulumi.ComponentResourceOptions) {
        // The last argument, remote: the engine asks the plugin named by the token's first part to construct it.
        super("pulumi-bucket-replication:index:LeaderFollower", name,
            { ...args, leaderName: undefined, followerNames: undefined, roleName: undefined, diagram: undefined, replicationLag: undefined }, opts, true);
    }
}

const pair = new LeaderFollower("plugin", {
    leader: { zone: "local-a", forceDestroy: true },
    followers: [{ zone: "local-b", forceDestroy: true }],
    verify: { timeoutSeconds: 60 },
});

export const leader = pair.leaderName;
export const follower = pair.followerNames.apply((names) => names[0]);
export const role = pair.roleName;
export const diagram = pair.diagram;
export const replicationLag = pair.replicationLag;
