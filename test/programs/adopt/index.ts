import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

const config = new pulumi.Config();

// Both buckets and the role exist already; the program takes them over instead of recreating them.
const source = new br.Bucket("source", {
    zone: "local-a", name: config.require("sourceName"), adoptExisting: true,
    forceDestroy: config.getBoolean("forceDestroy") ?? false, tags: { team: config.get("team") ?? "storage" },
});
const destination = new br.Bucket("destination", {
    zone: "local-b", name: config.require("destinationName"), adoptExisting: true,
    forceDestroy: config.getBoolean("forceDestroy") ?? false,
});
const sourceVersioning = new br.BucketVersioning("source", { bucket: source.name, zone: source.zone, status: "Enabled" });
const destinationVersioning = new br.BucketVersioning("destination", { bucket: destination.name, zone: destination.zone, status: "Enabled" });
const role = new br.IamRole("replication", {
    name: config.require("roleName"), adoptExisting: true,
    policy: br.replicationPolicy({ source, destinations: [destination] }),
});
new br.ReplicationConfiguration("source", {
    bucket: sourceVersioning.bucket, zone: sourceVersioning.zone, role,
    rules: { "to-b": { priority: 1, deleteMarkerReplication: true, destination: { bucket: destinationVersioning.bucket, zone: destinationVersioning.zone } } },
});

export const sourceBucket = source.name;
export const destinationBucket = destination.name;
