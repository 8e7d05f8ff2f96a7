import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// The "simple leader-follower setup" of Exoscale's bucket-replication guide
// (community.exoscale.com/community/storage/replication/examples), declared instead of typed into `exo`.
// Nothing here names a service: `bucket-replication:backend`, zones and credentials are stack configuration.
const config = new pulumi.Config();

// SOS bucket names are unique across all of Exoscale, so the guide's names may be taken: rename them here.
const sourceName = config.require("sourceBucket");
const destinationName = config.require("destinationBucket");

/** A further bucket that receives a copy of my-source, under its own rule; the guide has none. */
interface ExtraFollower {
    readonly bucket: string;
    readonly zone: string;
    readonly priority: number;
}
// Keyed by rule ID, like `rules`. Adding one widens the role's policy in place (the role keeps its UUID).
const extraFollowers = config.getObject<Record<string, ExtraFollower>>("extraFollowers") ?? {};

// Deleting a bucket that still holds objects is refused unless asked for: on a real account the data matters.
const forceDestroy = config.getBoolean("forceDestroy") ?? false;

function versionedBucket(logicalName: string, name: string, zone: string) {
    const bucket = new br.Bucket(logicalName, { name, zone, forceDestroy });
    // Replication refuses buckets without versioning, at both ends.
    const versioning = new br.BucketVersioning(logicalName, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" });
    return { bucket, versioning };
}

const source = versionedBucket("my-source", sourceName, config.require("sourceZone"));
const destination = versionedBucket("my-destination", destinationName, config.require("destinationZone"));
const extras = Object.entries(extraFollowers).map(([ruleId, follower]) => ({
    ruleId,
    priority: follower.priority,
    ...versionedBucket(`follower-${ruleId}`, follower.bucket, follower.zone),
}));

// `exo iam role create --editable=true --description '...' --policy - replication-my-source-my-destination`
const role = new br.IamRole("replication-my-source-my-destination", {
    name: config.get("roleName") ?? `replication-${sourceName}-${destinationName}`,
    description: config.get("roleDescription") ?? `sos bucket replication between ${sourceName} and ${destinationName}`,
    editable: true,
    // get-object on the source, put-object* on each destination: the guide's two CEL rules (plus one per extra follower).
    policy: br.replicationPolicy({ source: source.bucket, destinations: [destination.bucket, ...extras.map((extra) => extra.bucket)] }),
});

const rules: Record<string, pulumi.Input<br.ReplicationRuleArgs>> = {
    "vie1-follower": {
        priority: 1,
        status: "Enabled",
        prefix: "",
        deleteMarkerReplication: true,
        destination: { bucket: destination.versioning.bucket, zone: destination.versioning.zone },
    },
};
for (const extra of extras) {
    rules[extra.ruleId] = {
        priority: extra.priority,
        status: "Enabled",
        prefix: "",
        deleteMarkerReplication: true,
        destination: { bucket: extra.versioning.bucket, zone: extra.versioning.zone },
    };
}

// Taking bucket and destinations from the versioning resources orders versioning first: one `pulumi up` converges.
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
export const roleName = role.name;
/** The UUID that the replication configuration names as its Role. */
export const roleId = role.id;
export const ruleIds = replication.rules.apply((configured) => Object.keys(configured));
