import type { S3Client } from "@aws-sdk/client-s3";
import type * as NodeCrypto from "node:crypto";
import type { ProgressLog } from "../backend";
import { withRetries, RequestPolicy } from "../../transport/retry";
import { type HttpAnswer, sendHttp } from "../../transport/http";
import { CallSite, ServiceError, toServiceError } from "../../transport/serviceError";
import { formatQuery, s3Path, signV4 } from "../../transport/sigv4";
import { child, childrenNamed, parseXml, readAnswerXml, textOf, toXml, UnexpectedDocumentError, type XmlElement } from "./xml";
import type { Credentials } from "../backend";
import { configKey } from "../../common/configKey";

export interface S3Endpoint {
    readonly zone: string;
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: Credentials;
    readonly requestPolicy: RequestPolicy;
    readonly credentialHint: string;
    /** How the service is named in messages: `MinIO S3`, `Exoscale SOS`... */
    readonly serviceName: string;
}

/** One request of the S3 REST API, path-style. */
export interface S3Call {
    readonly method: "GET" | "PUT" | "POST" | "DELETE" | "HEAD";
    readonly bucket: string;
    readonly key?: string;
    /** Sub-resources (`versioning: ""`) and parameters. */
    readonly query?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly headers?: Readonly<Record<string, string>>;
    /**
     * The root element of the XML document a successful answer must be. Left out, S3's own
     * documents are expected by sub-resource (see s3AnswerRoot); an answer that is something else
     * fails as InvalidResponse instead of reading as a document without the elements looked for.
     */
    readonly answerRoot?: string;
}

export interface S3Answer {
    readonly status: number;
    readonly headers: HttpAnswer["headers"];
    readonly text: string;
    /** The answer's document, when the call expects one (answerRoot). */
    readonly document?: XmlElement;
}

/** What a call may be told: whether it is safe to repeat, where to log retries, and each failed attempt. */
export interface CallOptions {
    readonly idempotent?: boolean;
    readonly log?: ProgressLog;
    readonly onRetry?: (e: ServiceError) => void;
}

/** An object version or delete marker as ListObjectVersions lists it. */
export interface ListedVersion {
    readonly key: string;
    readonly versionId?: string;
    readonly lastModified?: Date;
}

export interface VersionPage {
    readonly versions: readonly ListedVersion[];
    readonly deleteMarkers: readonly ListedVersion[];
    readonly isTruncated: boolean;
    readonly nextKeyMarker?: string;
    readonly nextVersionIdMarker?: string;
}

/** An entry that DeleteObjects could not delete. */
export interface DeleteFailure {
    readonly key: string;
    readonly versionId?: string;
    readonly code: string;
    readonly message: string;
}

export interface ObjectRead {
    readonly body: string;
    readonly versionId?: string;
    readonly replicationStatus?: string;
}

/**
 * The S3 API of one zone of an S3-compatible service. Every call is bounded (connect and answer time
 * limits), honours cancellation, is retried by our shared policy when it is safe to repeat, and fails
 * as a ServiceError naming the zone, endpoint and operation.
 *
 * The bucket and object calls that every backend shares are plain signed HTTP (`call`): the AWS SDK
 * costs a fresh provider process about 100 ms to load and a few milliseconds per call. The SDK's
 * client (`send`) serves the calls whose documents it models for us: replication on SOS and AWS.
 * A backend whose service needs more (AWS: credential chains, virtual-hosted addressing) overrides
 * the operations below.
 */
export class ZoneS3 {
    readonly zone: string;
    readonly endpoint: string;
    readonly site: CallSite;
    private client?: S3Client;

    constructor(private readonly target: S3Endpoint) {
        this.zone = target.zone;
        this.endpoint = target.endpoint;
        this.site = { service: target.serviceName, zone: target.zone, endpoint: target.endpoint, credentialHint: target.credentialHint };
        // Kept off the enumerable properties so that logging or serializing the client never prints it.
        Object.defineProperty(this, "target", { value: target, enumerable: false });
    }

