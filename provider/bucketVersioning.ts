import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import { withoutStackTraces } from "./cleanErrors";
import type { BucketRef, VersioningStatus } from "./backends/backend";
import { bucketId, parseBucketId } from "./bucket";
import { configureFrom, configuredZones, currentBackend } from "./context";
import { progressLog } from "./progress";
import { isNoSuchBucket } from "./transport/serviceError";
import { declareVersioning } from "./declarations";
import { collectFailures, isUnknown, zoneProblems, lazySchema } from "./validation";

export interface BucketVersioningInputs {
    readonly bucket: string;
    readonly zone: string;
    readonly status: "Enabled" | "Suspended";
}

/** `status` as last read from the service; `Unversioned` after a refresh means versioning was never on. */
export type BucketVersioningOutputs = Omit<BucketVersioningInputs, "status"> & { readonly status: string };

const versioningSchema = lazySchema((z) => z.object({
    bucket: z.string({ error: "'bucket' is required: pass the bucket's name, such as `bucket.name`." }),
    zone: z.string({ error: "'zone' is required: pass the bucket's zone, such as `bucket.zone`." }),
    status: z.enum(["Enabled", "Suspended"], { error: "'status' must be \"Enabled\" or \"Suspended\" (S3 cannot turn versioning off once on)." }),
}));

export const provider: dynamic.ResourceProvider<BucketVersioningInputs, BucketVersioningOutputs> = withoutStackTraces({
    async configure(request) {
        configureFrom(request);
    },

    async check(olds, news) {
        const problems = zoneProblems(news.zone, configuredZones()).map((message) => ({ path: ["zone"], message }));
        if ([news.zone, news.bucket, news.status].every((v) => typeof v === "string" && !isUnknown(v))) declareVersioning(news.zone, news.bucket, news.status);
        return { inputs: news, failures: collectFailures(versioningSchema, news as unknown as Record<string, unknown>, problems, { olds, checked: news }) };
    },

    async diff(_id, olds, news) {
        const replaces = (["bucket", "zone"] as const).filter((key) => olds[key] !== news[key]);
        return { changes: replaces.length > 0 || olds.status !== news.status, replaces, deleteBeforeReplace: true };
    },

    async create(inputs) {
        const ref = { zone: inputs.zone, bucket: inputs.bucket };
        await putAndVerify(ref, inputs.status);
        return { id: bucketId(ref), outs: { ...inputs } };
    },

    async read(id, props) {
        const ref = parseBucketId(id);
        const backend = currentBackend();
        // One request: a missing bucket answers NoSuchBucket to the versioning read too.
        const status = await backend.getVersioning(ref).catch((error) => { if (isNoSuchBucket(error)) return undefined; throw error; });
        if (!status) return {};
        const outs = { bucket: ref.bucket, zone: ref.zone, status };
        return { id, props: outs, inputs: { ...props, ...outs } };
    },

    async update(_id, _olds, news) {
        await putAndVerify({ zone: news.zone, bucket: news.bucket }, news.status);
        return { outs: { ...news } };
    },

    async delete(id) {
        const ref = parseBucketId(id);
        const backend = currentBackend();
        const status = await backend.getVersioning(ref).catch((error) => { if (isNoSuchBucket(error)) return undefined; throw error; });
        if (status !== "Enabled") return;
        // S3 can only suspend versioning; existing versions are kept.
        await backend.putVersioning(ref, "Suspended");
        progressLog(`versioning ${ref.bucket}`)(`versioning of bucket '${ref.bucket}' in zone ${ref.zone} is now Suspended ` +
            `(S3 cannot turn it off); the object versions it kept are still there`, { lasting: true });
    },
}, "BucketVersioning");

/**
 * Some services (MinIO) answer 200 to a versioning change of a bucket that does not exist: the state
 * claims only what the service reads back.
 */
async function putAndVerify(ref: BucketRef, status: VersioningStatus): Promise<void> {
    const backend = currentBackend();
    if (!(await backend.bucketExists(ref))) {
        throw new Error(`BucketVersioning: bucket '${ref.bucket}' does not exist in zone ${ref.zone}, so its versioning cannot be set. ` +
            `Check 'bucket' and 'zone': pass the Bucket's outputs (bucket: bucket.name, zone: bucket.zone) so that they always match.`);
    }
    await backend.putVersioning(ref, status);
    const observed = await backend.getVersioning(ref);
    if (observed !== status) {
        throw new Error(`BucketVersioning: zone ${ref.zone} accepted versioning '${status}' for bucket '${ref.bucket}' but reports '${observed}'; ` +
            `nothing was recorded. Check the bucket's object-lock and versioning settings on the service, then run 'pulumi up' again.`);
    }
}
