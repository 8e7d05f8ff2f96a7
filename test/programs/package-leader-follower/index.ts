// The smallest useful program of a package user: a leader bucket replicating to one follower.
import * as br from "pulumi-bucket-replication";

const pair = new br.LeaderFollower("pkg", {
    leader: { zone: "local-a", forceDestroy: true },
    followers: [{ zone: "local-b", forceDestroy: true }],
});

export const leader = pair.leader.name;
export const follower = pair.followers[0].name;
export const role = pair.role.name;
