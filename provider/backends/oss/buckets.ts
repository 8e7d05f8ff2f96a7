import type { BucketRef, ObjectVersionRef, ObservedVersioning, ProgressLog, StoredObject, VersioningStatus } from "../backend";
import { isMissingBucket } from "../s3/missingBucket";
import { toXml } from "../s3/xml";
import { ServiceError } from "../../transport/serviceError";
import { type OssClient, xml } from "./ossClient";
import { isCode } from "./ramClient";

/**
 * OSS buckets, their tags and versioning, and objects (for verifying a topology with canaries),
 * through OSS's native API. OSS's replica status header is not relied on: a canary counts as
 * delivered when the destination holds the same bytes.
 */
export class OssBuckets {
    constructor(readonly oss: OssClient) {}

    async bucketExists(ref: BucketRef): Promise<boolean> {
        try {
            await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { bucketInfo: "" }, operation: `GetBucketInfo of '${ref.bucket}'` });
            return true;
        } catch (error) {
            if (isMissingBucket(error)) return false;
            throw error;
        }
    }

    /**
     * Creates the bucket. OSS answers BucketAlreadyExists whoever owns the name: when this account can
     * read the bucket it is its own ("exists", and the caller looks for its marker), else the name is
     * someone else's. A create that may have taken effect before a retry counts as "created".
     */
    async createBucket(ref: BucketRef): Promise<"created" | "exists"> {
        let mayHaveTakenEffect = false;
        try {
            await this.oss.send({
                zone: ref.zone, bucket: ref.bucket, method: "PUT", operation: `PutBucket '${ref.bucket}'`,
                onRetry: (error) => { mayHaveTakenEffect ||= error.httpStatus === undefined || error.httpStatus >= 500; },
            });
            return "created";
        } catch (error) {
            if (!isCode(error, "BucketAlreadyExists")) throw error;
            let ours: boolean;
            try {
                ours = await this.bucketExists(ref);
            } catch (readError) {
                if (readError instanceof ServiceError && readError.code === "AccessDenied") ours = false;
                else throw readError;
            }
            if (!ours) {
                throw new Error(`Bucket name '${ref.bucket}' is taken by another Alibaba Cloud account (OSS bucket names are global). ` +
                    `Choose another 'name', or leave 'name' unset to get one derived from this stack.`);
            }
            return mayHaveTakenEffect ? "created" : "exists";
        }
    }

    async countVersions(ref: BucketRef, limit: number): Promise<number> {
        const page = await this.listVersions(ref, limit);
        return page.entries.length;
    }

    async emptyAndDeleteBucket(ref: BucketRef, log: ProgressLog): Promise<void> {
        let deleted = 0;
        for (;;) {
            const page = await this.listVersions(ref, 1000);
            if (page.entries.length === 0) break;
            const body = toXml("Delete", {
                Quiet: "true",
                Object: page.entries.map((entry) => ({ Key: entry.key, ...(entry.versionId ? { VersionId: entry.versionId } : {}) })),
            });
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "POST", query: { delete: "" }, body,
                operation: `DeleteMultipleObjects in '${ref.bucket}'`, log });
            const failed = xml.childrenNamed(answer.body.length > 0 ? answer.xml() : undefined, "Error");
            if (failed.length > 0) {
                throw new Error(`Could not delete '${xml.textOf(failed[0], "Key")}' from bucket '${ref.bucket}' in zone ${ref.zone}: ${xml.textOf(failed[0], "Code")} ${xml.textOf(failed[0], "Message") ?? ""}`);
            }
            deleted += page.entries.length;
            log(`bucket '${ref.bucket}': deleted ${deleted} object versions and delete markers so far`);
        }
        log(`bucket '${ref.bucket}' in zone ${ref.zone}: emptied (${deleted} object versions and delete markers in total); deleting it`);
        await this.deleteBucket(ref);
    }

    async deleteBucket(ref: BucketRef): Promise<void> {
        try {
            await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "DELETE", operation: `DeleteBucket '${ref.bucket}'` });
        } catch (error) {
            if (isMissingBucket(error)) return;
            throw error;
        }
    }

    async getBucketTags(ref: BucketRef): Promise<Record<string, string>> {
        try {
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { tagging: "" }, operation: `GetBucketTags of '${ref.bucket}'` });
            const tags = xml.childrenNamed(xml.child(answer.xml(), "TagSet"), "Tag");
            return Object.fromEntries(tags.map((tag) => [xml.textOf(tag, "Key") ?? "", xml.textOf(tag, "Value") ?? ""]));
        } catch (error) {
            if (isCode(error, "NoSuchTagSet")) return {};
            throw error;
        }
    }

    /**
     * Replaces the bucket's tags. OSS takes 20 tags per bucket, keys up to 64 bytes that do not start
     * with 'aliyun', 'acs:', 'http://' or 'https://'; the ownership tag `pulumi-bucket-replication:owner`
     * fits those rules, so it keeps its spelling here.
     */
    async putBucketTags(ref: BucketRef, tags: Readonly<Record<string, string>>): Promise<void> {
        const entries = Object.entries(tags);
        if (entries.length === 0) {
            await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "DELETE", query: { tagging: "" }, operation: `DeleteBucketTags of '${ref.bucket}'` });
            return;
        }
        const body = toXml("Tagging", { TagSet: { Tag: entries.map(([Key, Value]) => ({ Key, Value })) } });
        await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "PUT", query: { tagging: "" }, body, operation: `PutBucketTags of '${ref.bucket}'` });
    }

    async getVersioning(ref: BucketRef): Promise<ObservedVersioning> {
        const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { versioning: "" }, operation: `GetBucketVersioning of '${ref.bucket}'` });
        const status = xml.textOf(answer.xml(), "Status");
        return status === "Enabled" || status === "Suspended" ? status : "Unversioned";
    }

    async putVersioning(ref: BucketRef, status: VersioningStatus): Promise<void> {
        const body = toXml("VersioningConfiguration", { Status: status });
        try {
            await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "PUT", query: { versioning: "" }, body, operation: `PutBucketVersioning of '${ref.bucket}'` });
        } catch (error) {
            if (error instanceof ServiceError && error.httpStatus === 409) {
                throw new Error(`${error.message}\nOSS does not change the versioning of a bucket that takes part in replication: delete the ReplicationConfiguration ` +
                    `that names '${ref.bucket}' (and wait until OSS has closed its rules) before changing its versioning.`);
            }
            throw error;
        }
    }

    async versioningOrMissing(ref: BucketRef): Promise<ObservedVersioning | "Missing"> {
        try {
            return await this.getVersioning(ref);
        } catch (error) {
            if (isMissingBucket(error)) return "Missing";
            throw error;
        }
    }

    private async listVersions(ref: BucketRef, limit: number): Promise<{ entries: { key: string; versionId?: string }[] }> {
        const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { versions: "", "max-keys": String(limit) },
            operation: `ListObjectVersions of '${ref.bucket}'` });
        const document = answer.xml();
        const entries = [...xml.childrenNamed(document, "Version"), ...xml.childrenNamed(document, "DeleteMarker")]
            .map((entry) => ({ key: xml.textOf(entry, "Key") ?? "", versionId: xml.textOf(entry, "VersionId") }));
        return { entries: entries.slice(0, limit) };
    }

    // Objects, for verifying a topology with canaries. OSS's replica status header is not relied on:
    // a canary counts as delivered when the destination holds the same bytes.

    async putObject(ref: BucketRef, key: string, body: string): Promise<{ versionId?: string }> {
        const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, key, method: "PUT", body, headers: { "content-type": "text/plain" },
            operation: `PutObject of '${key}' in '${ref.bucket}'` });
        return { versionId: answer.headers.get("x-oss-version-id") ?? undefined };
    }

    async getObject(ref: BucketRef, key: string): Promise<StoredObject | undefined> {
        try {
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, key, method: "GET", operation: `GetObject of '${key}' in '${ref.bucket}'` });
            return { body: answer.body.toString("utf8"), versionId: answer.headers.get("x-oss-version-id") ?? undefined };
        } catch (error) {
            if (isCode(error, "NoSuchKey")) return undefined;
            throw error;
        }
    }

    async listObjectVersions(ref: BucketRef, prefix: string): Promise<ObjectVersionRef[]> {
        const found: ObjectVersionRef[] = [];
        let markers: Record<string, string> = {};
        for (;;) {
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { versions: "", prefix, ...markers },
                operation: `ListObjectVersions of '${ref.bucket}'` });
            const document = answer.xml();
            for (const [name, deleteMarker] of [["Version", false], ["DeleteMarker", true]] as const) {
                for (const entry of xml.childrenNamed(document, name)) {
                    found.push({ key: xml.textOf(entry, "Key") ?? "", versionId: xml.textOf(entry, "VersionId"), deleteMarker });
                }
            }
            if (xml.textOf(document, "IsTruncated") !== "true") return found;
            markers = { "key-marker": xml.textOf(document, "NextKeyMarker") ?? "", "version-id-marker": xml.textOf(document, "NextVersionIdMarker") ?? "" };
        }
    }

    async deleteObjectVersions(ref: BucketRef, versions: readonly ObjectVersionRef[]): Promise<void> {
        for (let start = 0; start < versions.length; start += 1000) {
            const body = toXml("Delete", {
                Quiet: "true",
                Object: versions.slice(start, start + 1000).map((v) => ({ Key: v.key, ...(v.versionId ? { VersionId: v.versionId } : {}) })),
            });
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "POST", query: { delete: "" }, body,
                operation: `DeleteMultipleObjects in '${ref.bucket}'` });
            const failed = xml.childrenNamed(answer.body.length > 0 ? answer.xml() : undefined, "Error");
            if (failed.length > 0) {
                throw new Error(`Could not delete '${xml.textOf(failed[0], "Key")}' from bucket '${ref.bucket}' in zone ${ref.zone}: ${xml.textOf(failed[0], "Code")} ${xml.textOf(failed[0], "Message") ?? ""}`);
            }
        }
    }
}
