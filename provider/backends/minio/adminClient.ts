/**
 * A small client for the MinIO admin API (/minio/admin/v3): canned policies, users, and the bucket
 * remote targets that replication rules point at. The replication document itself (with MinIO's
 * DeleteReplication element) goes through the zone's S3 API (s3/client.ts).
 *
 * Requests are SigV4-signed for service "s3" and sent with Node's http module. Bodies that MinIO
 * expects encrypted are encrypted with the signer's secret key (see adminCrypto.ts).
 * SDK modules are required inside methods: Pulumi's closure serializer may capture this code, and
 * it cannot serialize module-level clients.
 */
import type * as NodeCrypto from "node:crypto";
import { defaultRequestPolicy, RequestPolicy, withRetries } from "../../transport/retry";
import { type HttpAnswer, sendHttp } from "../../transport/http";
import { CallSite, ServiceError, toServiceError } from "../../transport/serviceError";
import { formatQuery, signV4 } from "../../transport/sigv4";
import { encryptAdminBody, pbkdf2AesGcm } from "./adminCrypto";

export interface MinioAdminClientOptions {
    /** Base URL of the server, such as `http://127.0.0.1:9100`. */
    endpoint: string;
    credentials: { accessKey: string; secretKey: string };
    /** SigV4 region; MinIO accepts any unless the server sets one. Defaults to `us-east-1`. */
    region?: string;
    /** The zone this server is, for messages. Defaults to the endpoint. */
    zone?: string;
    /** Time limits and retries; set-remote-target alone waits up to ~3 s for a health check. */
    requestPolicy?: RequestPolicy;
    /** Where the credentials come from, for authentication failures. */
    credentialHint?: string;
}

/** A bucket on another MinIO server that a source bucket replicates to. */
export interface RemoteTarget {
    /** `host:port` of the target's S3 API, always with the port (MinIO compares it with its own address). */
    endpoint: string;
    secure: boolean;
    targetBucket: string;
    /** Credentials on the target server that the source server replicates with. */
    accessKey: string;
    secretKey: string;
    region?: string;
    /** Bytes per second replication may send to the target; undefined for no limit. */
    bandwidthLimit?: number;
    /** Whether a write waits for its copy at the target (MinIO's `replicationSync`); undefined for asynchronous. */
    synchronous?: boolean;
    /** The target's health check period in seconds (MinIO's `healthCheckDuration`); undefined for the server's own. */
    healthCheckSeconds?: number;
}

/** A remote target as MinIO lists it; MinIO never returns the secret key. */
export interface RemoteTargetSummary {
    arn: string;
    endpoint: string;
    targetBucket: string;
    accessKey?: string;
    /** Bytes per second; absent when the target has no limit. */
    bandwidthLimit?: number;
    /** Present when writes replicate synchronously to the target. */
    synchronous?: true;
    /** Seconds; absent when the target has the server's own period. */
    healthCheckSeconds?: number;
    /** The ID of the latest resync of existing objects to this target (`reset-id`), absent when none was started. */
    resetId?: string;
}

export interface MinioUserInfo {
    /** `enabled` or `disabled`. */
    status: string;
    /** Comma-separated names of the attached canned policies, absent when none is attached. */
    policyName?: string;
}

/** A failed admin call. `code` is MinIO's error code (`XMinioAdminNoSuchUser`, ...) or `HTTP <status>`. */
export class MinioAdminError extends ServiceError {
    constructor(...args: ConstructorParameters<typeof ServiceError>) {
        super(...args);
        this.name = "MinioAdminError";
    }
}

const adminPrefix = "/minio/admin/v3";
const defaultRegion = "us-east-1";

