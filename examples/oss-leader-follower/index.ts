import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";
import * as oss from "pulumi-bucket-replication/dist/sdk/oss";

// The cross-region replication setup of Alibaba Cloud OSS's data-replication guide, declared instead of
// clicked or scripted: srcexamplebucket in cn-hangzhou replicates into destexamplebucket in cn-beijing,
// as a RAM role that OSS assumes (the rule's SyncRole). Nothing here names a service: the backend
// (`bucket-replication:backend oss`), the zones and the AccessKey pair are stack configuration.
const config = new pulumi.Config();

// OSS bucket names are global across Alibaba Cloud, so the guide's names are probably taken: rename them here.
const sourceName = config.require("sourceBucket");
const destinationName = config.require("destinationBucket");
const ruleId = config.get("ruleId") ?? "srcexamplebucket-to-beijing";
// OSS replicates the objects that exist before the rule too, unless told not to ("historical objects").
const historicalObjects = config.getBoolean("historicalObjects") ?? true;
// Deleting a bucket that still holds objects is refused unless asked for: on a real account the data matters.
const forceDestroy = config.getBoolean("forceDestroy") ?? false;

function versionedBucket(logicalName: string, name: string, zone: string) {
    const bucket = new br.Bucket(logicalName, { name, zone, forceDestroy });
    // OSS replicates between two versioned buckets (or two unversioned ones); versioned is what the guide uses.
    const versioning = new br.BucketVersioning(logicalName, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" });
    return { bucket, versioning };
}

const source = versionedBucket("srcexamplebucket", sourceName, config.require("sourceZone"));
const destination = versionedBucket("destexamplebucket", destinationName, config.require("destinationZone"));

// A RAM role that only OSS may assume, with a custom policy allowing oss:Replicate* on these two buckets only.
const role = new br.IamRole("oss-replication-role", {
    name: config.get("roleName") ?? `${sourceName}-sync-role`,
    description: `OSS replication from ${sourceName} to ${destinationName}`,
    policy: br.replicationPolicy({ source: source.bucket, destinations: [destination.bucket] }),
});

// One rule: every object (no prefix), writes and deletes (Action ALL), historical objects included.
const replication = new br.ReplicationConfiguration("srcexamplebucket", {
    bucket: source.versioning.bucket,
    zone: source.versioning.zone,
    role,
    rules: {
        [ruleId]: {
            priority: 1,
            deleteMarkerReplication: true,
            existingObjectReplication: historicalObjects,
            destination: { bucket: destination.versioning.bucket, zone: destination.versioning.zone },
        },
    },
});

export const sourceBucket = source.bucket.name;
export const sourceZone = source.bucket.zone;
export const destinationBucket = destination.bucket.name;
export const destinationZone = destination.bucket.zone;
/** The RAM role's name: what the rule names as its SyncRole. */
export const roleName = role.name;
export const ruleIds = replication.rules.apply((rules) => Object.keys(rules));
/** Where OSS lets the source replicate to, with the transfer types and RTC allowed towards each region. */
export const replicationLocations = oss.getReplicationLocationsOutput({ zone: source.bucket.zone, bucket: source.bucket.name })
    .apply((answer) => answer.locations);
/** The rule's progress as of this `up`: historical objects in percent, new objects replicated up to a time. */
export const replicationProgress = oss.getReplicationProgressOutput({
    zone: replication.zone, bucket: replication.bucket, ruleId: replication.rules.apply(() => ruleId),
});
