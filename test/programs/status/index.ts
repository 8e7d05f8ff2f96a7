import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// Leader-follower resource by resource on the local pair, plus the program's own view of its
// replication status through the SDK (getReplicationStatusOutput), exported as `status`.
const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "sts";

const leader = new br.Bucket(`${prefix}-leader`, { zone: "local-a", forceDestroy: true });
const follower = new br.Bucket(`${prefix}-follower`, { zone: "local-b", forceDestroy: true });
const leaderVersioning = new br.BucketVersioning(`${prefix}-leader`, { bucket: leader.name, zone: leader.zone, status: "Enabled" });
const followerVersioning = new br.BucketVersioning(`${prefix}-follower`, { bucket: follower.name, zone: follower.zone, status: "Enabled" });

const role = new br.IamRole(`${prefix}-replication`, {
    description: "status test: replication from the leader to the follower",
    policy: br.replicationPolicy({ source: leader, destinations: [follower] }),
});

const replication = new br.ReplicationConfiguration(`${prefix}-leader`, {
    bucket: leaderVersioning.bucket,
    zone: leaderVersioning.zone,
    role,
    rules: {
        follower: { priority: 1, deleteMarkerReplication: true, destination: { bucket: followerVersioning.bucket, zone: followerVersioning.zone } },
    },
});

export const leaderBucket = leader.name;
export const followerBucket = follower.name;
// Read after the configuration exists: every `pulumi up` reports the status of that moment.
export const status = replication.bucket.apply((bucket) => br.getReplicationStatusOutput({ zone: "local-a", bucket }));
