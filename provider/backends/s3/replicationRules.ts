import type { ReplicationRule as S3ReplicationRule, ReplicationRuleFilter, StorageClass } from "@aws-sdk/client-s3";
import type { BucketRef, ReplicationRule } from "../backend";

/**
 * The shared rule model and a rule of S3's replication configuration (the current schema, "V2": every
 * rule has a Filter, a Priority and DeleteMarkerReplication), both ways, for every service that speaks
 * S3's replication document (AWS in aws/rules.ts, Exoscale SOS in exoscale/rules.ts). What differs
 * between them is how the document names a destination bucket (`S3BucketNames`) and which options a
 * service takes, which each refuses at preview in its ruleOptions.ts; an option off is never written.
 *
 *   rule ID, priority, status     -> ID, Priority, Status
 *   prefix / prefixes (one)       -> Filter/Prefix; with tags: Filter/And/Prefix
 *   tags (one, no prefix)         -> Filter/Tag; several, or with a prefix: Filter/And/Tags
 *   deleteMarkerReplication       -> DeleteMarkerReplication/Status
 *   existingObjectReplication     -> ExistingObjectReplication/Status Enabled (left out when false)
 *   replicaModifications          -> SourceSelectionCriteria/ReplicaModifications/Status Enabled
 *   sseKms.replicateEncryptedObjects -> SourceSelectionCriteria/SseKmsEncryptedObjects/Status Enabled
 *   sseKms.replicaKmsKeyId        -> Destination/EncryptionConfiguration/ReplicaKmsKeyID
 *   replicationTimeControl        -> Destination/ReplicationTime (15 minutes) and Destination/Metrics (15 minutes)
 *   metrics (without RTC)         -> Destination/Metrics/Status Enabled (RTC sends its own Metrics)
 *   destinationAccount            -> Destination/Account
 *   ownerOverride                 -> Destination/AccessControlTranslation/Owner Destination
 *   destination bucket            -> Destination/Bucket, as `S3BucketNames` spells it
 *   destination storageClass      -> Destination/StorageClass
 *   destination zone              -> nothing: the document names no zone (see fromS3ReplicationRule)
 *   deleteReplication, transferType -> nothing: S3's document has neither
 */

/** How a service's replication document names a destination bucket, both ways. */
export interface S3BucketNames {
    toDocument(destination: BucketRef): string;
    fromDocument(bucket: string): string;
}

/** S3 Replication Time Control and its metrics have one threshold, 15 minutes. */
const rtcMinutes = 15;

/** The S3 document of one rule; `names` spells the destination bucket as the service names it. */
export function toS3ReplicationRule(rule: ReplicationRule, names: S3BucketNames): S3ReplicationRule {
    const replicateKms = rule.sseKms?.replicateEncryptedObjects === true;
    const selection = {
        ...(rule.replicaModifications ? { ReplicaModifications: { Status: "Enabled" as const } } : {}),
        ...(replicateKms ? { SseKmsEncryptedObjects: { Status: "Enabled" as const } } : {}),
    };
    const destination = rule.destination;
    return {
        ID: rule.id,
        Priority: rule.priority,
        Status: rule.status,
        Filter: filterOf(effectivePrefix(rule), rule.tags ?? {}),
        DeleteMarkerReplication: { Status: rule.deleteMarkerReplication ? "Enabled" : "Disabled" },
        ...(rule.existingObjectReplication ? { ExistingObjectReplication: { Status: "Enabled" as const } } : {}),
        ...(Object.keys(selection).length > 0 ? { SourceSelectionCriteria: selection } : {}),
        Destination: {
            Bucket: names.toDocument(destination),
            ...(destination.storageClass ? { StorageClass: destination.storageClass as StorageClass } : {}),
            ...(replicateKms && rule.sseKms?.replicaKmsKeyId ? { EncryptionConfiguration: { ReplicaKmsKeyID: rule.sseKms.replicaKmsKeyId } } : {}),
            ...(rule.replicationTimeControl ? {
                ReplicationTime: { Status: "Enabled" as const, Time: { Minutes: rtcMinutes } },
                Metrics: { Status: "Enabled" as const, EventThreshold: { Minutes: rtcMinutes } },
            } : rule.metrics ? { Metrics: { Status: "Enabled" as const } } : {}),
            // Written only when a rule uses them, so that documents of rules without them stay as they were.
            ...(rule.destinationAccount ? { Account: rule.destinationAccount } : {}),
            ...(rule.ownerOverride ? { AccessControlTranslation: { Owner: "Destination" as const } } : {}),
        },
    };
}

/** The one prefix of a rule: `prefixes[0]` or `prefix`, "" for every object. */
export function effectivePrefix(rule: { readonly prefix?: string; readonly prefixes?: readonly string[] }): string {
    return rule.prefixes?.[0] ?? rule.prefix ?? "";
}

function filterOf(prefix: string, tags: Readonly<Record<string, string>>): ReplicationRuleFilter {
    const tagList = Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([Key, Value]) => ({ Key, Value }));
    if (tagList.length === 0) return { Prefix: prefix };
    if (tagList.length === 1 && prefix === "") return { Tag: tagList[0] };
    return { And: { ...(prefix !== "" ? { Prefix: prefix } : {}), Tags: tagList } };
}

