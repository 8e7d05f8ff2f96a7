import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// Two buckets that replicate into each other, in one declaration. The zones default to the local
// MinIO pair; set zoneA / zoneB for another backend.
const config = new pulumi.Config();
const forceDestroy = config.getBoolean("forceDestroy") ?? true;
// `pulumi config set verify true`: every `up` that changes the topology proves that both directions deliver.
const verify = config.getBoolean("verify") ? { timeoutSeconds: config.getNumber("verifyTimeoutSeconds") ?? 60 } : undefined;

const pair = new br.BiDirectional("bucket", {
    a: { zone: config.require("zoneA"), forceDestroy },
    b: { zone: config.require("zoneB"), forceDestroy },
    verify,
});

export const bucketA = pair.a.name;
export const zoneA = pair.a.zone;
export const bucketB = pair.b.name;
export const zoneB = pair.b.zone;
export const roleAToB = pair.roles.aToB.name;
export const roleBToA = pair.roles.bToA.name;
export const replicationLag = pair.replicationLag;
export const diagram = pair.diagram;
