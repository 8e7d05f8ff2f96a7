import { rawS3 } from "./localZones";
import { eventually } from "./wait";

const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

export interface ObjectView {
    readonly body: string;
    readonly replicationStatus?: string;
    readonly versionId?: string;
}

/** Reads an object straight from a zone, with its x-amz-replication-status; undefined when absent. */
export async function readObject(zone: string, bucket: string, key: string): Promise<ObjectView | undefined> {
    try {
        const result = await rawS3(zone).send(new (s3().GetObjectCommand)({ Bucket: bucket, Key: key }));
        return { body: await result.Body!.transformToString(), replicationStatus: result.ReplicationStatus, versionId: result.VersionId };
    } catch (error) {
        if ((error as { name?: string }).name === "NoSuchKey") return undefined;
        throw error;
    }
}

export async function putObject(zone: string, bucket: string, key: string, body: string): Promise<void> {
    await rawS3(zone).send(new (s3().PutObjectCommand)({ Bucket: bucket, Key: key, Body: body }));
}

export async function deleteObject(zone: string, bucket: string, key: string): Promise<void> {
    await rawS3(zone).send(new (s3().DeleteObjectCommand)({ Bucket: bucket, Key: key }));
}

export async function versionsOf(zone: string, bucket: string, key: string): Promise<{ versions: number; deleteMarkers: number }> {
    const result = await rawS3(zone).send(new (s3().ListObjectVersionsCommand)({ Bucket: bucket, Prefix: key }));
    return {
        versions: (result.Versions ?? []).filter((v) => v.Key === key).length,
        deleteMarkers: (result.DeleteMarkers ?? []).filter((v) => v.Key === key).length,
    };
}

/** Waits until the object is in `zone` with the expected bytes and replication status. */
export function replicated(zone: string, bucket: string, key: string, body: string, status: string | RegExp): Promise<ObjectView> {
    return eventually(`${key} in ${zone}/${bucket} with status ${status}`, async () => {
        const view = await readObject(zone, bucket, key);
        if (!view || view.body !== body) return undefined;
        const matches = typeof status === "string" ? view.replicationStatus === status : status.test(view.replicationStatus ?? "");
        return matches ? view : undefined;
    });
}
