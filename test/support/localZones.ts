import type { S3Client } from "@aws-sdk/client-s3";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { repoRoot, toolBin } from "./toolchain";

export interface LocalZones {
    /** Each zone's endpoint and, on the owners pair (`scripts/zones.sh --pair owners`), its own root key pair. */
    readonly zones: Record<string, { endpoint: string; accessKey?: string; secretKey?: string }>;
    /** The root key pair of every zone that has none of its own (on the owners pair: local-a's). */
    readonly accessKey: string;
    readonly secretKey: string;
}

export interface ZoneKeys {
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

/**
 * The owners pair (`scripts/zones.sh --pair owners up`): two servers with different root users, each
 * zone's own pair in its entry. PBR_OWNERS_ZONES names its file (scripts/test.sh sets it); fails loudly
 * when the pair is not running.
 */
export function ownersZones(): LocalZones {
    const file = process.env.PBR_OWNERS_ZONES
        ?? path.join(process.env.PBR_OWNERS_ZONES_DIR ?? path.join(repoRoot, ".zones", "pairs", "owners"), "zones.json");
    if (!fs.existsSync(file)) {
        throw new Error(`The owners pair is not running (${file} is missing). Start it with 'npm run zones -- --pair owners up'.`);
    }
    const local = JSON.parse(fs.readFileSync(file, "utf8")) as LocalZones;
    for (const [zone, { accessKey, secretKey }] of Object.entries(local.zones)) {
        if (!accessKey || !secretKey) throw new Error(`${file}: zone ${zone} has no key pair of its own; run 'npm run zones -- --pair owners up' again.`);
    }
    return local;
}

/** The root key pair of `zone`: its own where the file gives one, else the pair's. */
export function keysOf(local: LocalZones, zone: string): ZoneKeys {
    const entry = local.zones[zone];
    if (!entry) throw new Error(`No zone '${zone}' in the zones file; it has ${Object.keys(local.zones).join(", ")}.`);
    return entry.accessKey && entry.secretKey ? { accessKey: entry.accessKey, secretKey: entry.secretKey } : { accessKey: local.accessKey, secretKey: local.secretKey };
}

/** A plain S3 client for reading a zone independently of the provider's code. */
export function rawS3(zone: string, credentials?: { accessKey: string; secretKey: string }): S3Client {
    return rawS3Of(localZones(), zone, credentials);
}

/** rawS3 on the zones of `local` (such as ownersZones()), signing with the zone's root keys unless told otherwise. */
export function rawS3Of(local: LocalZones, zone: string, credentials?: ZoneKeys): S3Client {
    const { S3Client } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const creds = credentials ?? keysOf(local, zone);
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
    return mcOn(localZones(), args);
}

/** mc on the zones of `local` (such as ownersZones()): each alias signs with its zone's root keys. */
export async function mcOn(local: LocalZones, args: readonly string[]): Promise<any[]> {
    const env: NodeJS.ProcessEnv = { ...process.env, MC_CONFIG_DIR: path.join(repoRoot, ".zones", "mc") };
    for (const [zone, { endpoint }] of Object.entries(local.zones)) {
        const url = new URL(endpoint);
        const keys = keysOf(local, zone);
        env[`MC_HOST_${zone.replace(/-/g, "_")}`] = `${url.protocol}//${encodeURIComponent(keys.accessKey)}:${encodeURIComponent(keys.secretKey)}@${url.host}`;
    }
    const aliased = args.map((a) => a.replace(/^(local)-([ab])(\/|$)/, "$1_$2$3"));
    const { stdout } = await promisify(execFile)(path.join(toolBin(), "mc"), ["--json", "--no-color", ...aliased], { env, maxBuffer: 64 << 20 })
        .catch((error: { stdout?: string; stderr?: string; message: string }) => {
            throw new Error(`mc ${args.join(" ")} failed: ${error.stdout ?? ""}${error.stderr ?? ""}${error.message}`);
        });
    return stdout.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
}

export interface ObjectOnZone {
    readonly body: string;
    readonly replicationStatus?: string;
    readonly versionId?: string;
}

/**
 * Object reads and writes straight to the zones of `local`, each signed with its zone's root keys (as
 * test/support/objects.ts does on the main pair): for pairs whose zones have owners of their own.
 */
export function objectsOn(local: LocalZones) {
    const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const { eventually } = require("./wait") as typeof import("./wait");
    const readObject = async (zone: string, bucket: string, key: string): Promise<ObjectOnZone | undefined> => {
        try {
            const result = await rawS3Of(local, zone).send(new (s3().GetObjectCommand)({ Bucket: bucket, Key: key }));
            return { body: await result.Body!.transformToString(), replicationStatus: result.ReplicationStatus, versionId: result.VersionId };
        } catch (error) {
            if ((error as { name?: string }).name === "NoSuchKey") return undefined;
            throw error;
        }
    };
    return {
        readObject,
        putObject: async (zone: string, bucket: string, key: string, body: string): Promise<void> => {
            await rawS3Of(local, zone).send(new (s3().PutObjectCommand)({ Bucket: bucket, Key: key, Body: body }));
        },
        /** Waits until the object is in `zone` with these bytes and this replication status. */
        replicated: (zone: string, bucket: string, key: string, body: string, status: string, timeoutMs?: number): Promise<ObjectOnZone> =>
            eventually(`${key} in ${zone}/${bucket} with status ${status}`, async () => {
                const view = await readObject(zone, bucket, key);
                return view && view.body === body && view.replicationStatus === status ? view : undefined;
            }, timeoutMs),
    };
}

/**
 * One GET of MinIO's admin API on a zone of `local` (such as `/minio/admin/v3/list-remote-targets`), signed
 * with the AWS SDK's own SigV4 signer and the zone's root keys, independent of the provider's admin client;
 * the answer's text.
 */
export async function adminGetOn(local: LocalZones, zone: string, adminPath: string, query: Record<string, string>): Promise<string> {
    const { SignatureV4 } = require("@smithy/signature-v4") as typeof import("@smithy/signature-v4");
    const { Hash } = require("@smithy/hash-node") as typeof import("@smithy/hash-node");
    const endpoint = new URL(local.zones[zone].endpoint);
    const keys = keysOf(local, zone);
    const signer = new SignatureV4({
        service: "s3", region: "us-east-1", sha256: Hash.bind(null, "sha256"), uriEscapePath: true,
        credentials: { accessKeyId: keys.accessKey, secretAccessKey: keys.secretKey },
    });
    const signed = await signer.sign({
        method: "GET", protocol: endpoint.protocol, hostname: endpoint.hostname, port: Number(endpoint.port) || undefined, path: adminPath, query,
        headers: { host: endpoint.host, "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    });
    const response = await fetch(`${endpoint.origin}${adminPath}?${new URLSearchParams(query)}`, { headers: signed.headers });
    const text = await response.text();
    if (!response.ok) throw new Error(`MinIO admin GET ${adminPath} on ${zone} answered ${response.status}: ${text}`);
    return text;
}

/** A bucket's replication remote target as MinIO's admin API lists it, in its own field names (no secret key). */
export interface RawRemoteTarget {
    readonly arn: string;
    readonly endpoint: string;
    readonly targetbucket: string;
    readonly credentials?: { readonly accessKey?: string };
    readonly bandwidthlimit?: number;
    readonly replicationSync?: boolean;
    /** Nanoseconds. */
    readonly healthCheckDuration?: number;
    readonly resetID?: string;
}

/** The replication remote targets of `bucket` on `zone` of `local`, read with adminGetOn. */
export async function rawRemoteTargetsOn(local: LocalZones, zone: string, bucket: string): Promise<RawRemoteTarget[]> {
    return JSON.parse(await adminGetOn(local, zone, "/minio/admin/v3/list-remote-targets", { bucket, type: "replication" })) ?? [];
}
