import type { ReplicationRule } from "../backend";
import type { PathProblem, RuleCheck } from "../contract";
import { child, childrenNamed, textOf, toXml, type XmlElement } from "../s3/xml";
import { crossesMainlandBorder, locationOf } from "./regions";

/**
 * How the shared rule model maps onto an OSS replication rule, and what OSS cannot express.
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

export const maxRulesPerBucket = 100;
export const maxPrefixesPerRule = 10;

/** A rule as validation sees it: the shared shape, every field of the rule model included. */
export type OssRuleCheck = RuleCheck;

const backend = "the 'oss' backend (Alibaba OSS)";

/**
 * What OSS cannot do with these rules, each naming the field, the backend and what to write instead.
 * With `source`, also what depends on the source's region: transfer type and RTC across regions.
 */
export function ruleProblems(rules: Readonly<Record<string, OssRuleCheck>>, source?: { readonly zone?: string; readonly bucket?: string }): PathProblem[] {
    const problems: PathProblem[] = [];
    const entries = Object.entries(rules).filter(([, rule]) => rule && typeof rule === "object");
    if (Object.keys(rules).length > maxRulesPerBucket) {
        problems.push({ path: [], message: `${Object.keys(rules).length} rules are declared, but ${backend} holds at most ${maxRulesPerBucket} ` +
            `replication rules per bucket; merge rules (a rule takes up to ${maxPrefixesPerRule} prefixes) or replicate from another bucket.` });
    }
    for (const [id, rule] of entries) {
        const at = (...path: string[]) => [id, ...path];
        if (rule.tags && typeof rule.tags === "object" && Object.keys(rule.tags).length > 0) {
            problems.push({ path: at("tags"), message: `Rule '${id}' filters on 'tags', but ${backend} selects objects by key prefix only; ` +
                `remove 'tags' and use 'prefixes' (up to ${maxPrefixesPerRule}) instead.` });
        }
        if (rule.status === "Disabled") {
            problems.push({ path: at("status"), message: `Rule '${id}' has 'status: "Disabled"', but ${backend} has no disabled rules: a rule exists and runs, or it does not. ` +
                `Remove the rule from 'rules' to stop replicating (its replicas stay), or set 'status: "Enabled"'.` });
        }
        if (rule.deleteReplication === true) {
            problems.push({ path: at("deleteReplication"), message: `Rule '${id}' sets 'deleteReplication: true', but ${backend} never replicates the deletion of an object version. ` +
                `Set 'deleteReplication: false'; 'deleteMarkerReplication: true' (OSS Action ALL) replicates deletes as delete markers.` });
        }
        if (rule.replicaModifications === true) {
            problems.push({ path: at("replicaModifications"), message: `Rule '${id}' sets 'replicaModifications: true', which ${backend} cannot do: ` +
                `replicas are written only by the rule. Set 'replicaModifications: false', or add a rule in the other direction (see BiDirectional).` });
        }
        if (rule.destination?.storageClass) {
            problems.push({ path: at("destination", "storageClass"), message: `Rule '${id}' sets 'destination.storageClass', but ${backend} gives replicas the storage class ` +
                `of the destination bucket. Remove 'storageClass', and choose the destination bucket's storage class or a lifecycle rule there instead.` });
        }
        problems.push(...prefixProblems(id, rule));
        problems.push(...kmsProblems(id, rule));
        if (rule.transferType !== undefined && rule.transferType !== "internal" && rule.transferType !== "oss_acc") {
            problems.push({ path: at("transferType"), message: `Rule '${id}' has 'transferType: ${JSON.stringify(rule.transferType)}'; ${backend} knows "internal" and "oss_acc" (transfer acceleration).` });
        }
        const destinationZone = rule.destination?.zone;
        if (source?.zone && typeof destinationZone === "string") {
            const sameRegion = source.zone === destinationZone;
            if (sameRegion && rule.transferType === "oss_acc") {
                problems.push({ path: at("transferType"), message: `Rule '${id}' replicates within ${source.zone} (same-region replication) with 'transferType: "oss_acc"', ` +
                    `but ${backend} accelerates cross-region replication only; remove 'transferType' or set it to "internal".` });
            }
            if (sameRegion && rule.replicationTimeControl === true) {
                problems.push({ path: at("replicationTimeControl"), message: `Rule '${id}' replicates within ${source.zone} with 'replicationTimeControl: true', ` +
                    `but ${backend} offers RTC for cross-region replication only; set it to false or replicate to another region.` });
            }
            if (!sameRegion && crossesMainlandBorder(source.zone, destinationZone) && rule.transferType !== "oss_acc") {
                problems.push({ path: at("transferType"), message: `Rule '${id}' replicates from ${source.zone} to ${destinationZone}, across the border of the Chinese mainland, ` +
                    `which ${backend} carries only with transfer acceleration; set 'transferType: "oss_acc"'.` });
            }
        }
    }
    problems.push(...overlapProblems(entries));
    return problems;
}

