// The plugin's functions (invokes): what a TypeScript program calls from the SDK, run in the provider
// process with the configuration the engine gave the plugin.
import { currentBackend, currentSettings } from "../context";
import type { BucketRef } from "../backends/backend";
import { replicationPolicyFor } from "../backends/registry";
import { parseBucketId } from "../bucket";

type Arguments = Record<string, any>;

const bucketOf = (value: Arguments | undefined, what: string): BucketRef => {
    if (!value || typeof value.name !== "string" || typeof value.zone !== "string") {
        throw new Error(`replicationPolicy: '${what}' must be a bucket's { name, zone }, such as { name: bucket.name, zone: bucket.zone }.`);
    }
    return { zone: value.zone, bucket: value.name };
};

/** Each function by the last part of its token, and the module part of that token. */
export const functions: Readonly<Record<string, { readonly module: "index" | "oss"; run(args: Arguments): Promise<unknown> }>> = {
    replicationPolicy: {
        module: "index",
        async run(args) {
            const destinations = Array.isArray(args.destinations) ? args.destinations : [];
            if (destinations.length === 0) throw new Error("replicationPolicy: 'destinations' must name at least one bucket, such as [{ name: follower.name, zone: follower.zone }].");
            const backend = typeof args.backend === "string" ? args.backend : currentBackend().name;
            const refs = destinations.map((d: Arguments, i: number) => bucketOf(d, `destinations[${i}]`));
            const options = args.ownerOverride === true ? { rules: refs.map((destination: BucketRef) => ({ destination, ownerOverride: true })) } : {};
            const policy = replicationPolicyFor(backend, bucketOf(args.source, "source"), refs, options);
            return { policy };
        },
    },
    getReplicationStatus: {
        module: "index",
        async run(args) {
            const { replicationStatusWith } = require("../replicationStatus") as typeof import("../replicationStatus");
            const { configurationId, ...rest } = args;
            const source = typeof configurationId === "string" ? parseBucketId(configurationId) : { zone: args.zone, bucket: args.bucket };
            if (typeof source.zone !== "string" || typeof source.bucket !== "string" || !source.zone || !source.bucket) {
                throw new Error("getReplicationStatus: pass the source bucket's 'zone' and 'bucket', or a ReplicationConfiguration's 'configurationId' (its `id`).");
            }
            return replicationStatusWith(currentSettings(), { ...rest, ...source } as never);
        },
    },
    getReplicationLocations: {
        module: "oss",
        async run(args) {
            const { getReplicationLocations } = require("../backends/oss/queries") as typeof import("../backends/oss/queries");
            return getReplicationLocations(args as never, { settings: currentSettings() });
        },
    },
    getReplicationProgress: {
        module: "oss",
        async run(args) {
            const { getReplicationProgress } = require("../backends/oss/queries") as typeof import("../backends/oss/queries");
            return getReplicationProgress(args as never, { settings: currentSettings() });
        },
    },
};

/** Runs the function a token (`<package>:<module>:<name>`) names. */
export async function invoke(token: string, args: Arguments): Promise<{ outputs: unknown }> {
    const [, module, name] = token.split(":");
    const fn = functions[name];
    if (!fn || fn.module !== module) throw new Error(`Unknown function '${token}': this plugin serves ${Object.keys(functions).join(", ")}.`);
    return { outputs: JSON.parse(JSON.stringify(await fn.run(args))) };
}
