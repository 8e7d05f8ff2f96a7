import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

const config = new pulumi.Config();

const data = new br.Bucket("data", {
    zone: config.get("zone") ?? "local-a",
    name: config.get("bucketName"),
    forceDestroy: config.getBoolean("forceDestroy") ?? false,
    tags: { team: config.get("team") ?? "storage" },
});

const versioning = new br.BucketVersioning("data", {
    bucket: data.name,
    zone: data.zone,
    status: (config.get("versioning") ?? "Enabled") as "Enabled" | "Suspended",
});

const autoNamed = new br.Bucket("auto-named", { zone: "local-b", forceDestroy: true });

export const dataBucket = data.name;
export const dataEndpoint = data.endpoint;
export const versioningStatus = versioning.status;
export const autoNamedBucket = autoNamed.name;
