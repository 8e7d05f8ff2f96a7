import { createHash } from "node:crypto";
import { type Credentials, type ProgressLog, type ZoneSettings, zoneCredentials } from "../backend";
import { child, childrenNamed, parseXml, readAnswerXml, textOf, UnexpectedDocumentError, type XmlElement } from "../s3/xml";
import { type HttpAnswer, sendHttp } from "../../transport/http";
import { defaultRequestPolicy, type RequestPolicy, withRetries } from "../../transport/retry";
import { type CallSite, ServiceError, toServiceError } from "../../transport/serviceError";
import { ossDateTime, ossUriEncode, signOssV4, unsignedPayload } from "./ossV4Signer";
import { configKey } from "../../common/configKey";

/** One call of the OSS API: which bucket (and object) in which zone, and what is sent. */
export interface OssCall {
    readonly zone: string;
    /** How errors and logs name the call, such as `GetBucketReplication of 'srcexamplebucket'`. */
    readonly operation: string;
    readonly method: "GET" | "PUT" | "POST" | "DELETE" | "HEAD";
    readonly bucket?: string;
    readonly key?: string;
    /** Sub-resources and parameters; an empty value is sent as a bare name (`?replication`). */
    readonly query?: Readonly<Record<string, string>>;
    readonly body?: string | Buffer;
    readonly headers?: Readonly<Record<string, string>>;
    /** False for calls that must not be repeated blindly (creates); default true. */
    readonly idempotent?: boolean;
    readonly log?: ProgressLog;
    readonly onRetry?: (error: ServiceError) => void;
}

export interface OssAnswer {
    readonly status: number;
    readonly headers: HttpAnswer["headers"];
    readonly body: Buffer;
    /**
     * The body as the XML document `expectedRoot` (by default the document OSS answers the call's
     * sub-resource with, see ossAnswerRoot); anything else fails as InvalidResponse naming the zone.
     */
    xml(expectedRoot?: string): XmlElement;
}

export interface OssClientOptions {
    readonly zones: Readonly<Record<string, ZoneSettings>>;
    readonly credentials: Credentials;
    readonly requestPolicy?: RequestPolicy;
    readonly credentialHint: string;
}

/** The service name in every OSS error message. */
export const ossServiceName = "Alibaba OSS";

/**
 * The native OSS API over the global fetch, every request signed with OSS4-HMAC-SHA256. Every
 * request is bounded by the request policy's time limit and by cancellation; idempotent calls are
 * repeated after throttling, 5xx answers, resets and time-outs. Failures are ServiceErrors naming
 * the zone, endpoint, operation, HTTP status and OSS's own error code and message.
 *
 * Buckets are addressed by host name (`<bucket>.oss-<region>.aliyuncs.com`) as OSS requires, except
 * on endpoints that are IP addresses or localhost (a contract server), which get path-style URLs; the
 * signature is the same either way.
 */
export class OssClient {
    readonly requestPolicy: RequestPolicy;
    private readonly zones: Readonly<Record<string, ZoneSettings>>;
    private readonly credentialHint: string;
    declare private readonly credentials: Credentials;

    constructor(options: OssClientOptions) {
        this.zones = options.zones;
        this.requestPolicy = options.requestPolicy ?? defaultRequestPolicy;
        this.credentialHint = options.credentialHint;
        // Kept off the enumerable properties so that logging or serializing the client never prints it.
        Object.defineProperty(this, "credentials", { value: options.credentials, enumerable: false });
    }

    site(zone: string): CallSite {
        const settings = this.zoneSettings(zone);
        return { service: ossServiceName, zone, endpoint: settings.endpoint, credentialHint: credentialHintOf(zone, settings, this.credentialHint) };
    }

    /** Sends the call, repeating it when that is safe; throws a ServiceError for every answer outside 2xx. */
    async send(call: OssCall): Promise<OssAnswer> {
        const zone = this.zoneSettings(call.zone);
        const site = this.site(call.zone);
        // A zone of another owner signs with its own key pair; the rest with the stack's.
        const credentials = zoneCredentials({ zones: this.zones, credentials: this.credentials }, call.zone);
        const url = requestUrl(zone.endpoint, call.bucket, call.key, call.query);
        const body = call.body === undefined ? undefined : Buffer.isBuffer(call.body) ? call.body : Buffer.from(call.body, "utf8");
        return withRetries(this.requestPolicy, async (signal) => {
            const signingTime = new Date();
            const headers: Record<string, string> = {
                ...call.headers,
                "x-oss-date": ossDateTime(signingTime),
                "x-oss-content-sha256": unsignedPayload,
            };
            if (body && body.length > 0) {
                headers["content-type"] ??= "application/xml";
                // OSS wants Content-MD5 on some calls (DeleteMultipleObjects); sending it on every body costs nothing.
                headers["content-md5"] ??= createHash("md5").update(body).digest("base64");
            }
            // Signed per attempt: a repeat after a long backoff needs a fresh date.
            headers.authorization = signOssV4({
                method: call.method, bucket: call.bucket, key: call.key, query: call.query, headers,
                region: zone.region ?? call.zone,
                accessKeyId: credentials.accessKey, accessKeySecret: credentials.secretKey, signingTime,
            });
            let response: HttpAnswer;
            let answer: Buffer;
            try {
                response = await sendHttp(url, { method: call.method, headers, body, signal, connectTimeoutMs: this.requestPolicy.connectTimeoutMs });
                answer = response.body;
            } catch (error) {
                throw toServiceError(signal.aborted ? signal.reason : error, site, call.operation, this.requestPolicy.requestTimeoutMs);
            }
            if (response.status < 200 || response.status > 299) throw errorAnswer(site, call.operation, response, answer);
            return {
                status: response.status,
                headers: response.headers,
                body: answer,
                xml: (expectedRoot = ossAnswerRoot(call)) => {
                    if (expectedRoot === undefined) {
                        throw new Error(`internal error: ${call.operation} reads an XML answer without naming the document it expects`);
                    }
                    return readAnswerXml(answer.toString("utf8"), expectedRoot, {
                        where: site, operation: call.operation, httpStatus: response.status,
                        hint: `Check that the endpoint of zone '${call.zone}' in '${configKey("zones")}' is an OSS endpoint ` +
                            `(https://oss-<region>.aliyuncs.com), not a console or a proxy's own page.`,
                    });
                },
            };
        }, { idempotent: call.idempotent ?? true, log: call.log, onRetry: call.onRetry, call: { site, operation: call.operation } });
    }

