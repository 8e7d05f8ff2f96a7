import type { S3Client } from "@aws-sdk/client-s3";
import type { ProgressLog } from "../backend";
import { withRetries, RequestPolicy } from "../../transport/retry";
import { CallSite, ServiceError, toServiceError } from "../../transport/serviceError";
import type { Credentials } from "../backend";

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

/**
 * The S3 API of one zone of an S3-compatible service. Every call is bounded (connect and answer time
 * limits), honours cancellation, is retried by our shared policy when it is safe to repeat, and fails
 * as a ServiceError naming the zone, endpoint and operation.
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
    }

    /**
     * Sends `command` (named `operation` in messages). `idempotent: false` tries once; `onRetry` is told
     * of each failed attempt before the next one, for calls whose repeat answers differently.
     */
    async send<T>(operation: string, command: unknown, options: { idempotent?: boolean; log?: ProgressLog; onRetry?: (e: ServiceError) => void } = {}): Promise<T> {
        const client = this.s3();
        const timeoutMs = this.target.requestPolicy.requestTimeoutMs;
        return withRetries(this.target.requestPolicy, async (abortSignal) => {
            try {
                return await client.send(command as never, { abortSignal }) as T;
            } catch (error) {
                throw toServiceError(abortSignal.aborted ? abortSignal.reason : error, this.site, operation, timeoutMs);
            }
        }, options);
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
