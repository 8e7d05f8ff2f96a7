import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import { withoutStackTraces } from "./cleanErrors";
import type { BucketRef, ProgressLog, StorageBackend } from "./backends/backend";
import { bucketNameRulesFor, maxBucketTagsFor } from "./backends/registry";
import { configureFrom, configuredAccountDigest, configuredBackendName, configuredZones, currentBackend } from "./context";
import { claimName, derivedName, isDerivedNameOf, ownerTagKey } from "./identity";
import { progressLog } from "./progress";
import { isNoSuchBucket } from "./transport/serviceError";
import { bucketNameProblems, collectFailures, isUnknown, Problem, tagProblems, unknownValue, zoneProblems, lazySchema } from "./validation";

export interface BucketInputs {
    readonly name?: string;
    /** The logical name in the program, which an automatic name starts with. */
    readonly namePrefix: string;
    /** Digest of project, stack and URN: the source of the automatic name and the ownership marker. */
    readonly identity?: string;
    readonly zone: string;
    readonly forceDestroy?: boolean;
    readonly tags?: Record<string, string>;
    /** Take over a bucket of this name that exists already instead of failing. */
    readonly adoptExisting?: boolean;
}

export interface BucketOutputs {
    readonly name: string;
    readonly namePrefix: string;
    readonly identity?: string;
    readonly zone: string;
    readonly endpoint: string;
    readonly forceDestroy: boolean;
    readonly tags: Record<string, string>;
    readonly adoptExisting?: boolean;
}

const bucketSchema = lazySchema((z) => z.object({
    name: z.string().optional(),
    namePrefix: z.string(),
    identity: z.string().optional(),
    zone: z.string({ error: "'zone' is required: name one of the configured zones." }),
    forceDestroy: z.boolean({ error: "'forceDestroy' must be true or false." }).optional(),
    tags: z.record(z.string(), z.string({ error: "Tag values must be strings." }), { error: "'tags' must map tag keys to string values." }).optional(),
    adoptExisting: z.boolean({ error: "'adoptExisting' must be true or false." }).optional(),
}));