function prefixProblems(id: string, rule: OssRuleCheck): PathProblem[] {
    const problems: PathProblem[] = [];
    const prefixes = rule.prefixes;
    if (prefixes === undefined || prefixes === null) return problems;
    if (!Array.isArray(prefixes)) return problems;
    if (prefixes.length > maxPrefixesPerRule) {
        problems.push({ path: [id, "prefixes"], message: `Rule '${id}' lists ${prefixes.length} prefixes, but ${backend} takes at most ${maxPrefixesPerRule} per rule; ` +
            `split them over several rules to the same destination.` });
    }
    // 'prefix' together with 'prefixes' is refused by the shared validation, for every backend.
    prefixes.forEach((prefix, index) => {
        if (prefix === "") {
            problems.push({ path: [id, "prefixes", String(index)], message: `Rule '${id}' lists an empty prefix, which matches every object and makes the others pointless; ` +
                `leave 'prefixes' out to replicate everything.` });
        }
    });
    return problems;
}

function kmsProblems(id: string, rule: OssRuleCheck): PathProblem[] {
    const kms = rule.sseKms;
    if (!kms || typeof kms !== "object") return [];
    if (kms.replicateEncryptedObjects === true && !kms.replicaKmsKeyId) {
        return [{ path: [id, "sseKms", "replicaKmsKeyId"], message: `Rule '${id}' replicates SSE-KMS encrypted objects, and ${backend} then needs the KMS key ` +
            `that encrypts the replicas in the destination region: set 'sseKms.replicaKmsKeyId' to that key's ID.` }];
    }
    if (kms.replicateEncryptedObjects !== true && kms.replicaKmsKeyId) {
        return [{ path: [id, "sseKms", "replicateEncryptedObjects"], message: `Rule '${id}' names a replica KMS key but does not replicate SSE-KMS encrypted objects; ` +
            `set 'sseKms.replicateEncryptedObjects: true', or remove 'sseKms.replicaKmsKeyId'.` }];
    }
    return [];
}

/**
 * S3 settles two rules that match one object into the same destination by priority; OSS has no
 * priority and would apply both, so such rules are refused rather than left to chance.
 */
function overlapProblems(entries: readonly (readonly [string, OssRuleCheck])[]): PathProblem[] {
    const problems: PathProblem[] = [];
    for (let i = 0; i < entries.length; i++) {
        for (let j = i + 1; j < entries.length; j++) {
            const [idA, a] = entries[i];
            const [idB, b] = entries[j];
            if (!a.destination?.bucket || a.destination.bucket !== b.destination?.bucket || a.destination.zone !== b.destination?.zone) continue;
            const overlapping = prefixesOf(a).some((pa) => prefixesOf(b).some((pb) => pa.startsWith(pb) || pb.startsWith(pa)));
            if (overlapping) {
                problems.push({ path: [idB, "priority"], message: `Rules '${idA}' and '${idB}' both replicate into '${a.destination.bucket}' and their prefixes overlap; ` +
                    `${backend} has no rule priority to choose between them. Merge them into one rule, or give them prefixes that do not overlap.` });
            }
        }
    }
    return problems;
}

function prefixesOf(rule: OssRuleCheck): string[] {
    if (Array.isArray(rule.prefixes) && rule.prefixes.length > 0) return [...rule.prefixes];
    return [typeof rule.prefix === "string" ? rule.prefix : ""];
}

// ---------------------------------------------------------------------------------------------------
// The wire

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
