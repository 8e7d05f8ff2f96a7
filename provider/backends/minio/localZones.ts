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
            return { ...(JSON.parse(fs.readFileSync(candidate, "utf8")) as LocalZonesFile), path: candidate };
        }
    }
    return undefined;
}

export function localCredentials(file: LocalZonesFile | undefined): Partial<Credentials> | undefined {
    return file ? { accessKey: file.accessKey, secretKey: file.secretKey } : undefined;
}