/** What to do about the error codes a replication setup meets most. */
const hints: Record<string, string> = {
    XMinioAdminReplicationRemoteConnectionError:
        "The source server could not reach the target or its credentials were refused: check the target endpoint " +
        "(host:port as seen from the source server), that the target bucket exists, and the target credentials.",
    RemoteTargetNotVersionedError: "Enable versioning on the target bucket first.",
    ReplicationSourceNotVersionedError: "Enable versioning on the source bucket first.",
    NoSuchBucket: "Create the bucket first.",
    XMinioAdminRemoteTargetNotFoundError:
        "Either the ARN is not registered on this source bucket, or (when adding a target) the target bucket does not exist on the target server.",
    XMinioAdminRemoteIdenticalToSource: "The target must be another server or another bucket; give the endpoint with an explicit port.",
    XMinioAdminBucketRemoteAlreadyExists:
        "MinIO allows one replication target per source bucket and target endpoint, and this endpoint already has one " +
        "(with another access key or target bucket): change it with updateRemoteTargetCredentials, or remove it first.",
    XMinioAdminRemoteRemoveDisallowed: "A replication rule still uses this ARN; delete or change the bucket's replication configuration first.",
    XMinioAdminRemoteTargetDenyAdd: "Site replication is enabled on this server; bucket remote targets cannot be added alongside it.",
    XMinioAdminInvalidAccessKey: "MinIO access keys are 3 to 20 characters long.",
    XMinioAdminInvalidSecretKey: "MinIO secret keys are 8 to 40 characters long.",
    AccessDenied: "The credentials lack admin rights on this server; use the root user or an admin policy.",
};

interface SignedRequest {
    method: string;
    path: string;
    query: Record<string, string>;
    body?: Uint8Array;
    headers?: Record<string, string>;
}

interface RawResponse {
    status: number;
    body: Buffer;
}

interface BucketTargetBody {
    sourcebucket: string;
    endpoint: string;
    credentials: { accessKey: string; secretKey: string };
    targetbucket: string;
    secure: boolean;
    path: string;
    api: string;
    type: string;
    region?: string;
    arn?: string;
    /** Bytes per second; 0 for no limit. */
    bandwidthlimit: number;
    replicationSync: boolean;
    /** Nanoseconds (Go's time.Duration); 0 for the server's own period. */
    healthCheckDuration: number;
    disableProxy: boolean;
}

interface ListedBucketTarget {
    arn?: string;
    endpoint?: string;
    targetbucket?: string;
    credentials?: { accessKey?: string } | null;
    bandwidthlimit?: number;
    replicationSync?: boolean;
    healthCheckDuration?: number;
    resetID?: string;
}

export class MinioAdminClient {
    private readonly baseUrl: string;
    /** host[:port] as Node sends it in the Host header, which the signature covers. */
    private readonly host: string;
    private readonly region: string;
    private readonly requestPolicy: RequestPolicy;
    private readonly site: CallSite;
    // Kept off the enumerable properties so that logging or serializing the client never prints it.
    declare private readonly credentials: { readonly accessKey: string; readonly secretKey: string };

    constructor(options: MinioAdminClientOptions) {
        let url: URL;
        try {
            url = new URL(options.endpoint);
        } catch {
            throw new Error(`MinioAdminClient: endpoint '${options.endpoint}' is not a URL; give one like http://127.0.0.1:9000.`);
        }
        if ((url.protocol !== "http:" && url.protocol !== "https:") || (url.pathname !== "/" && url.pathname !== "")) {
            throw new Error(`MinioAdminClient: endpoint '${options.endpoint}' must be http(s)://host[:port] without a path.`);
        }
        if (!options.credentials?.accessKey || !options.credentials?.secretKey) {
            throw new Error("MinioAdminClient: credentials.accessKey and credentials.secretKey are both required.");
        }
        this.baseUrl = `${url.protocol}//${url.host}`;
        this.host = url.host;
        this.region = options.region ?? defaultRegion;
        this.requestPolicy = options.requestPolicy ?? defaultRequestPolicy;
        this.site = {
            service: "MinIO admin", zone: options.zone ?? this.baseUrl, endpoint: this.baseUrl,
            credentialHint: options.credentialHint ?? "the root user's access key and secret key of this server.",
        };
        Object.defineProperty(this, "credentials", {
            value: { accessKey: options.credentials.accessKey, secretKey: options.credentials.secretKey },
            enumerable: false,
        });
    }

