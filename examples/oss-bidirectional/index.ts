import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";
import * as oss from "pulumi-bucket-replication/dist/sdk/oss";

// Bi-directional replication on Alibaba Cloud OSS: bucket A replicates into bucket B and B into A, each
// rule running as a RAM role of its own that may read its source and write its destination only.
// Written out resource by resource (br.BiDirectional makes the same), so that role names and rule IDs
// are visible. Backend, zones and credentials are stack configuration.
const config = new pulumi.Config();
const nameA = config.require("bucketA");
const nameB = config.require("bucketB");
const forceDestroy = config.getBoolean("forceDestroy") ?? false;

function versionedBucket(logicalName: string, name: string, zone: string) {
    const bucket = new br.Bucket(logicalName, { name, zone, forceDestroy });
    const versioning = new br.BucketVersioning(logicalName, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" });
    return { bucket, versioning };
}

type Side = { logicalName: string; name: string } & ReturnType<typeof versionedBucket>;

/** One direction: the sync role and the rule on `from` that replicates into `to`. */
function replicate(from: Side, to: Side, ruleId: string) {
    const role = new br.IamRole(`${from.logicalName}-to-${to.logicalName}`, {
        name: `${from.name}-to-${to.name}`,
        description: `OSS replication from ${from.name} to ${to.name}`,
        policy: br.replicationPolicy({ source: from.bucket, destinations: [to.bucket] }),
    });
    // Both ends' versioning outputs feed the rule, so neither direction starts before both buckets are versioned.
    const replication = new br.ReplicationConfiguration(from.logicalName, {
        bucket: from.versioning.bucket,
        zone: from.versioning.zone,
        role,
        rules: {
            [ruleId]: {
                priority: 1,
                deleteMarkerReplication: true,
                existingObjectReplication: true,
                destination: { bucket: to.versioning.bucket, zone: to.versioning.zone },
            },
        },
    });
    return { role, replication };
}

const a: Side = { logicalName: "bucket-a", name: nameA, ...versionedBucket("bucket-a", nameA, config.require("zoneA")) };
const b: Side = { logicalName: "bucket-b", name: nameB, ...versionedBucket("bucket-b", nameB, config.require("zoneB")) };
const aToB = replicate(a, b, "to-bucket-b");
const bToA = replicate(b, a, "to-bucket-a");

const progressOf = (direction: ReturnType<typeof replicate>, ruleId: string) =>
    oss.getReplicationProgressOutput({ zone: direction.replication.zone, bucket: direction.replication.bucket, ruleId: direction.replication.rules.apply(() => ruleId) });

export const bucketA = a.bucket.name;
export const zoneA = a.bucket.zone;
export const bucketB = b.bucket.name;
export const zoneB = b.bucket.zone;
export const roleAToB = aToB.role.name;
export const roleBToA = bToA.role.name;
export const progressAToB = progressOf(aToB, "to-bucket-b");
export const progressBToA = progressOf(bToA, "to-bucket-a");
