import type * as dynamic from "@pulumi/pulumi/dynamic";
import { withoutStackTraces } from "./cleanErrors";
import type { BucketRef, ObjectVersionRef, ProgressLog, StorageBackend } from "./backends/backend";
import { configureFrom, configuredZones, currentBackend } from "./context";
import { progressLog } from "./progress";
import { stableJson } from "./common/stableJson";
import { pause, throwIfCancelled } from "./transport/cancellation";
import { collectFailures, isUnknown, lazySchema, Problem, zoneProblems } from "./validation";

/** One replication rule to verify: a canary written under `prefix` in the source must reach the destination. */
export interface VerifiedRule {
    readonly source: BucketRef;
    readonly destination: BucketRef;
    /** The rule's key prefix; the canary's key starts with it so that the rule applies to it. */
    readonly prefix?: string;
}

export interface ReplicationVerificationInputs {
    readonly rules: Record<string, VerifiedRule>;
    readonly timeoutSeconds: number;
    /** Text that changes whenever the topology does; a change runs the verification again. */
    readonly fingerprint: string;
}

export interface ReplicationVerificationOutputs extends ReplicationVerificationInputs {
    /** Seconds from the canary's write at the source to its arrival at the destination, per rule ID. */
    readonly lagSeconds: Record<string, number>;
    /** When the last verification passed (ISO 8601). */
    readonly verifiedAt: string;
    /** The last run's ID, part of its canaries' keys. */
    readonly runId: string;
}

/** Where canaries live in every bucket of a verified topology (after the rule's own prefix). */
export const canaryRoot = ".pulumi-bucket-replication/canary/";

export const defaultTimeoutSeconds = 300;
const maxTimeoutSeconds = 3600;

const bucketShape = (z: typeof import("zod").z, what: string) => z.object({
    zone: z.string({ error: `'zone' is required: the ${what} bucket's zone.` }),
    bucket: z.string({ error: `'bucket' is required: the ${what} bucket's name.` }),
}, { error: `'${what}' is required: { zone, bucket } of the ${what} bucket.` });

const verificationSchema = lazySchema((z) => z.object({
    rules: z.record(z.string(), z.object({
        source: bucketShape(z, "source"),
        destination: bucketShape(z, "destination"),
        prefix: z.string({ error: "'prefix' must be text: the rule's key prefix, or \"\"." }).max(900, "'prefix' must be at most 900 characters, so that the canary's key fits.").optional(),
    }, { error: "Each rule must be an object such as { source: { zone, bucket }, destination: { zone, bucket } }." }), {
        error: "'rules' is required: the rules to verify keyed by rule ID, such as { \"to-b\": { source: { zone, bucket }, destination: { zone, bucket } } }.",
    }),
    timeoutSeconds: z.number({ error: "'timeoutSeconds' must be a number of seconds, such as 120." })
        .positive("'timeoutSeconds' must be more than 0.").max(maxTimeoutSeconds, `'timeoutSeconds' must be at most ${maxTimeoutSeconds} (one hour).`),
    fingerprint: z.string({ error: "'fingerprint' must be text." }),
}));

