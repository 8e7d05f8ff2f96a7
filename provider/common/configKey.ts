// The stack-configuration namespace the provider reads its settings from, and so the one its messages name.
// TypeScript programs (dynamic resources) and the plugin's legacy name use `bucket-replication`; the plugin
// named after the npm package reads `pulumi-bucket-replication:*`, because the engine hands a provider only
// the configuration of its own package. The host sets it once, before the first request.

let namespace = "bucket-replication";

/** The namespace of this process's settings, such as `bucket-replication`. */
export function configNamespace(): string {
    return namespace;
}

/** A setting's full key, such as `bucket-replication:zones`, for messages and lookups. */
export function configKey(key: string): string {
    return `${namespace}:${key}`;
}

/** Called by a host that serves the package under another name (the plugin). */
export function useConfigNamespace(name: string): void {
    namespace = name;
}
