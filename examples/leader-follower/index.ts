import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// Leader-follower, the long way: every piece is visible in `pulumi preview`.
// The zones default to the local MinIO pair; set sourceZone / destinationZone for another backend.
const config = new pulumi.Config();
const forceDestroy = config.getBoolean("forceDestroy") ?? true;

const source = new br.Bucket("my-source", { zone: config.require("sourceZone"), forceDestroy });
const destination = new br.Bucket("my-destination", { zone: config.require("destinationZone"), forceDestroy });

const sourceVersioning = new br.BucketVersioning("my-source", { bucket: source.name, zone: source.zone, status: "Enabled" });
const destinationVersioning = new br.BucketVersioning("my-destination", { bucket: destination.name, zone: destination.zone, status: "Enabled" });

const role = new br.IamRole("replication-my-source-my-destination", {
    description: "replication from my-source to my-destination",
    policy: br.replicationPolicy({ source, destinations: [destination] }),
});

// Passing the versioning resources' outputs along is all the ordering needed: one `pulumi up` converges.
new br.ReplicationConfiguration("my-source", {
    bucket: sourceVersioning.bucket,
    zone: sourceVersioning.zone,
    role,
    rules: {
        "follower": {
            priority: 1,
            prefix: "",
            deleteMarkerReplication: config.getBoolean("deleteMarkerReplication") ?? true,
            destination: { bucket: destinationVersioning.bucket, zone: destinationVersioning.zone },
        },
    },
});

export const sourceBucket = source.name;
export const sourceZone = source.zone;
export const destinationBucket = destination.name;
export const destinationZone = destination.zone;
export const roleName = role.name;