    // ---- canned policies ----

    /** Creates or replaces a canned policy. The policy document needs a `Version`. */
    async addCannedPolicy(name: string, policy: object): Promise<void> {
        await this.admin("add-canned-policy", "PUT", "/add-canned-policy", { name }, {
            body: Buffer.from(JSON.stringify(policy)),
        });
    }

    async removeCannedPolicy(name: string): Promise<void> {
        await this.admin("remove-canned-policy", "DELETE", "/remove-canned-policy", { name });
    }

    /** The policy document as MinIO stores it (normalized, not byte-identical to what was added), or undefined. */
    async getCannedPolicy(name: string): Promise<object | undefined> {
        const response = await this.admin("info-canned-policy", "GET", "/info-canned-policy", { name }, {
            absentWhen: ["XMinioAdminNoSuchPolicy"],
        });
        return response === undefined ? undefined : (JSON.parse(response.toString("utf8")) as object);
    }

    // ---- users ----

    /** Creates or updates an enabled user. MinIO requires a secret key of at least 8 characters. */
    async addUser(accessKey: string, secretKey: string): Promise<void> {
        const body = await this.encrypt({ secretKey, status: "enabled" });
        await this.admin("add-user", "PUT", "/add-user", { accessKey }, { body, contentType: "application/octet-stream" });
    }

    async removeUser(accessKey: string): Promise<void> {
        await this.admin("remove-user", "DELETE", "/remove-user", { accessKey });
    }

    /** The user's status and policies, or undefined when no such user exists. */
    async userInfo(accessKey: string): Promise<MinioUserInfo | undefined> {
        const response = await this.admin("user-info", "GET", "/user-info", { accessKey }, {
            absentWhen: ["XMinioAdminNoSuchUser"],
        });
        if (response === undefined) {
            return undefined;
        }
        const info = JSON.parse(response.toString("utf8")) as { status?: string; policyName?: string };
        return { status: info.status ?? "", ...(info.policyName ? { policyName: info.policyName } : {}) };
    }

    /** Attaches canned policies to a user; policies that are already attached are not an error. */
    async attachPolicy(user: string, policies: string[]): Promise<void> {
        if (policies.length === 0 || policies.some((p) => !p)) {
            throw new Error("MinioAdminClient.attachPolicy: give at least one non-empty policy name.");
        }
        await this.changeUserPolicies("attach", user, policies);
    }

    /** Detaches canned policies from a user; policies that are not attached are not an error. */
    async detachPolicy(user: string, policies: string[]): Promise<void> {
        if (policies.length > 0) await this.changeUserPolicies("detach", user, policies);
    }

    private async changeUserPolicies(change: "attach" | "detach", user: string, policies: string[]): Promise<void> {
        const body = await this.encrypt({ policies, user });
        // The success response is encrypted too; nothing in it is needed, so it is not decrypted.
        await this.admin(`${change}-policy`, "POST", `/idp/builtin/policy/${change}`, {}, {
            body,
            contentType: "application/octet-stream",
            successStatuses: [200, 201, 204],
            successWhen: ["XMinioAdminPolicyChangeAlreadyApplied"],
        });
    }

    // ---- remote targets ----

    /**
     * Registers `target` as a replication target of `sourceBucket` and returns its ARN. Both buckets
     * must exist and be versioned. If a target with the same endpoint, bucket and access key exists, MinIO
     * returns its ARN and ignores the secret key given here (use updateRemoteTargetCredentials); any other
     * target on the same endpoint makes it fail with XMinioAdminBucketRemoteAlreadyExists.
     */
    async setRemoteTarget(sourceBucket: string, target: RemoteTarget): Promise<string> {
        const body = await this.encrypt(bucketTargetBody(sourceBucket, target));
        const response = await this.admin("set-remote-target", "PUT", "/set-remote-target", { bucket: sourceBucket }, {
            body,
            contentType: "application/octet-stream",
        });
        return parseArn("set-remote-target", response!);
    }

