import type { S3Client } from "@aws-sdk/client-s3";
import type { ObservedVersioning, ProgressLog, VersioningStatus } from "../backend";
import { httpStatusOf, s3ErrorCode } from "./client";

/** Bucket and versioning calls that every S3-compatible service answers alike. */

export async function bucketExists(client: S3Client, bucket: string): Promise<boolean> {
    const { HeadBucketCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        return true;
    } catch (error) {
        if (httpStatusOf(error) === 404 || s3ErrorCode(error) === "NotFound" || s3ErrorCode(error) === "NoSuchBucket") {
            return false;
        }
        throw error;
    }
}

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
    const { CreateBucketCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
        const code = s3ErrorCode(error);
        if (code === "BucketAlreadyOwnedByYou") {
            throw new Error(`Bucket '${bucket}' already exists in this account. Choose another 'name', or leave 'name' unset to get a unique one.`);
        }
        if (code === "BucketAlreadyExists") {
            throw new Error(`Bucket name '${bucket}' is taken by another account. Choose another 'name', or leave 'name' unset to get a unique one.`);
        }
        throw error;
    }
}

export async function deleteBucket(client: S3Client, bucket: string): Promise<void> {
    const { DeleteBucketCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    try {
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch (error) {
        if (s3ErrorCode(error) === "NoSuchBucket") return;
        throw error;
    }
}

/** Counts object versions and delete markers, stopping at `limit`. */
export async function countVersions(client: S3Client, bucket: string, limit: number): Promise<number> {
    const { ListObjectVersionsCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: limit }));
    return (page.Versions?.length ?? 0) + (page.DeleteMarkers?.length ?? 0);
}

/** Deletes every object version and delete marker, page by page, logging progress. */
export async function deleteAllVersions(client: S3Client, bucket: string, log: ProgressLog): Promise<number> {
    const { ListObjectVersionsCommand, DeleteObjectsCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    let deleted = 0;
    for (;;) {
        const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
        const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
            .map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
        if (entries.length === 0) return deleted;
        const result = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: entries, Quiet: true } }));
        if (result.Errors && result.Errors.length > 0) {
            const first = result.Errors[0];
            throw new Error(`Could not delete '${first.Key}' (version ${first.VersionId}) from bucket '${bucket}': ${first.Code} ${first.Message}`);
        }
        deleted += entries.length;
        log(`bucket '${bucket}': deleted ${deleted} object versions and delete markers so far`);
    }
}

export async function getBucketTags(client: S3Client, bucket: string): Promise<Record<string, string>> {
    const { GetBucketTaggingCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    try {
        const result = await client.send(new GetBucketTaggingCommand({ Bucket: bucket }));
        return Object.fromEntries((result.TagSet ?? []).map((t) => [t.Key!, t.Value ?? ""]));
    } catch (error) {
        if (s3ErrorCode(error) === "NoSuchTagSet" || s3ErrorCode(error) === "NoSuchTagSetError") return {};
        throw error;
    }
}

export async function putBucketTags(client: S3Client, bucket: string, tags: Readonly<Record<string, string>>): Promise<void> {
    const { PutBucketTaggingCommand, DeleteBucketTaggingCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const tagSet = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (tagSet.length === 0) {
        await client.send(new DeleteBucketTaggingCommand({ Bucket: bucket }));
        return;
    }
    await client.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tagSet } }));
}

export async function getVersioning(client: S3Client, bucket: string): Promise<ObservedVersioning> {
    const { GetBucketVersioningCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const result = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    return result.Status === "Enabled" || result.Status === "Suspended" ? result.Status : "Unversioned";
}

export async function putVersioning(client: S3Client, bucket: string, status: VersioningStatus): Promise<void> {
    const { PutBucketVersioningCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }));
}
