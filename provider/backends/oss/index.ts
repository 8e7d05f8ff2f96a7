import type {
    BackendSettings, BucketRef, ObjectVersionRef, ObservedVersioning, ProgressLog, ReplicationRule, ReplicationSpec, RoleSpec, RoleState,
    StorageBackend, StoredObject, VersioningStatus,
} from "../backend";
import type { BackendDefaults, PathProblem, PolicyOptions } from "../contract";
import type { ReplicationLocation, ReplicationProgress } from "../../common/oss";
import { isUnknown } from "../../common/unknown";
import { toXml } from "../s3/xml";
import { waitFor } from "../../transport/polling";
import { CancelledError } from "../../transport/cancellation";
import { ServiceError } from "../../transport/serviceError";
import { OssClient, xml } from "./ossClient";
import { defaultRamEndpoint, isCode, RamClient, type RamRole } from "./ramClient";
import { locationOf, ossEndpoint, ossRegions, regionOfLocation } from "./regions";
import { deleteRulesXml, type OssRule, putRuleXml, readRules, sameRule, toModel } from "./rules";
import { type OssRuleCheck, ruleProblems as ossRuleProblems } from "./ruleOptions";

export { ossRegions } from "./regions";

export const defaultWaitTimeoutMs = 5 * 60 * 1000;

export function defaults(env: NodeJS.ProcessEnv): BackendDefaults {
    // One pair from one place: OSS's own variables first, then Alibaba Cloud's general ones.
    const pair = env.OSS_ACCESS_KEY_ID || env.OSS_ACCESS_KEY_SECRET
        ? { accessKey: env.OSS_ACCESS_KEY_ID, secretKey: env.OSS_ACCESS_KEY_SECRET }
        : { accessKey: env.ALIBABA_CLOUD_ACCESS_KEY_ID, secretKey: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET };
    return {
        zones: Object.fromEntries(ossRegions.map((region) => [region, { endpoint: ossEndpoint(region), region }])),
        credentials: pair,
        iamEndpoint: defaultRamEndpoint,
        howToConfigureZones: `Every OSS region (${ossRegions.join(", ")}) is known by default; to choose others, set ` +
            `'bucket-replication:zones' to an object such as {"cn-hangzhou": {"endpoint": "https://oss-cn-hangzhou.aliyuncs.com"}}.`,
        howToSetCredentials: "set the OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET environment variables (or ALIBABA_CLOUD_ACCESS_KEY_ID and " +
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET) to an AccessKey pair whose RAM identity may manage OSS buckets and RAM roles and policies.",
    };
}

export function open(settings: BackendSettings): StorageBackend {
    return new OssBackend(settings);
}

/**
 * The RAM policy that lets OSS replicate from `source` into each destination as the sync role, and
 * nothing else: list and read on the source, list, read, write and delete replicas on each
 * destination (the oss:Replicate* actions that OSS's replication uses).
 */
export function replicationPolicy(source: BucketRef, destinations: readonly BucketRef[], options: PolicyOptions = {}): unknown {
    const resources = (bucket: string) => [`acs:oss:*:*:${ramResourceName(bucket)}`, `acs:oss:*:*:${ramResourceName(bucket)}/*`];
    const destinationBuckets = [...new Set(destinations.map((d) => d.bucket))];
    return {
        Version: "1",
        Statement: [
            { Effect: "Allow", Action: ["oss:ReplicateList", "oss:ReplicateGet"], Resource: resources(source.bucket) },
            {
                Effect: "Allow",
                Action: ["oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut", "oss:ReplicateDelete"],
                Resource: destinationBuckets.flatMap(resources),
            },
            ...kmsStatements(source, options),
        ],
    };
}

/**
 * SSE-KMS objects: decrypting the originals with the source's keys (those named, else any key of the
 * source's region) and encrypting the replicas with each replica key, in its destination's region.
 */
function kmsStatements(source: BucketRef, options: PolicyOptions): object[] {
    const replicaKeys = (options.rules ?? []).filter((rule) => rule.sseKms?.replicateEncryptedObjects && rule.sseKms.replicaKmsKeyId);
    if (replicaKeys.length === 0) return [];
    const keyResource = (zone: string, keyId: string) => keyId.startsWith("acs:kms:") ? keyId : `acs:kms:${zone}:*:key/${keyId}`;
    const sourceKeys = options.sourceKmsKeyArns && options.sourceKmsKeyArns.length > 0
        ? options.sourceKmsKeyArns.map((key) => keyResource(source.zone, key))
        : [`acs:kms:${source.zone}:*:key/*`];
    return [
        { Effect: "Allow", Action: ["kms:Decrypt"], Resource: [...new Set(sourceKeys)] },
        { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Encrypt"],
            Resource: [...new Set(replicaKeys.map((rule) => keyResource(rule.destination.zone, rule.sseKms!.replicaKmsKeyId!)))] },
    ];
}

function ramResourceName(bucket: string): string {
    if (!/^[a-z0-9-]+$/.test(bucket)) {
        throw new Error(`Bucket name '${bucket}' cannot go into a RAM policy: OSS bucket names have only lowercase letters, digits and '-'.`);
    }
    return bucket;
}

/** The trust policy of a sync role: OSS, and only OSS, may assume it. */
export const ossTrustPolicy = {
    Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: ["oss.aliyuncs.com"] } }],
    Version: "1",
};

/** OSS keeps 20 tags per bucket (S3 keeps 50); the ownership marker takes one. */
export const maxBucketTags = 20;

/**
 * What OSS cannot express in a set of rules keyed by ID. The registry passes the rules only; given the
 * source bucket's zone too, the checks that depend on the source's region (oss_acc, RTC) run as well.
 */