    private zoneSettings(zone: string): ZoneSettings {
        const settings = this.zones[zone];
        if (!settings) {
            throw new Error(`Zone '${zone}' is not configured for Alibaba OSS; use one of ${Object.keys(this.zones).map((z) => `'${z}'`).join(", ")}, ` +
                `or add it to '${configKey("zones")}'.`);
        }
        return settings;
    }
}

/** Where a zone's key pair comes from, in words an error can quote: its own settings, else the stack's (`stackHint`). */
export function credentialHintOf(zone: string, settings: ZoneSettings | undefined, stackHint: string): string {
    return settings?.credentials
        ? `zone ${zone}'s own key pair, '${configKey(`zones.${zone}.accessKey`)}' and '${configKey(`zones.${zone}.secretKey`)}' in the stack configuration`
        : stackHint;
}

/** The root element of the document OSS answers each sub-resource with (GET, and POST for DeleteMultipleObjects). */
const answerRootsBySubresource: Readonly<Record<string, string>> = {
    tagging: "Tagging",
    versioning: "VersioningConfiguration",
    versions: "ListVersionsResult",
    delete: "DeleteResult",
    replication: "ReplicationConfiguration",
    replicationLocation: "ReplicationLocation",
    replicationProgress: "ReplicationProgress",
    bucketInfo: "BucketInfo",
};

/** The document a call's answer is, by its sub-resource; undefined for calls that answer none. */
export function ossAnswerRoot(call: Pick<OssCall, "method" | "query">): string | undefined {
    const names = Object.keys(call.query ?? {});
    if (call.method === "POST") return names.includes("delete") ? answerRootsBySubresource.delete : undefined;
    if (call.method !== "GET") return undefined;
    const subresource = names.find((name) => name !== "delete" && name in answerRootsBySubresource);
    return subresource === undefined ? undefined : answerRootsBySubresource[subresource];
}

/** The request URL: virtual-hosted on OSS's own endpoints, path-style on an IP address or localhost. */
export function requestUrl(endpoint: string, bucket: string | undefined, key: string | undefined, query: Readonly<Record<string, string>> | undefined): string {
    const base = new URL(endpoint);
    const pathStyle = isAddressOrLocalhost(base.hostname);
    const host = bucket && !pathStyle ? `${bucket}.${base.host}` : base.host;
    const path = bucket && pathStyle ? `/${bucket}/${key ?? ""}` : `/${key ?? ""}`;
    const search = Object.entries(query ?? {})
        .map(([name, value]) => (value === "" ? ossUriEncode(name) : `${ossUriEncode(name)}=${ossUriEncode(value)}`))
        .join("&");
    return `${base.protocol}//${host}${ossUriEncode(path, true)}${search ? `?${search}` : ""}`;
}

function isAddressOrLocalhost(hostname: string): boolean {
    return hostname === "localhost" || /^\d+\.\d+\.\d+\.\d+$/.test(hostname) || hostname.startsWith("[");
}

/** OSS's error document: <Error><Code/><Message/><RequestId/><EC/></Error>. */
function errorAnswer(site: CallSite, operation: string, response: HttpAnswer, body: Buffer): ServiceError {
    let code = `HTTP ${response.status}`;
    let message = response.statusText;
    let hint: string | undefined;
    const text = body.toString("utf8");
    if (text.trim().startsWith("<")) {
        try {
            const error = parseXml(text, "Error");
            code = textOf(error, "Code") || code;
            const ec = textOf(error, "EC");
            const requestId = textOf(error, "RequestId");
            message = [textOf(error, "Message") ?? "", ec ? `EC ${ec}` : "", requestId ? `request ${requestId}` : ""].filter(Boolean).join("; ");
        } catch (error) {
            if (!(error instanceof UnexpectedDocumentError)) throw error;
            message = `the answer is not OSS's error document: ${text.replace(/\s+/g, " ").slice(0, 300)}`;
        }
    } else if (response.headers.get("x-oss-err")) {
        // HEAD answers carry their error in a base64 header instead of a body.
        try {
            const error = parseXml(Buffer.from(response.headers.get("x-oss-err")!, "base64").toString("utf8"), "Error");
            code = textOf(error, "Code") || code;
            message = textOf(error, "Message") ?? message;
        } catch { /* keep the status */ }
    }
    if (response.status === 404 && code === `HTTP 404`) {
        hint = `Check that the endpoint of zone '${site.zone}' in '${configKey("zones")}' is the OSS endpoint of that region, with no path.`;
    }
    if (code === "SignatureDoesNotMatch") {
        hint = `Check the AccessKey secret (${site.credentialHint.replace(/\.$/, "")}), and that the zone's 'region' is the bucket's OSS region.`;
    }
    return new ServiceError({ where: site, operation, httpStatus: response.status, code, message, hint });
}

/** Reads `<Parent><Name>text</Name>...` helpers for the XML answers of OSS. */
export const xml = { child, childrenNamed, textOf };
