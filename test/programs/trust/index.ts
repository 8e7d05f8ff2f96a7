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
