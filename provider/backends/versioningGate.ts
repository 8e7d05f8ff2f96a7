import { waitFor } from "../transport/polling";
import type { BucketRef, ObservedVersioning, ProgressLog } from "./backend";

export interface VersioningGateOptions {
    readonly timeoutMs: number;
    readonly firstPauseMs?: number;
    readonly maxPauseMs?: number;
}

/** What the gate reads of each bucket: its versioning, or "Missing" when it does not exist (yet). */
export type VersioningProbe = (ref: BucketRef) => Promise<ObservedVersioning | "Missing">;

/**
 * Every S3-style service replicates only between versioned buckets. A BucketVersioning declared in
 * the same program may still be on its way, so this waits for it (bounded, logging what it waits
 * for) rather than fail the first `pulumi up`; then it fails naming each bucket and the fix.
 */
export async function waitForVersioningAtBothEnds(
    source: BucketRef, destinations: readonly BucketRef[], probe: VersioningProbe, log: ProgressLog, options: VersioningGateOptions,
): Promise<void> {
    const buckets = uniqueBuckets([{ ref: source, end: "source" }, ...destinations.map((ref) => ({ ref, end: "destination" }))]);
    let pending: { ref: BucketRef; end: string; state: string }[] = [];
    const describe = () => pending.map((p) => `the ${p.end} bucket '${p.ref.bucket}' in zone ${p.ref.zone} (${p.state})`).join(", ");
    await waitFor({
        probe: async () => {
            // The buckets are read at once: they may be on different servers, and only the slowest counts.
            const observed = await Promise.all(buckets.map(({ ref }) => probe(ref)));
            pending = buckets.flatMap(({ ref, end }, i) => observed[i] === "Enabled" ? []
                : [{ ref, end, state: observed[i] === "Missing" ? "it does not exist yet" : `it has versioning '${observed[i]}'` }]);
            return pending.length === 0 ? true : undefined;
        },
        waitingFor: () => `versioning to be enabled on ${describe()}`,
        log,
        timeoutMs: options.timeoutMs,
        firstPauseMs: options.firstPauseMs,
        maxPauseMs: options.maxPauseMs,
        onTimeout: () => new Error(
            `Replication needs versioning Enabled at both ends, and it is not on ${describe()}. ` +
            `Declare a BucketVersioning with status "Enabled" for ${pending.length > 1 ? "each of these buckets" : "that bucket"}, ` +
            `and pass its 'bucket' output to the ReplicationConfiguration so that it is applied first.`),
    });
}

function uniqueBuckets<T extends { ref: BucketRef }>(entries: readonly T[]): T[] {
    const seen = new Map<string, T>();
    for (const entry of entries) {
        const key = `${entry.ref.zone}/${entry.ref.bucket}`;
        if (!seen.has(key)) seen.set(key, entry);
    }
    return [...seen.values()];
}