    /**
     * Replaces the credentials (and endpoint, bucket, secure flag), the bandwidth limit, the synchronous flag
     * and the health check period of an existing remote target; its resync state stays.
     */
    async updateRemoteTargetCredentials(sourceBucket: string, arn: string, target: RemoteTarget): Promise<void> {
        const body = await this.encrypt({ ...bucketTargetBody(sourceBucket, target), arn });
        await this.admin("update-remote-target", "PUT", "/set-remote-target",
            { bucket: sourceBucket, update: "true", creds: "true", bandwidth: "true", sync: "true", healthcheck: "true" },
            { body, contentType: "application/octet-stream" });
    }

    /** The replication targets of a bucket; empty when it has none. */
    async listRemoteTargets(sourceBucket: string): Promise<RemoteTargetSummary[]> {
        const response = await this.admin("list-remote-targets", "GET", "/list-remote-targets",
            { bucket: sourceBucket, type: "replication" },
            { absentWhen: ["XMinioAdminRemoteTargetNotFoundError"] });
        if (response === undefined) {
            return [];
        }
        const listed = JSON.parse(response.toString("utf8")) as ListedBucketTarget[] | null;
        return (listed ?? []).map((t) => ({
            arn: t.arn ?? "",
            endpoint: t.endpoint ?? "",
            targetBucket: t.targetbucket ?? "",
            ...(t.credentials?.accessKey ? { accessKey: t.credentials.accessKey } : {}),
            ...(t.bandwidthlimit ? { bandwidthLimit: t.bandwidthlimit } : {}),
            ...(t.replicationSync ? { synchronous: true as const } : {}),
            ...(t.healthCheckDuration ? { healthCheckSeconds: t.healthCheckDuration / 1e9 } : {}),
            ...(t.resetID ? { resetId: t.resetID } : {}),
        }));
    }

    /** Removes a remote target. MinIO refuses while a replication rule uses the ARN (XMinioAdminRemoteRemoveDisallowed). */
    async removeRemoteTarget(sourceBucket: string, arn: string): Promise<void> {
        await this.admin("remove-remote-target", "DELETE", "/remove-remote-target", { bucket: sourceBucket, arn }, {
            successStatuses: [200, 204],
        });
    }

    // ---- plain S3 ----

    // ---- plumbing ----

    private async encrypt(value: object): Promise<Buffer> {
        // MinIO decrypts every format madmin knows; PBKDF2 costs milliseconds where argon2id (64 MiB) costs
        // about half a second of this process's only thread per call.
        return encryptAdminBody(this.credentials.secretKey, Buffer.from(JSON.stringify(value), "utf8"), { algorithm: pbkdf2AesGcm });
    }

    /**
     * One admin call. Returns the response body; undefined when MinIO answers with an error code
     * listed in `absentWhen`. Throws MinioAdminError for every other failure.
     */
    private async admin(
        operation: string,
        method: string,
        path: string,
        query: Record<string, string>,
        options: {
            body?: Uint8Array;
            contentType?: string;
            successStatuses?: number[];
            absentWhen?: string[];
            successWhen?: string[];
        } = {},
    ): Promise<Buffer | undefined> {
        const headers: Record<string, string> = {};
        if (options.contentType) {
            headers["content-type"] = options.contentType;
        }
        const response = await this.send(operation, { method, path: adminPrefix + path, query, body: options.body, headers });
        if ((options.successStatuses ?? [200]).includes(response.status)) {
            return response.body;
        }
        const { code, message } = parseErrorBody(response);
        if (options.absentWhen?.includes(code)) {
            return undefined;
        }
        if (options.successWhen?.includes(code)) {
            return Buffer.alloc(0);
        }
        throw new MinioAdminError({ where: this.site, operation, httpStatus: response.status, code, message, hint: hints[code] });
    }

