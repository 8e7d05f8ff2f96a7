import type { S3Client } from "@aws-sdk/client-s3";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { repoRoot, toolBin } from "./toolchain";

export interface LocalZones {
    readonly zones: Record<string, { endpoint: string }>;
    readonly accessKey: string;
    readonly secretKey: string;
}

/** The local MinIO pair as `npm run zones -- up` left it; fails loudly when it is not running. */
export function localZones(): LocalZones {
    const file = process.env.PBR_LOCAL_ZONES ?? path.join(repoRoot, ".zones", "zones.json");
    if (!fs.existsSync(file)) {
        throw new Error(`The local zones are not running (${file} is missing). Start them with 'npm run zones -- up'.`);
    }
    return JSON.parse(fs.readFileSync(file, "utf8")) as LocalZones;
}

/** A plain S3 client for reading a zone independently of the provider's code. */
export function rawS3(zone: string, credentials?: { accessKey: string; secretKey: string }): S3Client {
    const { S3Client } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const local = localZones();
    const creds = credentials ?? local;
    return new S3Client({
        endpoint: local.zones[zone].endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey },
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
    });
}

/** Runs MinIO's own client `mc` with one alias per zone (`local-a`, `local-b`), returning its JSON lines. */
export async function mc(args: readonly string[]): Promise<any[]> {
    const local = localZones();
    const env: NodeJS.ProcessEnv = { ...process.env, MC_CONFIG_DIR: path.join(repoRoot, ".zones", "mc") };
    for (const [zone, { endpoint }] of Object.entries(local.zones)) {
        const url = new URL(endpoint);
        env[`MC_HOST_${zone.replace(/-/g, "_")}`] = `${url.protocol}//${encodeURIComponent(local.accessKey)}:${encodeURIComponent(local.secretKey)}@${url.host}`;
    }
    const aliased = args.map((a) => a.replace(/^(local)-([ab])(\/|$)/, "$1_$2$3"));
    const { stdout } = await promisify(execFile)(path.join(toolBin(), "mc"), ["--json", "--no-color", ...aliased], { env, maxBuffer: 64 << 20 })
        .catch((error: { stdout?: string; stderr?: string; message: string }) => {
            throw new Error(`mc ${args.join(" ")} failed: ${error.stdout ?? ""}${error.stderr ?? ""}${error.message}`);
        });
    return stdout.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
}
