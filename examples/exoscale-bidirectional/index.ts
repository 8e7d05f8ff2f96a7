import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// The bi-directional setup of Exoscale's bucket-replication guide
// (community.exoscale.com/community/storage/replication/examples): two buckets, each replicating into
// the other under its own rule and its own least-privilege role. SOS replicates a write once, so replicas
// do not bounce back. Written out resource by resource, rather than with br.BiDirectional, so that the
// role names and rule IDs are the guide's. Backend, zones and credentials are stack configuration.
const config = new pulumi.Config();

// SOS bucket names are unique across all of Exoscale, so the guide's names may be taken: rename them here.
const nameA = config.require("bucketA");
const nameB = config.require("bucketB");

// Deleting a bucket that still holds objects is refused unless asked for: on a real account the data matters.
const forceDestroy = config.getBoolean("forceDestroy") ?? false;

function versionedBucket(logicalName: string, name: string, zone: string) {
    const bucket = new br.Bucket(logicalName, { name, zone, forceDestroy });
    // Replication refuses buckets without versioning, at both ends.
    const versioning = new br.BucketVersioning(logicalName, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" });
    return { bucket, versioning };
}

type VersionedBucket = ReturnType<typeof versionedBucket>;

/** One direction: a role that may read `from` and write `to`, and the rule on `from` that uses it. */
function replicate(from: { logicalName: string; name: string; side: VersionedBucket },
                   to: { logicalName: string; name: string; side: VersionedBucket }, ruleId: string) {
    const role = new br.IamRole(`replication-${from.logicalName}-${to.logicalName}`, {
        name: `replication-${from.name}-${to.name}`,
        description: `sos bucket replication between ${from.name} and ${to.name}`,
        editable: true,
        policy: br.replicationPolicy({ source: from.side.bucket, destinations: [to.side.bucket] }),
    });
    // Both ends' versioning outputs feed the rule, so neither direction is configured before both buckets are versioned.
    new br.ReplicationConfiguration(from.logicalName, {
        bucket: from.side.versioning.bucket,
        zone: from.side.versioning.zone,
        role,
        rules: {
            [ruleId]: {
                priority: 1,
                status: "Enabled",
                prefix: "",
                deleteMarkerReplication: true,
                destination: { bucket: to.side.versioning.bucket, zone: to.side.versioning.zone },
            },
        },
    });
    return role;
}

const a = { logicalName: "bucket-a", name: nameA, side: versionedBucket("bucket-a", nameA, config.require("zoneA")) };
const b = { logicalName: "bucket-b", name: nameB, side: versionedBucket("bucket-b", nameB, config.require("zoneB")) };
const roleAToB = replicate(a, b, "to-bucket-b");
const roleBToA = replicate(b, a, "to-bucket-a");

export const bucketA = a.side.bucket.name;
export const zoneA = a.side.bucket.zone;
export const bucketB = b.side.bucket.name;
export const zoneB = b.side.bucket.zone;
export const roleAToBName = roleAToB.name;
export const roleAToBId = roleAToB.id;
export const roleBToAName = roleBToA.name;
export const roleBToAId = roleBToA.id;
