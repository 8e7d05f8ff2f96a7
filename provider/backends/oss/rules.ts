import type { ReplicationRule } from "../backend";
import { child, childrenNamed, textOf, toXml, type XmlElement } from "../s3/xml";
import { locationOf } from "./regions";

/**
 * How the shared rule model maps onto an OSS replication rule; what OSS cannot express is refused at preview (ruleOptions.ts).
 *
 *   rule ID                       -> ID (OSS keeps the ID it is given)
 *   prefix / prefixes (<= 10)     -> PrefixSet/Prefix; none: every object
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
    }));
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
        && (actual.rtc === "enabled" || actual.rtc === "enabling") === (rule.replicationTimeControl === true);
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

/** OSS's prefixes: `prefixes` when there are several or the known rule lists them, else the one `prefix` ("" for none). */
function prefixesSpelledAsKnown(prefixes: readonly string[], known: ReplicationRule | undefined): Pick<ReplicationRule, "prefix" | "prefixes"> {
    if (prefixes.length > 1 || (known?.prefixes !== undefined && prefixes.length > 0)) return { prefix: "", prefixes: [...prefixes] };
    return { prefix: prefixes[0] ?? "" };
}
