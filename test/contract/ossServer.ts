/**
 * A local stand-in for Alibaba Cloud OSS and RAM, for contract tests. One listener per OSS region
 * (path-style: /<bucket>/<key>) and one for RAM share one state. Every OSS request must carry a valid
 * OSS4-HMAC-SHA256 signature for the listener's region, every RAM request a valid ACS3-HMAC-SHA256
 * one; both are recomputed here independently of the provider's signers. Requests are held to the
 * XML shapes, error codes and constraints that OSS documents (versioning alike at both ends, at most
 * 100 rules, CRR across regions and SRR within one, oss_acc across the mainland border, rule states
 * starting/doing/closing), and rules replicate objects between the server's buckets asynchronously,
 * so that progress moves from 0 to 100 % and the new-object time advances. The server can serve several
 * accounts (`accounts`): each key pair signs as its account, buckets and RAM are per account, buckets take
 * bucket policies, and a rule into another account's bucket copies only while both grants hold (heldBackBy).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import * as http from "node:http";
import { closeAll, listen, serve } from "./contractHttp";
import { child, children, escapeXml, parseXml, text, type XmlElement } from "./contractXml";

export const ossContractCredentials = {
    accessKey: "LTAIcontract0123456789ab",
    secretKey: "contract-oss-secret-for-local-tests-only",
} as const;

export const defaultOssContractRegions: readonly string[] = ["cn-hangzhou", "cn-beijing"];

/** The account every bucket and role of the server belongs to, unless a test starts the server with more accounts. */
export const contractAccountId = "1234567890123456";

/** An Alibaba Cloud account the server serves: its UID and one AccessKey pair of it. */
export interface OssContractAccount {
    readonly uid: string;
    readonly accessKey: string;
    readonly secretKey: string;
}

/** The server's only account by default. */
export const ossFirstContractAccount: OssContractAccount = { uid: contractAccountId, ...ossContractCredentials };

/** A second account, for cross-account replication: `startOssContractServer({ accounts: [ossFirstContractAccount, ossSecondContractAccount] })`. */
export const ossSecondContractAccount: OssContractAccount = {
    uid: "2345678901234567",
    accessKey: "LTAIcontractSecond0123ab",
    secretKey: "contract-oss-second-account-secret-local-only",
};

// Facts of the service, written out here (not imported from the code under test).
const mainland = new Set(["cn-hangzhou", "cn-shanghai", "cn-nanjing", "cn-fuzhou", "cn-qingdao", "cn-beijing", "cn-zhangjiakou",
    "cn-huhehaote", "cn-wulanchabu", "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu"]);
const knownRegions = [...mainland, "cn-hongkong", "ap-southeast-1", "ap-northeast-1", "us-west-1", "us-east-1", "eu-central-1"];
/**
 * RTC region pairs. Alibaba's RTC guide (https://www.alibabacloud.com/help/en/oss/user-guide/rtc, Limits,
 * Supported regions): RTC is available for cross-region replication only between two of China (Hangzhou),
 * China (Shanghai), China (Qingdao), China (Beijing), China (Zhangjiakou) and China (Shenzhen), or between
 * US (Silicon Valley) and US (Virginia). Both ends must be in one group.
 */
const rtcGroups: readonly (readonly string[])[] = [
    ["cn-hangzhou", "cn-shanghai", "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-shenzhen"],
    ["us-west-1", "us-east-1"],
];
function rtcBetween(source: string, target: string): boolean {
    return source !== target && rtcGroups.some((group) => group.includes(source) && group.includes(target));
}
/**
 * PutBucketReplication's reference (https://www.alibabacloud.com/help/en/oss/developer-reference/putbucketreplication,
 * usage notes): the tag filter is not available in China (Zhangjiakou), China (Zhongwei) and Mexico.
 */
const regionsWithoutTagFilter = new Set(["cn-zhangjiakou", "cn-zhongwei", "na-south-1"]);
const ossTrustedService = "oss.aliyuncs.com";

// ---------------------------------------------------------------------------------------------------
// State

export interface ContractObjectVersion {
    key: string;
    versionId: string;
    deleteMarker: boolean;
    body: Buffer;
    lastModified: Date;
    /** Written by replication, so never replicated again (no ping-pong between two buckets). */
    replica: boolean;
    /** The object's tags (PutObject's x-oss-tagging header); replication copies them with the object. */
    tags?: Record<string, string>;
}

/** A rule as OSS keeps it, with what the server needs to replicate. */
export interface ContractRule {
    id: string;
    prefixes: string[];
    action: "ALL" | "PUT";
    destination: { bucket: string; location: string; transferType?: string };
    historicalObjectReplication: "enabled" | "disabled";
    syncRole: string;
    sseKmsEncryptedObjects?: string;
    replicaKmsKeyId?: string;
    rtc?: string;
    /** UserTaggings: the tags, and whether an object needs all of them (AND) or any one (OR). */
    tags?: { key: string; value: string }[];
    tagFilterType?: "AND" | "OR";
    createdAt: number;
    closingSince?: number;
    /** Historical objects (latest versions when the rule began) and how many have been copied. */
    historical?: { pending: ContractObjectVersion[]; total: number; copied: number };
    /** New writes waiting to be copied, oldest first. */
    queue: { version: ContractObjectVersion; writtenAt: number }[];
}

export interface ContractBucket {
    name: string;
    region: string;
    /** The UID of the account that created the bucket; a bucket put into `state.buckets` by hand without one is the first account's (see ownerOf). */
    owner?: string;
    /** The bucket policy as PutBucketPolicy stored it (the JSON text as sent); undefined when there is none. */
    policy?: string;
    versioning: "Unversioned" | "Enabled" | "Suspended";
    tags: Record<string, string>;
    /** Oldest first. */
    versions: ContractObjectVersion[];
    rules: ContractRule[];
    createdAt: Date;
}

export interface RamContractRole {
    RoleName: string;
    RoleId: string;
    Arn: string;
    Description: string;
    AssumeRolePolicyDocument: string;
    MaxSessionDuration: number;
    CreateDate: string;
}

export interface RamContractPolicy {
    PolicyName: string;
    Description: string;
    versions: { VersionId: string; PolicyDocument: string; IsDefaultVersion: boolean }[];
}

export interface RecordedRequest {
    service: "oss" | "ram";
    region?: string;
    /** The API operation the server understood: `PutBucketReplication`, `CreateRole`... */
    operation: string;
    method: string;
    path: string;
    query: string;
    body: string;
    status: number;
    /** The error code answered, if any. */
    code?: string;
    /** RAM requests: the headers as received (so that an independent signer can check a signature afterwards). */
    headers?: Record<string, string>;
}

export interface ServerTiming {
    /** How long a new rule stays "starting". */
    startingMs: number;
    /** How long a deleted rule stays "closing". */
    closingMs: number;
    /** How often replication copies one historical object and the due new ones. */
    tickMs: number;
    /** How long a new write waits before it is copied. */
    newObjectDelayMs: number;
}

export const defaultTiming: ServerTiming = { startingMs: 300, closingMs: 300, tickMs: 100, newObjectDelayMs: 150 };

/**
 * What can go wrong between a client and the service: "503" (OSS: ServiceUnavailable; RAM:
 * ServiceUnavailable), "reset" (the connection is dropped before anything is done), "stall" (no answer
 * at all). Nothing is carried out for any of them.
 */
export interface OssFault {
    readonly kind: "503" | "reset" | "stall";
    /** The operation it hits, as RecordedRequest.operation names it. */
    readonly operation: string;
    /** How many matching requests it hits (default 1); Infinity for one that persists. */
    readonly times?: number;
}

/** One account's RAM: its roles, custom policies and which policy is attached to which role. */
export interface RamOfAccount {
    readonly roles: Map<string, RamContractRole>;
    readonly policies: Map<string, RamContractPolicy>;
    /** `${roleName}\0${policyName}` */
    readonly attachments: Set<string>;
}

export class OssContractState {
    private readonly faults: { fault: OssFault; left: number }[] = [];
    /** Every account the server serves; the first one is the default (`roles`, `policies`, `attachments` are its RAM). */
    readonly accounts: readonly OssContractAccount[];
    private readonly ram = new Map<string, RamOfAccount>();

    constructor(accounts: readonly OssContractAccount[] = [ossFirstContractAccount]) {
        if (accounts.length === 0) throw new Error("the OSS contract server needs at least one account");
        if (new Set(accounts.map((a) => a.uid)).size !== accounts.length || new Set(accounts.map((a) => a.accessKey)).size !== accounts.length) {
            throw new Error("the OSS contract server's accounts need distinct UIDs and access keys");
        }
        this.accounts = accounts.map((a) => ({ ...a }));
        this.ram.set(this.accounts[0].uid, { roles: this.roles, policies: this.policies, attachments: this.attachments });
        for (const account of this.accounts.slice(1)) this.ram.set(account.uid, { roles: new Map(), policies: new Map(), attachments: new Set() });
    }

    /** The RAM of one of the server's accounts (RAM is per account: a role of one account is unknown to another). */
    ramOf(uid: string): RamOfAccount {
        const found = this.ram.get(uid);
        if (!found) throw new Error(`the OSS contract server has no account ${uid}`);
        return found;
    }

    /** The UID of the account that owns a bucket. */
    ownerOf(bucket: ContractBucket): string {
        return bucket.owner ?? this.accounts[0].uid;
    }

    /** The account an AccessKey ID belongs to, if any. */
    accountOfKey(accessKey: string): OssContractAccount | undefined {
        return this.accounts.find((a) => a.accessKey === accessKey);
    }

    injectFault(fault: OssFault): void {
        this.faults.push({ fault, left: fault.times ?? 1 });
    }

    clearFaults(): void {
        this.faults.length = 0;
    }

    /** The fault due for a request of `operation`, counted as used. */
    takeFault(operation: string): OssFault | undefined {
        const due = this.faults.find(({ fault, left }) => left > 0 && fault.operation === operation);
        if (!due) return undefined;
        due.left -= 1;
        return due.fault;
    }

