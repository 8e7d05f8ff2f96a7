import type { BackendSettings, ZoneSettings } from "./backends/backend";
import { backendDefaults, defaultBackend, knownBackends } from "./backends/registry";

/** The stack-configuration namespace of this package: `bucket-replication:backend` and so on. */
export const configNamespace = "bucket-replication";

/** Reads one configuration value by its short name; the dynamic provider's configure request or a test supplies it. */
export type ConfigLookup = (key: string) => string | undefined;

/**
 * Works out which service to talk to, its zones and the credentials, from stack configuration first
 * and the service's usual environment variables second. Throws one error listing every problem.
 */
export function resolveSettings(config: ConfigLookup, env: NodeJS.ProcessEnv = process.env): BackendSettings {
    const problems: string[] = [];
    const backend = config("backend") ?? defaultBackend;
    if (!knownBackends.includes(backend)) {
        throw new Error(`'${configNamespace}:backend' is '${backend}'; set it to one of ${knownBackends.map((b) => `'${b}'`).join(", ")}.`);
    }
    const defaults = backendDefaults(backend, env);

    let zones: Record<string, ZoneSettings> | undefined;
    const zonesText = config("zones");
    if (zonesText !== undefined) {
        zones = parseZones(zonesText, problems);
    }
    zones = zones ?? defaults.zones;
    if (!zones || Object.keys(zones).length === 0) {
        problems.push(`No zones are configured for backend '${backend}'. ${defaults.howToConfigureZones}`);
    }

    const accessKey = config("accessKey") ?? defaults.credentials?.accessKey;
    const secretKey = config("secretKey") ?? defaults.credentials?.secretKey;
    if (!accessKey || !secretKey) {
        problems.push(`No credentials for backend '${backend}'. Set '${configNamespace}:accessKey' and ` +
            `'${configNamespace}:secretKey' (pulumi config set --secret), or ${defaults.howToSetCredentials}`);
    }

    const waitTimeoutText = config("waitTimeoutSeconds");
    const waitTimeoutMs = waitTimeoutText === undefined ? undefined : Number(waitTimeoutText) * 1000;
    if (waitTimeoutMs !== undefined && !(waitTimeoutMs > 0)) {
        problems.push(`'${configNamespace}:waitTimeoutSeconds' must be a positive number of seconds, not '${waitTimeoutText}'.`);
    }

    if (problems.length > 0) {
        throw new Error(`The ${configNamespace} configuration is incomplete:\n  - ${problems.join("\n  - ")}`);
    }
    return {
        backend,
        zones: zones!,
        credentials: { accessKey: accessKey!, secretKey: secretKey! },
        iamEndpoint: config("iamEndpoint") ?? defaults.iamEndpoint,
        waitTimeoutMs,
    };
}

function parseZones(text: string, problems: string[]): Record<string, ZoneSettings> | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        problems.push(`'${configNamespace}:zones' is not JSON. Set it with 'pulumi config set --path' or as an object such as {"local-a": {"endpoint": "http://127.0.0.1:9100"}}.`);
        return undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        problems.push(`'${configNamespace}:zones' must be an object mapping each zone name to {"endpoint": "..."}.`);
        return undefined;
    }
    const zones: Record<string, ZoneSettings> = {};
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
        const zone = typeof value === "string" ? { endpoint: value } : value as Partial<ZoneSettings>;
        if (!zone || typeof zone.endpoint !== "string" || !/^https?:\/\/[^/]+/.test(zone.endpoint)) {
            problems.push(`'${configNamespace}:zones.${name}.endpoint' must be an http(s) URL such as "http://127.0.0.1:9100".`);
            continue;
        }
        zones[name] = { endpoint: zone.endpoint.replace(/\/+$/, ""), region: zone.region };
    }
    return zones;
}
