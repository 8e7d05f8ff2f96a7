import type { ReplicationRule as S3ReplicationRule, StorageClass } from "@aws-sdk/client-s3";
import type { ReplicationRule } from "../backend";

/**
 * How the shared rule model maps onto a rule of an SOS replication document (the S3 document with
 * the role as a bare IAM role UUID and destinations as plain bucket names), both ways.
 *
 *   rule ID, priority, status     -> ID, Priority, Status
 *   prefix                        -> Filter/Prefix (SOS filters by prefix only)
 *   deleteMarkerReplication       -> DeleteMarkerReplication/Status
 *   destination bucket            -> Destination/Bucket, a plain name
 *   destination storageClass      -> Destination/StorageClass
 *   destination zone              -> nothing: the document names no zone
 *   existingObjectReplication, replicaModifications -> not sent (refused at preview when true);
 *                                    read from the document all the same, should SOS ever report them
 */

/** The SOS document of one rule. */
export function toSosRule(rule: ReplicationRule): S3ReplicationRule {
    return {
        ID: rule.id,
        Priority: rule.priority,
        Status: rule.status,
        Filter: { Prefix: rule.prefix ?? "" },
        DeleteMarkerReplication: { Status: rule.deleteMarkerReplication ? "Enabled" : "Disabled" },
        Destination: {
            Bucket: rule.destination.bucket,
            ...(rule.destination.storageClass ? { StorageClass: rule.destination.storageClass as StorageClass } : {}),
        },
    };
}

/**
 * One rule of the document SOS answered, in the shared model: every value is the document's. Only the
 * destination's zone is not in it: `zoneOf` places the bucket (the known zone while the bucket is the
 * same, as SOS bucket names are unique across zones).
 */
export function fromSosRule(rule: S3ReplicationRule, zoneOf: (bucket: string) => string): ReplicationRule {
    const bucket = plainBucketName(rule.Destination?.Bucket ?? "");
    return {
        id: rule.ID ?? "",
        priority: rule.Priority ?? 0,
        status: rule.Status === "Enabled" ? "Enabled" : "Disabled",
        // A V1 rule (written by another tool) has its prefix on the rule itself.
        prefix: rule.Filter?.Prefix ?? rule.Prefix ?? "",
        deleteMarkerReplication: rule.DeleteMarkerReplication?.Status === "Enabled",
        deleteReplication: false,
        existingObjectReplication: rule.ExistingObjectReplication?.Status === "Enabled",
        replicaModifications: rule.SourceSelectionCriteria?.ReplicaModifications?.Status === "Enabled",
        destination: {
            bucket,
            zone: zoneOf(bucket),
            ...(rule.Destination?.StorageClass ? { storageClass: rule.Destination.StorageClass } : {}),
        },
    };
}

/** SOS documents name plain buckets; tolerate an ARN in case a tool other than us wrote the configuration. */
function plainBucketName(bucket: string): string {
    return bucket.startsWith("arn:aws:s3:::") ? bucket.slice("arn:aws:s3:::".length) : bucket;
}

/**
 * The IAM role UUID a document's Role names. SOS takes and answers the bare UUID; a Role written by
 * another tool in an ARN-like form (`.../<uuid>` or `...:<uuid>`) names the UUID it ends with.
 */
export function roleIdOf(role: string): string {
    return /(?:^|[/:])([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(role)?.[1] ?? role;
}
