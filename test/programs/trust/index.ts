import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

const config = new pulumi.Config();
const scenario = config.require("case");

// A bucket in local-a, and its versioning declared in the zone where it does not exist.
if (scenario === "versioning-wrong-zone") {
    const data = new br.Bucket("data", { zone: "local-a", forceDestroy: true });
    new br.BucketVersioning("data", { bucket: data.name, zone: "local-b", status: "Enabled" });
}

// Versioning of a bucket that does not exist anywhere.
if (scenario === "versioning-missing-bucket") {
    new br.BucketVersioning("ghost", { bucket: config.require("ghostBucket"), zone: "local-a", status: "Enabled" });
}

// A bucket with an explicit name, to meet a bucket of that name made outside this stack.
if (scenario === "explicit-name") {
    new br.Bucket("data", { zone: "local-a", name: config.require("bucketName"), forceDestroy: true, tags: { team: "storage" } });
}

// Replication into a bucket whose versioning the program itself declares Suspended.
if (scenario === "suspended-destination") {
    const source = new br.Bucket("source", { zone: "local-a", forceDestroy: true });
    const destination = new br.Bucket("destination", { zone: "local-b", forceDestroy: true });
    const sourceVersioning = new br.BucketVersioning("source", { bucket: source.name, zone: source.zone, status: "Enabled" });
    const destinationVersioning = new br.BucketVersioning("destination", { bucket: destination.name, zone: destination.zone, status: "Suspended" });
    const role = new br.IamRole("replication", { policy: br.replicationPolicy({ source, destinations: [destination] }) });
    new br.ReplicationConfiguration("source", {
        bucket: sourceVersioning.bucket, zone: sourceVersioning.zone, role,
        rules: { "to-b": { priority: 1, destination: { bucket: destinationVersioning.bucket, zone: destinationVersioning.zone } } },
    });
}
