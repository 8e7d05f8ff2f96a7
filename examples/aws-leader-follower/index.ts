import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// Leader-follower on Amazon S3, every piece visible in `pulumi preview`: my-source (eu-west-1)
// replicates into my-destination (us-east-1), delete markers included. Nothing here names a service:
//
//   pulumi config set bucket-replication:backend aws
//
// and credentials come from the usual AWS chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
// SSO, instance roles), or from 'bucket-replication:accessKey' / 'secretKey' set as secrets.
const config = new pulumi.Config();

// Bucket names are global across AWS: by default each bucket gets its logical name plus a suffix
// derived from this stack and account. Set sourceBucket / destinationBucket to choose your own.
const sourceName = config.get("sourceBucket");
const destinationName = config.get("destinationBucket");

// Deleting a bucket that still holds objects is refused unless asked for: on a real account the data matters.
const forceDestroy = config.getBoolean("forceDestroy") ?? false;

// Only keys under this prefix replicate ("" for every object); changing it updates the rule in place.
const prefix = config.get("prefix") ?? "";
// The storage class of the replicas, such as STANDARD_IA; by default the source object's class.
const storageClass = config.get("storageClass");
// S3 Replication Time Control: most objects replicated within 15 minutes, with replication metrics (billed extra).
const replicationTimeControl = config.getBoolean("replicationTimeControl") ?? false;

/** A further bucket that receives a copy of my-source, under its own rule. */
interface ExtraFollower {
    readonly zone: string;
    readonly priority: number;
    readonly bucket?: string;
}
// Keyed by rule ID, like `rules`. Adding one widens the role's policy in place (the role keeps its ARN).
const extraFollowers = config.getObject<Record<string, ExtraFollower>>("extraFollowers") ?? {};

function versionedBucket(logicalName: string, zone: string, name?: string) {
    const bucket = new br.Bucket(logicalName, { name, zone, forceDestroy });
    // Replication refuses buckets without versioning, at both ends.
    const versioning = new br.BucketVersioning(logicalName, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" });
    return { bucket, versioning };
}

const source = versionedBucket("my-source", config.require("sourceZone"), sourceName);
const destination = versionedBucket("my-destination", config.require("destinationZone"), destinationName);
const extras = Object.entries(extraFollowers).map(([ruleId, follower]) => ({
    ruleId,
    priority: follower.priority,
    ...versionedBucket(`follower-${ruleId}`, follower.zone, follower.bucket),
}));

// An IAM role that only S3 may assume, with one inline policy: read the source's replication
// configuration and object versions, replicate objects, delete markers and tags into each destination.
// A new `roleName` replaces the role: the new one is made and replication points at it before the old one goes.
const role = new br.IamRole("replication-my-source-my-destination", {
    name: config.get("roleName"),
    description: pulumi.interpolate`S3 replication from ${source.bucket.name} to its followers`,
    policy: br.replicationPolicy({ source: source.bucket, destinations: [destination.bucket, ...extras.map((extra) => extra.bucket)] }),
});

const rules: Record<string, pulumi.Input<br.ReplicationRuleArgs>> = {
    "follower": {
        priority: 1,
        prefix,
        deleteMarkerReplication: true,
        replicationTimeControl,
        destination: { bucket: destination.versioning.bucket, zone: destination.versioning.zone, storageClass },
    },
};
for (const extra of extras) {
    rules[extra.ruleId] = {
        priority: extra.priority,
        prefix,
        deleteMarkerReplication: true,
        destination: { bucket: extra.versioning.bucket, zone: extra.versioning.zone },
    };
}

// Taking bucket and destinations from the versioning resources orders versioning first: one `pulumi up` converges.
// S3 is sent the role's ARN and each destination's ARN (arn:aws:s3:::<bucket>).
const replication = new br.ReplicationConfiguration("my-source", {
    bucket: source.versioning.bucket,
    zone: source.versioning.zone,
    role,
    rules,
});

export const sourceBucket = source.bucket.name;
export const sourceZone = source.bucket.zone;
export const destinationBucket = destination.bucket.name;
export const destinationZone = destination.bucket.zone;
export const extraFollowerBuckets = extras.map((extra) => extra.bucket.name);
export const roleName = role.name;
/** The ARN that the replication configuration names as its Role. */
export const roleArn = role.id;
export const ruleIds = replication.rules.apply((configured) => Object.keys(configured));
