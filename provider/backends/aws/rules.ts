import type { ReplicationRule as S3ReplicationRule, ReplicationRuleFilter, StorageClass } from "@aws-sdk/client-s3";
import type { BucketRef, ReplicationRule } from "../backend";
import type { RuleCheck } from "../contract";
import type { Problem } from "../../common/problem";
import { bucketArn, bucketOfArn } from "./regions";

/**
 * How the shared rule model maps onto a rule of an S3 replication configuration (the current schema,
 * "V2": every rule has a Filter, a Priority and DeleteMarkerReplication), and what AWS refuses.
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
 *   destination bucket            -> Destination/Bucket as arn:<partition>:s3:::<bucket>
 *   destination storageClass      -> Destination/StorageClass
 *   deleteReplication, transferType -> nothing: AWS has neither, so they are refused at preview
 *
 * Every rule is written in the V2 form, so a configuration made here never mixes V1 rules (a bare
 * Prefix, no Priority) with V2 ones, which AWS refuses.
 */

/** The rules AWS holds in one replication configuration. */
export const maxRulesPerConfiguration = 1000;

/** Storage classes S3 replication can write replicas in (Outposts, Snow, Express One Zone and FSx are other worlds). */
export const replicaStorageClasses: readonly string[] = [
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "GLACIER_IR", "DEEP_ARCHIVE",
];

/** S3 Replication Time Control and its metrics have one threshold, 15 minutes. */
const rtcMinutes = 15;

/** A rule as validation sees it: the shared shape, every field of the rule model included. */
export type AwsRuleCheck = RuleCheck;

const backend = "the 'aws' backend (Amazon S3)";

/** What AWS refuses in these rules (keyed by ID), each naming the field and what to write instead. */
export function ruleProblems(rules: Readonly<Record<string, AwsRuleCheck>>): Problem[] {
    const problems: Problem[] = [];
    const count = Object.keys(rules).length;
    if (count > maxRulesPerConfiguration) {
        problems.push({ path: [], message: `${count} rules are declared, but ${backend} holds at most ${maxRulesPerConfiguration} rules in one replication configuration; ` +
            `merge rules that share a destination, or filter with broader prefixes.` });
    }
    for (const [id, rule] of Object.entries(rules)) {
        if (!rule || typeof rule !== "object") continue;
        const at = (...path: string[]) => [id, ...path];
        const say = (path: string[], message: string) => problems.push({ path: at(...path), message: `Rule '${id}' ${message}` });
        if (rule.deleteReplication === true) {
            say(["deleteReplication"], `sets 'deleteReplication: true', but ${backend} never replicates the deletion of an object version ` +
                `(a protection against malicious deletes). Set 'deleteReplication: false'; 'deleteMarkerReplication: true' replicates deletes as delete markers.`);
        }
        if (rule.transferType !== undefined) {
            say(["transferType"], `sets 'transferType', an Alibaba OSS setting that ${backend} does not have: S3 moves replicas over its own network. ` +
                `Remove 'transferType' (for a replication-time guarantee, use 'replicationTimeControl: true').`);
        }
        const prefixes = Array.isArray(rule.prefixes) ? rule.prefixes : undefined;
        if (prefixes && prefixes.length > 1) {
            say(["prefixes"], `lists ${prefixes.length} prefixes, but ${backend} filters each rule by one prefix. ` +
                `Split it into one rule per prefix (each with its own ID and priority, all to the same destination).`);
        }
        // 'prefix' together with 'prefixes' is refused by the shared validation, for every backend.
        const tagCount = rule.tags && typeof rule.tags === "object" ? Object.keys(rule.tags).length : 0;
        if (tagCount > 0 && rule.deleteMarkerReplication === true) {
            say(["deleteMarkerReplication"], `filters on 'tags' and sets 'deleteMarkerReplication: true', but ${backend} does not replicate delete markers ` +
                `for rules with a tag filter (a delete marker carries no tags). Set 'deleteMarkerReplication: false', or filter by prefix only.`);
        }
        problems.push(...kmsProblems(id, rule));
        const storageClass = rule.destination?.storageClass;
        if (typeof storageClass === "string" && !replicaStorageClasses.includes(storageClass)) {
            problems.push({ path: at("destination", "storageClass"), message: `Rule '${id}' has 'destination.storageClass: ${JSON.stringify(storageClass)}', ` +
                `which ${backend} cannot write replicas in; use one of ${replicaStorageClasses.join(", ")}, or leave it unset for the source object's class.` });
        }
    }
    return problems;
}

