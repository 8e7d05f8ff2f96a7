import type { IAMClient } from "@aws-sdk/client-iam";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Credentials, ProgressLog } from "../backend";
import { type CallOptions, type DeleteFailure, type ObjectRead, type S3Answer, type VersionPage, ZoneS3 } from "../s3/client";
import { withRetries, type RequestPolicy } from "../../transport/retry";
import { type CallSite, ServiceError, toServiceError } from "../../transport/serviceError";
import { type AwsCredentials, awsCredentialsOf } from "./credentials";
import { isAwsS3Endpoint } from "./regions";
import { configKey } from "../../common/configKey";

/**
 * The AWS SDK clients of the backend, on the shared transport: every call bounded by the request
 * policy's time limits, retried by withRetries (the SDK's own retries are off), cancellable, and
 * failing as a ServiceError.
 *
 * Credentials: the keys of the stack configuration when set, otherwise the SDK's default provider
 * chain (environment with session token, shared config and profiles, SSO, container and instance
 * metadata), which every client resolves by itself when given no credentials.
 */

function s3Sdk(): typeof import("@aws-sdk/client-s3") {
    return require("@aws-sdk/client-s3");
}

interface ClientTarget {
    readonly region: string;
    /** Undefined: the SDK's own endpoint for the region. */
    readonly endpoint?: string;
    readonly credentials: AwsCredentials;
    readonly requestPolicy: RequestPolicy;
}

/** What every client of this backend is configured with. */
function commonClientConfig(target: ClientTarget) {
    return {
        region: target.region,
        ...(target.endpoint ? { endpoint: target.endpoint } : {}),
        ...(target.credentials ? { credentials: target.credentials } : {}),
        // Retries are ours (withRetries), so that every backend retries alike and a create is never repeated blindly.
        maxAttempts: 1,
        requestHandler: { connectionTimeout: target.requestPolicy.connectTimeoutMs, requestTimeout: target.requestPolicy.requestTimeoutMs },
    };
}

/**
 * Sends `command` through `client` under the request policy, as operation `operation` at `site`.
 * `retryableCodes` adds service codes that are worth another attempt on this service.
 */
async function sendBounded<T>(
    client: { send(command: never, options: { abortSignal: AbortSignal }): Promise<unknown> },
    site: CallSite, policy: RequestPolicy, operation: string, command: unknown,
    options: { idempotent?: boolean; log?: ProgressLog; onRetry?: (e: ServiceError) => void; retryableCodes?: ReadonlySet<string> } = {},
): Promise<T> {
    return withRetries(policy, async (abortSignal) => {
        try {
            return await client.send(command as never, { abortSignal }) as T;
        } catch (error) {
            throw awsServiceError(abortSignal.aborted ? abortSignal.reason : error, site, operation, policy.requestTimeoutMs, options.retryableCodes);
        }
    }, options);
}

/** toServiceError, plus what only the AWS SDK throws: a credential chain that found nothing. */
export function awsServiceError(error: unknown, site: CallSite, operation: string, timeoutMs: number, retryableCodes?: ReadonlySet<string>): Error {
    const e = error as { name?: string; message?: string };
    if (e?.name === "CredentialsProviderError" || /Could not load credentials/i.test(e?.message ?? "")) {
        return new ServiceError({
            where: site, operation, code: "NoCredentials", message: e.message ?? "", retryable: false,
            hint: `Check the credentials: ${site.credentialHint}`,
        });
    }
    const converted = toServiceError(error, site, operation, timeoutMs);
    if (converted instanceof ServiceError && !converted.retryable && retryableCodes?.has(converted.code)) {
        return new ServiceError({
            where: site, operation, httpStatus: converted.httpStatus, code: converted.code, message: converted.serviceMessage, retryable: true,
        });
    }
    return converted;
}

export interface AwsZoneTarget {
    readonly zone: string;
    readonly region: string;
    readonly endpoint: string;
    readonly credentials: Credentials;
    readonly requestPolicy: RequestPolicy;
    readonly credentialHint: string;
}

/**
 * The S3 API of one region. It is a ZoneS3, so that the shared bucket code runs on it unchanged, but
 * sends through a client of its own: ZoneS3's client takes static keys only (no session token, no
 * credential chain) and addresses every endpoint path-style, where AWS's own endpoints take
 * virtual-hosted addressing. Its client adds the LocationConstraint of its region to CreateBucket.
 */
export class AwsZoneS3 extends ZoneS3 {
    readonly region: string;
    private readonly regionTarget: AwsZoneTarget;
    private regionClient?: S3Client;

