import type { BackendSettings, ZoneSettings } from "./backends/backend";
import { backendDefaults, defaultBackend, knownBackends } from "./backends/registry";
import { defaultRequestPolicy, RequestPolicy } from "./transport/retry";
import { configKey, configNamespace } from "./common/configKey";


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
        throw new Error(`'${configKey("backend")}' is '${backend}'; set it to one of ${knownBackends.map((b) => `'${b}'`).join(", ")}.`);
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
    // A pair the service would never use must not be taken in silence.
    const ownedElsewhere = Object.entries(zones ?? {}).filter(([, zone]) => zone.credentials || zone.account).map(([name]) => name);
    if (defaults.zonesOfOtherOwnersRefused && ownedElsewhere.length > 0) {
        problems.push(`Zone${ownedElsewhere.length > 1 ? "s" : ""} ${ownedElsewhere.map((z) => `'${z}'`).join(", ")} of '${configKey("zones")}' ` +
            `name${ownedElsewhere.length > 1 ? "" : "s"} an owner of ${ownedElsewhere.length > 1 ? "their" : "its"} own ('accessKey', 'secretKey' or 'account'), ` +
            `but ${defaults.zonesOfOtherOwnersRefused} Remove those settings, and set the stack's '${configKey("accessKey")}' and '${configKey("secretKey")}'.`);
    }

    // Where every zone has its owner's pair, the stack needs none of its own: the first zone's stands in for it.
    const ownPairs = zones ? Object.values(zones).map((zone) => zone.credentials) : [];
    const everyZoneHasItsOwn = ownPairs.length > 0 && ownPairs.every((pair) => pair !== undefined);
    const fallback = everyZoneHasItsOwn ? ownPairs[0] : defaults.credentials;
    const accessKey = config("accessKey") ?? fallback?.accessKey;
    const secretKey = config("secretKey") ?? fallback?.secretKey;
    if (!accessKey || !secretKey) {
        const without = zones && ownPairs.some((pair) => pair !== undefined)
            ? ` (for the zones without a key pair of their own: ${Object.entries(zones).filter(([, zone]) => !zone.credentials).map(([name]) => name).join(", ")})` : "";
        problems.push(`No credentials for backend '${backend}'${without}. Set '${configKey("accessKey")}' and ` +
            `'${configKey("secretKey")}' (pulumi config set --secret), or ${defaults.howToSetCredentials}`);
    }

    const waitTimeoutMs = positiveSeconds(config, "waitTimeoutSeconds", problems);
    const requestTimeoutMs = positiveSeconds(config, "requestTimeoutSeconds", problems);
    const requestPolicy: RequestPolicy = {
        ...defaultRequestPolicy,
        ...(requestTimeoutMs === undefined ? {} : answerLimits(requestTimeoutMs)),
        connectTimeoutMs: positiveSeconds(config, "connectTimeoutSeconds", problems) ?? defaultRequestPolicy.connectTimeoutMs,
        maxRetries: wholeNumber(config, "maxRetries", problems) ?? defaultRequestPolicy.maxRetries,
    };

    if (problems.length > 0) {
        throw new Error(`The ${configNamespace()} configuration is incomplete:\n  - ${problems.join("\n  - ")}`);
    }
    return {
        backend,
        zones: zones!,
        credentials: { accessKey: accessKey!, secretKey: secretKey! },
        iamEndpoint: config("iamEndpoint") ?? defaults.iamEndpoint,
        waitTimeoutMs: waitTimeoutMs ?? defaults.waitTimeoutMs,
        requestPolicy,
        credentialHint: `'${configKey("accessKey")}' and '${configKey("secretKey")}' in the stack configuration, or ${defaults.howToSetCredentials}`,
        accountDigest: digest(`${backend}\0${accessKey}`).slice(0, 12),
    };
}

/**
 * The limits that follow from 'requestTimeoutSeconds': an attempt's answer must start within half
 * of it (a silent endpoint is tried once more, so it fails in about the whole limit), and a progress
 * line says so after a third of that wait, or 10 s at most.
 */
function answerLimits(requestTimeoutMs: number): Pick<RequestPolicy, "requestTimeoutMs" | "answerStartTimeoutMs" | "silenceNoticeMs"> {
    const answerStartTimeoutMs = requestTimeoutMs / 2;
    return { requestTimeoutMs, answerStartTimeoutMs, silenceNoticeMs: Math.min(10_000, answerStartTimeoutMs / 3) };
}

function positiveSeconds(config: ConfigLookup, key: string, problems: string[]): number | undefined {
    const text = config(key);
    if (text === undefined) return undefined;
    const seconds = Number(text);
    if (!(seconds > 0)) {
        problems.push(`'${configKey(key)}' must be a positive number of seconds, not '${text}'.`);
        return undefined;
    }
    return seconds * 1000;
}

function wholeNumber(config: ConfigLookup, key: string, problems: string[]): number | undefined {
    const text = config(key);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0 || value > 20) {
        problems.push(`'${configKey(key)}' must be a whole number from 0 to 20, not '${text}'.`);
        return undefined;
    }
    return value;
}

