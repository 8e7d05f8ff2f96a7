import type { PathProblem, RuleCheck, RuleOptionsOfService } from "../contract";
import { refusedRuleOptions } from "../ruleOptionRefusals";
import { crossesMainlandBorder, regionsWithoutTagFilter, rtcBetween, rtcRegionGroups } from "./regions";

/** What OSS refuses in a set of rules, found at preview (how the rules map onto OSS's document: rules.ts). */

export const maxRulesPerBucket = 100;
export const maxPrefixesPerRule = 10;
/** A rule's tag filter: as many tags as an object can carry (OSS's object tagging guide: at most 10 tags). */
export const maxTagsPerRule = 10;
/** OSS's object tagging guide: keys up to 128 bytes, values up to 256. */
export const maxTagKeyBytes = 128;
export const maxTagValueBytes = 256;

/** A rule as validation sees it: the shared shape, every field of the rule model included. */
export type OssRuleCheck = RuleCheck;

const backend = "the 'oss' backend (Alibaba OSS)";

/** OSS replication: several prefixes, a tag filter, historical objects, SSE-KMS, RTC and a transfer type; no version deletes or replica modifications. */
export const ruleOptions: RuleOptionsOfService = {
    takes: ["prefixes", "tags", "existingObjectReplication", "sseKms", "replicationTimeControl", "transferType"],
    whyNot: {
        deleteReplication: (id) => `Rule '${id}' sets 'deleteReplication: true', but ${backend} never replicates the deletion of an object version. ` +
            `Set 'deleteReplication: false'; 'deleteMarkerReplication: true' (OSS Action ALL) replicates deletes as delete markers.`,
        replicaModifications: (id) => `Rule '${id}' sets 'replicaModifications: true', which ${backend} cannot do: ` +
            `replicas are written only by the rule. Set 'replicaModifications: false', or add a rule in the other direction (see BiDirectional).`,
    },
};

/**
 * What OSS cannot do with these rules, each naming the field, the backend and what to write instead.
 * With `source`, also what depends on the source's region: transfer type and RTC across regions.
 */
export function ruleProblems(rules: Readonly<Record<string, OssRuleCheck>>, source?: { readonly zone?: string; readonly bucket?: string }): PathProblem[] {
    const problems: PathProblem[] = [...refusedRuleOptions("oss", ruleOptions, rules)];
    const entries = Object.entries(rules).filter(([, rule]) => rule && typeof rule === "object");
    if (Object.keys(rules).length > maxRulesPerBucket) {
        problems.push({ path: [], message: `${Object.keys(rules).length} rules are declared, but ${backend} holds at most ${maxRulesPerBucket} ` +
            `replication rules per bucket; merge rules (a rule takes up to ${maxPrefixesPerRule} prefixes) or replicate from another bucket.` });
    }
    for (const [id, rule] of entries) {
        const at = (...path: string[]) => [id, ...path];
        if (rule.status === "Disabled") {
            problems.push({ path: at("status"), message: `Rule '${id}' has 'status: "Disabled"', but ${backend} has no disabled rules: a rule exists and runs, or it does not. ` +
                `Remove the rule from 'rules' to stop replicating (its replicas stay), or set 'status: "Enabled"'.` });
        }
        if (rule.destination?.storageClass) {
            problems.push({ path: at("destination", "storageClass"), message: `Rule '${id}' sets 'destination.storageClass', but ${backend} gives replicas the storage class ` +
                `of the destination bucket. Remove 'storageClass', and choose the destination bucket's storage class or a lifecycle rule there instead.` });
        }
        problems.push(...prefixProblems(id, rule));
        problems.push(...tagProblems(id, rule, source?.zone));
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
            } else if (rule.replicationTimeControl === true && !rtcBetween(source.zone, destinationZone)) {
                problems.push({ path: at("replicationTimeControl"), message: `Rule '${id}' replicates from ${source.zone} to ${destinationZone} with 'replicationTimeControl: true', ` +
                    `but ${backend} offers RTC only between two of ${rtcRegionGroups[0].join(", ")}, or between ${rtcRegionGroups[1].join(" and ")}; ` +
                    `set 'replicationTimeControl: false' or choose such a pair of regions.` });
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

/** OSS's tag filter: the object tagging guide's limits on each tag, and the regions PutBucketReplication names as without it. */
function tagProblems(id: string, rule: OssRuleCheck, sourceZone: string | undefined): PathProblem[] {
    const tags = rule.tags;
    if (!tags || typeof tags !== "object" || Object.keys(tags).length === 0) return [];
    const problems: PathProblem[] = [];
    // More than 10 tags is refused by the shared validation, for every backend (OSS: an object carries at most 10).
    for (const [key, value] of Object.entries(tags)) {
        const at = [id, "tags", key];
        if (key === "" || Buffer.byteLength(key) > maxTagKeyBytes) {
            problems.push({ path: at, message: `Rule '${id}' filters on a tag key of ${Buffer.byteLength(key)} bytes; ${backend} takes tag keys of 1 to ${maxTagKeyBytes} bytes.` });
        }
        if (typeof value === "string" && Buffer.byteLength(value) > maxTagValueBytes) {
            problems.push({ path: at, message: `Rule '${id}' filters on tag '${key}' with a value of ${Buffer.byteLength(value)} bytes; ${backend} takes tag values of at most ${maxTagValueBytes} bytes.` });
        }
        for (const [what, text] of [["key", key], ["value", value]] as const) {
            if (typeof text === "string" && !/^[\p{L}\p{N} +\-=._:/]*$/u.test(text)) {
                problems.push({ path: at, message: `Rule '${id}' filters on tag ${what} ${JSON.stringify(text)}, but ${backend} takes only letters, digits, spaces and + - = . _ : / in object tags.` });
            }
        }
    }
    if (sourceZone && regionsWithoutTagFilter.includes(sourceZone)) {
        problems.push({ path: [id, "tags"], message: `Rule '${id}' filters on 'tags', but ${backend} has no tag filter for replication from ${sourceZone}; ` +
            `remove 'tags' and select objects with 'prefixes' instead.` });
    }
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