export { ruleProblems } from "./ruleOptions";

/** A RAM policy document, judged at preview: Version "1" and statements with an Effect and an Action. */
export function policyProblems(policy: Readonly<Record<string, unknown>>): PathProblem[] {
    const fix = "build it with replicationPolicy({ source, destinations }) under 'bucket-replication:backend oss'";
    const problems: PathProblem[] = [];
    if (policy.Version !== "1" && !isUnknown(policy.Version)) {
        problems.push({ path: ["Version"], message: `A RAM policy has "Version": "1"; this one has ${JSON.stringify(policy.Version)}. Is it another backend's policy? ${fix}.` });
    }
    const statements = policy.Statement;
    if (isUnknown(statements)) return problems;
    if (!Array.isArray(statements) || statements.length === 0) {
        problems.push({ path: ["Statement"], message: `A RAM policy needs a non-empty "Statement" list; ${fix}.` });
        return problems;
    }
    statements.forEach((statement, index) => {
        if (!statement || typeof statement !== "object" || isUnknown(statement)) return;
        const { Effect, Action } = statement as Record<string, unknown>;
        if (Effect !== "Allow" && Effect !== "Deny" && !isUnknown(Effect)) {
            problems.push({ path: ["Statement", index, "Effect"], message: `Every RAM policy statement needs "Effect": "Allow" or "Deny".` });
        }
        if (Action === undefined) problems.push({ path: ["Statement", index, "Action"], message: `Every RAM policy statement needs an "Action", such as "oss:ReplicateGet".` });
    });
    return problems;
}

/** OSS bucket names: 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit. */
export function bucketNameProblems(name: string): string[] {
    const problems: string[] = [];
    if (name.includes(".")) problems.push("contains '.', which OSS does not allow in bucket names (use '-')");
    if (/_/.test(name)) problems.push("contains '_', which OSS does not allow in bucket names (use '-')");
    return problems;
}

/** The marker a role's RAM description ends with; its value is the resource's identity. */
export const roleMarkerPrefix = "[pulumi-bucket-replication:owner=";

export function withRoleMarker(description: string, identity: string): string {
    return `${description}${description ? " " : ""}${roleMarkerPrefix}${identity}]`;
}

/** The description without the marker, and the marker's identity (undefined when there is none). */
export function splitRoleMarker(description: string | undefined): { description: string; identity?: string } {
    const text = description ?? "";
    const match = /\s?\[pulumi-bucket-replication:owner=([^\]]+)\]$/.exec(text);
    return match ? { description: text.slice(0, match.index), identity: match[1] } : { description: text };
}

/** The custom RAM policy that holds a role's permissions. RAM policy names take letters, digits and '-'. */
export function policyNameOf(roleName: string): string {
    return `${roleName.replace(/[^A-Za-z0-9-]/g, "-")}-replication`;
}

const policyMarkerPrefix = "pulumi-bucket-replication:owner=";

/**
 * Alibaba OSS: buckets, versioning, tags and replication through OSS's native API (signed with
 * OSS4-HMAC-SHA256), sync roles through RAM (signed with ACS3-HMAC-SHA256).
 */
export class OssBackend implements StorageBackend {
    readonly name = "oss";
    readonly zoneNames: readonly string[];
    readonly oss: OssClient;
    private ramClient?: RamClient;
    private readonly waitTimeoutMs: number;
    private readonly pollMs: { first: number; max: number };

    constructor(private readonly settings: BackendSettings, options: { pollMs?: { first: number; max: number } } = {}) {
        this.zoneNames = Object.keys(settings.zones);
        this.waitTimeoutMs = settings.waitTimeoutMs ?? defaultWaitTimeoutMs;
        this.pollMs = options.pollMs ?? { first: 1000, max: 10_000 };
        this.oss = new OssClient({
            zones: settings.zones, credentials: settings.credentials, requestPolicy: settings.requestPolicy, credentialHint: settings.credentialHint,
        });
    }

    endpointOf(zone: string): string {
        return this.oss.site(zone).endpoint;
    }

    /** The OSS region of a zone: its configured `region`, or its name. */
    regionOf(zone: string): string {
        return this.settings.zones[zone]?.region ?? zone;
    }

    /** The configured zone of an OSS location, preferring `preferred` when it is in that region. */
    zoneOfLocation(location: string, preferred?: string): string {
        const region = regionOfLocation(location);
        if (preferred && this.regionOf(preferred) === region) return preferred;
        return this.zoneNames.find((zone) => this.regionOf(zone) === region) ?? region;
    }

    // Buckets

