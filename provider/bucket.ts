import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { configureFrom, configuredZones, currentBackend } from "./context";
import { progressLog } from "./progress";
import { bucketNameProblems, collectFailures, isUnknown, Problem, zoneProblems } from "./validation";

export interface BucketInputs {
    readonly name?: string;
    /** The logical name in the program, which an automatic name starts with. */
    readonly namePrefix: string;
    readonly zone: string;
    readonly forceDestroy?: boolean;
    readonly tags?: Record<string, string>;
}

export interface BucketOutputs {
    readonly name: string;
    readonly namePrefix: string;
    readonly zone: string;
    readonly endpoint: string;
    readonly forceDestroy: boolean;
    readonly tags: Record<string, string>;
}

const bucketSchema = z.object({
    name: z.string().optional(),
    namePrefix: z.string(),
    zone: z.string({ error: "'zone' is required: name one of the configured zones." }),
    forceDestroy: z.boolean({ error: "'forceDestroy' must be true or false." }).optional(),
    tags: z.record(z.string(), z.string({ error: "Tag values must be strings." }), { error: "'tags' must map tag keys to string values." }).optional(),
});

export const provider: dynamic.ResourceProvider<BucketInputs, BucketOutputs> = {
    async configure(request) {
        configureFrom(request);
    },

    async check(olds, news) {
        const name = news.name ?? reusableAutoName(olds, news) ?? autoName(news.namePrefix);
        const inputs = { ...news, name, forceDestroy: news.forceDestroy ?? false, tags: news.tags ?? {} };
        const problems: Problem[] = [
            ...(typeof name === "string" && !isUnknown(name) ? bucketNameProblems(name) : [])
                .map((message) => ({ path: ["name"], message: `${message} Change 'name', or leave it unset to get a valid unique one.` })),
            ...zoneProblems(news.zone, configuredZones()).map((message) => ({ path: ["zone"], message })),
        ];
        return { inputs, failures: collectFailures(bucketSchema, news as unknown as Record<string, unknown>, problems) };
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
        await backend.createBucket(ref);
        if (Object.keys(inputs.tags ?? {}).length > 0) await backend.putBucketTags(ref, inputs.tags!);
        return { id: bucketId(ref), outs: outputsOf(inputs, backend.endpointOf(inputs.zone)) };
    },

    async read(id, props) {
        const backend = currentBackend();
        const ref = parseBucketId(id);
        if (!(await backend.bucketExists(ref))) return {};
        const tags = await backend.getBucketTags(ref);
        const outs = { ...props!, name: ref.bucket, zone: ref.zone, tags };
        // The engine diffs the next preview against these inputs, not against the program's old ones.
        return { id, props: outs, inputs: inputsOf(outs) as unknown as BucketOutputs };
    },

    async update(_id, olds, news) {
        const backend = currentBackend();
        const ref = { zone: olds.zone, bucket: olds.name };
        if (!sameRecord(olds.tags, news.tags ?? {})) await backend.putBucketTags(ref, news.tags ?? {});
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
};

/** A bucket's ID is `zone/name`: bucket names are unique per zone, not across them. */
export function bucketId(ref: { zone: string; bucket: string }): string {
    return `${ref.zone}/${ref.bucket}`;
}

export function parseBucketId(id: string): { zone: string; bucket: string } {
    const slash = id.lastIndexOf("/");
    return { zone: id.slice(0, slash), bucket: id.slice(slash + 1) };
}

/** The logical name in lowercase, cut so that it plus a hyphen and a 6-character suffix fits in 63 characters. */
export function autoName(prefix: string, random: () => string = randomSuffix): string {
    const base = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 55).replace(/-+$/, "");
    return `${base || "bucket"}-${random()}`;
}

function reusableAutoName(olds: Partial<BucketInputs> | undefined, news: BucketInputs): string | undefined {
    // Keep the name made on an earlier run, so that an automatic name never changes by itself.
    if (olds?.name && olds.namePrefix === news.namePrefix && olds.name.startsWith(autoName(news.namePrefix, () => ""))) {
        return olds.name;
    }
    return undefined;
}

function randomSuffix(): string {
    const { randomBytes } = require("crypto") as typeof import("crypto");
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    return [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join("");
}

function outputsOf(inputs: BucketInputs, endpoint: string): BucketOutputs {
    return {
        name: inputs.name!,
        namePrefix: inputs.namePrefix,
        zone: inputs.zone,
        endpoint,
        forceDestroy: inputs.forceDestroy ?? false,
        tags: inputs.tags ?? {},
    };
}

function inputsOf(outputs: BucketOutputs): BucketInputs {
    return { name: outputs.name, namePrefix: outputs.namePrefix, zone: outputs.zone, forceDestroy: outputs.forceDestroy, tags: outputs.tags };
}

export function sameRecord(a: Readonly<Record<string, unknown>> | undefined, b: Readonly<Record<string, unknown>> | undefined): boolean {
    return JSON.stringify(sortedEntries(a)) === JSON.stringify(sortedEntries(b));
}

function sortedEntries(record: Readonly<Record<string, unknown>> | undefined): [string, unknown][] {
    return Object.entries(record ?? {}).sort(([x], [y]) => x.localeCompare(y));
}
