import * as br from "pulumi-bucket-replication";

const prod = new br.LeaderFollower("prod", {
    leader: { zone: "local-a", forceDestroy: true },
    followers: [{ zone: "local-b", forceDestroy: true }],
});

export const leader = prod.leader.name;
export const follower = prod.followers[0].name;
export const role = prod.role.name;
