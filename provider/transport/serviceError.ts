import { CancelledError } from "./cancellation";
import { configKey } from "../common/configKey";

/**
 * The one shape of every failed call to a storage service, whichever backend made it: where (zone
 * and endpoint), what (service and operation), the HTTP status and the service's own code and
 * message, and what to check. Its message never carries a stack trace or a credential.
 */
export class ServiceError extends Error {
    /** Where the call went, whole, so that a retry loop can describe the failure again (silence). */
    declare readonly where: CallSite;
    readonly zone: string;
    readonly endpoint: string;
    readonly operation: string;
    readonly httpStatus?: number;
    readonly code: string;
    readonly serviceMessage: string;
    readonly retryable: boolean;

    constructor(failure: FailureDetails) {
        super(formatFailure(failure));
        this.name = "ServiceError";
        // Not enumerable: the zone and endpoint are already fields of their own.
        Object.defineProperty(this, "where", { value: failure.where, enumerable: false });
        this.zone = failure.where.zone;
        this.endpoint = failure.where.endpoint;
        this.operation = failure.operation;
        this.httpStatus = failure.httpStatus;
        this.code = failure.code;
        this.serviceMessage = failure.message;
        this.retryable = failure.retryable ?? isRetryable(failure.httpStatus, failure.code);
    }
}

/** Where a call went, and what a user checks when the service refuses who they are. */
export interface CallSite {
    /** `MinIO`, `MinIO admin`, `Exoscale IAM`, `S3`... */
    readonly service: string;
    readonly zone: string;
    readonly endpoint: string;
    /** Configuration keys and environment variables that hold the credentials, in the backend's words. */
    readonly credentialHint: string;
    /** The configuration key that sets `endpoint`, for messages; by default the zone's entry in 'bucket-replication:zones'. */
    readonly endpointSetting?: string;
}

export interface FailureDetails {
    readonly where: CallSite;
    readonly operation: string;
    readonly httpStatus?: number;
    readonly code: string;
    readonly message: string;
    readonly retryable?: boolean;
    /** What to do, when more is known than the code tells. */
    readonly hint?: string;
}

// The codes every S3-like service shares; a service's own codes and hints stay in its backend folder
// (MinIO's server-not-initialized answer is a 503, retried by its status).
const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);
const retryableCodes = new Set([
    "SlowDown", "Throttling", "ThrottlingException", "TooManyRequests", "RequestTimeout", "RequestTimeTooSkewed",
    "InternalError", "ServiceUnavailable", "Timeout", "NetworkError",
    "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND_TEMPORARY", "UND_ERR_SOCKET", "UND_ERR_CLOSED",
]);
const authenticationCodes = new Set([
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken",
    "AuthorizationHeaderMalformed", "InvalidSignatureException", "Unauthorized", "Forbidden",
]);

/**
 * Whether a request on a bucket failed because the bucket does not exist: S3, its compatibles and
 * OSS all answer a GET on a missing bucket with the code NoSuchBucket.
 */
export function isNoSuchBucket(error: unknown): boolean {
    return error instanceof ServiceError && error.code === "NoSuchBucket";
}

export function isRetryable(httpStatus: number | undefined, code: string): boolean {
    if (retryableCodes.has(code)) return true;
    return httpStatus !== undefined && retryableStatuses.has(httpStatus);
}

/**
 * Turns whatever a client library threw (AWS SDK errors, fetch and socket errors, our own) into a
 * ServiceError for `operation` at `where`. Cancellation passes through unchanged.
 */
export function toServiceError(error: unknown, where: CallSite, operation: string, timeoutMs?: number): Error {
    if (error instanceof ServiceError || error instanceof CancelledError) return error;
    const e = error as {
        name?: string; message?: string; code?: string; Code?: string; errno?: string;
        cause?: { code?: string; message?: string; name?: string };
        $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number };
    };
    const httpStatus = e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
    const networkCode = e?.cause?.code ?? e?.code ?? e?.errno;
    const rawMessage = e?.cause?.message ?? e?.message ?? String(error);
    // The AWS SDK names resets "TimeoutError" too: the socket's own code says what happened.
    if (networkCode === "NoAnswer") {
        return new ServiceError({ where, operation, code: "Timeout", message: rawMessage, retryable: true, hint: silenceHint(where) });
    }
    const brokenConnection = /^(ECONNRESET|EPIPE|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EPROTO|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(networkCode ?? "");
    if (!brokenConnection && (e?.name === "TimeoutError" || networkCode === "ETIMEDOUT" || (e?.name === "AbortError" && timeoutMs !== undefined))) {
        return new ServiceError({
            where, operation, code: "Timeout", message: `no answer within ${timeoutMs ?? "the time limit of"} ms`, retryable: true,
            hint: `Check that ${where.endpoint} is the right endpoint and that the service is healthy, or raise '${configKey("requestTimeoutSeconds")}'.`,
        });
    }
    if (httpStatus === undefined) return networkFailure(where, operation, networkCode, rawMessage);
    const code = e?.Code ?? (e?.name && e.name !== "Error" && !/^\d+$/.test(e.name) ? e.name : undefined) ?? `HTTP ${httpStatus}`;
    return new ServiceError({ where, operation, httpStatus, code, message: cleanServiceMessage(e?.message ?? "") });
}