export const provider: dynamic.ResourceProvider<BucketInputs, BucketOutputs> = withoutStackTraces({
    async configure(request) {
        configureFrom(request);
    },

    async check(olds, news) {
        const name = news.name ?? keptAutoName(olds, news) ?? autoName(news);
        // protobuf refuses undefined values: a name that cannot be derived (reported below) is left out.
        const inputs = { ...news, ...(name !== undefined ? { name } : {}), forceDestroy: news.forceDestroy ?? false, tags: news.tags ?? {} };
        const problems: Problem[] = [
            ...(typeof name === "string" && !isUnknown(name) ? bucketNameProblems(name, bucketNameRulesFor(configuredBackendName() ?? "", name)) : [])
                .map((message) => ({ path: ["name"], message: `${message} Change 'name', or leave it unset to get a valid unique one.` })),
            ...zoneProblems(news.zone, configuredZones()).map((message) => ({ path: ["zone"], message })),
            ...tagProblems(news.tags, [ownerTagKey], maxBucketTagsFor(configuredBackendName() ?? "")),
            ...duplicateProblems(name, news),
            ...(name === undefined && !(configuredZones() instanceof Error) && !isUnknown(news.zone)
                ? [{ path: ["name"], message: "No automatic name can be derived: the program's pulumi-bucket-replication sends no identity. Update the package in the program, or set 'name'." }] : []),
            ...(news.adoptExisting === true && news.name === undefined
                ? [{ path: ["adoptExisting"], message: "'adoptExisting' takes over an existing bucket by its name: set 'name' to that bucket's name." }] : []),
        ];
        return { inputs, failures: collectFailures(bucketSchema, news as unknown as Record<string, unknown>, problems, { olds, checked: inputs }) };
    },

    async diff(_id, olds, news) {
        const replaces = (["name", "zone"] as const).filter((key) => olds[key] !== news[key]);
        const changes = replaces.length > 0
            || !sameRecord(olds.tags, news.tags ?? {})
            || (olds.forceDestroy ?? false) !== (news.forceDestroy ?? false);
        return { changes, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
        const backend = currentBackend();
        const ref = { zone: inputs.zone, bucket: inputs.name! };
        const log = progressLog(`bucket ${ref.bucket}`);
        const outcome = await backend.createBucket(ref);
        if (outcome === "exists") await adoptOnlyOurs(backend, ref, inputs, log);
        await writeTagsOrUndo(backend, ref, inputs, outcome === "created", log);
        return { id: bucketId(ref), outs: outputsOf(inputs, backend.endpointOf(inputs.zone)) };
    },

    async read(id, props) {
        const backend = currentBackend();
        const ref = parseBucketId(id);
        // One request: a missing bucket answers NoSuchBucket to the tag read too.
        const stored = await backend.getBucketTags(ref).catch((error) => { if (isNoSuchBucket(error)) return undefined; throw error; });
        if (!stored) return {};
        const tags = withoutMarker(stored);
        const outs = { ...props!, name: ref.bucket, zone: ref.zone, tags };
        // The engine diffs the next preview against these inputs, not against the program's old ones.
        return { id, props: outs, inputs: inputsOf(outs) as unknown as BucketOutputs };
    },

    async update(_id, olds, news) {
        const backend = currentBackend();
        const ref = { zone: olds.zone, bucket: olds.name };
        if (!sameRecord(olds.tags, news.tags ?? {})) await backend.putBucketTags(ref, withMarker(news.tags, news.identity ?? olds.identity));
        return { outs: outputsOf(news, backend.endpointOf(news.zone)) };
    },

    async delete(id, props) {
        const backend = currentBackend();
        const ref = parseBucketId(id);
        if (!(await backend.bucketExists(ref))) return;
        if (props.forceDestroy) {
            await backend.emptyAndDeleteBucket(ref, progressLog(`bucket ${ref.bucket}`));
            return;
        }
        if ((await backend.countVersions(ref, 1)) > 0) {
            throw new Error(`Bucket '${ref.bucket}' in zone ${ref.zone} still holds objects or object versions, so it was not deleted ` +
                `and nothing in it was touched. To delete it with everything in it, set 'forceDestroy: true' on the Bucket, ` +
                `run 'pulumi up', then destroy again; or empty the bucket yourself first.`);
        }
        await backend.deleteBucket(ref);
    },
}, "Bucket");

/** A bucket's ID is `zone/name`: bucket names are unique per zone, not across them. */
export function bucketId(ref: { zone: string; bucket: string }): string {
    return `${ref.zone}/${ref.bucket}`;
}

export function parseBucketId(id: string): { zone: string; bucket: string } {
    const slash = id.lastIndexOf("/");
    return { zone: id.slice(0, slash), bucket: id.slice(slash + 1) };
}

/** The automatic name: the logical name plus a digest of identity, zone and account; unknown until those are. */
function autoName(news: BucketInputs): string | undefined {
    const parts = [news.identity, news.zone, news.namePrefix];
    if (parts.some(isUnknown)) return unknownValue;
    const accountDigest = configuredAccountDigest();
    if (parts.some((part) => typeof part !== "string") || !accountDigest) return undefined;
    return derivedName(news.namePrefix, news.identity!, [news.zone, accountDigest]);
}

/** An automatic name made on an earlier run stays, whatever scheme made it, while the zone stays. */
function keptAutoName(olds: Partial<BucketInputs> | undefined, news: BucketInputs): string | undefined {
    if (olds?.name && olds.namePrefix === news.namePrefix && olds.zone === news.zone && isDerivedNameOf(olds.name, news.namePrefix)) {
        return olds.name;
    }
    return undefined;
}

function duplicateProblems(name: string | undefined, news: BucketInputs): Problem[] {
    if (typeof name !== "string" || isUnknown(name) || typeof news.zone !== "string" || isUnknown(news.zone) || !news.identity || isUnknown(news.identity)) return [];
    const other = claimName(`bucket\0${news.zone}\0${name}`, news.identity, `Bucket '${news.namePrefix}'`);
    if (!other) return [];
    return [{ path: ["name"], message: `Bucket '${name}' in zone ${news.zone} is also declared by ${other} in this program; ` +
        `give each Bucket its own 'name' (or leave 'name' unset), or declare the bucket once and share the resource.` }];
}

/**
 * A bucket of that name already exists in this account. It is ours when it carries this resource's
 * marker: an earlier `up` made it and was interrupted before the state recorded it.
 */
async function adoptOnlyOurs(backend: StorageBackend, ref: BucketRef, inputs: BucketInputs, log: ProgressLog): Promise<void> {
    const marker = (await backend.getBucketTags(ref))[ownerTagKey];
    if (inputs.identity && marker === inputs.identity) {
        log(`bucket '${ref.bucket}' in zone ${ref.zone} was made by an earlier, interrupted run of this resource; adopting it`, { lasting: true });
        return;
    }
    const whose = marker ? "by another Pulumi resource or stack (its ownership tag differs)" : "outside this Pulumi resource";
    if (inputs.adoptExisting) {
        log(`bucket '${ref.bucket}' in zone ${ref.zone} exists, made ${whose}; adopting it as 'adoptExisting' asks: ` +
            `its objects, versions and settings stay, its tags become the program's`, { lasting: true });
        return;
    }
    throw new Error(`Bucket '${ref.bucket}' already exists in zone ${ref.zone}, made ${whose}; it was left untouched. ` +
        `Choose another 'name' (or leave it unset for a unique one); to bring that bucket under this resource, set 'adoptExisting: true'; ` +
        `or delete it if it is an orphan of yours.`);
}

/**
 * The ownership marker goes on first, alone, so that a create interrupted right after is adoptable;
 * then the program's tags. If either write fails, a bucket this call created (empty) is removed again.
 */
async function writeTagsOrUndo(backend: StorageBackend, ref: BucketRef, inputs: BucketInputs, createdNow: boolean, log: ProgressLog): Promise<void> {
    const hasTags = Object.keys(inputs.tags ?? {}).length > 0;
    try {
        if (inputs.identity && createdNow) await backend.putBucketTags(ref, withMarker({}, inputs.identity));
        if (hasTags || !createdNow) await backend.putBucketTags(ref, withMarker(inputs.tags, inputs.identity));
    } catch (error) {
        if (!createdNow) throw error;
        try {
            await backend.deleteBucket(ref);
            log(`removed bucket '${ref.bucket}' again: its tags could not be written`, { lasting: true });
        } catch (undoError) {
            throw new Error(`${(error as Error).message}\nThe bucket '${ref.bucket}' was created in zone ${ref.zone} but could not be removed again ` +
                `(${(undoError as Error).message}); the next 'pulumi up' adopts it by its ownership tag.`);
        }
        throw new Error(`${(error as Error).message}\nNothing was left behind: bucket '${ref.bucket}' was created and removed again.`);
    }
}

function withMarker(tags: Readonly<Record<string, string>> | undefined, identity: string | undefined): Record<string, string> {
    return identity ? { ...tags, [ownerTagKey]: identity } : { ...tags };
}

function withoutMarker(tags: Readonly<Record<string, string>>): Record<string, string> {
    const { [ownerTagKey]: _marker, ...rest } = tags;
    return rest;
}

function outputsOf(inputs: BucketInputs, endpoint: string): BucketOutputs {
    return {
        name: inputs.name!,
        namePrefix: inputs.namePrefix,
        ...(inputs.identity ? { identity: inputs.identity } : {}),
        zone: inputs.zone,
        endpoint,
        forceDestroy: inputs.forceDestroy ?? false,
        tags: inputs.tags ?? {},
        ...(inputs.adoptExisting !== undefined ? { adoptExisting: inputs.adoptExisting } : {}),
    };
}

function inputsOf(outputs: BucketOutputs): BucketInputs {
    return {
        name: outputs.name, namePrefix: outputs.namePrefix, ...(outputs.identity ? { identity: outputs.identity } : {}),
        zone: outputs.zone, forceDestroy: outputs.forceDestroy, tags: outputs.tags,
        ...(outputs.adoptExisting !== undefined ? { adoptExisting: outputs.adoptExisting } : {}),
    };
}

export function sameRecord(a: Readonly<Record<string, unknown>> | undefined, b: Readonly<Record<string, unknown>> | undefined): boolean {
    return JSON.stringify(sortedEntries(a)) === JSON.stringify(sortedEntries(b));
}

function sortedEntries(record: Readonly<Record<string, unknown>> | undefined): [string, unknown][] {
    return Object.entries(record ?? {}).sort(([x], [y]) => x.localeCompare(y));
}