function digest(text: string): string {
    const { createHash } = require("crypto") as typeof import("crypto");
    return createHash("sha256").update(text).digest("hex");
}

function parseZones(text: string, problems: string[]): Record<string, ZoneSettings> | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        problems.push(`'${configKey("zones")}' is not JSON. Set it with 'pulumi config set --path' or as an object such as {"local-a": {"endpoint": "http://127.0.0.1:9100"}}.`);
        return undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        problems.push(`'${configKey("zones")}' must be an object mapping each zone name to {"endpoint": "..."}.`);
        return undefined;
    }
    const zones: Record<string, ZoneSettings> = {};
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
        const zone = typeof value === "string" ? { endpoint: value } : value as Partial<ZoneSettings> & { accessKey?: unknown; secretKey?: unknown };
        if (zone && typeof zone === "object" && !Array.isArray(zone)) {
            const unknown = unknownZoneSettings(name, zone);
            if (unknown.length > 0) {
                problems.push(...unknown);
                continue;
            }
            if (zone.region !== undefined && (typeof zone.region !== "string" || zone.region === "")) {
                problems.push(`'${configKey("zones.")}${name}.region' must be a region name such as "us-east-1", not ${JSON.stringify(zone.region)}.`);
                continue;
            }
        }
        if (!zone || typeof zone.endpoint !== "string" || !/^https?:\/\/[^/]+/.test(zone.endpoint)) {
            problems.push(`'${configKey("zones.")}${name}.endpoint' must be an http(s) URL such as "http://127.0.0.1:9100".`);
            continue;
        }
        const path = new URL(zone.endpoint).pathname;
        if (path !== "/" && path !== "") {
            problems.push(`'${configKey("zones.")}${name}.endpoint' is '${zone.endpoint}', with the path '${path}': ` +
                `give the service's base URL only, such as "${new URL(zone.endpoint).origin}" (buckets are addressed below it).`);
            continue;
        }
        const credentials = zoneCredentialsOf(name, zone as Record<string, unknown>, problems);
        if (credentials === null) continue;
        if (zone.account !== undefined && (typeof zone.account !== "string" || zone.account === "")) {
            problems.push(`'${configKey(`zones.${name}.account`)}' must be the account ID that owns the zone, not ${JSON.stringify(zone.account)}.`);
            continue;
        }
        zones[name] = {
            endpoint: zone.endpoint.replace(/\/+$/, ""), region: zone.region,
            ...(credentials ? { credentials } : {}), ...(zone.account ? { account: zone.account } : {}),
        };
    }
    return zones;
}

/** What a zone's entry in the zones setting may hold: ZoneSettings, its credentials as two keys. */
const zoneSettingNames: readonly string[] = ["endpoint", "region", "account", "accessKey", "secretKey"] satisfies readonly (keyof ZoneSettings | "accessKey" | "secretKey")[];

/**
 * A zone's own key pair: both keys or neither (undefined), or null after a problem was reported. The secret
 * belongs in the configuration as a secret: `pulumi config set --secret --path '<namespace>:zones.<zone>.secretKey'`.
 */
function zoneCredentialsOf(name: string, zone: Record<string, unknown>, problems: string[]): ZoneSettings["credentials"] | null {
    const { accessKey, secretKey } = zone;
    if (accessKey === undefined && secretKey === undefined) return undefined;
    if (typeof accessKey !== "string" || !accessKey || typeof secretKey !== "string" || !secretKey) {
        problems.push(`'${configKey(`zones.${name}`)}' must have both 'accessKey' and 'secretKey' (the zone owner's key pair), or neither to use the stack's; ` +
            `set the secret with pulumi config set --secret --path '${configKey(`zones.${name}.secretKey`)}'.`);
        return null;
    }
    return { accessKey, secretKey };
}

/**
 * A misspelt setting would otherwise be ignored and its default used in silence ('Region' for
 * 'region' signs for us-east-1): each unknown key is refused, with the known one it most resembles.
 */
function unknownZoneSettings(zone: string, settings: object): string[] {
    const known = zoneSettingNames;
    return Object.keys(settings).filter((key) => !known.includes(key)).map((key) => {
        const closest = closestName(key, known);
        return `'${configKey("zones")}': zone '${zone}' has an unknown setting '${key}'; ` +
            (closest ? `did you mean '${closest}'?` : `a zone takes ${known.slice(0, -1).map((k) => `'${k}'`).join(", ")} and '${known[known.length - 1]}'.`);
    });
}

/** The known name that `name` most likely misspells: the same but for case, or within a few edits. */
export function closestName(name: string, known: readonly string[]): string | undefined {
    const sameButCase = known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (sameButCase) return sameButCase;
    let best: { name: string; distance: number } | undefined;
    for (const candidate of known) {
        const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
        if (!best || distance < best.distance) best = { name: candidate, distance };
    }
    // A third of the name may be wrong: 'regin', 'endpont', 'end_point' are near, 'profile' is not.
    return best && best.distance <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions, one each. */
function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