    constructor(target: AwsZoneTarget) {
        super({ ...target, serviceName: "Amazon S3" });
        this.region = target.region;
        this.regionTarget = target;
    }

    /** Not for AWS: path-style requests signed with static keys are what S3-compatible services take; every caller above is overridden. */
    override async call(operation: string): Promise<S3Answer> {
        throw new Error(`${operation}: AwsZoneS3 sends through the AWS SDK, not ZoneS3.call.`);
    }

    override async send<T>(operation: string, command: unknown, options: CallOptions = {}): Promise<T> {
        return sendBounded<T>(this.regionS3(), this.site, this.regionTarget.requestPolicy, operation, command, options);
    }

    // The shared bucket and object calls, through the SDK: its client resolves the credential chain,
    // addresses AWS's endpoints virtual-hosted and adds the region's LocationConstraint to CreateBucket.

    override async headBucket(bucket: string): Promise<void> {
        await this.send(`HeadBucket of '${bucket}'`, new (s3Sdk().HeadBucketCommand)({ Bucket: bucket }));
    }

    override async createBucket(bucket: string, options: CallOptions): Promise<void> {
        await this.send(`CreateBucket of '${bucket}'`, new (s3Sdk().CreateBucketCommand)({ Bucket: bucket }), options);
    }

    override async deleteBucket(bucket: string): Promise<void> {
        await this.send(`DeleteBucket of '${bucket}'`, new (s3Sdk().DeleteBucketCommand)({ Bucket: bucket }));
    }

    override async listObjectVersions(bucket: string, page: { prefix?: string; maxKeys?: number; keyMarker?: string; versionIdMarker?: string }): Promise<VersionPage> {
        const result = await this.send<import("@aws-sdk/client-s3").ListObjectVersionsCommandOutput>(`ListObjectVersions of '${bucket}'`,
            new (s3Sdk().ListObjectVersionsCommand)({ Bucket: bucket, Prefix: page.prefix, MaxKeys: page.maxKeys, KeyMarker: page.keyMarker, VersionIdMarker: page.versionIdMarker }));
        const entry = (v: { Key?: string; VersionId?: string; LastModified?: Date }) => ({ key: v.Key ?? "", versionId: v.VersionId, lastModified: v.LastModified });
        return {
            versions: (result.Versions ?? []).map(entry),
            deleteMarkers: (result.DeleteMarkers ?? []).map(entry),
            isTruncated: result.IsTruncated === true,
            nextKeyMarker: result.NextKeyMarker,
            nextVersionIdMarker: result.NextVersionIdMarker,
        };
    }

    override async deleteObjects(bucket: string, entries: readonly { key: string; versionId?: string }[]): Promise<DeleteFailure[]> {
        const result = await this.send<import("@aws-sdk/client-s3").DeleteObjectsCommandOutput>(`DeleteObjects in '${bucket}'`,
            new (s3Sdk().DeleteObjectsCommand)({ Bucket: bucket, Delete: { Objects: entries.map((e) => ({ Key: e.key, VersionId: e.versionId })), Quiet: true } }));
        return (result.Errors ?? []).map((e) => ({ key: e.Key ?? "", versionId: e.VersionId, code: e.Code ?? "", message: e.Message ?? "" }));
    }

