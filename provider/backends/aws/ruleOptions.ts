import type { RuleCheck, RuleOptionsOfService } from "../contract";
import { refusedRuleOptions } from "../ruleOptionRefusals";
import type { Problem } from "../../common/problem";
import { configKey } from "../../common/configKey";

/** What AWS refuses in a set of rules, found at preview (how the rules map onto S3's document: rules.ts). */

/** The rules AWS holds in one replication configuration. */
export const maxRulesPerConfiguration = 1000;

/** Storage classes S3 replication can write replicas in (Outposts, Snow, Express One Zone and FSx are other worlds). */
export const replicaStorageClasses: readonly string[] = [
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "GLACIER_IR", "DEEP_ARCHIVE",
];

/** A rule as validation sees it: the shared shape, every field of the rule model included. */
export type AwsRuleCheck = RuleCheck;

const backend = "the 'aws' backend (Amazon S3)";

/** S3 replication takes every option of the rule model but version deletes, OSS's transfer type and MinIO's remote-target settings. */
export const ruleOptions: RuleOptionsOfService = {
    takes: ["tags", "prefixes", "existingObjectReplication", "replicaModifications", "sseKms", "replicationTimeControl",
        "metrics", "destinationAccount", "ownerOverride"],
    whyNot: {
        deleteReplication: (id) => `Rule '${id}' sets 'deleteReplication: true', but ${backend} never replicates the deletion of an object version ` +
            `(a protection against malicious deletes). Set 'deleteReplication: false'; 'deleteMarkerReplication: true' replicates deletes as delete markers.`,
        transferType: (id) => `Rule '${id}' sets 'transferType', an Alibaba OSS setting that ${backend} does not have: S3 moves replicas over its own network. ` +
            `Remove 'transferType' (for a replication-time guarantee, use 'replicationTimeControl: true').`,
    },
};

/** What AWS refuses in these rules (keyed by ID), each naming the field and what to write instead. */
export function ruleProblems(rules: Readonly<Record<string, AwsRuleCheck>>): Problem[] {
    const problems: Problem[] = [...refusedRuleOptions("aws", ruleOptions, rules)];
    const count = Object.keys(rules).length;
    if (count > maxRulesPerConfiguration) {
        problems.push({ path: [], message: `${count} rules are declared, but ${backend} holds at most ${maxRulesPerConfiguration} rules in one replication configuration; ` +
            `merge rules that share a destination, or filter with broader prefixes.` });
    }
    for (const [id, rule] of Object.entries(rules)) {
        if (!rule || typeof rule !== "object") continue;
        const at = (...path: string[]) => [id, ...path];
        const say = (path: string[], message: string) => problems.push({ path: at(...path), message: `Rule '${id}' ${message}` });
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
        problems.push(...accountProblems(id, rule));
        const storageClass = rule.destination?.storageClass;
        if (typeof storageClass === "string" && !replicaStorageClasses.includes(storageClass)) {
            problems.push({ path: at("destination", "storageClass"), message: `Rule '${id}' has 'destination.storageClass: ${JSON.stringify(storageClass)}', ` +
                `which ${backend} cannot write replicas in; use one of ${replicaStorageClasses.join(", ")}, or leave it unset for the source object's class.` });
        }
    }
    return problems;
}

/** An AWS account ID: 12 digits. */
export const accountIdPattern = /^\d{12}$/;

/** `destinationAccount`, and `metrics: false` beside RTC; `ownerOverride` without any account is judged with the zones (awsBackend.ts). */
function accountProblems(id: string, rule: AwsRuleCheck): Problem[] {
    const problems: Problem[] = [];
    const account = rule.destinationAccount;
    if (typeof account === "string" && account !== "" && !accountIdPattern.test(account)) {
        problems.push({ path: [id, "destinationAccount"], message: `Rule '${id}' has 'destinationAccount: ${JSON.stringify(account)}', but ${backend} names an account ` +
            `by its 12-digit ID, such as "111122223333" (not an alias or an ARN).` });
    }
    if (rule.metrics === false && rule.replicationTimeControl === true) {
        problems.push({ path: [id, "metrics"], message: `Rule '${id}' sets 'replicationTimeControl: true' and 'metrics: false', but ${backend} needs replication ` +
            `metrics on for replication time control. Remove 'metrics' (RTC turns them on), or set 'replicationTimeControl: false'.` });
    }
    return problems;
}

/**
 * `ownerOverride` needs the destination's account: the rule's `destinationAccount`, or the destination zone's
 * `account` where it differs from the source zone's. `accountOf` gives a zone's configured account.
 */
export function ownerOverrideProblems(rules: Readonly<Record<string, AwsRuleCheck>>, sourceZone: string | undefined,
    accountOf: (zone: string) => string | undefined): Problem[] {
    const problems: Problem[] = [];
    for (const [id, rule] of Object.entries(rules)) {
        if (!rule || typeof rule !== "object" || rule.ownerOverride !== true || rule.destinationAccount) continue;
        const zone = rule.destination?.zone;
        if (typeof zone !== "string") continue;
        const account = accountOf(zone);
        if (account && account !== (sourceZone ? accountOf(sourceZone) : undefined)) continue;
        problems.push({ path: [id, "ownerOverride"], message: `Rule '${id}' sets 'ownerOverride: true', but ${backend} can hand replicas to the destination's owner ` +
            `only when it knows that owner's account: set 'destinationAccount' on the rule, or 'account' on zone '${zone}' ` +
            `(pulumi config set --path '${configKey(`zones.${zone}.account`)}' 111122223333) when it belongs to another account than the source's.` });
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