/**
 * The failure of a call whose endpoint accepted the connection and never started to answer, after
 * `attempts` attempts of `waitedMs` each: what happened and what to check, in the one shape.
 */
export function silenceFailure(error: ServiceError, waitedMs: number, attempts: number): ServiceError {
    // "no answer within N ms" as for every time-out, so that what matches one matches both.
    return new ServiceError({
        where: error.where, operation: error.operation, code: "Timeout", retryable: true,
        message: `no answer within ${Math.round(waitedMs)} ms${attempts > 1 ? `, on each of ${attempts} attempts` : ""}: ` +
            `the endpoint accepted the connection but never answered`,
        hint: silenceHint(error.where),
    });
}

function silenceHint(where: CallSite): string {
    const setting = where.endpointSetting ?? `the endpoint of zone '${where.zone}' in '${configKey("zones")}'`;
    return `Check ${setting} (${where.endpoint}), its host and port above all: another program on that port, or a proxy with ` +
        `no service behind it, takes connections and never answers. If the service is only slow to start answering, ` +
        `raise '${configKey("requestTimeoutSeconds")}' (an answer must start within half of it).`;
}

function networkFailure(where: CallSite, operation: string, networkCode: string | undefined, rawMessage: string): ServiceError {
    const text = `${networkCode ?? ""} ${rawMessage}`;
    if (/wrong version number|EPROTO|packet length too long|http_request/i.test(text)) {
        return new ServiceError({
            where, operation, code: "TLSMismatch", message: rawMessage, retryable: false,
            hint: `The endpoint ${where.endpoint} does not speak TLS: if the service serves plain HTTP, write 'http://' in '${configKey("zones")}'.`,
        });
    }
    if (/certificate|CERT_|self.signed|unable to verify/i.test(text)) {
        return new ServiceError({
            where, operation, code: "TLSCertificate", message: rawMessage, retryable: false,
            hint: `The TLS certificate of ${where.endpoint} is not trusted: check the endpoint's host name, or add its CA with NODE_EXTRA_CA_CERTS.`,
        });
    }
    if (/ENOTFOUND|EAI_AGAIN/i.test(text)) {
        return new ServiceError({
            where, operation, code: "ENOTFOUND", message: rawMessage, retryable: /EAI_AGAIN/.test(text),
            hint: `The host of ${where.endpoint} is not known: check the endpoint in '${configKey("zones")}'.`,
        });
    }
    if (networkCode === "ConnectTimeout") {
        return new ServiceError({
            where, operation, code: "ConnectTimeout", message: rawMessage, retryable: true,
            hint: `Nothing accepted the connection to ${where.endpoint} in time: check the endpoint and the network, or raise '${configKey("connectTimeoutSeconds")}'.`,
        });
    }
    const code = /ECONNREFUSED/.test(text) ? "ECONNREFUSED" : /ECONNRESET|socket hang up|other side closed|UND_ERR_SOCKET/i.test(text) ? "ECONNRESET" : networkCode ?? "NetworkError";
    return new ServiceError({
        where, operation, code, message: rawMessage, retryable: true,
        hint: code === "ECONNREFUSED" ? `Nothing accepts connections at ${where.endpoint}: check that the service runs there.`
            : `The connection to ${where.endpoint} broke: check the service's health and any proxy in between.`,
    });
}

/** The AWS SDK puts a generic text where the service sent none; keep only what the service said. */
function cleanServiceMessage(message: string): string {
    return message === "UnknownError" ? "" : message.replace(/\s+/g, " ").trim();
}

function formatFailure(f: FailureDetails): string {
    const status = f.httpStatus !== undefined ? `HTTP ${f.httpStatus} ` : "";
    const said = f.message ? `: ${f.message.replace(/\.$/, "")}` : "";
    const hint = f.hint ?? defaultHint(f);
    return `${f.where.service} ${f.operation} on zone '${f.where.zone}' (${f.where.endpoint}) failed: ${status}${f.code}${said}.` +
        (hint ? ` ${hint}` : "");
}

function defaultHint(f: FailureDetails): string | undefined {
    // A 403 without a body (HEAD requests) says nothing more: most often the credentials are wrong.
    const bareRefusal = f.httpStatus === 403 && (/^(Unknown|HTTP 403|403)$/.test(f.code) || f.code === "");
    if (authenticationCodes.has(f.code) || f.httpStatus === 401 || bareRefusal) {
        if (f.code === "AccessDenied" && /disabled/i.test(f.message)) {
            return `Check that the endpoint in '${configKey("zones")}' is the service's base URL, with no path.`;
        }
        return `Check the credentials: ${f.where.credentialHint}`;
    }
    if (f.code === "SlowDown" || f.httpStatus === 429 || f.httpStatus === 503) {
        return `The service is throttling or unavailable and kept refusing after retries; try again later, or raise '${configKey("maxRetries")}'.`;
    }
    if (f.httpStatus !== undefined && f.httpStatus >= 500) {
        return "The service failed and kept failing after retries; check its health, then run 'pulumi up' again.";
    }
    return undefined;
}