    readonly buckets = new Map<string, ContractBucket>();
    /** Names owned by other accounts: create answers BucketAlreadyExists, reads AccessDenied. */
    readonly foreignBuckets = new Set<string>();
    /** The first account's RAM (as `ramOf(accounts[0].uid)`). */
    readonly roles = new Map<string, RamContractRole>();
    readonly policies = new Map<string, RamContractPolicy>();
    /** `${roleName}\0${policyName}` */
    readonly attachments = new Set<string>();
    readonly requests: RecordedRequest[] = [];
    timing: ServerTiming = { ...defaultTiming };
    private versionCounter = 0;

    nextVersionId(): string {
        this.versionCounter += 1;
        return `CAEQ${String(this.versionCounter).padStart(8, "0")}${randomBytes(6).toString("hex")}`;
    }

    requestsFor(operation: string): RecordedRequest[] {
        return this.requests.filter((r) => r.operation === operation);
    }

    /** The rules of a bucket that OSS still lists (closing ones included until they are gone). */
    rulesOf(bucket: string): ContractRule[] {
        const found = this.buckets.get(bucket);
        if (!found) return [];
        this.prune(found);
        return found.rules;
    }

    ruleState(rule: ContractRule, now = Date.now()): "starting" | "doing" | "closing" {
        if (rule.closingSince !== undefined) return "closing";
        return now - rule.createdAt < this.timing.startingMs ? "starting" : "doing";
    }

    /** The policies attached to a role of an account (by default the first). */
    policyAttachedTo(roleName: string, uid = this.accounts[0].uid): string[] {
        return [...this.ramOf(uid).attachments].filter((a) => a.startsWith(`${roleName}\0`)).map((a) => a.split("\0")[1]);
    }

    /** Writes an object as a client would (outside the code under test), queuing it for replication. */
    putObject(bucketName: string, key: string, body: Buffer | string, options: { replica?: boolean; tags?: Record<string, string> } = {}): ContractObjectVersion {
        const bucket = this.buckets.get(bucketName);
        if (!bucket) throw new Error(`no bucket ${bucketName}`);
        const version: ContractObjectVersion = {
            key, versionId: bucket.versioning === "Enabled" ? this.nextVersionId() : "null", deleteMarker: false,
            body: Buffer.isBuffer(body) ? body : Buffer.from(body), lastModified: new Date(), replica: options.replica ?? false,
            ...(options.tags ? { tags: { ...options.tags } } : {}),
        };
        this.storeVersion(bucket, version);
        return version;
    }

    deleteObject(bucketName: string, key: string): void {
        const bucket = this.buckets.get(bucketName)!;
        if (bucket.versioning === "Enabled") {
            this.storeVersion(bucket, { key, versionId: this.nextVersionId(), deleteMarker: true, body: Buffer.alloc(0), lastModified: new Date(), replica: false });
        } else {
            bucket.versions = bucket.versions.filter((v) => v.key !== key);
        }
    }

    latest(bucketName: string, key: string): ContractObjectVersion | undefined {
        const bucket = this.buckets.get(bucketName);
        const versions = bucket?.versions.filter((v) => v.key === key) ?? [];
        return versions[versions.length - 1];
    }

    storeVersion(bucket: ContractBucket, version: ContractObjectVersion): void {
        if (bucket.versioning !== "Enabled") bucket.versions = bucket.versions.filter((v) => v.key !== version.key);
        bucket.versions.push(version);
        if (version.replica) return;
        for (const rule of bucket.rules) {
            if (rule.closingSince !== undefined || !matches(rule, version)) continue;
            if (version.deleteMarker && rule.action !== "ALL") continue;
            rule.queue.push({ version, writtenAt: Date.now() });
        }
    }

    /** One step of asynchronous replication on every bucket. */
    tick(now = Date.now()): void {
        for (const bucket of this.buckets.values()) {
            this.prune(bucket, now);
            for (const rule of bucket.rules) {
                if (this.ruleState(rule, now) !== "doing") continue;
                const destination = this.buckets.get(rule.destination.bucket);
                if (!destination) continue;
                if (rule.historical === undefined) {
                    // The rule has just begun: what the bucket holds now is its historical data.
                    const pending = rule.historicalObjectReplication === "enabled"
                        ? latestVersions(bucket).filter((v) => !v.deleteMarker && !v.replica && matches(rule, v) && v.lastModified.getTime() <= rule.createdAt)
                        : [];
                    rule.historical = { pending, total: pending.length, copied: 0 };
                }
                // Across accounts a version is copied only while both grants hold; until then it waits, in order.
                const next = rule.historical.pending[0];
                if (next && this.mayReplicate(bucket, rule, destination, next)) {
                    rule.historical.pending.shift();
                    this.copy(next, destination);
                    rule.historical.copied += 1;
                }
                while (rule.queue.length > 0 && now - rule.queue[0].writtenAt >= this.timing.newObjectDelayMs
                    && this.mayReplicate(bucket, rule, destination, rule.queue[0].version)) {
                    this.copy(rule.queue.shift()!.version, destination);
                }
            }
        }
    }

    /**
     * Whether OSS may copy this version now. Within one account the rule's role alone carries the permissions
     * (and the server does not check its policy, as before). Across accounts, Alibaba's data replication
     * permissions page (https://www.alibabacloud.com/help/en/oss/user-guide/introduction-to-data-replication-permissions)
     * and the cross-account CRR / SRR guides (https://www.alibabacloud.com/help/en/oss/user-guide/cross-account-cross-region-replication,
     * https://www.alibabacloud.com/help/en/oss/user-guide/copy-across-accounts-in-the-same-region) need two grants: a RAM policy
     * attached to the source account's role that lets it read the source bucket (oss:ReplicateGet), because a RAM policy
     * can only reach its own account's resources; and a bucket policy on the destination that lets the role's sessions
     * (arn:sts::<source UID>:assumed-role/<role>/*) write there (oss:ReplicatePut; oss:ReplicateDelete for deletes).
     * Without either, replication fails; the version stays queued, so the rule's progress stays behind.
     */
    mayReplicate(source: ContractBucket, rule: ContractRule, destination: ContractBucket, version: ContractObjectVersion): boolean {
        return this.heldBackBy(source, rule, destination, version) === undefined;
    }

    /** Which grant holds a version back ("role policy" or "bucket policy"), or undefined when it may be copied. */
    heldBackBy(source: ContractBucket, rule: ContractRule, destination: ContractBucket, version: ContractObjectVersion): "role policy" | "bucket policy" | undefined {
        const sourceOwner = this.ownerOf(source);
        const destinationOwner = this.ownerOf(destination);
        if (sourceOwner === destinationOwner) return undefined;
        const ram = this.ram.get(sourceOwner);
        const role = ram?.roles.get(rule.syncRole);
        const sourceObject = `acs:oss:${source.region}:${sourceOwner}:${source.name}/${version.key}`;
        const roleDocuments = role ? this.policyAttachedTo(role.RoleName, sourceOwner)
            .map((name) => ram!.policies.get(name)?.versions.find((v) => v.IsDefaultVersion)?.PolicyDocument)
            .filter((d): d is string => d !== undefined) : [];
        if (!role || evaluate(roleDocuments, { action: "oss:ReplicateGet", resource: sourceObject }) !== "Allow") return "role policy";
        const principal = `arn:sts::${sourceOwner}:assumed-role/${role.RoleName.toLowerCase()}/oss-replication`;
        const destinationObject = `acs:oss:${destination.region}:${destinationOwner}:${destination.name}/${version.key}`;
        const action = version.deleteMarker ? "oss:ReplicateDelete" : "oss:ReplicatePut";
        if (!destination.policy || evaluate([destination.policy], { action, resource: destinationObject, principal }) !== "Allow") return "bucket policy";
        return undefined;
    }

    /**
     * The queued versions of a rule and, for each, what holds it back now (undefined: nothing, it is copied at the
     * next tick once its delay has passed).
     */
    queueOf(bucketName: string, ruleId: string): { key: string; versionId: string; deleteMarker: boolean; heldBackBy?: "role policy" | "bucket policy" }[] {
        const bucket = this.buckets.get(bucketName);
        const rule = bucket?.rules.find((r) => r.id === ruleId);
        if (!bucket || !rule) return [];
        const destination = this.buckets.get(rule.destination.bucket);
        return rule.queue.map(({ version }) => ({
            key: version.key, versionId: version.versionId, deleteMarker: version.deleteMarker,
            ...(destination ? { heldBackBy: this.heldBackBy(bucket, rule, destination, version) } : {}),
        }));
    }

    private copy(version: ContractObjectVersion, destination: ContractBucket): void {
        this.storeVersion(destination, {
            ...version, versionId: destination.versioning === "Enabled" ? this.nextVersionId() : "null", replica: true, lastModified: new Date(),
        });
    }

    private prune(bucket: ContractBucket, now = Date.now()): void {
        bucket.rules = bucket.rules.filter((rule) => rule.closingSince === undefined || now - rule.closingSince < this.timing.closingMs);
    }

    /** Whether any live rule names the bucket, as source or destination: OSS then freezes its versioning. */
    inReplication(bucketName: string): boolean {
        for (const bucket of this.buckets.values()) {
            this.prune(bucket);
            if (bucket.rules.length > 0 && bucket.name === bucketName) return true;
            if (bucket.rules.some((rule) => rule.destination.bucket === bucketName)) return true;
        }
        return false;
    }
}

/**
 * Whether a rule replicates an object version: its key under one of the rule's prefixes, and its tags as
 * the rule's tag filter asks (PutBucketReplication's UserTaggings: FilterType AND, every tag of the filter;
 * OR, any one). A delete marker carries no tags: a tag-filtered rule matches it by prefix alone.
 */
function matches(rule: ContractRule, version: Pick<ContractObjectVersion, "key" | "tags" | "deleteMarker">): boolean {
    const byPrefix = rule.prefixes.length === 0 || rule.prefixes.some((prefix) => version.key.startsWith(prefix));
    if (!byPrefix || !rule.tags || rule.tags.length === 0 || version.deleteMarker) return byPrefix;
    const has = (tag: { key: string; value: string }) => version.tags?.[tag.key] === tag.value;
    return rule.tagFilterType === "OR" ? rule.tags.some(has) : rule.tags.every(has);
}

