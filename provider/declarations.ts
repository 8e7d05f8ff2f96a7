/**
 * What the program declares, as seen by this provider process while the engine checks resources one
 * after the other: a later resource's check can then refuse what an earlier one already rules out
 * (replication into a bucket whose versioning the program declares Suspended) at preview, instead
 * of waiting for it at `up`.
 */
const versioningByBucket = new Map<string, string>();

export function declareVersioning(zone: string, bucket: string, status: string): void {
    versioningByBucket.set(`${zone}/${bucket}`, status);
}

/** The versioning status the program declares for a bucket, if it declares one. */
export function declaredVersioning(zone: string, bucket: string): string | undefined {
    return versioningByBucket.get(`${zone}/${bucket}`);
}
