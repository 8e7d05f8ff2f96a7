import type { BackendSettings, StorageBackend } from "./backends/backend";
import { openBackend } from "./backends/registry";
import { configKey } from "./common/configKey";
import { resolveSettings } from "./settings";
import { cancellationSignal } from "./transport/cancellation";

/**
 * The backend the provider process talks to, made once from the stack configuration that the
 * engine hands to `configure`. Module state lives only in the provider process: it is never part
 * of the serialized provider.
 */
let configLookup: (key: string) => string | undefined = () => undefined;
let cached: { settings: BackendSettings; backend: StorageBackend } | undefined;

export function configureFrom(request: { config: { get(key: string): string | undefined } }): void {
    configLookup = (key) => request.config.get(configKey(key));
    cached = undefined;
    // Starts listening for the engine's Cancel as soon as the provider process is configured.
    cancellationSignal();
}

export function currentBackend(): StorageBackend {
    if (!cached) {
        const settings = resolveSettings(configLookup);
        cached = { settings, backend: openBackend(settings) };
    }
    return cached.backend;
}

/** The configured zone names, or the configuration error that makes them unknowable. */
export function configuredZones(): readonly string[] | Error {
    try {
        return currentBackend().zoneNames;
    } catch (error) {
        return error as Error;
    }
}

/** The configured backend's name, or undefined when the configuration is unusable (reported elsewhere). */
export function configuredBackendName(): string | undefined {
    try {
        return currentBackend().name;
    } catch {
        return undefined;
    }
}

/** The configured account's digest, for automatic names; undefined when the configuration is unusable. */
export function configuredAccountDigest(): string | undefined {
    try {
        return currentSettings().accountDigest;
    } catch {
        return undefined;
    }
}

/** The settings the provider was configured with (the plugin's invokes run with them). */
export function currentSettings(): BackendSettings {
    currentBackend();
    return cached!.settings;
}