    override async getBucketTagging(bucket: string): Promise<Record<string, string>> {
        const result = await this.send<import("@aws-sdk/client-s3").GetBucketTaggingCommandOutput>(`GetBucketTagging of '${bucket}'`,
            new (s3Sdk().GetBucketTaggingCommand)({ Bucket: bucket }));
        return Object.fromEntries((result.TagSet ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
    }

    override async putBucketTagging(bucket: string, tags: Readonly<Record<string, string>>): Promise<void> {
        await this.send(`PutBucketTagging of '${bucket}'`, new (s3Sdk().PutBucketTaggingCommand)({
            Bucket: bucket, Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        }));
    }

    override async deleteBucketTagging(bucket: string): Promise<void> {
        await this.send(`DeleteBucketTagging of '${bucket}'`, new (s3Sdk().DeleteBucketTaggingCommand)({ Bucket: bucket }));
    }

    override async getBucketVersioning(bucket: string): Promise<string | undefined> {
        const result = await this.send<import("@aws-sdk/client-s3").GetBucketVersioningCommandOutput>(`GetBucketVersioning of '${bucket}'`,
            new (s3Sdk().GetBucketVersioningCommand)({ Bucket: bucket }));
        return result.Status;
    }

    override async putBucketVersioning(bucket: string, status: string): Promise<void> {
        await this.send(`PutBucketVersioning of '${bucket}'`, new (s3Sdk().PutBucketVersioningCommand)({
            Bucket: bucket, VersioningConfiguration: { Status: status as import("@aws-sdk/client-s3").BucketVersioningStatus },
        }));
    }

    override async putObject(bucket: string, key: string, body: string): Promise<{ versionId?: string }> {
        const result = await this.send<import("@aws-sdk/client-s3").PutObjectCommandOutput>(`PutObject of '${key}' in '${bucket}'`,
            new (s3Sdk().PutObjectCommand)({ Bucket: bucket, Key: key, Body: body }));
        return { versionId: result.VersionId };
    }

    override async getObject(bucket: string, key: string): Promise<ObjectRead> {
        const result = await this.send<import("@aws-sdk/client-s3").GetObjectCommandOutput>(`GetObject of '${key}' in '${bucket}'`,
            new (s3Sdk().GetObjectCommand)({ Bucket: bucket, Key: key }));
        return { body: (await result.Body?.transformToString()) ?? "", versionId: result.VersionId, replicationStatus: result.ReplicationStatus };
    }

    override async headObject(bucket: string, key: string, versionId?: string): Promise<{ replicationStatus?: string }> {
        const result = await this.send<import("@aws-sdk/client-s3").HeadObjectCommandOutput>(`HeadObject of '${key}' in '${bucket}'`,
            new (s3Sdk().HeadObjectCommand)({ Bucket: bucket, Key: key, VersionId: versionId }));
        return { replicationStatus: result.ReplicationStatus };
    }

    private regionS3(): S3Client {
        if (this.regionClient) return this.regionClient;
        const { S3Client } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        const ownEndpoint = isAwsS3Endpoint(this.regionTarget.endpoint, this.region);
        this.regionClient = new S3Client({
            ...commonClientConfig({
                region: this.region,
                endpoint: ownEndpoint ? undefined : this.regionTarget.endpoint,
                credentials: awsCredentialsOf(this.regionTarget.credentials),
                requestPolicy: this.regionTarget.requestPolicy,
            }),
            // Stand-ins such as moto answer on one host: path-style there, the SDK's choice on AWS.
            forcePathStyle: !ownEndpoint,
            requestChecksumCalculation: "WHEN_REQUIRED",
            responseChecksumValidation: "WHEN_REQUIRED",
        });
        return this.regionClient;
    }
}

/** IAM codes that say "try again shortly": IAM serializes changes to one role and answers overlaps so. */
const iamRetryableCodes: ReadonlySet<string> = new Set(["ConcurrentModification", "ConcurrentModificationException",
    "EntityTemporarilyUnmodifiable", "EntityTemporarilyUnmodifiableException", "ServiceFailure", "ServiceFailureException"]);

export interface AwsIamTarget {
    /** Undefined: the partition's IAM endpoint (https://iam.amazonaws.com for aws). */
    readonly endpoint?: string;
    /** The region IAM requests are signed for: us-east-1 in the aws partition. */
    readonly region: string;
    readonly credentials: Credentials;
    readonly requestPolicy: RequestPolicy;
    readonly credentialHint: string;
}

/** AWS IAM, a global service: one client for every zone. */
export class AwsIam {
    readonly site: CallSite;
    private readonly target: AwsIamTarget;
    private iamClient?: IAMClient;

    constructor(target: AwsIamTarget) {
        this.target = target;
        const endpoint = target.endpoint ?? (target.region.startsWith("cn-") ? "https://iam.cn-north-1.amazonaws.com.cn" : "https://iam.amazonaws.com");
        this.site = {
            service: "AWS IAM", zone: "global", endpoint,
            credentialHint: `${target.credentialHint.replace(/\.?$/, ".")} IAM is reached at ${endpoint}` +
                (target.endpoint ? ` ('${configKey("iamEndpoint")}').` : `; set '${configKey("iamEndpoint")}' to use another, such as a local stand-in.`),
        };
    }

    async send<T>(operation: string, command: unknown, options: { idempotent?: boolean; log?: ProgressLog; onRetry?: (e: ServiceError) => void } = {}): Promise<T> {
        return sendBounded<T>(this.client(), this.site, this.target.requestPolicy, operation, command, { ...options, retryableCodes: iamRetryableCodes });
    }

    private client(): IAMClient {
        if (this.iamClient) return this.iamClient;
        const { IAMClient } = require("@aws-sdk/client-iam") as typeof import("@aws-sdk/client-iam");
        this.iamClient = new IAMClient(commonClientConfig({
            region: this.target.region,
            endpoint: this.target.endpoint,
            credentials: awsCredentialsOf(this.target.credentials),
            requestPolicy: this.target.requestPolicy,
        }));
        return this.iamClient;
    }
}
