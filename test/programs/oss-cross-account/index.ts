import * as br from "pulumi-bucket-replication";

// Zone hz-a (cn-hangzhou) belongs to the stack's account; zones bj-b (cn-beijing) and hz-b (cn-hangzhou) to
// another, reached with that account's own key pair (zones.<zone>.accessKey and .secretKey in the stack configuration). The
// components say nothing of accounts: the backend finds each bucket's owner and grants across them.
const leaderFollower = new br.LeaderFollower("oxlf", {
    leader: { zone: "hz-a", forceDestroy: true },
    followers: [{ zone: "bj-b", forceDestroy: true }],
});
const pair = new br.BiDirectional("oxbi", { a: { zone: "hz-a", forceDestroy: true }, b: { zone: "bj-b", forceDestroy: true } });
// Same-region replication across the accounts: zone hz-b is cn-hangzhou again, with the other account's pair.
const sameRegion = new br.LeaderFollower("oxsrr", {
    leader: { zone: "hz-a", forceDestroy: true },
    followers: [{ zone: "hz-b", forceDestroy: true }],
});

export const leader = leaderFollower.leader.name;
export const follower = leaderFollower.followers[0].name;
export const leaderRole = leaderFollower.role.name;
export const bucketA = pair.a.name;
export const bucketB = pair.b.name;
export const roleAToB = pair.roles.aToB.name;
export const roleBToA = pair.roles.bToA.name;
export const srrLeader = sameRegion.leader.name;
export const srrFollower = sameRegion.followers[0].name;
export const srrRole = sameRegion.role.name;
