import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// A leader-follower resource by resource whose one rule takes MinIO's remote-target options from the stack
// configuration (test/engine/minio-target-options-program.engine.test.ts): 'ruleStatus', 'synchronous',
// 'healthCheckPeriod' and 'resync'. Existing objects are replicated, as 'resync' needs.
const config = new pulumi.Config();

const leader = new br.Bucket("opts-leader", { zone: "local-a", forceDestroy: true });
const follower = new br.Bucket("opts-follower", { zone: "local-b", forceDestroy: true });
const leaderVersioning = new br.BucketVersioning("opts-leader", { bucket: leader.name, zone: leader.zone, status: "Enabled" });
const followerVersioning = new br.BucketVersioning("opts-follower", { bucket: follower.name, zone: follower.zone, status: "Enabled" });

const role = new br.IamRole("opts-replication", {
    description: "replication from opts-leader to opts-follower",
    policy: br.replicationPolicy({ source: leader, destinations: [follower] }),
});

new br.ReplicationConfiguration("opts-leader", {
    bucket: leaderVersioning.bucket,
    zone: leaderVersioning.zone,
    role,
    rules: {
        follower: {
            priority: 1,
            status: config.get("ruleStatus") === "Disabled" ? "Disabled" : "Enabled",
            existingObjectReplication: true,
            destination: { bucket: followerVersioning.bucket, zone: followerVersioning.zone },
            synchronous: config.getBoolean("synchronous"),
            healthCheckPeriod: config.getNumber("healthCheckPeriod"),
            resync: config.get("resync"),
        },
    },
});

export const leaderBucket = leader.name;
export const followerBucket = follower.name;
