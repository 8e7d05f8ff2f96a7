// A program written against 0.1.0 of the package, kept as 0.1.0 accepts it (test/package/upgrade.test.ts
// ups it with 0.1.0, then with the current version over the same stack): the short way and the long way.
import * as br from "pulumi-bucket-replication";

// The short way: a LeaderFollower whose `up` proves replication (verify).
const pair = new br.LeaderFollower("upg", {
    leader: { zone: "local-a", forceDestroy: true },
    followers: [{ zone: "local-b", forceDestroy: true }],
    verify: { timeoutSeconds: 60 },
});

// The long way: every piece declared, with tags, a described role and a rule with options.
const source = new br.Bucket("upg-source", { zone: "local-a", forceDestroy: true, tags: { purpose: "upgrade-test" } });
const destination = new br.Bucket("upg-destination", { zone: "local-b", forceDestroy: true });
const sourceVersioning = new br.BucketVersioning("upg-source", { bucket: source.name, zone: source.zone, status: "Enabled" });
const destinationVersioning = new br.BucketVersioning("upg-destination", { bucket: destination.name, zone: destination.zone, status: "Enabled" });
const role = new br.IamRole("upg-replication", {
    description: "replication from upg-source to upg-destination",
    policy: br.replicationPolicy({ source, destinations: [destination] }),
});
new br.ReplicationConfiguration("upg-source", {
    bucket: sourceVersioning.bucket, zone: sourceVersioning.zone, role,
    rules: {
        "to-destination": {
            priority: 1, deleteMarkerReplication: true, existingObjectReplication: true,
            destination: { bucket: destinationVersioning.bucket, zone: destinationVersioning.zone },
        },
    },
});

export const leader = pair.leader.name;
export const follower = pair.followers[0].name;
export const pairRole = pair.role.name;
export const replicationLag = pair.replicationLag;
export const sourceBucket = source.name;
export const destinationBucket = destination.name;
export const longRole = role.name;
