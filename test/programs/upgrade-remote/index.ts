// The remote-component program of 0.1.0 (test/programs/package-remote as of 8913f33, the last 0.1.0 commit),
// kept as it was so that the upgrade test goes on testing what a 0.1.0 user wrote: LeaderFollower declared by
// its type token and served by pulumi-resource-bucket-replication on PATH, without this package's SDK.
import * as pulumi from "@pulumi/pulumi";

interface TopologyBucket { zone: pulumi.Input<string>; name?: pulumi.Input<string>; forceDestroy?: pulumi.Input<boolean> }

class LeaderFollower extends pulumi.ComponentResource {
    declare readonly leaderName: pulumi.Output<string>;
    declare readonly followerNames: pulumi.Output<string[]>;
    declare readonly roleName: pulumi.Output<string>;
    declare readonly diagram: pulumi.Output<string>;
    declare readonly replicationLag: pulumi.Output<Record<string, number>>;

    constructor(name: string, args: { leader: TopologyBucket; followers: TopologyBucket[]; verify?: { timeoutSeconds?: number } }, opts?: pulumi.ComponentResourceOptions) {
        // The last argument, remote: the engine asks the provider named by the token's first part to construct it.
        super("bucket-replication:index:LeaderFollower", name,
            { ...args, leaderName: undefined, followerNames: undefined, roleName: undefined, diagram: undefined, replicationLag: undefined }, opts, true);
    }
}

const pair = new LeaderFollower("upg-remote", {
    leader: { zone: "local-a", forceDestroy: true },
    followers: [{ zone: "local-b", forceDestroy: true }],
    verify: { timeoutSeconds: 60 },
});

export const leader = pair.leaderName;
export const follower = pair.followerNames.apply((names) => names[0]);
export const role = pair.roleName;
export const diagram = pair.diagram;
export const replicationLag = pair.replicationLag;
