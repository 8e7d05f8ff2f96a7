import type { BucketRef, ObjectVersionRef, ObservedVersioning, ProgressLog, StoredObject, VersioningStatus } from "../backend";
import { ServiceError } from "../../transport/serviceError";
import type { ZoneS3 } from "./client";
import { isMissingBucket } from "./missingBucket";

/** Bucket, tag and versioning calls that every S3-compatible service answers alike. */

export async function bucketExists(s3: ZoneS3, bucket: string): Promise<boolean> {
    try {
        await s3.headBucket(bucket);
        return true;
    } catch (error) {
        if (isMissingBucket(error)) return false;
        throw error;
    }
}

/**
 * Creates the bucket; "exists" when this account already owns a bucket of that name. A create that
 * failed in transit may have taken effect: when a repeat then finds the bucket, it was this call's.
 */
export async function createBucket(s3: ZoneS3, bucket: string): Promise<"created" | "exists"> {
    let mayHaveTakenEffect = false;
    try {
        await s3.createBucket(bucket, {
            onRetry: (error) => { mayHaveTakenEffect ||= error.httpStatus === undefined || error.httpStatus >= 500; },
        });
        return "created";
    } catch (error) {
        const code = error instanceof ServiceError ? error.code : "";
        if (code === "BucketAlreadyOwnedByYou") return mayHaveTakenEffect ? "created" : "exists";
        if (code === "BucketAlreadyExists") {
            throw new Error(`Bucket name '${bucket}' in zone ${s3.zone} is taken by another account (bucket names are global there). ` +
                `Choose another 'name', or leave 'name' unset to get one derived from this stack.`);
        }
        throw error;
    }
}

export async function deleteBucket(s3: ZoneS3, bucket: string): Promise<void> {
    try {
        await s3.deleteBucket(bucket);
    } catch (error) {
        if (isMissingBucket(error)) return;
        throw error;
    }
}

/** Counts object versions and delete markers, stopping at `limit`. */
export async function countVersions(s3: ZoneS3, bucket: string, limit: number): Promise<number> {
    const page = await s3.listObjectVersions(bucket, { maxKeys: limit });
    return page.versions.length + page.deleteMarkers.length;
}

/** Deletes every object version and delete marker, page by page, logging progress. */
export async function deleteAllVersions(s3: ZoneS3, bucket: string, log: ProgressLog): Promise<number> {
    let deleted = 0;
    for (;;) {
        const page = await s3.listObjectVersions(bucket, { maxKeys: 1000 });
        const entries = [...page.versions, ...page.deleteMarkers].map((v) => ({ key: v.key, versionId: v.versionId }));
        if (entries.length === 0) return deleted;
        const failures = await s3.deleteObjects(bucket, entries);
        if (failures.length > 0) {
            const first = failures[0];
            throw new Error(`Could not delete '${first.key}' (version ${first.versionId}) from bucket '${bucket}' in zone ${s3.zone}: ${first.code} ${first.message}`);
        }
        deleted += entries.length;
        log(`bucket '${bucket}': deleted ${deleted} object versions and delete markers so far`);
    }
}

export async function getBucketTags(s3: ZoneS3, bucket: string): Promise<Record<string, string>> {
    try {
        return await s3.getBucketTagging(bucket);
    } catch (error) {
        if (error instanceof ServiceError && (error.code === "NoSuchTagSet" || error.code === "NoSuchTagSetError")) return {};
        throw error;
    }
}

export async function putBucketTags(s3: ZoneS3, bucket: string, tags: Readonly<Record<string, string>>): Promise<void> {
    if (Object.keys(tags).length === 0) {
        await s3.deleteBucketTagging(bucket);
        return;
    }
    await s3.putBucketTagging(bucket, tags);
}

export async function getVersioning(s3: ZoneS3, bucket: string): Promise<ObservedVersioning> {
    const status = await s3.getBucketVersioning(bucket);
    return status === "Enabled" || status === "Suspended" ? status : "Unversioned";
}

export async function putVersioning(s3: ZoneS3, bucket: string, status: VersioningStatus): Promise<void> {
    await s3.putBucketVersioning(bucket, status);
}

/** The versioning of a bucket, or "Missing" when it does not exist (yet). */
export async function versioningOrMissing(s3: ZoneS3, bucket: string): Promise<ObservedVersioning | "Missing"> {
    try {
        return await getVersioning(s3, bucket);
    } catch (error) {
        if (isMissingBucket(error)) return "Missing";
        throw error;
    }
}

/** Writes a small text object; the version ID where the bucket is versioned. */
export async function putObject(s3: ZoneS3, bucket: string, key: string, body: string): Promise<{ versionId?: string }> {
    return s3.putObject(bucket, key, body);
}

