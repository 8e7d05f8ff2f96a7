import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// Leader-follower written out resource by resource, so that the fault suite can change one thing at a
// time (the leader's tags, the rule) and find every thing this stack made by its logical-name prefix.
const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "flt";

const leader = new br.Bucket(`${prefix}-leader`, {
    zone: "local-a",
    forceDestroy: true,
    tags: config.getObject<Record<string, string>>("leaderTags") ?? { stage: "first" },
});
const follower = new br.Bucket(`${prefix}-follower`, { zone: "local-b", forceDestroy: true });
const leaderVersioning = new br.BucketVersioning(`${prefix}-leader`, { bucket: leader.name, zone: leader.zone, status: "Enabled" });
const followerVersioning = new br.BucketVersioning(`${prefix}-follower`, { bucket: follower.name, zone: follower.zone, status: "Enabled" });

const role = new br.IamRole(`${prefix}-replication`, {
    description: "fault suite: replication from the leader to the follower",
    policy: br.replicationPolicy({ source: leader, destinations: [follower] }),
});

new br.ReplicationConfiguration(`${prefix}-leader`, {
    bucket: leaderVersioning.bucket,
    zone: leaderVersioning.zone,
    role,
    rules: {
        follower: {
            priority: 1,
            deleteMarkerReplication: config.getBoolean("deleteMarkers") ?? true,
            destination: { bucket: followerVersioning.bucket, zone: followerVersioning.zone },
        },
    },
});

export const leaderBucket = leader.name;
export const followerBucket = follower.name;
export const roleName = role.name;