    /**
     * Sends an AWS SDK `command` (named `operation` in messages). `idempotent: false` tries once; `onRetry` is told
     * of each failed attempt before the next one, for calls whose repeat answers differently.
     */
    async send<T>(operation: string, command: unknown, options: CallOptions = {}): Promise<T> {
        const client = this.s3();
        const timeoutMs = this.target.requestPolicy.requestTimeoutMs;
        return withRetries(this.target.requestPolicy, async (abortSignal) => {
            try {
                return await client.send(command as never, { abortSignal }) as T;
            } catch (error) {
                throw toServiceError(abortSignal.aborted ? abortSignal.reason : error, this.site, operation, timeoutMs);
            }
        }, { ...options, call: { site: this.site, operation } });
    }

    /** One signed REST call; throws a ServiceError for every answer outside 2xx. */
    async call(operation: string, request: S3Call, options: CallOptions = {}): Promise<S3Answer> {
        const crypto = require("node:crypto") as typeof NodeCrypto;
        const policy = this.target.requestPolicy;
        const base = new URL(this.target.endpoint);
        const path = `${base.pathname.replace(/\/$/, "")}${s3Path(request.bucket, request.key)}`;
        const query = request.query ?? {};
        const body = request.body === undefined ? undefined : Buffer.from(request.body, "utf8");
        const headers: Record<string, string> = { ...request.headers, host: base.host };
        if (body) {
            headers["content-type"] ??= "application/xml";
            // S3 wants Content-MD5 on DeleteObjects and PutBucketTagging; on every body it costs nothing.
            headers["content-md5"] = crypto.createHash("md5").update(body).digest("base64");
        }
        headers["x-amz-content-sha256"] = crypto.createHash("sha256").update(body ?? "").digest("hex");
        const url = `${base.protocol}//${base.host}${path}${formatQuery(query)}`;
        return withRetries(policy, async (signal) => {
            // Signed per attempt: a repeat after a long backoff needs a fresh date.
            const signed = signV4({ method: request.method, path, query, headers, payloadHash: headers["x-amz-content-sha256"] }, {
                accessKey: this.target.credentials.accessKey, secretKey: this.target.credentials.secretKey,
                region: this.target.region, service: "s3",
            });
            const { host: _host, ...sent } = signed;
            let response: HttpAnswer;
            try {
                response = await sendHttp(url, { method: request.method, headers: sent, body, signal, connectTimeoutMs: policy.connectTimeoutMs });
            } catch (error) {
                throw toServiceError(signal.aborted ? signal.reason : error, this.site, operation, policy.requestTimeoutMs);
            }
            const text = response.body.toString("utf8");
            if (response.status < 200 || response.status > 299) throw s3ErrorAnswer(this.site, operation, response.status, text);
            const root = request.answerRoot ?? s3AnswerRoot(request);
            const document = root === undefined ? undefined : readAnswerXml(text, root, {
                where: this.site, operation, httpStatus: response.status,
                hint: `Check that the endpoint of zone '${this.zone}' in '${configKey("zones")}' is the service's S3 endpoint ` +
                    `(not its console, a portal or a proxy's own page).`,
            });
            return { status: response.status, headers: response.headers, text, document };
        }, { ...options, call: { site: this.site, operation } });
    }

    // ---- the bucket and object calls that the shared code (buckets.ts, replicationSample.ts) makes ----

    async headBucket(bucket: string): Promise<void> {
        await this.call(`HeadBucket of '${bucket}'`, { method: "HEAD", bucket });
    }

    /** CreateBucket, with the zone's region as LocationConstraint outside us-east-1 (as S3 and SOS want it). */
    async createBucket(bucket: string, options: CallOptions): Promise<void> {
        const region = this.target.region;
        const body = region && region !== "us-east-1"
            ? `<CreateBucketConfiguration xmlns="${s3Namespace}">${toXml("LocationConstraint", region)}</CreateBucketConfiguration>`
            : undefined;
        await this.call(`CreateBucket of '${bucket}'`, { method: "PUT", bucket, body }, options);
    }

    async deleteBucket(bucket: string): Promise<void> {
        await this.call(`DeleteBucket of '${bucket}'`, { method: "DELETE", bucket });
    }