    /**
     * Sends one signed request, repeated under the shared retry policy when MinIO throttles, fails
     * with a 5xx, resets or does not answer in time: every admin call here sets or removes a named
     * thing, so a repeat has the same effect. Other statuses are returned for the caller to judge.
     */
    private async send(operation: string, request: SignedRequest): Promise<RawResponse> {
        return withRetries(this.requestPolicy, async (signal) => {
            let response: HttpAnswer;
            try {
                response = await sendHttp(this.baseUrl + request.path + formatQuery(request.query), {
                    method: request.method,
                    headers: this.signedHeaders(request),
                    body: request.body && request.body.length > 0 ? request.body : undefined,
                    signal,
                    connectTimeoutMs: this.requestPolicy.connectTimeoutMs,
                });
            } catch (error) {
                throw toServiceError(signal.aborted ? signal.reason : error, this.site, operation, this.requestPolicy.requestTimeoutMs);
            }
            const body = response.body;
            if (response.status === 429 || response.status >= 500) {
                const { code, message } = parseErrorBody({ status: response.status, body });
                throw new MinioAdminError({ where: this.site, operation, httpStatus: response.status, code, message });
            }
            return { status: response.status, body };
        }, { call: { site: this.site, operation } });
    }

    private signedHeaders(request: SignedRequest): Record<string, string> {
        const crypto = require("node:crypto") as typeof NodeCrypto;
        const body = request.body ?? new Uint8Array(0);
        const payloadHash = crypto.createHash("sha256").update(body).digest("hex");
        const signed = signV4({
            method: request.method,
            path: request.path,
            query: request.query,
            headers: { ...request.headers, host: this.host, "x-amz-content-sha256": payloadHash },
            payloadHash,
        }, { accessKey: this.credentials.accessKey, secretKey: this.credentials.secretKey, region: this.region, service: "s3" });
        // Node derives Host from the URL itself.
        const { host: _signedHost, ...sentHeaders } = signed;
        return sentHeaders;
    }
}

function bucketTargetBody(sourceBucket: string, target: RemoteTarget): BucketTargetBody {
    if (!/^[^/:]+:\d+$/.test(target.endpoint) && !/^\[[^\]]+\]:\d+$/.test(target.endpoint)) {
        throw new Error(`Remote target endpoint '${target.endpoint}' must be host:port with an explicit port and no scheme ` +
            "(MinIO rejects a target it cannot tell apart from itself).");
    }
    return {
        sourcebucket: sourceBucket,
        endpoint: target.endpoint,
        credentials: { accessKey: target.accessKey, secretKey: target.secretKey },
        targetbucket: target.targetBucket,
        secure: target.secure,
        path: "auto",
        api: "s3v4",
        type: "replication",
        ...(target.region ? { region: target.region } : {}),
        bandwidthlimit: target.bandwidthLimit ?? 0,
        replicationSync: target.synchronous ?? false,
        healthCheckDuration: (target.healthCheckSeconds ?? 0) * 1e9,
        disableProxy: false,
    };
}

function parseArn(operation: string, body: Buffer): string {
    const text = body.toString("utf8");
    try {
        const arn = JSON.parse(text) as unknown;
        if (typeof arn === "string" && arn.startsWith("arn:")) {
            return arn;
        }
    } catch {
        // fall through to the error below
    }
    throw new Error(`MinIO admin ${operation} answered '${text.slice(0, 200)}' instead of a JSON ARN string.`);
}

/** MinIO admin errors are JSON ({"Code","Message",...}); S3-style handlers may answer in XML. */
function parseErrorBody(response: RawResponse): { code: string; message: string } {
    const text = response.body.toString("utf8");
    try {
        const parsed = JSON.parse(text) as { Code?: string; Message?: string };
        if (parsed && (parsed.Code || parsed.Message)) {
            return { code: parsed.Code ?? `HTTP ${response.status}`, message: parsed.Message ?? "" };
        }
    } catch {
        // not JSON; try XML below
    }
    const xmlCode = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    const xmlMessage = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    if (xmlCode || xmlMessage) {
        return { code: xmlCode ?? `HTTP ${response.status}`, message: xmlMessage ?? "" };
    }
    return { code: `HTTP ${response.status}`, message: text.slice(0, 500) || "(empty response body)" };
}

