import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// The drift suite (test/drift) changes one thing at a time outside Pulumi with mc on what this program
// declares, then checks that refresh names it and up puts it back. Two followers, so that a rule can be
// removed while the configuration keeps one (MinIO refuses to remove its last rule); the second is on the
// leader's zone, as MinIO takes one destination bucket per zone, and so a fault on local-b leaves its rule
// healthy. The tagged bucket beside the component: the component's buckets take no tags, and it can be
// removed harmlessly.
const topology = new br.LeaderFollower("lf", {
    leader: { zone: "local-a", forceDestroy: true },
    followers: [{ zone: "local-b", forceDestroy: true }, { zone: "local-a", forceDestroy: true }],
});

const tagged = new br.Bucket("lf-tagged", { zone: "local-a", forceDestroy: true, tags: { suite: "drift", owner: "pulumi" } });

export const leader = topology.leader.name;
export const followers = topology.followers.map((follower) => follower.name);
export const role = topology.role.name;
export const taggedBucket = tagged.name;
/** The role's key by its name: the suite checks that every zone still accepts it. */
export const roleSecretKeys = pulumi.all([topology.role.name, topology.role.secretKey]).apply(([name, secretKey]) => ({ [name]: secretKey }));