    async listObjectVersions(bucket: string, page: { prefix?: string; maxKeys?: number; keyMarker?: string; versionIdMarker?: string }): Promise<VersionPage> {
        const query: Record<string, string> = { versions: "" };
        if (page.prefix) query.prefix = page.prefix;
        if (page.maxKeys !== undefined) query["max-keys"] = String(page.maxKeys);
        if (page.keyMarker !== undefined) query["key-marker"] = page.keyMarker;
        if (page.versionIdMarker !== undefined) query["version-id-marker"] = page.versionIdMarker;
        const result = documentOf(await this.call(`ListObjectVersions of '${bucket}'`, { method: "GET", bucket, query, answerRoot: "ListVersionsResult" }));
        const entry = (e: XmlElement): ListedVersion => {
            const lastModified = textOf(e, "LastModified");
            return { key: textOf(e, "Key") ?? "", versionId: textOf(e, "VersionId"), lastModified: lastModified ? new Date(lastModified) : undefined };
        };
        return {
            versions: childrenNamed(result, "Version").map(entry),
            deleteMarkers: childrenNamed(result, "DeleteMarker").map(entry),
            isTruncated: textOf(result, "IsTruncated") === "true",
            nextKeyMarker: textOf(result, "NextKeyMarker"),
            nextVersionIdMarker: textOf(result, "NextVersionIdMarker"),
        };
    }

    /** Deletes these versions quietly: the answer lists only the failures. */
    async deleteObjects(bucket: string, entries: readonly { key: string; versionId?: string }[]): Promise<DeleteFailure[]> {
        const body = toXml("Delete", { Quiet: "true", Object: entries.map((e) => ({ Key: e.key, VersionId: e.versionId })) });
        const answer = await this.call(`DeleteObjects in '${bucket}'`, { method: "POST", bucket, query: { delete: "" }, body, answerRoot: "DeleteResult" });
        return childrenNamed(documentOf(answer), "Error").map((e) => ({
            key: textOf(e, "Key") ?? "", versionId: textOf(e, "VersionId"), code: textOf(e, "Code") ?? "", message: textOf(e, "Message") ?? "",
        }));
    }

    async getBucketTagging(bucket: string): Promise<Record<string, string>> {
        const answer = await this.call(`GetBucketTagging of '${bucket}'`, { method: "GET", bucket, query: { tagging: "" }, answerRoot: "Tagging" });
        const tagSet = child(documentOf(answer), "TagSet");
        return Object.fromEntries(childrenNamed(tagSet, "Tag").map((tag) => [textOf(tag, "Key") ?? "", textOf(tag, "Value") ?? ""]));
    }

    async putBucketTagging(bucket: string, tags: Readonly<Record<string, string>>): Promise<void> {
        const body = toXml("Tagging", { TagSet: { Tag: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } });
        await this.call(`PutBucketTagging of '${bucket}'`, { method: "PUT", bucket, query: { tagging: "" }, body });
    }

    async deleteBucketTagging(bucket: string): Promise<void> {
        await this.call(`DeleteBucketTagging of '${bucket}'`, { method: "DELETE", bucket, query: { tagging: "" } });
    }

    /** The Status of the bucket's versioning configuration; undefined for a bucket that never had one. */
    async getBucketVersioning(bucket: string): Promise<string | undefined> {
        const answer = await this.call(`GetBucketVersioning of '${bucket}'`, { method: "GET", bucket, query: { versioning: "" }, answerRoot: "VersioningConfiguration" });
        return textOf(documentOf(answer), "Status") || undefined;
    }

    async putBucketVersioning(bucket: string, status: string): Promise<void> {
        const body = `<VersioningConfiguration xmlns="${s3Namespace}">${toXml("Status", status)}</VersioningConfiguration>`;
        await this.call(`PutBucketVersioning of '${bucket}'`, { method: "PUT", bucket, query: { versioning: "" }, body });
    }

    async putObject(bucket: string, key: string, body: string): Promise<{ versionId?: string }> {
        const answer = await this.call(`PutObject of '${key}' in '${bucket}'`, { method: "PUT", bucket, key, body, headers: { "content-type": "text/plain" } });
        return { versionId: answer.headers.get("x-amz-version-id") ?? undefined };
    }

    async getObject(bucket: string, key: string): Promise<ObjectRead> {
        const answer = await this.call(`GetObject of '${key}' in '${bucket}'`, { method: "GET", bucket, key });
        return { body: answer.text, versionId: answer.headers.get("x-amz-version-id") ?? undefined, replicationStatus: answer.headers.get("x-amz-replication-status") ?? undefined };
    }