    async bucketExists(ref: BucketRef): Promise<boolean> {
        try {
            await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { bucketInfo: "" }, operation: `GetBucketInfo of '${ref.bucket}'` });
            return true;
        } catch (error) {
            if (isMissingBucket(error)) return false;
            throw error;
        }
    }

    /**
     * Creates the bucket. OSS answers BucketAlreadyExists whoever owns the name: when this account can
     * read the bucket it is its own ("exists", and the caller looks for its marker), else the name is
     * someone else's. A create that may have taken effect before a retry counts as "created".
     */
    async createBucket(ref: BucketRef): Promise<"created" | "exists"> {
        let mayHaveTakenEffect = false;
        try {
            await this.oss.send({
                zone: ref.zone, bucket: ref.bucket, method: "PUT", operation: `PutBucket '${ref.bucket}'`,
                onRetry: (error) => { mayHaveTakenEffect ||= error.httpStatus === undefined || error.httpStatus >= 500; },
            });
            return "created";
        } catch (error) {
            if (!isCode(error, "BucketAlreadyExists")) throw error;
            let ours: boolean;
            try {
                ours = await this.bucketExists(ref);
            } catch (readError) {
                if (readError instanceof ServiceError && readError.code === "AccessDenied") ours = false;
                else throw readError;
            }
            if (!ours) {
                throw new Error(`Bucket name '${ref.bucket}' is taken by another Alibaba Cloud account (OSS bucket names are global). ` +
                    `Choose another 'name', or leave 'name' unset to get one derived from this stack.`);
            }
            return mayHaveTakenEffect ? "created" : "exists";
        }
    }

    async countVersions(ref: BucketRef, limit: number): Promise<number> {
        const page = await this.listVersions(ref, limit);
        return page.entries.length;
    }

    async emptyAndDeleteBucket(ref: BucketRef, log: ProgressLog): Promise<void> {
        let deleted = 0;
        for (;;) {
            const page = await this.listVersions(ref, 1000);
            if (page.entries.length === 0) break;
            const body = toXml("Delete", {
                Quiet: "true",
                Object: page.entries.map((entry) => ({ Key: entry.key, ...(entry.versionId ? { VersionId: entry.versionId } : {}) })),
            });
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "POST", query: { delete: "" }, body,
                operation: `DeleteMultipleObjects in '${ref.bucket}'`, log });
            const failed = xml.childrenNamed(answer.body.length > 0 ? answer.xml() : undefined, "Error");
            if (failed.length > 0) {
                throw new Error(`Could not delete '${xml.textOf(failed[0], "Key")}' from bucket '${ref.bucket}' in zone ${ref.zone}: ${xml.textOf(failed[0], "Code")} ${xml.textOf(failed[0], "Message") ?? ""}`);
            }
            deleted += page.entries.length;
            log(`bucket '${ref.bucket}': deleted ${deleted} object versions and delete markers so far`);
        }
        log(`bucket '${ref.bucket}' in zone ${ref.zone}: emptied (${deleted} object versions and delete markers in total); deleting it`);
        await this.deleteBucket(ref);
    }

    async deleteBucket(ref: BucketRef): Promise<void> {
        try {
            await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "DELETE", operation: `DeleteBucket '${ref.bucket}'` });
        } catch (error) {
            if (isMissingBucket(error)) return;
            throw error;
        }
    }

    async getBucketTags(ref: BucketRef): Promise<Record<string, string>> {
        try {
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { tagging: "" }, operation: `GetBucketTags of '${ref.bucket}'` });
            const tags = xml.childrenNamed(xml.child(answer.xml(), "TagSet"), "Tag");
            return Object.fromEntries(tags.map((tag) => [xml.textOf(tag, "Key") ?? "", xml.textOf(tag, "Value") ?? ""]));
        } catch (error) {
            if (isCode(error, "NoSuchTagSet")) return {};
            throw error;
        }
    }

    /**
     * Replaces the bucket's tags. OSS takes 20 tags per bucket, keys up to 64 bytes that do not start
     * with 'aliyun', 'acs:', 'http://' or 'https://'; the ownership tag `pulumi-bucket-replication:owner`
     * fits those rules, so it keeps its spelling here.
     */
    async putBucketTags(ref: BucketRef, tags: Readonly<Record<string, string>>): Promise<void> {
        const entries = Object.entries(tags);
        if (entries.length === 0) {
            await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "DELETE", query: { tagging: "" }, operation: `DeleteBucketTags of '${ref.bucket}'` });
            return;
        }
        const body = toXml("Tagging", { TagSet: { Tag: entries.map(([Key, Value]) => ({ Key, Value })) } });
        await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "PUT", query: { tagging: "" }, body, operation: `PutBucketTags of '${ref.bucket}'` });
    }

    async getVersioning(ref: BucketRef): Promise<ObservedVersioning> {
        const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { versioning: "" }, operation: `GetBucketVersioning of '${ref.bucket}'` });
        const status = xml.textOf(answer.xml(), "Status");
        return status === "Enabled" || status === "Suspended" ? status : "Unversioned";
    }

    async putVersioning(ref: BucketRef, status: VersioningStatus): Promise<void> {
        const body = toXml("VersioningConfiguration", { Status: status });
        try {
            await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "PUT", query: { versioning: "" }, body, operation: `PutBucketVersioning of '${ref.bucket}'` });
        } catch (error) {
            if (error instanceof ServiceError && error.httpStatus === 409) {
                throw new Error(`${error.message}\nOSS does not change the versioning of a bucket that takes part in replication: delete the ReplicationConfiguration ` +
                    `that names '${ref.bucket}' (and wait until OSS has closed its rules) before changing its versioning.`);
            }
            throw error;
        }
    }

    private async versioningOrMissing(ref: BucketRef): Promise<ObservedVersioning | "Missing"> {
        try {
            return await this.getVersioning(ref);
        } catch (error) {
            if (isMissingBucket(error)) return "Missing";
            throw error;
        }
    }

    private async listVersions(ref: BucketRef, limit: number): Promise<{ entries: { key: string; versionId?: string }[] }> {
        const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { versions: "", "max-keys": String(limit) },
            operation: `ListObjectVersions of '${ref.bucket}'` });
        const document = answer.xml();
        const entries = [...xml.childrenNamed(document, "Version"), ...xml.childrenNamed(document, "DeleteMarker")]
            .map((entry) => ({ key: xml.textOf(entry, "Key") ?? "", versionId: xml.textOf(entry, "VersionId") }));
        return { entries: entries.slice(0, limit) };
    }

    // Objects, for verifying a topology with canaries. OSS's replica status header is not relied on:
    // a canary counts as delivered when the destination holds the same bytes.

    async putObject(ref: BucketRef, key: string, body: string): Promise<{ versionId?: string }> {
        const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, key, method: "PUT", body, headers: { "content-type": "text/plain" },
            operation: `PutObject of '${key}' in '${ref.bucket}'` });
        return { versionId: answer.headers.get("x-oss-version-id") ?? undefined };
    }

    async getObject(ref: BucketRef, key: string): Promise<StoredObject | undefined> {
        try {
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, key, method: "GET", operation: `GetObject of '${key}' in '${ref.bucket}'` });
            return { body: answer.body.toString("utf8"), versionId: answer.headers.get("x-oss-version-id") ?? undefined };
        } catch (error) {
            if (isCode(error, "NoSuchKey")) return undefined;
            throw error;
        }
    }

    async listObjectVersions(ref: BucketRef, prefix: string): Promise<ObjectVersionRef[]> {
        const found: ObjectVersionRef[] = [];
        let markers: Record<string, string> = {};
        for (;;) {
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { versions: "", prefix, ...markers },
                operation: `ListObjectVersions of '${ref.bucket}'` });
            const document = answer.xml();
            for (const [name, deleteMarker] of [["Version", false], ["DeleteMarker", true]] as const) {
                for (const entry of xml.childrenNamed(document, name)) {
                    found.push({ key: xml.textOf(entry, "Key") ?? "", versionId: xml.textOf(entry, "VersionId"), deleteMarker });
                }
            }
            if (xml.textOf(document, "IsTruncated") !== "true") return found;
            markers = { "key-marker": xml.textOf(document, "NextKeyMarker") ?? "", "version-id-marker": xml.textOf(document, "NextVersionIdMarker") ?? "" };
        }
    }

    async deleteObjectVersions(ref: BucketRef, versions: readonly ObjectVersionRef[]): Promise<void> {
        for (let start = 0; start < versions.length; start += 1000) {
            const body = toXml("Delete", {
                Quiet: "true",
                Object: versions.slice(start, start + 1000).map((v) => ({ Key: v.key, ...(v.versionId ? { VersionId: v.versionId } : {}) })),
            });
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "POST", query: { delete: "" }, body,
                operation: `DeleteMultipleObjects in '${ref.bucket}'` });
            const failed = xml.childrenNamed(answer.body.length > 0 ? answer.xml() : undefined, "Error");
            if (failed.length > 0) {
                throw new Error(`Could not delete '${xml.textOf(failed[0], "Key")}' from bucket '${ref.bucket}' in zone ${ref.zone}: ${xml.textOf(failed[0], "Code")} ${xml.textOf(failed[0], "Message") ?? ""}`);
            }
        }
    }

    // Roles: a RAM role that OSS may assume, with one custom policy holding its permissions. The
    // role's id is its name, which is what a replication rule's SyncRole names.

    /**
     * Creates the role and its policy, marked as this resource's. A role or policy of those names that
     * carries this resource's marker (an interrupted earlier create) is adopted and finished; one that
     * does not stops the create before anything is written. A create that fails half-way is undone.
     */
    async createRole(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        refuseLabels(spec);
        const ram = this.ram();
        const policyName = policyNameOf(spec.name);
        const existingRole = await ram.getRole(spec.name, log);
        const existingPolicy = await ram.getPolicy(policyName, log);
        // `adoptExisting` (where the shared RoleSpec has it) takes over a role of this name whoever made it.
        const adoptAnyway = (spec as RoleSpec & { adoptExisting?: boolean }).adoptExisting === true && identity !== undefined;
        const roleIsOurs = existingRole !== undefined && identity !== undefined && (adoptAnyway || splitRoleMarker(existingRole.Description).identity === identity);
        const policyIsOurs = existingPolicy !== undefined && identity !== undefined && (adoptAnyway || existingPolicy.policy.Description === `${policyMarkerPrefix}${identity}`);
        if (existingRole && !roleIsOurs) {
            const marked = splitRoleMarker(existingRole.Description).identity;
            throw new Error(`RAM role '${spec.name}' cannot be created: the account already has a role of that name, ` +
                `${marked ? "made by another Pulumi resource or stack" : "not made by this package"}. Nothing was changed. ` +
                `Choose another 'name' for the IamRole (or leave it unset for one derived from this stack), or delete that role in the RAM console if it is an orphan of yours.`);
        }
        if (existingPolicy && !policyIsOurs) {
            throw new Error(`RAM policy '${policyName}' (the permissions of role '${spec.name}') cannot be created: the account already has a custom policy of that name, ` +
                `not made for this resource. Nothing was changed. Choose another 'name' for the IamRole, or delete that policy if it is an orphan of yours.`);
        }
        if (roleIsOurs || policyIsOurs) log(`RAM role '${spec.name}' was begun by an earlier, interrupted run of this resource; adopting and finishing it`);

        const made: ("role" | "policy")[] = [];
        try {
            if (!existingRole) {
                await this.createOnce(() => ram.createRole(spec.name, ossTrustPolicy, identity ? withRoleMarker(spec.description, identity) : spec.description, log),
                    async () => identity !== undefined && splitRoleMarker((await ram.getRole(spec.name, log))?.Description).identity === identity);
                made.push("role");
            } else if (splitRoleMarker(existingRole.Description).description !== spec.description || splitRoleMarker(existingRole.Description).identity !== identity) {
                await ram.updateRoleDescription(spec.name, withRoleMarker(spec.description, identity!), log);
            }
            if (!existingPolicy) {
                await this.createOnce(() => ram.createPolicy(policyName, spec.policy, identity ? `${policyMarkerPrefix}${identity}` : "pulumi-bucket-replication", log),
                    async () => (await ram.getPolicy(policyName, log))?.policy.Description === `${policyMarkerPrefix}${identity}`);
                made.push("policy");
            } else if (!sameJson(parseJson(existingPolicy.document), spec.policy)) {
                await ram.replacePolicyDocument(policyName, spec.policy, log);
            }
            await ram.attachPolicyToRole(policyName, spec.name, log);
        } catch (error) {
            throw await this.undoCreate(spec.name, policyName, made, error as Error, identity, log);
        }
        return { ...spec, id: spec.name };
    }

    /** Sends a create once; after a failure in transit, counts it as done when `madeIt` finds its work. */
    private async createOnce(create: () => Promise<unknown>, madeIt: () => Promise<boolean>): Promise<void> {
        try {
            await create();
        } catch (error) {
            if (error instanceof ServiceError && error.retryable && await madeIt().catch(() => false)) return;
            throw error;
        }
    }

    private async undoCreate(roleName: string, policyName: string, made: readonly ("role" | "policy")[], cause: Error, identity: string | undefined, log: ProgressLog): Promise<Error> {
        // Nothing may be sent after a cancel: what was made carries the marker, so the next run adopts it.
        if (cause instanceof CancelledError || made.length === 0) return cause;
        const ram = this.ram();
        const left: string[] = [];
        try { await ram.detachPolicyFromRole(policyName, roleName, log); } catch { /* the deletes below say what is left */ }
        if (made.includes("policy")) {
            try { await ram.deletePolicy(policyName, log); } catch { left.push(`policy '${policyName}'`); }
        }
        if (made.includes("role")) {
            try { await ram.deleteRole(roleName, log); } catch { left.push(`role '${roleName}'`); }
        }
        cause.message += left.length === 0
            ? `\nNothing was left behind: what this create made (${made.join(" and ")}) was deleted again.`
            : `\nThe ${left.join(" and ")} could not be deleted again; ${identity ? "they carry this resource's marker, so the next 'pulumi up' adopts them" : "delete them in the RAM console"}.`;
        return cause;
    }

    async readRole(id: string, known: RoleState): Promise<RoleState | undefined> {
        const ram = this.ram();
        const role = await ram.getRole(id);
        if (!role) return undefined;
        const policyName = policyNameOf(role.RoleName);
        const policy = await ram.getPolicy(policyName);
        const attached = policy ? (await ram.listPoliciesForRole(role.RoleName)).some((p) => p.PolicyName === policyName) : false;
        // A policy that is gone or detached grants nothing: shown as an empty policy, which the next 'up' restores.
        const document = policy && attached ? parseJson(policy.document) : {};
        return {
            id: role.RoleName,
            name: role.RoleName,
            description: splitRoleMarker(role.Description).description,
            editable: known.editable,
            labels: {},
            policy: sameJson(document, known.policy) ? known.policy : document,
        };
    }

    async updateRole(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        refuseLabels(spec);
        const ram = this.ram();
        const current = await ram.getRole(known.id, log);
        if (!current) {
            throw new Error(`RAM role '${known.id}' no longer exists; run 'pulumi refresh' and then 'pulumi up' to create it again.`);
        }
        const identity = splitRoleMarker(current.Description).identity;
        if (splitRoleMarker(current.Description).description !== spec.description) {
            await ram.updateRoleDescription(known.id, identity ? withRoleMarker(spec.description, identity) : spec.description, log);
        }
        const policyName = policyNameOf(known.id);
        const policy = await ram.getPolicy(policyName, log);
        if (!policy) {
            await ram.createPolicy(policyName, spec.policy, identity ? `${policyMarkerPrefix}${identity}` : "pulumi-bucket-replication", log);
        } else if (!sameJson(parseJson(policy.document), spec.policy)) {
            await ram.replacePolicyDocument(policyName, spec.policy, log);
        }
        await ram.attachPolicyToRole(policyName, known.id, log);
        return { ...spec, id: known.id, name: known.name, editable: known.editable };
    }

    async deleteRole(known: RoleState, log: ProgressLog): Promise<void> {
        const ram = this.ram();
        const policyName = policyNameOf(known.id);
        await ram.detachPolicyFromRole(policyName, known.id, log);
        await ram.deletePolicy(policyName, log);
        try {
            await ram.deleteRole(known.id, log);
        } catch (error) {
            if (isCode(error, "DeleteConflict.Role.Policy")) {
                (error as Error).message += `\nOther policies are attached to role '${known.id}' outside Pulumi; detach them in the RAM console, then destroy again.`;
            }
            throw error;
        }
    }

    // Replication: one PutBucketReplication (comp=add) per rule; OSS cannot edit a rule, so a changed
    // rule is deleted, its closing awaited, and added again.

    async putReplication(spec: ReplicationSpec, _previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        // Judged by region: a zone may carry another name than its OSS region.
        const byRegion = spec.rules.map((rule) => [rule.id, { ...rule, destination: { ...rule.destination, zone: this.regionOf(rule.destination.zone) } } as OssRuleCheck]);
        const problems = ossRuleProblems(Object.fromEntries(byRegion), { zone: this.regionOf(spec.source.zone), bucket: spec.source.bucket });
        if (problems.length > 0) {
            throw new Error(`The replication rules of bucket '${spec.source.bucket}' cannot be written to Alibaba OSS:\n  - ${problems.map((p) => p.message).join("\n  - ")}`);
        }
        await this.waitForMatchingVersioning(spec, log);
        await this.refuseUnreachableDestinations(spec);

        const source = spec.source;
        const wanted = new Map(spec.rules.map((rule) => [rule.id, rule]));
        let current = await this.rulesOf(source, log);
        const toDelete = current.filter((rule) => rule.status !== "closing" && (!wanted.has(rule.id)
            || !sameRule(rule, wanted.get(rule.id)!, spec.role.id, this.regionOf(wanted.get(rule.id)!.destination.zone))));
        if (toDelete.length > 0) {
            log(`deleting rule${toDelete.length > 1 ? "s" : ""} ${toDelete.map((r) => `'${r.id}'`).join(", ")} on '${source.bucket}' ` +
                `(${toDelete.map((r) => wanted.has(r.id) ? "changed: OSS cannot edit a rule, so it is added again" : "no longer declared").join("; ")})`);
            await this.deleteRules(source, toDelete.map((r) => r.id), log);
        }
        const keep = new Set(current.filter((rule) => !toDelete.includes(rule) && rule.status !== "closing").map((rule) => rule.id));
        const toAdd = spec.rules.filter((rule) => !keep.has(rule.id));
        // A rule ID that OSS is still closing cannot be added again until it is gone.
        const reused = toAdd.filter((rule) => current.some((r) => r.id === rule.id));
        if (reused.length > 0) current = await this.waitUntilClosed(source, reused.map((r) => r.id), log);
        for (const rule of toAdd) {
            log(`adding rule '${rule.id}' on '${source.bucket}': into '${rule.destination.bucket}' (${locationOf(this.regionOf(rule.destination.zone))})`);
            await this.oss.send({
                zone: source.zone, bucket: source.bucket, method: "POST", query: { replication: "", comp: "add" },
                body: putRuleXml(rule, spec.role.id, this.regionOf(rule.destination.zone)),
                operation: `PutBucketReplication (rule '${rule.id}') of '${source.bucket}'`, idempotent: false, log,
            }).catch(async (error) => {
                // An add that got no answer may have taken effect: look before failing.
                if (error instanceof ServiceError && error.retryable && (await this.rulesOf(source, log).catch(() => [])).some((r) => r.id === rule.id)) return undefined;
                throw error;
            });
        }
        if (toAdd.length > 0) await this.waitWhileStarting(source, toAdd.map((r) => r.id), log);
    }

    async getReplication(source: BucketRef, known: ReplicationSpec): Promise<ReplicationSpec | undefined> {
        let rules: OssRule[];
        try {
            rules = await this.rulesOf(source);
        } catch (error) {
            if (isMissingBucket(error)) return undefined;
            throw error;
        }
        const live = rules.filter((rule) => rule.status !== "closing");
        if (live.length === 0) return undefined;
        const knownById = new Map(known.rules.map((rule) => [rule.id, rule]));
        const model: ReplicationRule[] = live.map((rule) => {
            const before = knownById.get(rule.id);
            const zone = this.zoneOfLocation(rule.destinationLocation, before?.destination.bucket === rule.destinationBucket ? before?.destination.zone : undefined);
            return toModel(rule, before, zone);
        });
        return { source, role: syncRoleOf(live, known.role), rules: model };
    }

    /** GetBucketReplicationProgress of every rule (oss/status.ts). */
    async replicationStatus(spec: ReplicationSpec) {
        const { ossReplicationStatus } = require("./status") as typeof import("./status");
        return ossReplicationStatus(this, spec);
    }

    async deleteReplication(spec: ReplicationSpec, log: ProgressLog): Promise<void> {
        let rules: OssRule[];
        try {
            rules = await this.rulesOf(spec.source, log);
        } catch (error) {
            if (isMissingBucket(error)) return;
            throw error;
        }
        const open = rules.filter((rule) => rule.status !== "closing").map((rule) => rule.id);
        if (open.length > 0) await this.deleteRules(spec.source, open, log);
        // Versioning stays frozen until OSS has closed every rule: wait, so that what comes next can change it.
        if (rules.length > 0) await this.waitUntilClosed(spec.source, rules.map((rule) => rule.id), log);
    }

    /** The rules on a bucket, with their states; empty when it has none. */
    async rulesOf(source: BucketRef, log?: ProgressLog): Promise<OssRule[]> {
        try {
            const answer = await this.oss.send({ zone: source.zone, bucket: source.bucket, method: "GET", query: { replication: "" },
                operation: `GetBucketReplication of '${source.bucket}'`, log });
            return readRules(answer.xml());
        } catch (error) {
            if (isCode(error, "NoSuchReplicationConfiguration")) return [];
            throw error;
        }
    }

    private async deleteRules(source: BucketRef, ids: readonly string[], log: ProgressLog): Promise<void> {
        for (const id of ids) {
            try {
                await this.oss.send({ zone: source.zone, bucket: source.bucket, method: "POST", query: { replication: "", comp: "delete" },
                    body: deleteRulesXml([id]), operation: `DeleteBucketReplication (rule '${id}') of '${source.bucket}'`, log });
            } catch (error) {
                if (isCode(error, "NoSuchReplicationRule") || isCode(error, "NoSuchReplicationConfiguration")) continue;
                throw error;
            }
        }
    }

    /** Waits until OSS has closed the rules `ids` (they no longer appear), logging each wait. */
    private async waitUntilClosed(source: BucketRef, ids: readonly string[], log: ProgressLog): Promise<OssRule[]> {
        let closing: OssRule[] = [];
        let latest: OssRule[] = [];
        await waitFor({
            probe: async () => {
                latest = await this.rulesOf(source, log);
                closing = latest.filter((rule) => ids.includes(rule.id));
                return closing.length === 0 ? true : undefined;
            },
            waitingFor: () => `OSS to close rule${closing.length > 1 ? "s" : ""} ${closing.map((r) => `'${r.id}' (${r.status})`).join(", ")} on '${source.bucket}'`,
            log, timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollMs.first, maxPauseMs: this.pollMs.max,
            onTimeout: () => new Error(`OSS is still closing the replication rule${closing.length > 1 ? "s" : ""} ${closing.map((r) => `'${r.id}'`).join(", ")} ` +
                `of bucket '${source.bucket}' after ${Math.round(this.waitTimeoutMs / 1000)} s. It finishes on its own: run 'pulumi up' again later, ` +
                `or raise 'bucket-replication:waitTimeoutSeconds'.`),
        });
        return latest;
    }

    /** Waits, bounded, while OSS prepares new rules ("starting"); a rule still starting at the end is left to OSS, with a note. */
    private async waitWhileStarting(source: BucketRef, ids: readonly string[], log: ProgressLog): Promise<void> {
        let starting: OssRule[] = [];
        try {
            await waitFor({
                probe: async () => {
                    const rules = await this.rulesOf(source, log);
                    const missing = ids.filter((id) => !rules.some((rule) => rule.id === id));
                    if (missing.length > 0) {
                        throw new Error(`OSS accepted the replication rule${missing.length > 1 ? "s" : ""} ${missing.map((id) => `'${id}'`).join(", ")} ` +
                            `of bucket '${source.bucket}' but does not list ${missing.length > 1 ? "them" : "it"}; check the bucket's replication in the OSS console.`);
                    }
                    starting = rules.filter((rule) => ids.includes(rule.id) && rule.status === "starting");
                    return starting.length === 0 ? true : undefined;
                },
                waitingFor: () => `OSS to start rule${starting.length > 1 ? "s" : ""} ${starting.map((r) => `'${r.id}'`).join(", ")} on '${source.bucket}' (starting)`,
                log, timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollMs.first, maxPauseMs: this.pollMs.max,
                onTimeout: () => new StillStarting(),
            });
        } catch (error) {
            if (!(error instanceof StillStarting)) throw error;
            log(`rule${starting.length > 1 ? "s" : ""} ${starting.map((r) => `'${r.id}'`).join(", ")} on '${source.bucket}' ` +
                `still starting after ${Math.round(this.waitTimeoutMs / 1000)} s; OSS finishes ${starting.length > 1 ? "them" : "it"} on its own`);
        }
    }

    /**
     * OSS replicates between two versioned buckets or two unversioned ones. A BucketVersioning of the
     * same program may still be on its way, so this waits (bounded, logged) while the two ends differ.
     */
    private async waitForMatchingVersioning(spec: ReplicationSpec, log: ProgressLog): Promise<void> {
        let mismatched: string[] = [];
        await waitFor({
            probe: async () => {
                mismatched = [];
                const source = await this.versioningOrMissing(spec.source);
                for (const rule of spec.rules) {
                    const destination = await this.versioningOrMissing(rule.destination);
                    const ok = source !== "Missing" && destination !== "Missing"
                        && (source === "Enabled" ? destination === "Enabled" : source === "Unversioned" && destination === "Unversioned");
                    if (!ok) {
                        mismatched.push(`rule '${rule.id}': source '${spec.source.bucket}' is ${describeVersioning(source)}, ` +
                            `destination '${rule.destination.bucket}' in ${rule.destination.zone} is ${describeVersioning(destination)}`);
                    }
                }
                return mismatched.length === 0 ? true : undefined;
            },
            waitingFor: () => `versioning to match at both ends (${mismatched.join("; ")})`,
            log, timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollMs.first, maxPauseMs: this.pollMs.max,
            onTimeout: () => new Error(`OSS replicates only between two versioned buckets (or two unversioned ones), and here ${mismatched.join("; ")}. ` +
                `Declare a BucketVersioning with status "Enabled" for each bucket, and pass its 'bucket' output to the ReplicationConfiguration so that it is applied first.`),
        });
    }

    /** Before writing: every destination must be a location the source can replicate to, with a transfer type and RTC it allows. */
    private async refuseUnreachableDestinations(spec: ReplicationSpec): Promise<void> {
        const problems = await this.destinationProblems(spec.source, spec.rules);
        if (problems.length > 0) {
            throw new Error(`The replication rules of bucket '${spec.source.bucket}' name destinations OSS cannot serve:\n  - ${problems.map((p) => p.message).join("\n  - ")}`);
        }
    }

    /**
     * What GetBucketReplicationLocation says against these rules: destinations the source cannot
     * replicate to, transfer types and RTC OSS does not offer there. Paths are relative to `rules`
     * (rule ID first). Empty when the source bucket does not exist yet (nothing to ask): a preview
     * hook can call this while the source exists; `up` always runs it before writing.
     */
    rulesPreviewProblems(source: BucketRef, rules: readonly ReplicationRule[]): Promise<PathProblem[]> {
        return this.destinationProblems(source, rules);
    }

    async destinationProblems(source: BucketRef, rules: readonly Pick<ReplicationRule, "id" | "destination" | "transferType" | "replicationTimeControl">[]): Promise<PathProblem[]> {
        let locations: ReplicationLocation[];
        try {
            locations = await this.replicationLocations(source);
        } catch (error) {
            if (isMissingBucket(error)) return [];
            throw error;
        }
        const problems: PathProblem[] = [];
        for (const rule of rules) {
            const region = this.regionOf(rule.destination.zone);
            const location = locationOf(region);
            if (region === this.regionOf(source.zone)) continue;
            const reachable = locations.find((l) => l.location === location);
            if (!reachable) {
                problems.push({ path: [rule.id, "destination", "zone"], message: `Rule '${rule.id}': '${source.bucket}' cannot replicate to ${location}; OSS lists ` +
                    `${locations.map((l) => l.location).join(", ") || "no location"} for it (see getReplicationLocations). Choose a destination in one of those regions.` });
                continue;
            }
            const transferType = rule.transferType ?? "internal";
            if (!reachable.transferTypes.includes(transferType)) {
                problems.push({ path: [rule.id, "transferType"], message: `Rule '${rule.id}': OSS carries replication from ${source.zone} to ${location} only with transfer type ` +
                    `${reachable.transferTypes.map((t) => `"${t}"`).join(" or ")}; set 'transferType: "${reachable.transferTypes[0]}"'.` });
            }
            if (rule.replicationTimeControl && !reachable.rtc) {
                problems.push({ path: [rule.id, "replicationTimeControl"], message: `Rule '${rule.id}': OSS offers no replication time control from ${source.zone} to ${location}; ` +
                    `set 'replicationTimeControl: false'.` });
            }
        }
        return problems;
    }

    /** GetBucketReplicationLocation: where the bucket can replicate to, with each location's transfer types and RTC. */
    async replicationLocations(source: BucketRef): Promise<ReplicationLocation[]> {
        const answer = await this.oss.send({ zone: source.zone, bucket: source.bucket, method: "GET", query: { replicationLocation: "" },
            operation: `GetBucketReplicationLocation of '${source.bucket}'` });
        const document = answer.xml();
        const constraints = new Map(xml.childrenNamed(xml.child(document, "LocationTransferTypeConstraint"), "LocationTransferType").map((entry) => [
            xml.textOf(entry, "Location") ?? "",
            xml.childrenNamed(xml.child(entry, "TransferTypes"), "Type").map((t) => t.text.trim()),
        ]));
        const rtc = new Set(xml.childrenNamed(xml.child(document, "LocationRTCConstraint"), "Location").map((l) => l.text.trim()));
        return xml.childrenNamed(document, "Location").map((l) => l.text.trim()).map((location) => ({
            location,
            region: regionOfLocation(location),
            transferTypes: constraints.get(location) ?? ["internal", "oss_acc"],
            rtc: rtc.has(location),
        }));
    }

    /** GetBucketReplicationProgress of one rule. */
    async replicationProgress(source: BucketRef, ruleId: string): Promise<ReplicationProgress> {
        const answer = await this.oss.send({ zone: source.zone, bucket: source.bucket, method: "GET", query: { replicationProgress: "", "rule-id": ruleId },
            operation: `GetBucketReplicationProgress (rule '${ruleId}') of '${source.bucket}'` });
        const rule = xml.child(answer.xml(), "Rule");
        const progress = xml.child(rule, "Progress");
        const historical = xml.textOf(progress, "HistoricalObject");
        const newObject = xml.textOf(progress, "NewObject");
        const newObjectTime = newObject ? new Date(newObject) : undefined;
        return {
            ruleId: xml.textOf(rule, "ID") ?? ruleId,
            status: xml.textOf(rule, "Status") ?? "",
            destination: { bucket: xml.textOf(xml.child(rule, "Destination"), "Bucket") ?? "", location: xml.textOf(xml.child(rule, "Destination"), "Location") ?? "" },
            historicalObjectReplication: xml.textOf(rule, "HistoricalObjectReplication") === "enabled",
            ...(historical !== undefined && historical !== "" ? { historicalObjectsPercent: Math.round(Number(historical) * 10000) / 100 } : {}),
            ...(newObjectTime && !Number.isNaN(newObjectTime.getTime()) ? { newObjectsReplicatedUntil: newObjectTime.toISOString() } : {}),
        };
    }

    private ram(): RamClient {
        this.ramClient ??= new RamClient({
            endpoint: this.settings.iamEndpoint, credentials: this.settings.credentials,
            requestPolicy: this.settings.requestPolicy, credentialHint: this.settings.credentialHint,
        });
        return this.ramClient;
    }
}

