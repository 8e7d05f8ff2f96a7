import type { BackendSettings } from "./backends/backend";
import { configKey } from "./common/configKey";
import { resolveSettings } from "./settings";
import { ServiceError } from "./transport/serviceError";

// What the SDK's queries (getReplicationStatus, the OSS queries) share when they run inside a Pulumi
// program rather than in the provider.

/** The stack's configuration as the program sees it (secrets decrypted by the engine, never printed). */
export function settingsOfProgram(): BackendSettings {
    const runtime = (require("@pulumi/pulumi") as typeof import("@pulumi/pulumi")).runtime;
    return resolveSettings((key) => runtime.getConfig(configKey(key)));
}

/** Whether a query failed only because what it asks about does not exist yet (as in a preview before the first 'up'). */
export function isNotThereYet(error: unknown): boolean {
    return error instanceof ServiceError && ["NoSuchBucket", "NoSuchReplicationRule", "NoSuchReplicationConfiguration"].includes(error.code);
}