/**
 * One rule of a document read back, in the shared model: every value is the document's. The known
 * rule (the state's) decides only how a value is spelled where the model has two spellings of it
 * (`prefix` or `prefixes`, an absent `sseKms` or one that is off, an absent RTC or `false`), so that
 * a refresh shows only real differences. The document names a destination without its region
 * (by ARN on AWS, by plain name on SOS): the known zone is kept while the bucket is the same (a bucket cannot move between regions
 * under its name), and `zoneOf` places any other bucket.
 */
export function fromS3ReplicationRule(rule: S3ReplicationRule, known: ReplicationRule | undefined, zoneOf: (bucket: string) => string, names: S3BucketNames): ReplicationRule {
    const filter = rule.Filter;
    // A V1 rule (made outside this package) has its prefix on the rule itself and no filter.
    const prefix = filter?.Prefix ?? filter?.And?.Prefix ?? rule.Prefix ?? "";
    const tagList = filter?.Tag ? [filter.Tag] : filter?.And?.Tags ?? [];
    const tags = Object.fromEntries(tagList.map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
    const destination = rule.Destination;
    const bucket = names.fromDocument(destination?.Bucket ?? "");
    const replicaKmsKeyId = destination?.EncryptionConfiguration?.ReplicaKmsKeyID;
    const sseKms = {
        replicateEncryptedObjects: rule.SourceSelectionCriteria?.SseKmsEncryptedObjects?.Status === "Enabled",
        ...(replicaKmsKeyId ? { replicaKmsKeyId } : {}),
    };
    return {
        id: rule.ID ?? "",
        priority: rule.Priority ?? 0,
        status: rule.Status === "Enabled" ? "Enabled" : "Disabled",
        ...prefixSpelledAsKnown(prefix, known),
        ...(Object.keys(tags).length > 0 ? { tags } : {}),
        deleteMarkerReplication: rule.DeleteMarkerReplication?.Status === "Enabled",
        deleteReplication: false,
        existingObjectReplication: rule.ExistingObjectReplication?.Status === "Enabled",
        replicaModifications: rule.SourceSelectionCriteria?.ReplicaModifications?.Status === "Enabled",
        destination: {
            bucket,
            zone: known && known.destination.bucket === bucket ? known.destination.zone : zoneOf(bucket),
            ...(destination?.StorageClass ? { storageClass: destination.StorageClass } : {}),
        },
        ...sseKmsSpelledAsKnown(sseKms, known),
        ...rtcSpelledAsKnown(destination?.ReplicationTime?.Status === "Enabled", known),
        ...metricsSpelledAsKnown(destination?.Metrics?.Status === "Enabled", destination?.ReplicationTime?.Status === "Enabled", known),
        ...(destination?.Account ? { destinationAccount: destination.Account } : {}),
        ...ownerOverrideSpelledAsKnown(destination?.AccessControlTranslation?.Owner === "Destination", known),
    };
}

/**
 * Whether the document turns metrics on, as the model says it: with RTC, Metrics are RTC's own, so `metrics`
 * is the known rule's spelling (true or absent); without RTC, Metrics Enabled is `metrics: true`. Left out
 * when off and the known rule leaves it out.
 */
function metricsSpelledAsKnown(metrics: boolean, rtc: boolean, known: ReplicationRule | undefined): Pick<ReplicationRule, "metrics"> {
    if (rtc && metrics) return known?.metrics !== undefined ? { metrics: known.metrics } : {};
    return !metrics && known?.metrics === undefined ? {} : { metrics };
}

/** Whether the replicas are the destination owner's; left out when off and the known rule leaves it out. */
function ownerOverrideSpelledAsKnown(override: boolean, known: ReplicationRule | undefined): Pick<ReplicationRule, "ownerOverride"> {
    return !override && known?.ownerOverride === undefined ? {} : { ownerOverride: override };
}

/** The document's prefix, as `prefixes: [p]` where the known rule writes it so and has the same one. */
function prefixSpelledAsKnown(prefix: string, known: ReplicationRule | undefined): Pick<ReplicationRule, "prefix" | "prefixes"> {
    if (known?.prefixes === undefined || effectivePrefix(known) !== prefix) return { prefix };
    return { ...(known.prefix !== undefined ? { prefix: known.prefix } : {}), prefixes: [prefix] };
}

/** The document's KMS settings; left out when they are off and the known rule leaves them out. */
function sseKmsSpelledAsKnown(sseKms: NonNullable<ReplicationRule["sseKms"]>, known: ReplicationRule | undefined): Pick<ReplicationRule, "sseKms"> {
    const off = !sseKms.replicateEncryptedObjects && sseKms.replicaKmsKeyId === undefined;
    return off && known?.sseKms === undefined ? {} : { sseKms };
}

/** Whether the document turns RTC on; left out when it is off and the known rule leaves it out. */
function rtcSpelledAsKnown(rtc: boolean, known: ReplicationRule | undefined): Pick<ReplicationRule, "replicationTimeControl"> {
    return !rtc && known?.replicationTimeControl === undefined ? {} : { replicationTimeControl: rtc };
}