class StillStarting extends Error {}

function describeVersioning(state: ObservedVersioning | "Missing"): string {
    return state === "Missing" ? "not there yet" : state === "Unversioned" ? "unversioned" : `versioning ${state}`;
}

/**
 * The role the rules replicate as: their SyncRole, the RAM role's name (which is also the role's id
 * here). Each rule names its own; one that names another role than the known one (or none) is what
 * the configuration's role reads as, so that a refresh shows it and the next 'up' adds the rule again.
 */
export function syncRoleOf(rules: readonly OssRule[], known: RoleState): RoleState {
    const other = rules.map((rule) => rule.syncRole ?? "").find((name) => name !== known.id);
    return other === undefined ? known : { ...known, id: other, name: other };
}

function isMissingBucket(error: unknown): boolean {
    return error instanceof ServiceError && (error.code === "NoSuchBucket" || (error.httpStatus === 404 && error.code === "HTTP 404"));
}

function refuseLabels(spec: RoleSpec): void {
    if (Object.keys(spec.labels ?? {}).length > 0) {
        throw new Error(`IamRole '${spec.name}': 'labels' cannot be kept on Alibaba RAM roles by this package (RAM keeps a description only); ` +
            `remove 'labels', or put what they say into 'description'.`);
    }
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** Equality of JSON values regardless of object key order. */
export function sameJson(a: unknown, b: unknown): boolean {
    return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}

export type { RamRole };