/** The current version of an object with its replication status; undefined when there is none. */
export async function getObject(s3: ZoneS3, bucket: string, key: string): Promise<StoredObject | undefined> {
    try {
        return await s3.getObject(bucket, key);
    } catch (error) {
        if (error instanceof ServiceError && (error.code === "NoSuchKey" || (error.httpStatus === 404 && error.code !== "NoSuchBucket"))) return undefined;
        throw error;
    }
}

/** Every version and delete marker under `prefix`, page by page. */
export async function listObjectVersions(s3: ZoneS3, bucket: string, prefix: string): Promise<ObjectVersionRef[]> {
    const found: ObjectVersionRef[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
        const page = await s3.listObjectVersions(bucket, { prefix, keyMarker, versionIdMarker });
        for (const v of page.versions) found.push({ key: v.key, versionId: v.versionId, deleteMarker: false });
        for (const m of page.deleteMarkers) found.push({ key: m.key, versionId: m.versionId, deleteMarker: true });
        if (!page.isTruncated) return found;
        keyMarker = page.nextKeyMarker;
        versionIdMarker = page.nextVersionIdMarker;
    }
}

/** Deletes these versions and delete markers by version ID, so that no delete marker is made. */
export async function deleteObjectVersions(s3: ZoneS3, bucket: string, versions: readonly ObjectVersionRef[]): Promise<void> {
    for (let start = 0; start < versions.length; start += 1000) {
        const entries = versions.slice(start, start + 1000).map((v) => ({ key: v.key, versionId: v.versionId }));
        const failed = (await s3.deleteObjects(bucket, entries)).filter((e) => e.code !== "NoSuchVersion" && e.code !== "NoSuchKey");
        if (failed.length > 0) {
            throw new Error(`Could not delete '${failed[0].key}' (version ${failed[0].versionId}) from bucket '${bucket}' in zone ${s3.zone}: ${failed[0].code} ${failed[0].message}`);
        }
    }
}

/** The buckets of one zone and an operation on one of them, as the backend interface names them. */
export type BucketOperations = Pick<import("../backend").StorageBackend,
    "bucketExists" | "createBucket" | "countVersions" | "emptyAndDeleteBucket" | "deleteBucket" | "getBucketTags" |
    "putBucketTags" | "getVersioning" | "putVersioning">;

/**
 * The bucket half of a backend for every S3-compatible service, given the zone's S3 API. Backends
 * extend it and add roles and replication.
 */
export abstract class S3CompatibleBuckets implements BucketOperations {
    protected abstract s3(zone: string): ZoneS3;

    async bucketExists(ref: BucketRef) { return bucketExists(this.s3(ref.zone), ref.bucket); }
    async createBucket(ref: BucketRef) { return createBucket(this.s3(ref.zone), ref.bucket); }
    async countVersions(ref: BucketRef, limit: number) { return countVersions(this.s3(ref.zone), ref.bucket, limit); }
    async deleteBucket(ref: BucketRef) { return deleteBucket(this.s3(ref.zone), ref.bucket); }
    async getBucketTags(ref: BucketRef) { return getBucketTags(this.s3(ref.zone), ref.bucket); }
    async putBucketTags(ref: BucketRef, tags: Readonly<Record<string, string>>) { return putBucketTags(this.s3(ref.zone), ref.bucket, tags); }
    async getVersioning(ref: BucketRef) { return getVersioning(this.s3(ref.zone), ref.bucket); }
    async putVersioning(ref: BucketRef, status: VersioningStatus) { return putVersioning(this.s3(ref.zone), ref.bucket, status); }

    async emptyAndDeleteBucket(ref: BucketRef, log: ProgressLog): Promise<void> {
        const deleted = await deleteAllVersions(this.s3(ref.zone), ref.bucket, log);
        log(`bucket '${ref.bucket}' in zone ${ref.zone}: emptied (${deleted} object versions and delete markers in total); deleting it`, { lasting: true });
        await deleteBucket(this.s3(ref.zone), ref.bucket);
    }

    async putObject(ref: BucketRef, key: string, body: string) { return putObject(this.s3(ref.zone), ref.bucket, key, body); }
    async getObject(ref: BucketRef, key: string) { return getObject(this.s3(ref.zone), ref.bucket, key); }
    async listObjectVersions(ref: BucketRef, prefix: string) { return listObjectVersions(this.s3(ref.zone), ref.bucket, prefix); }
    async deleteObjectVersions(ref: BucketRef, versions: readonly ObjectVersionRef[]) { return deleteObjectVersions(this.s3(ref.zone), ref.bucket, versions); }

    protected versioningOrMissing(ref: BucketRef) { return versioningOrMissing(this.s3(ref.zone), ref.bucket); }
}