    /** The replication status of one version, as HEAD returns it (x-amz-replication-status). */
    async headObject(bucket: string, key: string, versionId?: string): Promise<{ replicationStatus?: string }> {
        const answer = await this.call(`HeadObject of '${key}' in '${bucket}'`, { method: "HEAD", bucket, key, query: versionId ? { versionId } : {} });
        return { replicationStatus: answer.headers.get("x-amz-replication-status") ?? undefined };
    }

    private s3(): S3Client {
        if (this.client) return this.client;
        const { S3Client } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        const policy = this.target.requestPolicy;
        this.client = new S3Client({
            endpoint: this.target.endpoint,
            region: this.target.region,
            // Path-style: S3-compatible services rarely have a DNS name per bucket.
            forcePathStyle: true,
            credentials: { accessKeyId: this.target.credentials.accessKey, secretAccessKey: this.target.credentials.secretKey },
            // Newer SDKs add CRC32 checksums that S3-compatible services may refuse.
            requestChecksumCalculation: "WHEN_REQUIRED",
            responseChecksumValidation: "WHEN_REQUIRED",
            // Retries are ours (withRetries), so that every backend retries the same way and a create is never repeated blindly.
            maxAttempts: 1,
            requestHandler: { connectionTimeout: policy.connectTimeoutMs, requestTimeout: policy.requestTimeoutMs },
        });
        return this.client;
    }
}

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

/**
 * The root element of the document S3 answers a GET (or DeleteObjects' POST) on these sub-resources
 * with. MinIO's own extensions (replication metrics, JSON) are not listed and are read as they come.
 */
const answerRootsBySubresource: Readonly<Record<string, string>> = {
    versioning: "VersioningConfiguration",
    tagging: "Tagging",
    replication: "ReplicationConfiguration",
    versions: "ListVersionsResult",
    delete: "DeleteResult",
};

/** The document a call's answer must be, by what S3 defines for its sub-resource; undefined where a call answers no document. */
export function s3AnswerRoot(request: Pick<S3Call, "method" | "bucket" | "key" | "query">): string | undefined {
    if (request.method !== "GET" && request.method !== "POST") return undefined;
    if (request.method === "GET" && request.bucket === "" && request.key === undefined) return "ListAllMyBucketsResult";
    if (request.key !== undefined) return undefined;
    const subresource = Object.keys(request.query ?? {}).find((name) => name in answerRootsBySubresource);
    if (subresource === "delete" && request.method !== "POST") return undefined;
    return subresource === undefined ? undefined : answerRootsBySubresource[subresource];
}

/** The document a call was made to read; a call made without an answerRoot has none. */
function documentOf(answer: S3Answer): XmlElement {
    if (!answer.document) throw new Error("internal error: the call was made without the root element of the document it reads");
    return answer.document;
}

/** S3's error document (<Error><Code/><Message/></Error>); HEAD answers have none, so their status names them. */
function s3ErrorAnswer(site: CallSite, operation: string, status: number, text: string): ServiceError {
    let code = bodilessCodes[status] ?? `HTTP ${status}`;
    let message = "";
    if (text.trim().startsWith("<")) {
        try {
            const error = parseXml(text, "Error");
            code = textOf(error, "Code") || code;
            message = textOf(error, "Message") ?? "";
        } catch (error) {
            if (!(error instanceof UnexpectedDocumentError)) throw error;
            message = `the answer is not S3's error document: ${text.replace(/\s+/g, " ").slice(0, 300)}`;
        }
    } else if (text) {
        message = text.slice(0, 300);
    }
    return new ServiceError({ where: site, operation, httpStatus: status, code, message: message.replace(/\s+/g, " ").trim() });
}

// The codes the AWS SDK gives an answer without a body, so that callers judge both clients alike.
const bodilessCodes: Readonly<Record<number, string>> = { 301: "PermanentRedirect", 400: "BadRequest", 403: "Forbidden", 404: "NotFound" };

/** The S3 error code of a failed call (`NoSuchBucket`, ...), or its HTTP status as text. */
export function s3ErrorCode(error: unknown): string {
    if (error instanceof ServiceError) return error.code;
    const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    return e?.Code ?? e?.name ?? String(e?.$metadata?.httpStatusCode ?? "");
}

export function httpStatusOf(error: unknown): number | undefined {
    if (error instanceof ServiceError) return error.httpStatus;
    return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