export const provider: dynamic.ResourceProvider<ReplicationVerificationInputs, ReplicationVerificationOutputs> = withoutStackTraces({
    async configure(request) {
        configureFrom(request);
    },

    async check(olds, news) {
        const inputs = { ...news, timeoutSeconds: news.timeoutSeconds ?? defaultTimeoutSeconds, fingerprint: news.fingerprint ?? "" };
        const problems: Problem[] = [...rulesProblems(inputs.rules), ...backendProblems()];
        return { inputs, failures: collectFailures(verificationSchema, inputs as unknown as Record<string, unknown>, problems, { olds, checked: inputs }) };
    },

    async diff(_id, olds, news) {
        const timeoutChanged = olds.timeoutSeconds !== news.timeoutSeconds;
        return { changes: rerunNeeded(olds, news) || timeoutChanged, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs) {
        const outs = await verify(inputs);
        return { id: outs.runId, outs };
    },

    async read(id, props) {
        // Reading never writes canaries: the last verification's result stays as it was.
        return { id, props, inputs: props };
    },

    async update(_id, olds, news) {
        if (!rerunNeeded(olds, news)) return { outs: { ...olds, ...news } };
        return { outs: await verify(news) };
    },

    async delete(_id, props) {
        // Nothing of a verification outlives its run; this sweeps what an interrupted run may have left.
        const backend = objectBackend(currentBackend());
        const log = progressLog("replication verification");
        const buckets = [];
        for (const bucket of bucketsOf(props.rules)) if (await backend.bucketExists(bucket)) buckets.push(bucket);
        await removeCanaries(backend, buckets, prefixesOf(props.rules), log, 60_000);
    },
}, "ReplicationVerification");

/** The topology changed (rules or fingerprint), so the last result no longer speaks for it. */
function rerunNeeded(olds: ReplicationVerificationInputs, news: ReplicationVerificationInputs): boolean {
    return stableJson(olds.rules) !== stableJson(news.rules) || olds.fingerprint !== news.fingerprint;
}

function rulesProblems(rules: unknown): Problem[] {
    if (!rules || isUnknown(rules) || typeof rules !== "object" || Array.isArray(rules)) return [];
    const entries = Object.entries(rules as Record<string, Partial<VerifiedRule>>);
    const problems: Problem[] = entries.length === 0 ? [{ path: ["rules"], message: "'rules' must hold at least one rule to verify." }] : [];
    const zones = configuredZones();
    for (const [id, rule] of entries) {
        for (const end of ["source", "destination"] as const) {
            problems.push(...zoneProblems(rule?.[end]?.zone, zones).map((message) => ({ path: ["rules", id, end, "zone"], message })));
        }
    }
    return problems;
}

/** A backend without object calls cannot be verified: said at preview, not pretended. */
function backendProblems(): Problem[] {
    let backend: StorageBackend;
    try {
        backend = currentBackend();
    } catch {
        return []; // the configuration error is reported by the other resources
    }
    return hasObjectCalls(backend) ? [] : [{ path: ["rules"], message:
        `The ${backend.name} backend of this package cannot write and read objects, so replication cannot be verified there; turn 'verify' off.` }];
}

type ObjectBackend = StorageBackend & Required<Pick<StorageBackend, "putObject" | "getObject" | "listObjectVersions" | "deleteObjectVersions">>;

function hasObjectCalls(backend: StorageBackend): backend is ObjectBackend {
    return !!(backend.putObject && backend.getObject && backend.listObjectVersions && backend.deleteObjectVersions);
}

function objectBackend(backend: StorageBackend): ObjectBackend {
    if (!hasObjectCalls(backend)) throw new Error(backendProblems()[0]?.message ?? `The ${backend.name} backend cannot verify replication.`);
    return backend;
}

interface Canary {
    readonly ruleId: string;
    readonly rule: VerifiedRule;
    readonly key: string;
    readonly body: string;
    writtenAt?: number;
    lagSeconds?: number;
    /** What the destination last held under the key, for the failure message. */
    lastSeen?: string;
}

/**
 * Writes one canary per rule into its source, waits until each is at its destination with the same
 * bytes (and marked REPLICA where the service marks replicas), then removes every canary version and
 * delete marker from every bucket of the topology, whether the wait passed or not.
 */
async function verify(inputs: ReplicationVerificationInputs): Promise<ReplicationVerificationOutputs> {
    const backend = objectBackend(currentBackend());
    const log = progressLog("replication verification");
    const runId = `${new Date().toISOString().replace(/[-:.]/g, "").slice(0, 15)}-${require("crypto").randomBytes(4).toString("hex")}`;
    const canaries: Canary[] = Object.entries(inputs.rules).map(([ruleId, rule]) => ({
        ruleId, rule,
        key: `${rule.prefix ?? ""}${canaryRoot}${runId}/${ruleId}`,
        body: `pulumi-bucket-replication canary ${runId}: rule '${ruleId}' from ${rule.source.zone}/${rule.source.bucket} to ${rule.destination.zone}/${rule.destination.bucket}\n`,
    }));
    const timeoutMs = inputs.timeoutSeconds * 1000;
    let failure: Error | undefined;
    try {
        await deliver(backend, canaries, timeoutMs, log);
        await settleSources(backend, canaries, log);
    } catch (error) {
        failure = error as Error;
    }
    // Cleaned up on success and failure alike; the whole reserved prefix, so that canaries an interrupted
    // earlier run left (Ctrl-C stops the cleanup too) go as well.
    try {
        await removeCanaries(backend, bucketsOf(inputs.rules), prefixesOf(inputs.rules), log, Math.max(60_000, timeoutMs));
    } catch (cleanupError) {
        if (!failure) throw cleanupError;
        failure = new Error(`${failure.message}\n${(cleanupError as Error).message}`);
    }
    if (failure) throw failure;
    const lagSeconds = Object.fromEntries(canaries.map((c) => [c.ruleId, c.lagSeconds!]));
    log(`replication verified: ${canaries.map((c) => `rule '${c.ruleId}' delivered in ${c.lagSeconds} s`).join(", ")}; canaries removed`, { lasting: true });
    return { ...inputs, lagSeconds, verifiedAt: new Date().toISOString(), runId };
}

async function deliver(backend: ObjectBackend, canaries: Canary[], timeoutMs: number, log: ProgressLog): Promise<void> {
    for (const canary of canaries) {
        log(`writing canary of rule '${canary.ruleId}' to ${canary.rule.source.zone}/${canary.rule.source.bucket}`);
        await backend.putObject(canary.rule.source, canary.key, canary.body);
        canary.writtenAt = Date.now();
    }
    const started = Date.now();
    let pauseMs = 200;
    for (;;) {
        throwIfCancelled();
        for (const canary of canaries.filter((c) => c.lagSeconds === undefined)) {
            const found = await backend.getObject(canary.rule.destination, canary.key);
            if (found && found.body === canary.body && (found.replicationStatus === undefined || found.replicationStatus === "REPLICA")) {
                canary.lagSeconds = Math.round((Date.now() - canary.writtenAt!) / 10) / 100;
                log(`rule '${canary.ruleId}': canary at ${canary.rule.destination.zone}/${canary.rule.destination.bucket} after ${canary.lagSeconds} s`);
            } else {
                canary.lastSeen = !found ? "nothing under the canary's key" : found.body !== canary.body
                    ? "an object with other bytes under the canary's key" : `the canary with replication status ${found.replicationStatus}`;
            }
        }
        const waiting = canaries.filter((c) => c.lagSeconds === undefined);
        if (waiting.length === 0) return;
        const elapsed = Date.now() - started;
        if (elapsed >= timeoutMs) throw await undelivered(backend, waiting, timeoutMs);
        log(`waiting ${Math.round(elapsed / 1000)}s/${Math.round(timeoutMs / 1000)}s for the canary of ${waiting.map((c) =>
            `rule '${c.ruleId}' at ${c.rule.destination.zone}/${c.rule.destination.bucket}`).join(", ")}`);
        await pause(Math.min(pauseMs, timeoutMs - elapsed));
        pauseMs = Math.min(pauseMs * 1.5, 2000);
    }
}

/** The failure: each rule that did not deliver, with what its source and destination showed. */
async function undelivered(backend: ObjectBackend, waiting: readonly Canary[], timeoutMs: number): Promise<Error> {
    const lines: string[] = [];
    for (const canary of waiting) {
        const { source, destination } = canary.rule;
        const atSource = await backend.getObject(source, canary.key).catch(() => undefined);
        const sourceStatus = atSource?.replicationStatus ? `; the source reports its replication status as ${atSource.replicationStatus}` : "";
        lines.push(`rule '${canary.ruleId}' did not deliver its canary from bucket '${source.bucket}' in zone ${source.zone} ` +
            `to bucket '${destination.bucket}' in zone ${destination.zone} (the destination holds ${canary.lastSeen ?? "nothing under the canary's key"}${sourceStatus})`);
    }
    return new Error(`Replication did not deliver within ${Math.round(timeoutMs / 1000)} s (verify.timeoutSeconds):\n  - ${lines.join("\n  - ")}\n` +
        `Check that the destination bucket exists with versioning on, that the replication role may write to it, and that the destination ` +
        `zone is reachable from the source zone. A service stand-in that does not move objects (such as moto for AWS) never delivers: turn 'verify' off there. ` +
        `Raise 'verify.timeoutSeconds' if the service is only slow. The canaries were removed.`);
}

/**
 * Waits, briefly, until no source still reports a canary as PENDING: removing a version the service is
 * still replicating could let a replica arrive after the cleanup.
 */
async function settleSources(backend: ObjectBackend, canaries: readonly Canary[], log: ProgressLog): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
        throwIfCancelled();
        const pending: Canary[] = [];
        for (const canary of canaries) {
            const atSource = await backend.getObject(canary.rule.source, canary.key);
            if (atSource?.replicationStatus === "PENDING") pending.push(canary);
        }
        if (pending.length === 0 || Date.now() >= deadline) return;
        log(`waiting for ${pending.map((c) => `${c.rule.source.zone}/${c.rule.source.bucket}`).join(", ")} to finish replicating the canaries`);
        await pause(500);
    }
}

