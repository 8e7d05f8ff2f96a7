import { localZones } from "./localZones";

/**
 * Reads from MinIO's admin API that `mc` of the toolchain cannot print (it has no `remote ls` any more),
 * signed here with the AWS SDK's own SigV4 signer and the zones' root keys: independent of the
 * provider's admin client, so a test that reads with it checks the provider rather than itself.
 */

/** A bucket's remote target as MinIO lists it (the secret key is never returned). */
export interface RemoteTargetView {
    readonly arn: string;
    readonly endpoint: string;
    readonly targetBucket: string;
    readonly accessKey: string;
}

/** The replication remote targets of `bucket` on `zone`. */
export async function remoteTargetsOf(zone: string, bucket: string): Promise<RemoteTargetView[]> {
    const body = await adminGet(zone, "/minio/admin/v3/list-remote-targets", { bucket, type: "replication" });
    const listed = (JSON.parse(body) ?? []) as Array<{ arn?: string; endpoint?: string; targetbucket?: string; credentials?: { accessKey?: string } }>;
    return listed.map((t) => ({ arn: t.arn ?? "", endpoint: t.endpoint ?? "", targetBucket: t.targetbucket ?? "", accessKey: t.credentials?.accessKey ?? "" }));
}

async function adminGet(zone: string, path: string, query: Record<string, string>): Promise<string> {
    const { SignatureV4 } = require("@smithy/signature-v4") as typeof import("@smithy/signature-v4");
    const { Hash } = require("@smithy/hash-node") as typeof import("@smithy/hash-node");
    const local = localZones();
    const endpoint = new URL(local.zones[zone].endpoint);
    const signer = new SignatureV4({
        service: "s3", region: "us-east-1", sha256: Hash.bind(null, "sha256"), uriEscapePath: true,
        credentials: { accessKeyId: local.accessKey, secretAccessKey: local.secretKey },
    });
    const signed = await signer.sign({
        method: "GET", protocol: endpoint.protocol, hostname: endpoint.hostname, port: Number(endpoint.port) || undefined, path, query,
        headers: { host: endpoint.host, "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    });
    const response = await fetch(`${endpoint.origin}${path}?${new URLSearchParams(query)}`, { headers: signed.headers });
    const text = await response.text();
    if (!response.ok) throw new Error(`MinIO admin GET ${path} on ${zone} answered ${response.status}: ${text}`);
    return text;
}
