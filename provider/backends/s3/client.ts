import type { S3Client } from "@aws-sdk/client-s3";
import type { Credentials } from "../backend";

export interface S3Endpoint {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: Credentials;
}

/**
 * An S3 client for an S3-compatible service: path-style addressing, and request checksums only
 * where the API requires them (newer SDKs add CRC32 checksums that such services may refuse).
 */
export function s3Client(target: S3Endpoint): S3Client {
    const { S3Client } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    return new S3Client({
        endpoint: target.endpoint,
        region: target.region,
        forcePathStyle: true,
        credentials: { accessKeyId: target.credentials.accessKey, secretAccessKey: target.credentials.secretKey },
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        maxAttempts: 3,
    });
}

/** The S3 error code of a failed call (`NoSuchBucket`, ...), or its HTTP status as text. */
export function s3ErrorCode(error: unknown): string {
    const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    return e?.Code ?? e?.name ?? String(e?.$metadata?.httpStatusCode ?? "");
}

export function httpStatusOf(error: unknown): number | undefined {
    return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
