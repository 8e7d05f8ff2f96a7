import type { ReplicationRule } from "../backend";
import { child, childrenNamed, textOf, toXml, type XmlElement } from "../s3/xml";
import { locationOf } from "./regions";

/**
 * How the shared rule model maps onto an OSS replication rule; what OSS cannot express is refused at preview (ruleOptions.ts).
 *
 *   rule ID                       -> ID (OSS keeps the ID it is given)
 *   prefix / prefixes (<= 10)     -> PrefixSet/Prefix; none: every object
 *   tags (<= 10; all must match)  -> UserTaggings/FilterType AND, one UserTagging (Key, Value) per tag; none: no tag filter
 *   deleteMarkerReplication       -> Action ALL (writes and deletes); false: Action PUT (writes only)
 *   existingObjectReplication     -> HistoricalObjectReplication enabled|disabled, always sent (OSS's default is enabled)
 *   destination bucket, zone      -> Destination/Bucket, Destination/Location oss-<region>
 *   transferType                  -> Destination/TransferType internal|oss_acc
 *   sseKms.replicateEncryptedObjects -> SourceSelectionCriteria/SseKmsEncryptedObjects/Status Enabled
 *   sseKms.replicaKmsKeyId        -> EncryptionConfiguration/ReplicaKmsKeyID
 *   replicationTimeControl        -> RTC/Status enabled
 *   the IamRole                   -> SyncRole (the RAM role's name)
 *   priority                      -> nothing: OSS applies every rule that matches an object
 */

/** The prefixes a rule sends; empty for "every object". */
export function rulePrefixes(rule: ReplicationRule): string[] {
    if (rule.prefixes && rule.prefixes.length > 0) return [...rule.prefixes];
    return rule.prefix ? [rule.prefix] : [];
}

/** The rule's tag filter, sorted by key (what is sent, and what a read is compared with). */
export function ruleTags(rule: Pick<ReplicationRule, "tags">): [string, string][] {
    return Object.entries(rule.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * PutBucketReplication's tag filter (Alibaba's PutBucketReplication reference, request syntax and elements,
 * https://www.alibabacloud.com/help/en/oss/developer-reference/putbucketreplication): UserTaggings holds a
 * FilterType (AND: an object must carry every tag; OR: any one) and one UserTagging (Key, Value) per tag.
 * The shared model's `tags` means "all of these tags", so FilterType is always AND.
 */
function userTaggings(rule: ReplicationRule): { FilterType: string; UserTagging: { Key: string; Value: string }[] } {
    return { FilterType: "AND", UserTagging: ruleTags(rule).map(([Key, Value]) => ({ Key, Value })) };
}

/** The body of one PutBucketReplication (comp=add) call: one rule. */
export function putRuleXml(rule: ReplicationRule, syncRole: string, destinationRegion: string): string {
    const prefixes = rulePrefixes(rule);
    const document = {
        ID: rule.id,
        ...(rule.replicationTimeControl ? { RTC: { Status: "enabled" } } : {}),
        ...(prefixes.length > 0 ? { PrefixSet: { Prefix: prefixes } } : {}),
        Action: rule.deleteMarkerReplication ? "ALL" : "PUT",
        Destination: {
            Bucket: rule.destination.bucket,
            Location: locationOf(destinationRegion),
            ...(rule.transferType ? { TransferType: rule.transferType } : {}),
        },
        HistoricalObjectReplication: rule.existingObjectReplication ? "enabled" : "disabled",
        SyncRole: syncRole,
        ...(ruleTags(rule).length > 0 ? { UserTaggings: userTaggings(rule) } : {}),
        ...(rule.sseKms?.replicateEncryptedObjects ? { SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: "Enabled" } } } : {}),
        ...(rule.sseKms?.replicaKmsKeyId ? { EncryptionConfiguration: { ReplicaKmsKeyID: rule.sseKms.replicaKmsKeyId } } : {}),
    };
    return `<?xml version="1.0" encoding="UTF-8"?>\n${toXml("ReplicationConfiguration", { Rule: document })}`;
}

