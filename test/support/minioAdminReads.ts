import { adminGetOn, localZones } from "./localZones";

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

function adminGet(zone: string, path: string, query: Record<string, string>): Promise<string> {
    return adminGetOn(localZones(), zone, path, query);
}
