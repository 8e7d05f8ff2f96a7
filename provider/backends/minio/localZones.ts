import type { Credentials, ZoneSettings } from "../backend";

/**
 * The local MinIO pair that `npm run zones -- up` starts describes itself in `.zones/zones.json`,
 * found from the program's folder upwards or named by PBR_LOCAL_ZONES. This is the embedded
 * default: a program with no zone configuration runs against it.
 */
export interface LocalZonesFile {
    readonly zones: Record<string, ZoneSettings>;
    readonly accessKey: string;
    readonly secretKey: string;
}

/**
 * A zone as the file describes it: its endpoint and, on a pair whose servers have different owners
 * (`npm run zones -- --pair owners up`), its own root key pair, as the 'zones' setting takes them.
 */
interface LocalZoneEntry {
    readonly endpoint: string;
    readonly region?: string;
    readonly accessKey?: string;
    readonly secretKey?: string;
}

export function findLocalZones(env: NodeJS.ProcessEnv, startDir: string = process.cwd()): (LocalZonesFile & { path: string }) | undefined {
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");
    const candidates: string[] = [];
    if (env.PBR_LOCAL_ZONES) candidates.push(env.PBR_LOCAL_ZONES);
    for (let dir = path.resolve(startDir); ; dir = path.dirname(dir)) {
        candidates.push(path.join(dir, ".zones", "zones.json"));
        if (path.dirname(dir) === dir) break;
    }
    for (const candidate of candidates) {
        if (fs.existsSync(candidate)) {
            const file = JSON.parse(fs.readFileSync(candidate, "utf8")) as Omit<LocalZonesFile, "zones"> & { zones: Record<string, LocalZoneEntry> };
            return { ...file, zones: zoneSettingsOf(file.zones), path: candidate };
        }
    }
    return undefined;
}

export function localCredentials(file: LocalZonesFile | undefined): Partial<Credentials> | undefined {
    return file ? { accessKey: file.accessKey, secretKey: file.secretKey } : undefined;
}

/** The file's zones as settings: a zone's own `accessKey`/`secretKey` become its credentials. */
function zoneSettingsOf(entries: Record<string, LocalZoneEntry>): Record<string, ZoneSettings> {
    return Object.fromEntries(Object.entries(entries ?? {}).map(([zone, { endpoint, region, accessKey, secretKey }]) => [zone, {
        endpoint,
        ...(region ? { region } : {}),
        ...(accessKey && secretKey ? { credentials: { accessKey, secretKey } } : {}),
    } satisfies ZoneSettings]));
}