/**
 * Deletes every version and delete marker under the canary prefixes in every bucket, by version ID,
 * until two listings in a row a second apart find none anywhere (replicas still in flight arrive in
 * between). Fails after `timeoutMs` naming what is left and how to remove it.
 */
async function removeCanaries(backend: ObjectBackend, buckets: readonly BucketRef[], prefixes: readonly string[], log: ProgressLog, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let cleanListings = 0;
    let removed = 0;
    let left: { bucket: BucketRef; versions: ObjectVersionRef[] }[] = [];
    while (cleanListings < 2) {
        left = [];
        for (const bucket of buckets) {
            const versions: ObjectVersionRef[] = [];
            for (const prefix of prefixes) versions.push(...await backend.listObjectVersions(bucket, prefix));
            if (versions.length > 0) left.push({ bucket, versions });
        }
        if (left.length === 0) {
            cleanListings += 1;
        } else {
            cleanListings = 0;
            if (Date.now() >= deadline) break;
            for (const { bucket, versions } of left) {
                await backend.deleteObjectVersions(bucket, versions);
                removed += versions.length;
            }
            log(`removed ${removed} canary versions and delete markers so far`);
        }
        if (cleanListings < 2) await pause(cleanListings === 1 ? 1000 : 300);
    }
    if (left.length > 0) {
        throw new Error(`Canaries are still arriving after ${Math.round(timeoutMs / 1000)} s of cleaning: ` +
            left.map(({ bucket, versions }) => `${versions.length} under '${prefixes[0]}' in bucket '${bucket.bucket}' (zone ${bucket.zone})`).join(", ") +
            `. Run 'pulumi destroy' or 'pulumi up' again later (both sweep them), or delete every version and delete marker under that prefix yourself ` +
            `(on MinIO: 'mc rm --recursive --versions --force <alias>/<bucket>/${prefixes[0]}').`);
    }
}

/** Every bucket of the rules, sources and destinations, once each. */
function bucketsOf(rules: Readonly<Record<string, VerifiedRule>>): BucketRef[] {
    const seen = new Map<string, BucketRef>();
    for (const rule of Object.values(rules)) {
        for (const ref of [rule.source, rule.destination]) seen.set(`${ref.zone}/${ref.bucket}`, { zone: ref.zone, bucket: ref.bucket });
    }
    return [...seen.values()];
}

/** The canary prefixes of the rules, one per distinct rule prefix. */
function prefixesOf(rules: Readonly<Record<string, VerifiedRule>>): string[] {
    return [...new Set(Object.values(rules).map((rule) => `${rule.prefix ?? ""}${canaryRoot}`))];
}
