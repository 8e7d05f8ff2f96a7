import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";
import * as oss from "pulumi-bucket-replication/dist/sdk/oss";

// The replication rule of Alibaba Cloud OSS's guide with every option it comments on, declared as code.
// Each option below says what OSS does with it; the same program previews on another backend with each
// option that backend cannot express refused, by name, before anything is created.
const config = new pulumi.Config();
const sourceName = config.require("sourceBucket");
const destinationName = config.require("destinationBucket");
const sourceZone = config.require("sourceZone");
const destinationZone = config.require("destinationZone");
/** The KMS key in the destination region that encrypts the replicas of SSE-KMS encrypted objects. */
const replicaKmsKeyId = config.require("replicaKmsKeyId");
const forceDestroy = config.getBoolean("forceDestroy") ?? false;
const ruleId = "guide-rule";

function versionedBucket(logicalName: string, name: string, zone: string) {
    const bucket = new br.Bucket(logicalName, { name, zone, forceDestroy });
    const versioning = new br.BucketVersioning(logicalName, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" });
    return { bucket, versioning };
}

const source = versionedBucket("srcexamplebucket", sourceName, sourceZone);
const destination = versionedBucket("destexamplebucket", destinationName, destinationZone);

// The sync role may replicate these two buckets and, for SSE-KMS objects, decrypt the originals with
// the source region's keys and encrypt the replicas with the replica key: least privilege, KMS included.
const role = new br.IamRole("oss-guide-role", {
    name: `${sourceName}-guide-role`,
    description: `OSS replication with every guide option, ${sourceName} to ${destinationName}`,
    policy: br.replicationPolicy({
        source: source.bucket,
        destinations: [destination.bucket],
        sseKms: { replicaKeys: [{ destination: destination.bucket, keyId: replicaKmsKeyId }] },
    }),
});

// The options of the guide beyond the shared ones, each mapped onto OSS's rule document.
const guideOptions = {
    // PrefixSet: only objects under these prefixes (up to 10 in one rule).
    prefixes: ["aaa/", "bbb/"],
    // Destination/TransferType: transfer acceleration (required between the mainland and elsewhere).
    transferType: "oss_acc" as const,
    // SourceSelectionCriteria/SseKmsEncryptedObjects and EncryptionConfiguration/ReplicaKmsKeyID.
    sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId },
    // RTC: replicate within OSS's guaranteed time, where the two regions offer it.
    replicationTimeControl: true,
};

const replication = new br.ReplicationConfiguration("srcexamplebucket", {
    bucket: source.versioning.bucket,
    zone: source.versioning.zone,
    role,
    rules: {
        [ruleId]: {
            priority: 1,
            // Action PUT: writes are replicated, deletes are not.
            deleteMarkerReplication: false,
            // HistoricalObjectReplication disabled: objects written before the rule stay where they are.
            existingObjectReplication: false,
            destination: { bucket: destination.versioning.bucket, zone: destination.versioning.zone },
            ...guideOptions,
        },
    },
});

export const sourceBucket = source.bucket.name;
export const destinationBucket = destination.bucket.name;
export const roleName = role.name;
export const ruleIds = replication.rules.apply((rules) => Object.keys(rules));
/** Where the source may replicate to; the destination must be listed, with oss_acc and RTC allowed towards it. */
export const replicationLocations = oss.getReplicationLocationsOutput({ zone: source.bucket.zone, bucket: source.bucket.name })
    .apply((answer) => answer.locations);
export const replicationProgress = oss.getReplicationProgressOutput({
    zone: replication.zone, bucket: replication.bucket, ruleId: replication.rules.apply(() => ruleId),
});
