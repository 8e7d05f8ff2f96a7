import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// Two Amazon S3 buckets in two regions that replicate into each other, written out resource by
// resource (br.BiDirectional declares the same in one line). Each direction has its own
// least-privilege role and its own rule. With replica modifications on both sides, a change to a
// replica's metadata (tags, ACL) travels back too; S3 never replicates a replica again, so nothing
// bounces. Backend, zones and credentials are stack configuration:
//
//   pulumi config set bucket-replication:backend aws
const config = new pulumi.Config();

// Bucket names are global across AWS: by default they are derived from the logical name, this stack
// and the account. Set bucketA / bucketB to choose your own.
const nameA = config.get("bucketA");
const nameB = config.get("bucketB");

// Deleting a bucket that still holds objects is refused unless asked for: on a real account the data matters.
const forceDestroy = config.getBoolean("forceDestroy") ?? false;
// Whether deleting an object on one side puts a delete marker on the other.
const deleteMarkerReplication = config.getBoolean("deleteMarkerReplication") ?? true;

function versionedBucket(logicalName: string, zone: string, name?: string) {
    const bucket = new br.Bucket(logicalName, { name, zone, forceDestroy });
    // Replication refuses buckets without versioning, at both ends.
    const versioning = new br.BucketVersioning(logicalName, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" });
    return { bucket, versioning };
}

type VersionedBucket = ReturnType<typeof versionedBucket>;

/** One direction: a role that may read `from` and replicate into `to`, and the rule on `from` that uses it. */
function replicate(from: { logicalName: string; side: VersionedBucket }, to: { logicalName: string; side: VersionedBucket }, ruleId: string) {
    const role = new br.IamRole(`replication-${from.logicalName}-${to.logicalName}`, {
        description: pulumi.interpolate`S3 replication from ${from.side.bucket.name} to ${to.side.bucket.name}`,
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
                deleteMarkerReplication,
                replicaModifications: true,
                destination: { bucket: to.side.versioning.bucket, zone: to.side.versioning.zone },
            },
        },
    });
    return role;
}

const a = { logicalName: "bucket-a", side: versionedBucket("bucket-a", config.require("zoneA"), nameA) };
const b = { logicalName: "bucket-b", side: versionedBucket("bucket-b", config.require("zoneB"), nameB) };
const roleAToB = replicate(a, b, "to-bucket-b");
const roleBToA = replicate(b, a, "to-bucket-a");

export const bucketA = a.side.bucket.name;
export const zoneA = a.side.bucket.zone;
export const bucketB = b.side.bucket.name;
export const zoneB = b.side.bucket.zone;
export const roleAToBName = roleAToB.name;
export const roleAToBArn = roleAToB.id;
export const roleBToAName = roleBToA.name;
export const roleBToAArn = roleBToA.id;