/**
 * A glob of a policy (`*` for any run of characters, `?` for one), against a value. The authorization syntax page
 * (https://www.alibabacloud.com/help/en/oss/user-guide/authorization-syntax-and-elements) lets Action and Resource
 * use the wildcard `*`; actions are compared without regard to case.
 */
function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
    const source = pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("");
    return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

function listOf(value: unknown): string[] {
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * How a set of policy documents decides one request, as OSS's bucket policy overview puts it
 * (https://www.alibabacloud.com/help/en/oss/user-guide/oss-bucket-policy/): an explicit Deny wins, then any Allow;
 * with neither, the request is denied. `principal` is given for bucket policies, whose statements name whom they
 * cover: a Principal pattern matching the caller, or "*" (an empty list counts as "*", per
 * https://www.alibabacloud.com/help/en/oss/user-guide/use-bucket-policy-to-grant-permission-to-access-oss). Statements
 * with a Condition are left out: the server does not evaluate conditions.
 */
function evaluate(documents: readonly string[], request: { action: string; resource: string; principal?: string }): "Allow" | "Deny" | "none" {
    let allowed = false;
    for (const document of documents) {
        let statements: Record<string, unknown>[];
        try {
            const parsed = JSON.parse(document) as { Statement?: unknown };
            statements = Array.isArray(parsed.Statement) ? parsed.Statement as Record<string, unknown>[] : [];
        } catch {
            continue;
        }
        for (const statement of statements) {
            if (statement.Condition !== undefined && Object.keys(statement.Condition as object).length > 0) continue;
            if (!listOf(statement.Action).some((a) => globMatches(a, request.action, true))) continue;
            if (!listOf(statement.Resource).some((r) => globMatches(r, request.resource))) continue;
            if (request.principal !== undefined) {
                const principals = listOf(statement.Principal);
                if (principals.length > 0 && !principals.some((p) => p === "*" || globMatches(p.toLowerCase(), request.principal!.toLowerCase()))) continue;
            }
            if (statement.Effect === "Deny") return "Deny";
            if (statement.Effect === "Allow") allowed = true;
        }
    }
    return allowed ? "Allow" : "none";
}

function latestVersions(bucket: ContractBucket): ContractObjectVersion[] {
    const byKey = new Map<string, ContractObjectVersion>();
    for (const version of bucket.versions) byKey.set(version.key, version);
    return [...byKey.values()];
}

export interface OssContractServer {
    readonly zones: Record<string, { endpoint: string; region: string }>;
    /** The RAM endpoint, for `bucket-replication:iamEndpoint`. */
    readonly ramEndpoint: string;
    /** The first account's key pair. */
    readonly credentials: { accessKey: string; secretKey: string };
    /** Every account the server serves, the first one first. */
    readonly accounts: readonly OssContractAccount[];
    readonly state: OssContractState;
    close(): Promise<void>;
}

export interface OssContractServerOptions {
    readonly regions?: readonly string[];
    readonly timing?: Partial<ServerTiming>;
    /** The accounts the server serves (default: ossFirstContractAccount alone); requests signed with any of their keys are theirs. */
    readonly accounts?: readonly OssContractAccount[];
}

export async function startOssContractServer(options: OssContractServerOptions = {}): Promise<OssContractServer> {
    const state = new OssContractState(options.accounts);
    state.timing = { ...defaultTiming, ...options.timing };
    const servers: http.Server[] = [];
    const regions = options.regions ?? defaultOssContractRegions;

    const ramServer = http.createServer((req, res) => void serve(req, res, (body) => handleRam(state, req, res, body)));
    servers.push(ramServer);
    const ramPort = await listen(ramServer);

    const zones: Record<string, { endpoint: string; region: string }> = {};
    for (const region of regions) {
        const server = http.createServer((req, res) => void serve(req, res, (body) => handleOss(state, region, regions, req, res, body)));
        servers.push(server);
        zones[region] = { endpoint: `http://127.0.0.1:${await listen(server)}`, region };
    }
    const timer = setInterval(() => state.tick(), state.timing.tickMs);
    timer.unref();

    return {
        zones,
        ramEndpoint: `http://127.0.0.1:${ramPort}`,
        credentials: { accessKey: state.accounts[0].accessKey, secretKey: state.accounts[0].secretKey },
        accounts: state.accounts,
        state,
        close: async () => {
            clearInterval(timer);
            await closeAll(servers);
        },
    };
}



// ---------------------------------------------------------------------------------------------------
// OSS

class OssProblem extends Error {
    constructor(readonly status: number, readonly code: string, message: string, readonly ec = "0000-00000000") {
        super(message);
    }
}

/** Query parameters decoded; a bare name has the value "". */
function parseQuery(rawQuery: string): Map<string, string> {
    const query = new Map<string, string>();
    for (const part of rawQuery.split("&").filter(Boolean)) {
        const at = part.indexOf("=");
        const name = decodeURIComponent(at < 0 ? part : part.slice(0, at));
        query.set(name, at < 0 ? "" : decodeURIComponent(part.slice(at + 1)));
    }
    return query;
}

function ossOperation(method: string, key: string, query: Map<string, string>, bucket: string): string {
    if (!bucket) return "ListBuckets";
    if (key) {
        return ({ PUT: "PutObject", GET: "GetObject", HEAD: "HeadObject", DELETE: "DeleteObject" } as Record<string, string>)[method] ?? "unknown";
    }
    const has = (name: string) => query.has(name);
    if (has("replication")) {
        if (method === "GET") return "GetBucketReplication";
        if (method === "POST" && query.get("comp") === "add") return "PutBucketReplication";
        if (method === "POST" && query.get("comp") === "delete") return "DeleteBucketReplication";
    }
    if (has("replicationLocation") && method === "GET") return "GetBucketReplicationLocation";
    if (has("replicationProgress") && method === "GET") return "GetBucketReplicationProgress";
    if (has("versioning")) return method === "GET" ? "GetBucketVersioning" : method === "PUT" ? "PutBucketVersioning" : "unknown";
    if (has("tagging")) return ({ GET: "GetBucketTags", PUT: "PutBucketTags", DELETE: "DeleteBucketTags" } as Record<string, string>)[method] ?? "unknown";
    if (has("versions") && method === "GET") return "ListObjectVersions";
    if (has("delete") && method === "POST") return "DeleteMultipleObjects";
    if (has("bucketInfo") && method === "GET") return "GetBucketInfo";
    if (has("policy")) return ({ PUT: "PutBucketPolicy", GET: "GetBucketPolicy", DELETE: "DeleteBucketPolicy" } as Record<string, string>)[method] ?? "unknown";
    if (query.size === 0) return ({ PUT: "PutBucket", DELETE: "DeleteBucket", GET: "ListObjects" } as Record<string, string>)[method] ?? "unknown";
    // ListObjects (GetBucket) takes only listing parameters; list-type=2 makes it ListObjectsV2.
    if (method === "GET" && [...query.keys()].every((name) => listParameters.has(name))) return query.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
    return "unknown";
}

const listParameters = new Set(["prefix", "marker", "max-keys", "delimiter", "encoding-type", "list-type", "continuation-token", "start-after", "fetch-owner"]);

async function handleOss(state: OssContractState, region: string, regions: readonly string[], req: http.IncomingMessage,
    res: http.ServerResponse, body: Buffer): Promise<void> {
    const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?", 2);
    const method = req.method ?? "GET";
    const decodedPath = decodeURIComponent(rawPath);
    const slash = decodedPath.indexOf("/", 1);
    const bucketName = slash < 0 ? decodedPath.slice(1) : decodedPath.slice(1, slash);
    const key = slash < 0 ? "" : decodedPath.slice(slash + 1);
    const query = parseQuery(rawQuery);
    const record: RecordedRequest = { service: "oss", region, operation: ossOperation(method, key, query, bucketName), method, path: rawPath, query: rawQuery, body: body.toString("utf8"), status: 0 };
    state.requests.push(record);
    const requestId = randomBytes(12).toString("hex").toUpperCase();
    const answer = (status: number, text = "", headers: Record<string, string> = {}) => {
        record.status = status;
        res.writeHead(status, { "x-oss-request-id": requestId, ...(text ? { "content-type": "application/xml" } : {}), ...headers });
        res.end(method === "HEAD" ? undefined : text);
    };
    const fault = state.takeFault(record.operation);
    if (fault) {
        record.code = `fault:${fault.kind}`;
        if (fault.kind === "reset") { req.socket.destroy(); return; }
        if (fault.kind === "stall") return;
        return answer(503, xmlDocument("Error", `<Code>ServiceUnavailable</Code><Message>Please reduce your request rate (fault injected by the contract server).</Message><RequestId>${requestId}</RequestId><EC>0000-00000000</EC>`));
    }
    try {
        const caller = verifyOssV4(state, req, region, bucketName, key, query);
        if (!bucketName) throw new OssProblem(400, "InvalidArgument", "The contract server serves bucket operations only");
        if (state.foreignBuckets.has(bucketName)) {
            if (record.operation === "PutBucket") throw new OssProblem(409, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", "0015-00000104");
            throw new OssProblem(403, "AccessDenied", "You have no right to access this bucket.", "0003-00000001");
        }
        if (record.operation === "PutBucket") {
            checkBucketName(bucketName);
            if (state.buckets.has(bucketName)) throw new OssProblem(409, "BucketAlreadyExists", "The requested bucket name is not available.", "0015-00000104");
            if (body.length > 0) parseXmlBody(body, "CreateBucketConfiguration");
            state.buckets.set(bucketName, { name: bucketName, region, owner: caller.uid, versioning: "Unversioned", tags: {}, versions: [], rules: [], createdAt: new Date() });
            return answer(200, "", { location: `/${bucketName}` });
        }
        const bucket = state.buckets.get(bucketName);
        if (!bucket) throw new OssProblem(404, "NoSuchBucket", "The specified bucket does not exist.", "0015-00000101");
        if (bucket.region !== region) {
            throw new OssProblem(403, "AccessDenied", `The bucket you are attempting to access must be addressed using the specified endpoint (oss-${bucket.region}).`, "0003-00001403");
        }
        if (state.ownerOf(bucket) !== caller.uid) {
            // A bucket is its owner's: a request from another account that no policy allows is denied
            // (https://www.alibabacloud.com/help/en/oss/user-guide/oss-bucket-policy/, "denied by default"). The server
            // does not evaluate bucket policies for API calls of other accounts: it refuses them all.
            throw new OssProblem(403, "AccessDenied", "You have no right to access this bucket.", "0003-00000001");
        }
        switch (record.operation) {
            case "GetBucketInfo":
                return answer(200, xmlDocument("BucketInfo", `<Bucket><Name>${escapeXml(bucket.name)}</Name><Location>oss-${bucket.region}</Location>` +
                    `<CreationDate>${bucket.createdAt.toISOString()}</CreationDate><ExtranetEndpoint>oss-${bucket.region}.aliyuncs.com</ExtranetEndpoint>` +
                    `<Owner><ID>${state.ownerOf(bucket)}</ID><DisplayName>${state.ownerOf(bucket)}</DisplayName></Owner><StorageClass>Standard</StorageClass>` +
                    (bucket.versioning === "Unversioned" ? "" : `<Versioning>${bucket.versioning}</Versioning>`) + `</Bucket>`));
            case "DeleteBucket":
                if (bucket.versions.length > 0) throw new OssProblem(409, "BucketNotEmpty", "The bucket you tried to delete is not empty.", "0015-00000301");
                state.buckets.delete(bucket.name);
                return answer(204);
            case "GetBucketVersioning":
                return answer(200, xmlDocument("VersioningConfiguration", bucket.versioning === "Unversioned" ? "" : `<Status>${bucket.versioning}</Status>`));
            case "PutBucketVersioning": {
                const status = text(parseXmlBody(body, "VersioningConfiguration"), "Status");
                if (status !== "Enabled" && status !== "Suspended") throw new OssProblem(400, "MalformedXML", "Status must be Enabled or Suspended", "0015-00000201");
                if (state.inReplication(bucket.name)) {
                    // OSS freezes versioning while a rule names the bucket (code as seen by this server; OSS's own may differ).
                    throw new OssProblem(409, "InvalidBucketState", `Versioning of bucket '${bucket.name}' cannot change while data replication rules name it.`);
                }
                bucket.versioning = status;
                return answer(200);
            }
            case "GetBucketTags": {
                const tags = Object.entries(bucket.tags).map(([k, v]) => `<Tag><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></Tag>`).join("");
                return answer(200, xmlDocument("Tagging", `<TagSet>${tags}</TagSet>`));
            }
            case "PutBucketTags": {
                const tags = children(child(parseXmlBody(body, "Tagging"), "TagSet"), "Tag");
                if (tags.length > 20) throw new OssProblem(400, "InvalidArgument", "A bucket can have at most 20 tags.", "0010-00000206");
                const result: Record<string, string> = {};
                for (const tag of tags) {
                    const k = text(tag, "Key") ?? "";
                    const v = text(tag, "Value") ?? "";
                    if (!k || Buffer.byteLength(k) > 64 || /^(aliyun|acs:|https?:\/\/)/i.test(k)) throw new OssProblem(400, "InvalidTagKey", `Tag key '${k}' is invalid.`, "0010-00000207");
                    if (Buffer.byteLength(v) > 128) throw new OssProblem(400, "InvalidTagValue", `Tag value of '${k}' is longer than 128 bytes.`);
                    result[k] = v;
                }
                bucket.tags = result;
                return answer(200);
            }
            case "DeleteBucketTags":
                bucket.tags = {};
                return answer(204);
            case "ListObjectVersions":
                return answer(200, listVersionsXml(bucket, query));
            case "ListObjects":
                return answer(200, listObjectsXml(bucket, query));
            case "DeleteMultipleObjects": {
                const md5 = createHash("md5").update(body).digest("base64");
                if (req.headers["content-md5"] !== md5) throw new OssProblem(400, "InvalidDigest", "The Content-MD5 you specified is not valid.", "0016-00000401");
                const request = parseXmlBody(body, "Delete");
                for (const object of children(request, "Object")) {
                    const k = text(object, "Key") ?? "";
                    const versionId = text(object, "VersionId");
                    bucket.versions = bucket.versions.filter((v) => !(v.key === k && (versionId === undefined || v.versionId === versionId)));
                }
                return answer(200, xmlDocument("DeleteResult", ""));
            }
            case "PutObject": {
                const version = state.putObject(bucket.name, key, body, { tags: objectTagsOf(req.headers["x-oss-tagging"]) });
                return answer(200, "", { etag: `"${createHash("md5").update(body).digest("hex").toUpperCase()}"`, ...(version.versionId !== "null" ? { "x-oss-version-id": version.versionId } : {}) });
            }
            case "GetObject":
            case "HeadObject": {
                const version = state.latest(bucket.name, key);
                if (!version || version.deleteMarker) throw new OssProblem(404, "NoSuchKey", "The specified key does not exist.", "0026-00000001");
                record.status = 200;
                res.writeHead(200, { "content-length": String(version.body.length), "x-oss-version-id": version.versionId, "x-oss-request-id": requestId });
                res.end(method === "HEAD" ? undefined : version.body);
                return;
            }
            case "DeleteObject":
                state.deleteObject(bucket.name, key);
                return answer(204);
            case "PutBucketReplication": {
                const rule = validateRule(state, bucket, body, regions);
                bucket.rules.push(rule);
                return answer(200, "", { "x-oss-replication-rule-id": rule.id });
            }
            case "GetBucketReplication": {
                const rules = state.rulesOf(bucket.name);
                if (rules.length === 0) throw new OssProblem(404, "NoSuchReplicationConfiguration", "The specified bucket does not have a replication configuration.", "0016-00000501");
                return answer(200, xmlDocument("ReplicationConfiguration", rules.map((rule) => ruleXml(state, rule, true)).join("")));
            }
            case "DeleteBucketReplication": {
                const ids = children(parseXmlBody(body, "ReplicationRules"), "ID").map((id) => id.text.trim());
                if (ids.length !== 1) throw new OssProblem(400, "MalformedXML", "ReplicationRules must name exactly one rule ID.", "0016-00000502");
                const rule = state.rulesOf(bucket.name).find((r) => r.id === ids[0]);
                if (!rule) throw new OssProblem(404, "NoSuchReplicationRule", `The replication rule '${ids[0]}' does not exist.`, "0016-00000503");
                rule.closingSince ??= Date.now();
                return answer(200);
            }
            case "GetBucketReplicationLocation":
                return answer(200, locationXml(bucket.region, regions));
            case "PutBucketPolicy":
                // PutBucketPolicy (https://www.alibabacloud.com/help/en/oss/developer-reference/putbucketpolicy): PUT /?policy with the
                // JSON document as the body; 200 with an empty body. A new policy replaces the old one.
                checkBucketPolicy(body);
                bucket.policy = body.toString("utf8");
                return answer(200);
            case "GetBucketPolicy":
                // GetBucketPolicy (https://www.alibabacloud.com/help/en/oss/developer-reference/getbucketpolicy): the document as
                // JSON, or 404 NoSuchBucketPolicy (EC 0030-00000006) when the bucket has none.
                if (bucket.policy === undefined) throw new OssProblem(404, "NoSuchBucketPolicy", "The bucket policy does not exist.", "0030-00000006");
                record.status = 200;
                res.writeHead(200, { "x-oss-request-id": requestId, "content-type": "application/json" });
                res.end(bucket.policy);
                return;
            case "DeleteBucketPolicy":
                // DeleteBucketPolicy (https://www.alibabacloud.com/help/en/oss/developer-reference/deletebucketpolicy): 204 No Content.
                bucket.policy = undefined;
                return answer(204);
            case "GetBucketReplicationProgress": {
                const ruleId = query.get("rule-id");
                if (!ruleId) throw new OssProblem(400, "InvalidArgument", "rule-id is required.");
                const rule = state.rulesOf(bucket.name).find((r) => r.id === ruleId);
                if (!rule) throw new OssProblem(404, "NoSuchReplicationRule", `The replication rule '${ruleId}' does not exist.`, "0016-00000503");
                return answer(200, xmlDocument("ReplicationProgress", progressXml(state, rule)));
            }
        }
        throw new OssProblem(400, "InvalidArgument", `The contract server has no ${method} ${rawPath}?${rawQuery}`);
    } catch (error) {
        if (!(error instanceof OssProblem)) throw error;
        record.code = error.code;
        const document = xmlDocument("Error", `<Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message><RequestId>${requestId}</RequestId>` +
            `<HostId>${bucketName ? `${bucketName}.` : ""}oss-${region}.aliyuncs.com</HostId><EC>${error.ec}</EC>`);
        if (method === "HEAD") {
            record.status = error.status;
            res.writeHead(error.status, { "x-oss-request-id": requestId, "x-oss-err": Buffer.from(document).toString("base64") });
            res.end();
            return;
        }
        return answer(error.status, document);
    }
}

// ---------------------------------------------------------------------------------------------------
// Listings

/**
 * max-keys of a listing. ListObjectVersions (https://www.alibabacloud.com/help/en/oss/developer-reference/listobjectversions)
 * and ListObjects (https://www.alibabacloud.com/help/en/oss/developer-reference/listobjects): at most 1000, default 100.
 */
function maxKeysOf(query: Map<string, string>): number {
    const raw = query.get("max-keys");
    if (raw === undefined) return 100;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || value > 1000) throw new OssProblem(400, "InvalidArgument", `max-keys '${raw}' is not an integer from 1 to 1000.`, "0017-00000101");
    return value;
}

function refuseDelimiter(query: Map<string, string>): void {
    // Not used by the provider; refused rather than ignored, so that a test relying on it fails loudly.
    if (query.get("delimiter")) throw new OssProblem(400, "InvalidArgument", "The contract server does not implement 'delimiter' in listings.");
}

/**
 * ListObjectVersions (GetBucketVersions), per its reference (link above): objects in alphabetical order of
 * key, each key's versions newest first; `prefix` limits the keys; `key-marker` starts after that key, and
 * with `version-id-marker` (which needs `key-marker`) after that version of it; when max-keys cuts the
 * list, IsTruncated is true and NextKeyMarker / NextVersionIdMarker name the last entry returned, to be
 * sent as the next request's markers.
 */
function listVersionsXml(bucket: ContractBucket, query: Map<string, string>): string {
    refuseDelimiter(query);
    const maxKeys = maxKeysOf(query);
    const prefix = query.get("prefix") ?? "";
    const keyMarker = query.get("key-marker") ?? "";
    const versionIdMarker = query.get("version-id-marker") ?? "";
    if (versionIdMarker && !keyMarker) throw new OssProblem(400, "InvalidArgument", "version-id-marker requires key-marker.", "0017-00000102");
    const byKey = new Map<string, ContractObjectVersion[]>();
    for (const version of bucket.versions) {
        if (!version.key.startsWith(prefix)) continue;
        byKey.set(version.key, [version, ...(byKey.get(version.key) ?? [])]);
    }
    const ordered: { version: ContractObjectVersion; latest: boolean }[] = [];
    for (const key of [...byKey.keys()].sort(compareKeys)) byKey.get(key)!.forEach((version, index) => ordered.push({ version, latest: index === 0 }));
    let start = 0;
    if (keyMarker) {
        const markerAt = versionIdMarker ? ordered.findIndex(({ version }) => version.key === keyMarker && version.versionId === versionIdMarker) : -1;
        start = markerAt >= 0 ? markerAt + 1 : ordered.findIndex(({ version }) => compareKeys(version.key, keyMarker) > 0);
        if (start < 0) start = ordered.length;
    }
    const page = ordered.slice(start, start + maxKeys);
    const truncated = start + page.length < ordered.length;
    const last = page[page.length - 1]?.version;
    const entries = page.map(({ version: v, latest }) => {
        const common = `<Key>${escapeXml(v.key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified>`;
        return v.deleteMarker ? `<DeleteMarker>${common}</DeleteMarker>`
            : `<Version>${common}<ETag>"${createHash("md5").update(v.body).digest("hex").toUpperCase()}"</ETag><Size>${v.body.length}</Size><StorageClass>Standard</StorageClass></Version>`;
    });
    return xmlDocument("ListVersionsResult", `<Name>${escapeXml(bucket.name)}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
        `<KeyMarker>${escapeXml(keyMarker)}</KeyMarker><VersionIdMarker>${escapeXml(versionIdMarker)}</VersionIdMarker><MaxKeys>${maxKeys}</MaxKeys>` +
        `<IsTruncated>${truncated}</IsTruncated>` +
        (truncated && last ? `<NextKeyMarker>${escapeXml(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>` : "") +
        entries.join(""));
}

/**
 * ListObjects (GetBucket), per its reference (link above): the current version of each object, delete
 * markers left out, in alphabetical order of key; `prefix` limits the keys, `marker` starts after that
 * key; when max-keys cuts the list, IsTruncated is true and NextMarker is the last key returned.
 */
function listObjectsXml(bucket: ContractBucket, query: Map<string, string>): string {
    refuseDelimiter(query);
    if (query.get("list-type") === "2") throw new OssProblem(400, "InvalidArgument", "The contract server does not implement ListObjectsV2.");
    const maxKeys = maxKeysOf(query);
    const prefix = query.get("prefix") ?? "";
    const marker = query.get("marker") ?? "";
    const current = latestVersions(bucket).filter((v) => !v.deleteMarker && v.key.startsWith(prefix) && compareKeys(v.key, marker) > 0).sort((a, b) => compareKeys(a.key, b.key));
    const page = current.slice(0, maxKeys);
    const truncated = current.length > page.length;
    const contents = page.map((v) => `<Contents><Key>${escapeXml(v.key)}</Key><LastModified>${v.lastModified.toISOString()}</LastModified>` +
        `<ETag>"${createHash("md5").update(v.body).digest("hex").toUpperCase()}"</ETag><Type>Normal</Type><Size>${v.body.length}</Size><StorageClass>Standard</StorageClass></Contents>`);
    return xmlDocument("ListBucketResult", `<Name>${escapeXml(bucket.name)}</Name><Prefix>${escapeXml(prefix)}</Prefix><Marker>${escapeXml(marker)}</Marker>` +
        `<MaxKeys>${maxKeys}</MaxKeys><Delimiter></Delimiter><IsTruncated>${truncated}</IsTruncated>` +
        (truncated ? `<NextMarker>${escapeXml(page[page.length - 1].key)}</NextMarker>` : "") + contents.join(""));
}

/** Keys compare as OSS lists them: by their UTF-8 bytes. */
function compareKeys(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function checkBucketName(name: string): void {
    if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
        throw new OssProblem(400, "InvalidBucketName", `The specified bucket '${name}' is not valid: 3 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit.`, "0015-00000101");
    }
}

/**
 * A bucket policy as PutBucketPolicy takes it. Each refusal is one of OSS's documented error pages (EC 0030-*, e.g.
 * https://www.alibabacloud.com/help/en/oss/user-guide/0030-00000005; the EC is what the pages name, the error code
 * InvalidPolicyDocument is as seen by this server, OSS's own may differ):
 *   - at most 16 KB in all (EC 0030-00000001; the bucket policy guide,
 *     https://www.alibabacloud.com/help/en/oss/user-guide/use-bucket-policy-to-grant-permission-to-access-oss, says the same);
 *   - one statement at most 4095 bytes (EC 0030-00000003);
 *   - UTF-8 text (EC 0030-00000004);
 *   - the policy syntax (EC 0030-00000005; the syntax page, https://www.alibabacloud.com/help/en/oss/user-guide/authorization-syntax-and-elements):
 *     a JSON object with Version, a string, and a list of one or more statements, each with Effect Allow or Deny,
 *     an Action, a Resource and, in a bucket policy, a Principal; Version "1" and no other (EC 0030-00000002);
 *   - no run of two wildcards `**` (EC 0030-00000007).
 */
function checkBucketPolicy(body: Buffer): void {
    const refuse = (ec: string, message: string): never => { throw new OssProblem(400, "InvalidPolicyDocument", message, ec); };
    if (body.length > 16 * 1024) refuse("0030-00000001", `The bucket policy is ${body.length} bytes; it must be at most 16 KB.`);
    let document: string;
    try {
        document = new TextDecoder("utf-8", { fatal: true }).decode(body);
    } catch {
        return refuse("0030-00000004", "The bucket policy must be UTF-8 text.");
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(document);
    } catch {
        return refuse("0030-00000005", "The bucket policy is not valid JSON.");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return refuse("0030-00000005", "The bucket policy must be a JSON object.");
    const { Version: version, Statement: statements } = parsed as { Version?: unknown; Statement?: unknown };
    if (typeof version !== "string") refuse("0030-00000005", "The bucket policy's Version must be a string.");
    if (version !== "1") refuse("0030-00000002", `The bucket policy's Version is '${String(version)}'; it must be "1".`);
    if (!Array.isArray(statements) || statements.length === 0) return refuse("0030-00000005", "The bucket policy needs a Statement list of one or more statements.");
    for (const statement of statements as unknown[]) {
        if (typeof statement !== "object" || statement === null || Array.isArray(statement)) return refuse("0030-00000005", "Every statement must be a JSON object.");
        if (Buffer.byteLength(JSON.stringify(statement)) > 4095) refuse("0030-00000003", "A statement of the bucket policy is longer than 4095 bytes.");
        const s = statement as Record<string, unknown>;
        if (s.Effect !== "Allow" && s.Effect !== "Deny") refuse("0030-00000005", "Every statement needs Effect Allow or Deny.");
        for (const element of ["Action", "Resource"]) {
            const value = s[element];
            const values = Array.isArray(value) ? value : [value];
            if (value === undefined || values.length === 0 || values.some((v) => typeof v !== "string" || v === "")) {
                refuse("0030-00000005", `Every statement needs ${element}: a string or a list of strings.`);
            }
        }
        // An empty Principal list is allowed: it stands for "*".
        if (s.Principal === undefined || !(typeof s.Principal === "string" || (Array.isArray(s.Principal) && s.Principal.every((p) => typeof p === "string")))) {
            refuse("0030-00000005", "Every statement of a bucket policy needs a Principal: a string or a list of strings.");
        }
    }
    if (document.includes("**")) refuse("0030-00000007", "The bucket policy has two wildcards '**' in a row.");
}

const ruleChildren = ["ID", "RTC", "PrefixSet", "Action", "Destination", "HistoricalObjectReplication", "SyncRole", "SourceSelectionCriteria", "EncryptionConfiguration", "UserTaggings"];

/**
 * PutObject's x-oss-tagging header (PutObject reference, https://www.alibabacloud.com/help/en/oss/developer-reference/putobject):
 * the object's tags as URL-encoded key=value pairs joined by '&'. Object tagging's limits
 * (https://www.alibabacloud.com/help/en/oss/user-guide/object-tagging-8): at most 10 tags, keys up to 128 bytes, values up to 256.
 */
function objectTagsOf(header: string | string[] | undefined): Record<string, string> | undefined {
    if (typeof header !== "string" || header === "") return undefined;
    const tags: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(header)) tags[k] = v;
    checkTags(Object.entries(tags), "x-oss-tagging");
    return tags;
}

function checkTags(tags: readonly (readonly [string, string])[], where: string): void {
    if (tags.length > 10) throw new OssProblem(400, "InvalidArgument", `${where} has ${tags.length} tags; at most 10 are allowed.`, "0010-00000215");
    const keys = new Set<string>();
    for (const [k, v] of tags) {
        if (!k || Buffer.byteLength(k) > 128) throw new OssProblem(400, "InvalidArgument", `${where}: tag key '${k}' must be 1 to 128 bytes.`, "0010-00000212");
        if (Buffer.byteLength(v) > 256) throw new OssProblem(400, "InvalidArgument", `${where}: the value of tag '${k}' is longer than 256 bytes.`, "0010-00000213");
        if (keys.has(k)) throw new OssProblem(400, "InvalidArgument", `${where}: tag key '${k}' appears twice; keys must be unique.`, "0010-00000214");
        keys.add(k);
    }
}

/**
 * PutBucketReplication's tag filter (its reference, request syntax and elements,
 * https://www.alibabacloud.com/help/en/oss/developer-reference/putbucketreplication): UserTaggings holds
 * FilterType (AND or OR) and UserTagging elements of Key and Value; the console guide for data replication
 * takes up to 10 tags per rule ("Match All Tags" / "Match Any Tag"); the usage notes name the regions
 * without a tag filter.
 */
function tagFilterOf(element: XmlElement | undefined, sourceRegion: string): Pick<ContractRule, "tags" | "tagFilterType"> {
    if (!element) return {};
    onlyChildren(element, ["FilterType", "UserTagging"], "UserTaggings");
    const filterType = text(element, "FilterType") ?? "AND";
    if (filterType !== "AND" && filterType !== "OR") throw new OssProblem(400, "InvalidArgument", `UserTaggings FilterType '${filterType}' is not AND or OR.`);
    const tags = children(element, "UserTagging").map((tag) => {
        onlyChildren(tag, ["Key", "Value"], "UserTagging");
        return { key: text(tag, "Key") ?? "", value: text(tag, "Value") ?? "" };
    });
    if (tags.length === 0) throw new OssProblem(400, "MalformedXML", "UserTaggings needs at least one UserTagging.");
    checkTags(tags.map((t) => [t.key, t.value] as const), "UserTaggings");
    if (regionsWithoutTagFilter.has(sourceRegion)) throw new OssProblem(400, "InvalidArgument", `Tag-based filtering is not supported in oss-${sourceRegion}.`);
    return { tags, tagFilterType: filterType };
}

/** Accepts one rule as PutBucketReplication documents it, under OSS's constraints. */
function validateRule(state: OssContractState, source: ContractBucket, body: Buffer, regions: readonly string[]): ContractRule {
    const root = parseXmlBody(body, "ReplicationConfiguration");
    onlyChildren(root, ["Rule"], "ReplicationConfiguration");
    const rules = children(root, "Rule");
    if (rules.length !== 1) throw new OssProblem(400, "MalformedXML", "PutBucketReplication takes exactly one Rule per call.", "0016-00000101");
    const rule = rules[0];
    onlyChildren(rule, ruleChildren, "Rule");
    const id = text(rule, "ID") ?? randomBytes(8).toString("hex");
    if (id.length > 255) throw new OssProblem(400, "InvalidArgument", "The rule ID is longer than 255 characters.");
    const live = state.rulesOf(source.name);
    if (live.some((r) => r.id === id)) {
        throw new OssProblem(409, "ReplicationRuleAlreadyExists", `A replication rule with ID '${id}' already exists on bucket '${source.name}'${live.find((r) => r.id === id)!.closingSince !== undefined ? " (it is still closing)" : ""}.`, "0016-00000102");
    }
    if (live.length >= 100) throw new OssProblem(400, "TooManyReplicationRules", "A bucket can have at most 100 data replication rules.", "0016-00000103");
    const prefixes = children(child(rule, "PrefixSet"), "Prefix").map((p) => p.text);
    if (prefixes.length > 10) throw new OssProblem(400, "InvalidArgument", "A rule can have at most 10 prefixes.", "0016-00000104");
    const action = text(rule, "Action") ?? "ALL";
    if (action !== "ALL" && action !== "PUT") throw new OssProblem(400, "InvalidArgument", `Action '${action}' is not ALL or PUT.`);
    const destination = child(rule, "Destination");
    if (!destination) throw new OssProblem(400, "MalformedXML", "A rule needs a Destination.");
    onlyChildren(destination, ["Bucket", "Location", "TransferType"], "Destination");
    const targetName = text(destination, "Bucket") ?? "";
    const location = text(destination, "Location") ?? "";
    const transferType = text(destination, "TransferType");
    if (targetName === source.name) throw new OssProblem(400, "InvalidArgument", "The source and destination buckets cannot have the same name.");
    const target = state.buckets.get(targetName);
    if (!target) throw new OssProblem(404, "NoSuchBucket", `The destination bucket '${targetName}' does not exist.`, "0016-00000105");
    if (location !== `oss-${target.region}`) {
        throw new OssProblem(400, "InvalidArgument", `Destination Location '${location}' is not the region of bucket '${targetName}' (oss-${target.region}).`);
    }
    if (!regions.includes(target.region) && !knownRegions.includes(target.region)) throw new OssProblem(400, "InvalidArgument", `Unknown location '${location}'.`);
    if (transferType !== undefined && transferType !== "internal" && transferType !== "oss_acc") {
        throw new OssProblem(400, "InvalidArgument", `TransferType '${transferType}' is not internal or oss_acc.`);
    }
    const sameRegion = target.region === source.region;
    if (sameRegion && transferType === "oss_acc") throw new OssProblem(400, "InvalidArgument", "oss_acc is available for cross-region replication only.");
    if (!sameRegion && mainland.has(source.region) !== mainland.has(target.region) && transferType !== "oss_acc") {
        throw new OssProblem(400, "InvalidArgument", `Replication between oss-${source.region} and ${location} needs TransferType oss_acc.`);
    }
    if (source.versioning !== target.versioning || source.versioning === "Suspended") {
        throw new OssProblem(400, "InvalidArgument", `Source bucket '${source.name}' (versioning ${source.versioning}) and destination bucket '${targetName}' ` +
            `(versioning ${target.versioning}) must both have versioning enabled or both have it disabled.`, "0016-00000106");
    }
    const historical = text(rule, "HistoricalObjectReplication") ?? "enabled";
    if (historical !== "enabled" && historical !== "disabled") throw new OssProblem(400, "InvalidArgument", "HistoricalObjectReplication must be enabled or disabled.");
    const syncRole = text(rule, "SyncRole") ?? "";
    // The role OSS assumes is one of the source bucket owner's account (the replication permissions page, link at
    // OssContractState.heldBackBy); the destination bucket may be another account's.
    const role = state.ramOf(state.ownerOf(source)).roles.get(syncRole);
    if (!role) throw new OssProblem(400, "InvalidArgument", `SyncRole '${syncRole}' is not a RAM role of the account that owns bucket '${source.name}'.`);
    const trust = JSON.stringify(JSON.parse(role.AssumeRolePolicyDocument));
    if (!trust.includes(ossTrustedService)) throw new OssProblem(400, "InvalidArgument", `RAM role '${syncRole}' does not trust ${ossTrustedService}.`);
    const kms = text(child(child(rule, "SourceSelectionCriteria"), "SseKmsEncryptedObjects"), "Status");
    const replicaKey = text(child(rule, "EncryptionConfiguration"), "ReplicaKmsKeyID");
    if (kms !== undefined && kms !== "Enabled" && kms !== "Disabled") throw new OssProblem(400, "InvalidArgument", "SseKmsEncryptedObjects Status must be Enabled or Disabled.");
    if (kms === "Enabled" && !replicaKey) throw new OssProblem(400, "InvalidArgument", "ReplicaKmsKeyID is required to replicate SSE-KMS encrypted objects.");
    const rtc = text(child(rule, "RTC"), "Status");
    if (rtc !== undefined && rtc !== "enabled" && rtc !== "disabled") throw new OssProblem(400, "InvalidArgument", "RTC Status must be enabled or disabled.");
    if (rtc === "enabled" && !rtcBetween(source.region, target.region)) {
        throw new OssProblem(400, "InvalidArgument", `RTC is not available from oss-${source.region} to ${location}.`);
    }
    return {
        id, prefixes, action, destination: { bucket: targetName, location, ...(transferType ? { transferType } : {}) },
        historicalObjectReplication: historical, syncRole, sseKmsEncryptedObjects: kms, replicaKmsKeyId: replicaKey,
        rtc: rtc === "enabled" ? "enabled" : undefined, ...tagFilterOf(child(rule, "UserTaggings"), source.region), createdAt: Date.now(), queue: [],
    };
}

/** A rule as GetBucketReplication (and, without SyncRole and the rest, GetBucketReplicationProgress) shows it. */
function ruleXml(state: OssContractState, rule: ContractRule, full: boolean): string {
    const prefixes = rule.prefixes.length > 0 ? `<PrefixSet>${rule.prefixes.map((p) => `<Prefix>${escapeXml(p)}</Prefix>`).join("")}</PrefixSet>` : "";
    return `<Rule><ID>${escapeXml(rule.id)}</ID>${prefixes}<Action>${rule.action}</Action>` +
        `<Destination><Bucket>${escapeXml(rule.destination.bucket)}</Bucket><Location>${rule.destination.location}</Location>` +
        `${rule.destination.transferType === "oss_acc" ? "<TransferType>oss_acc</TransferType>" : ""}</Destination>` +
        `<Status>${state.ruleState(rule)}</Status><HistoricalObjectReplication>${rule.historicalObjectReplication}</HistoricalObjectReplication>` +
        (full ? `<SyncRole>${escapeXml(rule.syncRole)}</SyncRole>` +
            (rule.sseKmsEncryptedObjects ? `<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>${rule.sseKmsEncryptedObjects}</Status></SseKmsEncryptedObjects></SourceSelectionCriteria>` : "") +
            (rule.replicaKmsKeyId ? `<EncryptionConfiguration><ReplicaKmsKeyID>${escapeXml(rule.replicaKmsKeyId)}</ReplicaKmsKeyID></EncryptionConfiguration>` : "") +
            (rule.rtc ? `<RTC><Status>${rule.rtc}</Status></RTC>` : "") +
            (rule.tags ? `<UserTaggings><FilterType>${rule.tagFilterType}</FilterType>${rule.tags.map((t) => `<UserTagging><Key>${escapeXml(t.key)}</Key><Value>${escapeXml(t.value)}</Value></UserTagging>`).join("")}</UserTaggings>` : "") : "") +
        `</Rule>`;
}

function progressXml(state: OssContractState, rule: ContractRule): string {
    const inner = ruleXml(state, rule, false).replace(/<\/Rule>$/, "");
    if (state.ruleState(rule) !== "doing") return `${inner}</Rule>`;
    const historical = rule.historicalObjectReplication === "enabled"
        ? `<HistoricalObject>${rule.historical && rule.historical.total > 0 ? (rule.historical.copied / rule.historical.total).toFixed(2) : rule.historical ? "1.00" : "0.00"}</HistoricalObject>`
        : "";
    // Every write before the oldest one still queued has been replicated; with none queued, everything until now.
    const until = rule.queue.length > 0 ? rule.queue[0].writtenAt - 1 : Date.now();
    return `${inner}<Progress>${historical}<NewObject>${new Date(until).toISOString()}</NewObject></Progress></Rule>`;
}

function locationXml(sourceRegion: string, regions: readonly string[]): string {
    const targets = [...new Set([...regions, ...knownRegions])].filter((r) => r !== sourceRegion);
    const accelerated = targets.filter((r) => mainland.has(sourceRegion) !== mainland.has(r));
    return xmlDocument("ReplicationLocation",
        targets.map((r) => `<Location>oss-${r}</Location>`).join("") +
        `<LocationTransferTypeConstraint>${accelerated.map((r) => `<LocationTransferType><Location>oss-${r}</Location><TransferTypes><Type>oss_acc</Type></TransferTypes></LocationTransferType>`).join("")}</LocationTransferTypeConstraint>` +
        `<LocationRTCConstraint>${targets.filter((r) => rtcBetween(sourceRegion, r)).map((r) => `<Location>oss-${r}</Location>`).join("")}</LocationRTCConstraint>`);
}

const maxClockSkewMs = 15 * 60 * 1000;

/**
 * Checks the OSS4-HMAC-SHA256 Authorization header, recomputed here from the request as received:
 * our key, a scope of today's date, the listener's region and "oss", x-oss-date within 15 minutes,
 * UNSIGNED-PAYLOAD, then the signature over the path-style resource and every default-signed header.
 */
function verifyOssV4(state: OssContractState, req: http.IncomingMessage, region: string, bucket: string, key: string, query: Map<string, string>): OssContractAccount {
    const header = String(req.headers.authorization ?? "");
    const match = /^OSS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/oss\/aliyun_v4_request,(?:\s*AdditionalHeaders=([^,]+),)?\s*Signature=([0-9a-f]{64})$/.exec(header);
    if (!match) throw new OssProblem(403, "AccessDenied", "Missing or malformed OSS4-HMAC-SHA256 Authorization header.", "0002-00000201");
    const [, accessKey, date, scopeRegion, additional, signature] = match;
    const account = state.accountOfKey(accessKey);
    if (!account) throw new OssProblem(403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.", "0002-00000902");
    if (scopeRegion !== region) throw new OssProblem(400, "InvalidArgument", `Invalid signing region in Authorization header: '${scopeRegion}', expecting '${region}'.`, "0002-00000222");
    const ossDate = String(req.headers["x-oss-date"] ?? "");
    const parsed = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(ossDate);
    if (!parsed || !ossDate.startsWith(date)) throw new OssProblem(403, "AccessDenied", `x-oss-date '${ossDate}' is malformed or does not match the credential date.`, "0002-00000211");
    const at = Date.UTC(+parsed[1], +parsed[2] - 1, +parsed[3], +parsed[4], +parsed[5], +parsed[6]);
    if (Math.abs(Date.now() - at) > maxClockSkewMs) throw new OssProblem(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", "0002-00000504");
    if (req.headers["x-oss-content-sha256"] !== "UNSIGNED-PAYLOAD") throw new OssProblem(400, "InvalidArgument", "x-oss-content-sha256 must be UNSIGNED-PAYLOAD.", "0002-00000214");
    const additionalNames = additional ? additional.split(";") : [];
    const encode = (s: string, keepSlash = false) => {
        const e = encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
        return keepSlash ? e.replace(/%2F/g, "/") : e;
    };
    const resource = bucket ? encode(`/${bucket}/${key}`, true) : "/";
    const canonicalQuery = [...query.entries()].map(([n, v]) => [encode(n), encode(v)]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([n, v]) => (v ? `${n}=${v}` : n)).join("&");
    const signedNames = Object.keys(req.headers).filter((n) => n.startsWith("x-oss-") || n === "content-type" || n === "content-md5" || additionalNames.includes(n)).sort();
    const canonicalHeaders = signedNames.map((n) => `${n}:${String(req.headers[n]).trim()}\n`).join("");
    const canonical = [req.method, resource, canonicalQuery, canonicalHeaders, additionalNames.join(";"), "UNSIGNED-PAYLOAD"].join("\n");
    const scope = `${date}/${region}/oss/aliyun_v4_request`;
    const stringToSign = ["OSS4-HMAC-SHA256", ossDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
    let signingKey = createHmac("sha256", `aliyun_v4${account.secretKey}`).update(date).digest();
    for (const part of [region, "oss", "aliyun_v4_request"]) signingKey = createHmac("sha256", signingKey).update(part).digest();
    const expected = createHmac("sha256", signingKey).update(stringToSign).digest();
    const given = Buffer.from(signature, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new OssProblem(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.", "0002-00000040");
    }
    return account;
}

// ---------------------------------------------------------------------------------------------------
// RAM (RPC style, ACS3-HMAC-SHA256)

class RamProblem extends Error {
    constructor(readonly status: number, readonly code: string, message: string) {
        super(message);
    }
}

async function handleRam(state: OssContractState, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?", 2);
    const action = String(req.headers["x-acs-action"] ?? "");
    const record: RecordedRequest = { service: "ram", operation: action || "unknown", method: req.method ?? "", path: rawPath, query: rawQuery, body: body.toString("utf8"), status: 0,
        headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(",") : String(value ?? "")])) };
    state.requests.push(record);
    const requestId = randomBytes(16).toString("hex").toUpperCase();
    const answer = (status: number, json: Record<string, unknown>) => {
        record.status = status;
        res.writeHead(status, { "content-type": "application/json;charset=utf-8" });
        res.end(JSON.stringify({ RequestId: requestId, ...json }));
    };
    const fault = state.takeFault(record.operation);
    if (fault) {
        record.code = `fault:${fault.kind}`;
        if (fault.kind === "reset") { req.socket.destroy(); return; }
        if (fault.kind === "stall") return;
        return answer(503, { Code: "ServiceUnavailable", Message: "The request has failed due to a temporary failure of the server (fault injected by the contract server)." });
    }
    try {
        const caller = verifyAcs3(state, req, rawPath, rawQuery, body);
        // RAM is per account: each caller sees and changes only its own account's roles and policies.
        const ram = state.ramOf(caller.uid);
        if (req.headers["x-acs-version"] !== "2015-05-01") throw new RamProblem(400, "InvalidVersion", `Specified parameter Version is not valid for RAM.`);
        const contentType = String(req.headers["content-type"] ?? "");
        const params = new Map<string, string>(new URLSearchParams(rawQuery));
        if (body.length > 0) {
            if (!contentType.startsWith("application/x-www-form-urlencoded")) throw new RamProblem(400, "InvalidParameter", "The body must be form-urlencoded.");
            for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params.set(k, v);
        }
        const need = (name: string) => {
            const value = params.get(name);
            if (!value) throw new RamProblem(400, `MissingParameter`, `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
            return value;
        };
        const role = (name: string) => {
            const found = ram.roles.get(name);
            if (!found) throw new RamProblem(404, "EntityNotExist.Role", `The role not exists: ${name}.`);
            return found;
        };
        const policy = (name: string) => {
            const found = ram.policies.get(name);
            if (!found) throw new RamProblem(404, "EntityNotExist.Policy", `The policy not exists: ${name}.`);
            return found;
        };
        const customType = () => {
            if (params.has("PolicyType") && params.get("PolicyType") !== "Custom") throw new RamProblem(400, "InvalidParameter.PolicyType", "The contract server has custom policies only.");
        };
        switch (action) {
            case "GetRole":
                return answer(200, { Role: role(need("RoleName")) });
            case "CreateRole": {
                const name = need("RoleName");
                if (!/^[A-Za-z0-9.-]{1,64}$/.test(name)) throw new RamProblem(400, "InvalidParameter.RoleName.InvalidChars", `RoleName '${name}' must be 1 to 64 letters, digits, '.' or '-'.`);
                if (ram.roles.has(name)) throw new RamProblem(409, "EntityAlreadyExists.Role", `The role already exists: ${name}.`);
                const trust = need("AssumeRolePolicyDocument");
                checkPolicyDocument(trust, "AssumeRolePolicyDocument");
                const description = params.get("Description") ?? "";
                if (description.length > 1024) throw new RamProblem(400, "InvalidParameter.Description.Length", "Description must be at most 1024 characters.");
                const created: RamContractRole = {
                    RoleName: name, // Role IDs are unique across accounts; the ARN carries the UID of the account that owns the role.
                    RoleId: String(300000000000000000n + BigInt(state.accounts.indexOf(caller)) * 1000000n + BigInt(ram.roles.size + 1)), Arn: `acs:ram::${caller.uid}:role/${name.toLowerCase()}`,
                    Description: description, AssumeRolePolicyDocument: trust, MaxSessionDuration: 3600, CreateDate: new Date().toISOString(),
                };
                ram.roles.set(name, created);
                return answer(200, { Role: created });
            }
            case "UpdateRole": {
                const found = role(need("RoleName"));
                if (params.has("NewDescription")) found.Description = params.get("NewDescription")!;
                if (params.has("NewAssumeRolePolicyDocument")) found.AssumeRolePolicyDocument = params.get("NewAssumeRolePolicyDocument")!;
                return answer(200, { Role: found });
            }
            case "DeleteRole": {
                const found = role(need("RoleName"));
                if (state.policyAttachedTo(found.RoleName, caller.uid).length > 0) throw new RamProblem(409, "DeleteConflict.Role.Policy", `The role still has policies attached: ${found.RoleName}.`);
                ram.roles.delete(found.RoleName);
                return answer(200, {});
            }
            case "GetPolicy": {
                customType();
                const found = policy(need("PolicyName"));
                const current = found.versions.find((v) => v.IsDefaultVersion)!;
                return answer(200, {
                    Policy: { PolicyName: found.PolicyName, PolicyType: "Custom", Description: found.Description, DefaultVersion: current.VersionId,
                        PolicyDocument: current.PolicyDocument, AttachmentCount: [...ram.attachments].filter((a) => a.endsWith(`\0${found.PolicyName}`)).length },
                    DefaultPolicyVersion: { VersionId: current.VersionId, IsDefaultVersion: true, PolicyDocument: current.PolicyDocument },
                });
            }
            case "CreatePolicy": {
                const name = need("PolicyName");
                if (!/^[A-Za-z0-9-]{1,128}$/.test(name)) throw new RamProblem(400, "InvalidParameter.PolicyName.InvalidChars", `PolicyName '${name}' must be 1 to 128 letters, digits or '-'.`);
                if (ram.policies.has(name)) throw new RamProblem(409, "EntityAlreadyExists.Policy", `The policy already exists: ${name}.`);
                const document = need("PolicyDocument");
                checkPolicyDocument(document, "PolicyDocument");
                ram.policies.set(name, { PolicyName: name, Description: params.get("Description") ?? "", versions: [{ VersionId: "v1", PolicyDocument: document, IsDefaultVersion: true }] });
                return answer(200, { Policy: { PolicyName: name, PolicyType: "Custom", DefaultVersion: "v1" } });
            }
            case "CreatePolicyVersion": {
                const found = policy(need("PolicyName"));
                const document = need("PolicyDocument");
                checkPolicyDocument(document, "PolicyDocument");
                if (found.versions.length >= 5) {
                    if (params.get("RotateStrategy") !== "DeleteOldestNonDefaultVersionWhenLimitExceeded") throw new RamProblem(409, "LimitExceeded.Policy.Version", "A policy has at most 5 versions.");
                    found.versions.splice(found.versions.findIndex((v) => !v.IsDefaultVersion), 1);
                }
                const id = `v${Math.max(...found.versions.map((v) => Number(v.VersionId.slice(1)))) + 1}`;
                // CreatePolicyVersion's SetAsDefault is a Boolean (RAM API reference, https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-createpolicyversion);
                // Alibaba's own Python SDK sends it as "True", which RAM takes: the spelling is not case-sensitive.
                const asDefault = params.get("SetAsDefault")?.toLowerCase() === "true";
                if (asDefault) found.versions.forEach((v) => { v.IsDefaultVersion = false; });
                found.versions.push({ VersionId: id, PolicyDocument: document, IsDefaultVersion: asDefault });
                return answer(200, { PolicyVersion: { VersionId: id, IsDefaultVersion: asDefault } });
            }
            case "DeletePolicyVersion": {
                const found = policy(need("PolicyName"));
                const version = found.versions.find((v) => v.VersionId === need("VersionId"));
                if (!version) throw new RamProblem(404, "EntityNotExist.Policy.Version", `The policy version not exists: ${params.get("VersionId")}.`);
                if (version.IsDefaultVersion) throw new RamProblem(409, "DeleteConflict.PolicyVersion.Default", "The default version cannot be deleted.");
                found.versions.splice(found.versions.indexOf(version), 1);
                return answer(200, {});
            }
            case "DeletePolicy": {
                customType();
                const found = policy(need("PolicyName"));
                if ([...ram.attachments].some((a) => a.endsWith(`\0${found.PolicyName}`))) throw new RamProblem(409, "DeleteConflict.Policy.User", `The policy is still attached: ${found.PolicyName}.`);
                if (found.versions.length > 1) throw new RamProblem(409, "DeleteConflict.Policy.Version", `The policy has more than one version: ${found.PolicyName}.`);
                ram.policies.delete(found.PolicyName);
                return answer(200, {});
            }
            case "AttachPolicyToRole": {
                customType();
                const r = role(need("RoleName"));
                const p = policy(need("PolicyName"));
                const key = `${r.RoleName}\0${p.PolicyName}`;
                if (ram.attachments.has(key)) throw new RamProblem(409, "EntityAlreadyExists.Role.Policy", `The policy is already attached to the role: ${p.PolicyName}.`);
                ram.attachments.add(key);
                return answer(200, {});
            }
            case "DetachPolicyFromRole": {
                customType();
                const r = role(need("RoleName"));
                const p = policy(need("PolicyName"));
                if (!ram.attachments.delete(`${r.RoleName}\0${p.PolicyName}`)) throw new RamProblem(404, "EntityNotExist.Role.Policy", `The policy is not attached to the role: ${p.PolicyName}.`);
                return answer(200, {});
            }
            case "ListPoliciesForRole": {
                const r = role(need("RoleName"));
                const attached = state.policyAttachedTo(r.RoleName, caller.uid).map((name) => ({ PolicyName: name, PolicyType: "Custom", Description: ram.policies.get(name)?.Description ?? "" }));
                return answer(200, { Policies: { Policy: attached } });
            }
        }
        throw new RamProblem(400, "InvalidAction.NotFound", `Specified api '${action}' is not found (the contract server implements the RAM calls a sync role needs).`);
    } catch (error) {
        if (!(error instanceof RamProblem)) throw error;
        record.code = error.code;
        return answer(error.status, { Code: error.code, Message: error.message, HostId: "ram.aliyuncs.com" });
    }
}

/** A RAM policy document: JSON with Version "1" and a Statement list. */
function checkPolicyDocument(document: string, name: string): void {
    let parsed: { Version?: unknown; Statement?: unknown };
    try {
        parsed = JSON.parse(document);
    } catch {
        throw new RamProblem(400, `InvalidParameter.${name}`, `${name} is not valid JSON.`);
    }
    if (parsed.Version !== "1" || !Array.isArray(parsed.Statement) || parsed.Statement.length === 0) {
        throw new RamProblem(400, `InvalidParameter.${name}`, `${name} must have "Version": "1" and a non-empty "Statement" list.`);
    }
    for (const statement of parsed.Statement as Record<string, unknown>[]) {
        if (statement.Effect !== "Allow" && statement.Effect !== "Deny") throw new RamProblem(400, `InvalidParameter.${name}`, `Every statement needs Effect Allow or Deny.`);
        if (!statement.Action) throw new RamProblem(400, `InvalidParameter.${name}`, `Every statement needs an Action.`);
    }
}

/** Checks the ACS3-HMAC-SHA256 Authorization header, recomputed here from the request as received. */
function verifyAcs3(state: OssContractState, req: http.IncomingMessage, rawPath: string, rawQuery: string, body: Buffer): OssContractAccount {
    const header = String(req.headers.authorization ?? "");
    const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(header);
    if (!match) throw new RamProblem(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards (ACS3-HMAC-SHA256).");
    const [, accessKey, signedList, signature] = match;
    const account = state.accountOfKey(accessKey);
    if (!account) throw new RamProblem(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    const signedHeaders = signedList.split(";");
    for (const required of ["host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"]) {
        if (!signedHeaders.includes(required)) throw new RamProblem(400, "IncompleteSignature", `Header '${required}' must be signed.`);
    }
    const date = Date.parse(String(req.headers["x-acs-date"] ?? ""));
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(String(req.headers["x-acs-date"])) || Math.abs(Date.now() - date) > maxClockSkewMs) {
        throw new RamProblem(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
    }
    const payloadHash = createHash("sha256").update(body).digest("hex");
    if (req.headers["x-acs-content-sha256"] !== payloadHash) throw new RamProblem(400, "InvalidParameter.ContentSHA256", "x-acs-content-sha256 does not match the body.");
    const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const query = [...new URLSearchParams(rawQuery)].map(([k, v]) => [encode(k), encode(v)]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join("&");
    const canonical = [req.method, rawPath, query, signedHeaders.map((n) => `${n}:${String(req.headers[n] ?? "").trim()}\n`).join(""), signedList, payloadHash].join("\n");
    const expected = createHmac("sha256", account.secretKey).update(`ACS3-HMAC-SHA256\n${createHash("sha256").update(canonical).digest("hex")}`).digest();
    const given = Buffer.from(signature, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new RamProblem(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
    }
    return account;
}

// ---------------------------------------------------------------------------------------------------
// A small XML reader for the request documents.


function xmlDocument(root: string, inner: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>${inner}</${root}>`;
}

function parseXmlBody(body: Buffer, expectedRoot: string): XmlElement {
    let root: XmlElement;
    try {
        root = parseXml(body.toString("utf8"));
    } catch (error) {
        throw new OssProblem(400, "MalformedXML", `The XML you provided was not well-formed: ${(error as Error).message}`);
    }
    if (root.name !== expectedRoot) throw new OssProblem(400, "MalformedXML", `Expected a <${expectedRoot}> document, got <${root.name}>.`);
    return root;
}





function onlyChildren(element: XmlElement, allowed: readonly string[], where: string): void {
    const unexpected = element.children.filter((c) => !allowed.includes(c.name)).map((c) => c.name);
    if (unexpected.length > 0) throw new OssProblem(400, "MalformedXML", `${where} has <${unexpected.join(">, <")}>, which OSS does not know there.`);
}


// ---------------------------------------------------------------------------------------------------
// Pointing a Pulumi stack at the server

/** The stack configuration that sends a program's resources to this server: what a user sets, with local endpoints. */
export function ossStackConfigFor(server: OssContractServer): { key: string; value: string; secret: boolean }[] {
    return [
        { key: "bucket-replication:backend", value: "oss", secret: false },
        { key: "bucket-replication:zones", value: JSON.stringify(server.zones), secret: false },
        { key: "bucket-replication:iamEndpoint", value: server.ramEndpoint, secret: false },
        { key: "bucket-replication:accessKey", value: server.credentials.accessKey, secret: true },
        { key: "bucket-replication:secretKey", value: server.credentials.secretKey, secret: true },
        { key: "bucket-replication:waitTimeoutSeconds", value: "20", secret: false },
    ];
}
