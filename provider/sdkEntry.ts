import type { ReplicationLocationsArgs, ReplicationLocationsResult, ReplicationProgressArgs, ReplicationProgressResult } from "./common/oss";
import type { ReplicationStatusArgs, ReplicationStatusResult } from "./common/status";
import type { BucketRef } from "./backends/backend";
import type { PolicyOptions } from "./backends/contract";

// The one way the SDK reaches the provider's code (besides the shapes in provider/common/): what a
// program runs in its own process. Each function loads what it needs on its first call, so that a
// program that uses none of them loads none of it.

export { defaultBackend, knownBackends } from "./backends/registry";
export { configKey, configNamespace, useConfigNamespace } from "./common/configKey";

/** The least-privilege replication policy in the language of `backend`. */
export function replicationPolicyFor(backend: string, source: BucketRef, destinations: readonly BucketRef[], options: PolicyOptions = {}): unknown {
    return registry().replicationPolicyFor(backend, source, destinations, options);
}

/** Whether `backend` takes a rule option at this value. */
export function acceptsRuleOption(backend: string, option: string, value: unknown): boolean {
    return registry().acceptsRuleOption(backend, option as never, value);
}

/** How replication of one source bucket is doing, with the program's stack configuration. */
export function replicationStatusOfProgram(args: ReplicationStatusArgs): Promise<ReplicationStatusResult> {
    return (require("./replicationStatus") as typeof import("./replicationStatus")).replicationStatusOfProgram(args);
}

/** OSS's GetBucketReplicationLocation, with the program's stack configuration. */
export function ossReplicationLocations(args: ReplicationLocationsArgs): Promise<ReplicationLocationsResult> {
    return ossQueries().getReplicationLocations(args, { settingsOfProgram });
}

/** OSS's GetBucketReplicationProgress, with the program's stack configuration. */
export function ossReplicationProgress(args: ReplicationProgressArgs): Promise<ReplicationProgressResult> {
    return ossQueries().getReplicationProgress(args, { settingsOfProgram });
}

/** Whether a query failed because what it asks about does not exist yet (before the first `up`). */
export function isNotThereYet(error: unknown): boolean {
    return programQueries().isNotThereYet(error);
}

function settingsOfProgram() {
    return programQueries().settingsOfProgram();
}

function registry(): typeof import("./backends/registry") {
    return require("./backends/registry");
}

function programQueries(): typeof import("./programQueries") {
    return require("./programQueries");
}

function ossQueries(): typeof import("./backends/oss/queries") {
    return require("./backends/oss/queries");
}