function kmsProblems(id: string, rule: AwsRuleCheck): Problem[] {
    const sseKms = rule.sseKms;
    if (!sseKms || typeof sseKms !== "object") return [];
    const problems: Problem[] = [];
    const keyId = sseKms.replicaKmsKeyId;
    if (sseKms.replicateEncryptedObjects === true && !keyId) {
        problems.push({ path: [id, "sseKms", "replicaKmsKeyId"], message: `Rule '${id}' replicates SSE-KMS objects, but ${backend} must be told the KMS key ` +
            `that encrypts the replicas: set 'sseKms.replicaKmsKeyId' to the ARN of a KMS key in the destination's region.` });
    }
    if (keyId && sseKms.replicateEncryptedObjects !== true) {
        problems.push({ path: [id, "sseKms", "replicateEncryptedObjects"], message: `Rule '${id}' names 'sseKms.replicaKmsKeyId' but does not replicate ` +
            `SSE-KMS objects; ${backend} uses that key only for them. Set 'sseKms.replicateEncryptedObjects: true', or remove 'replicaKmsKeyId'.` });
    }
    if (typeof keyId === "string" && keyId !== "") {
        const arn = /^arn:[^:]+:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/.exec(keyId);
        if (!arn) {
            problems.push({ path: [id, "sseKms", "replicaKmsKeyId"], message: `Rule '${id}' has 'sseKms.replicaKmsKeyId: ${JSON.stringify(keyId)}'; ${backend} needs ` +
                `the key's ARN (arn:aws:kms:<region>:<account>:key/<key-id>), which the role's policy names for kms:Encrypt. Give the ARN, not a key ID or alias.` });
        } else {
            const zone = rule.destination?.zone;
            if (typeof zone === "string" && /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(zone) && arn[1] !== zone) {
                problems.push({ path: [id, "sseKms", "replicaKmsKeyId"], message: `Rule '${id}' encrypts replicas in ${zone} with a KMS key of ${arn[1]}, ` +
                    `but ${backend} needs a key in the destination bucket's region; use a key of ${zone}.` });
            }
        }
    }
    return problems;
}

/** The S3 document of one rule; `Destination.Bucket` is the destination's ARN. */
export function toS3Rule(rule: ReplicationRule): S3ReplicationRule {
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
            Bucket: bucketArn(destination.bucket, destination.zone),
            ...(destination.storageClass ? { StorageClass: destination.storageClass as StorageClass } : {}),
            ...(replicateKms && rule.sseKms?.replicaKmsKeyId ? { EncryptionConfiguration: { ReplicaKmsKeyID: rule.sseKms.replicaKmsKeyId } } : {}),
            ...(rule.replicationTimeControl ? {
                ReplicationTime: { Status: "Enabled" as const, Time: { Minutes: rtcMinutes } },
                Metrics: { Status: "Enabled" as const, EventThreshold: { Minutes: rtcMinutes } },
            } : {}),
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
 * a refresh shows only real differences. The document names a destination by ARN, without its
 * region: the known zone is kept while the bucket is the same (a bucket cannot move between regions
 * under its name), and `zoneOf` places any other bucket.
 */
export function fromS3Rule(rule: S3ReplicationRule, known: ReplicationRule | undefined, zoneOf: (bucket: string) => string): ReplicationRule {
    const filter = rule.Filter;
    // A V1 rule (made outside this package) has its prefix on the rule itself and no filter.
    const prefix = filter?.Prefix ?? filter?.And?.Prefix ?? rule.Prefix ?? "";
    const tagList = filter?.Tag ? [filter.Tag] : filter?.And?.Tags ?? [];
    const tags = Object.fromEntries(tagList.map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
    const destination = rule.Destination;
    const bucket = bucketOfArn(destination?.Bucket ?? "");
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
    };
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

/** The destinations of a set of rules, as the policy and the versioning gate see them. */
export function destinationsOf(rules: readonly ReplicationRule[]): BucketRef[] {
    return rules.map((rule) => ({ zone: rule.destination.zone, bucket: rule.destination.bucket }));
}