/** The body of DeleteBucketReplication (comp=delete): the IDs of the rules to remove. */
export function deleteRulesXml(ids: readonly string[]): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n${toXml("ReplicationRules", { ID: [...ids] })}`;
}

/** A rule as GetBucketReplication reports it. */
export interface OssRule {
    readonly id: string;
    /** starting | doing | closing */
    readonly status: string;
    readonly prefixes: string[];
    readonly action: string;
    readonly destinationBucket: string;
    readonly destinationLocation: string;
    /** OSS reports it only for oss_acc. */
    readonly transferType?: string;
    readonly historicalObjectReplication: string;
    readonly syncRole?: string;
    readonly sseKmsEncryptedObjects?: string;
    readonly replicaKmsKeyId?: string;
    /** RTC status when OSS reports one: enabling | enabled | disabled. */
    readonly rtc?: string;
    /** The rule's tag filter (UserTaggings), in the order OSS lists it; empty for none. */
    readonly tags?: readonly { readonly key: string; readonly value: string }[];
    /** UserTaggings/FilterType: AND (every tag) or OR (any tag); undefined without a tag filter. */
    readonly tagFilterType?: string;
}

export function readRules(document: XmlElement): OssRule[] {
    return childrenNamed(document, "Rule").map((rule) => ({
        id: textOf(rule, "ID") ?? "",
        status: textOf(rule, "Status") ?? "",
        prefixes: childrenNamed(child(rule, "PrefixSet"), "Prefix").map((p) => p.text),
        action: textOf(rule, "Action") ?? "ALL",
        destinationBucket: textOf(child(rule, "Destination"), "Bucket") ?? "",
        destinationLocation: textOf(child(rule, "Destination"), "Location") ?? "",
        transferType: textOf(child(rule, "Destination"), "TransferType"),
        historicalObjectReplication: textOf(rule, "HistoricalObjectReplication") ?? "enabled",
        syncRole: textOf(rule, "SyncRole"),
        sseKmsEncryptedObjects: textOf(child(child(rule, "SourceSelectionCriteria"), "SseKmsEncryptedObjects"), "Status"),
        replicaKmsKeyId: textOf(child(rule, "EncryptionConfiguration"), "ReplicaKmsKeyID"),
        rtc: textOf(child(rule, "RTC"), "Status"),
        ...tagFilterOf(child(rule, "UserTaggings")),
    }));
}

function tagFilterOf(taggings: XmlElement | undefined): Pick<OssRule, "tags" | "tagFilterType"> {
    const tags = childrenNamed(taggings, "UserTagging").map((tag) => ({ key: textOf(tag, "Key") ?? "", value: textOf(tag, "Value") ?? "" }));
    if (tags.length === 0) return {};
    return { tags, tagFilterType: (textOf(taggings, "FilterType") ?? "AND").toUpperCase() };
}

/** The tag filter of a rule read from OSS as the model's `tags`; undefined when OSS holds none. */
function tagsOf(actual: OssRule): Record<string, string> | undefined {
    if (!actual.tags || actual.tags.length === 0) return undefined;
    return Object.fromEntries(actual.tags.map((tag) => [tag.key, tag.value]));
}

function sameTags(actual: OssRule, rule: ReplicationRule): boolean {
    const wanted = ruleTags(rule);
    const held = [...(actual.tags ?? [])].map((t) => [t.key, t.value] as [string, string]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (wanted.length === 0) return held.length === 0;
    // The model's tags mean "every tag": a filter OSS holds as OR (any tag) is another rule, added again by 'up'.
    return (actual.tagFilterType === "AND" || held.length === 1) && JSON.stringify(held) === JSON.stringify(wanted);
}

/** Whether the rule on OSS is what `rule` asks for; anything else is deleted and added again. */
export function sameRule(actual: OssRule, rule: ReplicationRule, syncRole: string, destinationRegion: string): boolean {
    const wanted = rulePrefixes(rule);
    return actual.id === rule.id
        && actual.prefixes.length === wanted.length && [...actual.prefixes].sort().join("\0") === [...wanted].sort().join("\0")
        && actual.action.split(",").map((a) => a.trim()).sort().join(",") === (rule.deleteMarkerReplication ? "ALL" : "PUT")
        && actual.destinationBucket === rule.destination.bucket
        && actual.destinationLocation === locationOf(destinationRegion)
        && (actual.transferType ?? "internal") === (rule.transferType ?? "internal")
        && actual.historicalObjectReplication === (rule.existingObjectReplication ? "enabled" : "disabled")
        && actual.syncRole === syncRole
        && (actual.sseKmsEncryptedObjects === "Enabled") === (rule.sseKms?.replicateEncryptedObjects === true)
        && (actual.replicaKmsKeyId ?? "") === (rule.sseKms?.replicaKmsKeyId ?? "")
        && (actual.rtc === "enabled" || actual.rtc === "enabling") === (rule.replicationTimeControl === true)
        && sameTags(actual, rule);
}

/**
 * The shared model of a rule read from OSS: every value is OSS's, except the priority, which OSS does
 * not hold (it applies every rule that matches), so the state's stays. What OSS leaves out means its
 * default (no TransferType: internal; no RTC: off; no KMS elements: off); the known rule (the state's)
 * decides only whether such a default is spelled out or left out, and whether one prefix is written
 * as `prefix` or `prefixes`, so that a refresh shows only real differences.
 */
export function toModel(actual: OssRule, known: ReplicationRule | undefined, destinationZone: string): ReplicationRule {
    const kms = {
        replicateEncryptedObjects: actual.sseKmsEncryptedObjects === "Enabled",
        ...(actual.replicaKmsKeyId ? { replicaKmsKeyId: actual.replicaKmsKeyId } : {}),
    };
    const kmsOff = !kms.replicateEncryptedObjects && kms.replicaKmsKeyId === undefined;
    const rtc = actual.rtc === "enabled" || actual.rtc === "enabling";
    const transferType = actual.transferType === "oss_acc" ? "oss_acc" : "internal";
    return {
        id: actual.id,
        priority: known?.priority ?? 0,
        // OSS has no disabled rule: starting and doing both replicate.
        status: "Enabled",
        ...prefixesSpelledAsKnown(actual.prefixes, known),
        ...tagsSpelled(actual),
        deleteMarkerReplication: actual.action.split(",").map((a) => a.trim()).includes("ALL"),
        deleteReplication: false,
        existingObjectReplication: actual.historicalObjectReplication === "enabled",
        replicaModifications: false,
        destination: { bucket: actual.destinationBucket, zone: destinationZone },
        ...(kmsOff && known?.sseKms === undefined ? {} : { sseKms: kms }),
        ...(!rtc && known?.replicationTimeControl === undefined ? {} : { replicationTimeControl: rtc }),
        ...(transferType === "internal" && known?.transferType === undefined ? {} : { transferType }),
    };
}

/**
 * OSS's tag filter as the model's `tags`. A filter OSS holds as OR (set outside Pulumi: any one tag
 * selects an object) is not what `tags` means; it reads as the tags plus a marker key, so that refresh
 * shows the difference and the next 'up' adds the rule again with AND.
 */
function tagsSpelled(actual: OssRule): Pick<ReplicationRule, "tags"> {
    const tags = tagsOf(actual);
    if (!tags) return {};
    if (actual.tagFilterType !== "AND" && actual.tags!.length > 1) return { tags: { ...tags, [orFilterMarker]: actual.tagFilterType ?? "" } };
    return { tags };
}

/** The key a refresh shows in `tags` when OSS holds the tag filter with FilterType OR (any tag) instead of AND. */
export const orFilterMarker = "(OSS FilterType)";

/** OSS's prefixes: `prefixes` when there are several or the known rule lists them, else the one `prefix` ("" for none). */
function prefixesSpelledAsKnown(prefixes: readonly string[], known: ReplicationRule | undefined): Pick<ReplicationRule, "prefix" | "prefixes"> {
    if (prefixes.length > 1 || (known?.prefixes !== undefined && prefixes.length > 0)) return { prefix: "", prefixes: [...prefixes] };
    return { prefix: prefixes[0] ?? "" };
}
