import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// A tag-filtered OSS rule: objects under `docs/` that carry every tag of `ruleTags` (a JSON object in the
// configuration, so that a test can change it) replicate from cn-hangzhou into cn-beijing.
const config = new pulumi.Config();
const ruleTags: Record<string, string> = JSON.parse(config.get("ruleTags") ?? `{"team":"ops","env":"prod"}`);

function versionedBucket(name: string, zone: string) {
    const bucket = new br.Bucket(name, { name, zone, forceDestroy: true });
    const versioning = new br.BucketVersioning(name, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" });
    return { bucket, versioning };
}

const source = versionedBucket("tagsrcbucket", "cn-hangzhou");
const destination = versionedBucket("tagdstbucket", "cn-beijing");

const role = new br.IamRole("tag-sync-role", {
    name: "tagsrcbucket-sync-role",
    description: "tag-filtered replication from tagsrcbucket to tagdstbucket",
    policy: br.replicationPolicy({ source: source.bucket, destinations: [destination.bucket] }),
});

const replication = new br.ReplicationConfiguration("tagsrcbucket", {
    bucket: source.versioning.bucket,
    zone: source.versioning.zone,
    role,
    rules: {
        "tagged-docs": {
            priority: 1,
            prefix: "docs/",
            tags: ruleTags,
            deleteMarkerReplication: false,
            destination: { bucket: destination.versioning.bucket, zone: destination.versioning.zone },
        },
    },
});

export const rules = replication.rules;
