import type { S3Client } from "@aws-sdk/client-s3";
import type {
    BackendSettings, BucketRef, ObservedVersioning, ProgressLog, ReplicationRule, ReplicationSpec, RoleSpec,
    RoleState, StorageBackend, VersioningStatus,
} from "../backend";
import type { MinioAdminClient, RemoteTarget } from "./adminClient";
import * as buckets from "../s3/buckets";
import { s3Client } from "../s3/client";
import { waitForVersioningAtBothEnds } from "../versioningGate";
import { samePolicy } from "./policy";
import { readReplicationXml, replicationXml } from "./replicationXml";

const defaultWaitTimeoutMs = 120_000;

export class MinioBackend implements StorageBackend {
    readonly name = "minio";
    readonly zoneNames: readonly string[];
    private readonly clients = new Map<string, S3Client>();
    private readonly admins = new Map<string, MinioAdminClient>();

    constructor(private readonly settings: BackendSettings) {
        this.zoneNames = Object.keys(settings.zones);
    }

    endpointOf(zone: string): string {
        const settings = this.settings.zones[zone];
        if (!settings) {
            throw new Error(`Zone '${zone}' is not configured; configured zones: ${this.zoneNames.join(", ")}.`);
        }
        return settings.endpoint;
    }

    bucketExists(ref: BucketRef) { return buckets.bucketExists(this.s3(ref.zone), ref.bucket); }
    createBucket(ref: BucketRef) { return buckets.createBucket(this.s3(ref.zone), ref.bucket); }
    countVersions(ref: BucketRef, limit: number) { return buckets.countVersions(this.s3(ref.zone), ref.bucket, limit); }
    deleteBucket(ref: BucketRef) { return buckets.deleteBucket(this.s3(ref.zone), ref.bucket); }
    getBucketTags(ref: BucketRef) { return buckets.getBucketTags(this.s3(ref.zone), ref.bucket); }
    putBucketTags(ref: BucketRef, tags: Readonly<Record<string, string>>) { return buckets.putBucketTags(this.s3(ref.zone), ref.bucket, tags); }
    getVersioning(ref: BucketRef): Promise<ObservedVersioning> { return buckets.getVersioning(this.s3(ref.zone), ref.bucket); }
    putVersioning(ref: BucketRef, status: VersioningStatus) { return buckets.putVersioning(this.s3(ref.zone), ref.bucket, status); }

    async emptyAndDeleteBucket(ref: BucketRef, log: ProgressLog): Promise<void> {
        await buckets.deleteAllVersions(this.s3(ref.zone), ref.bucket, log);
        await buckets.deleteBucket(this.s3(ref.zone), ref.bucket);
    }

    // A role is a user of the same name on every zone, with a canned policy of the same name: the
    // zones that replicate into a destination log in to it as this user.
    async createRole(spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        const secretKey = randomSecret();
        for (const zone of this.zoneNames) {
            log(`creating user and policy '${spec.name}' on zone ${zone}`);
            const admin = this.admin(zone);
            await admin.addCannedPolicy(spec.name, spec.policy as object);
            await admin.addUser(spec.name, secretKey);
            await admin.attachPolicy(spec.name, [spec.name]);
        }
        return { ...spec, id: spec.name, secretKey };
    }

    async readRole(id: string, known: RoleState): Promise<RoleState | undefined> {
        let policy: unknown;
        for (const zone of this.zoneNames) {
            const admin = this.admin(zone);
            if (!(await admin.userInfo(id))) return undefined;
            policy = policy ?? (await admin.getCannedPolicy(id));
        }
        return { ...known, policy: policy === undefined || samePolicy(policy, known.policy) ? known.policy : policy };
    }

    async updateRole(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        for (const zone of this.zoneNames) {
            log(`updating policy '${known.id}' on zone ${zone}`);
            const admin = this.admin(zone);
            await admin.addCannedPolicy(known.id, spec.policy as object);
            await admin.attachPolicy(known.id, [known.id]);
        }
        return { ...known, ...spec, id: known.id };
    }

    async deleteRole(known: RoleState, log: ProgressLog): Promise<void> {
        for (const zone of this.zoneNames) {
            log(`removing user and policy '${known.id}' from zone ${zone}`);
            const admin = this.admin(zone);
            if (await admin.userInfo(known.id)) await admin.removeUser(known.id);
            await admin.removeCannedPolicy(known.id);
        }
    }

    async putReplication(spec: ReplicationSpec, _previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        await this.waitForVersioning(spec.source, spec.rules.map((r) => r.destination), log);
        const admin = this.admin(spec.source.zone);
        const wanted = uniqueDestinations(spec.rules).map((destination) => ({ destination, target: this.remoteTarget(destination, spec.role) }));
        let targets = await admin.listRemoteTargets(spec.source.bucket);
        const sameTargets = targets.length === wanted.length
            && wanted.every(({ target }) => targets.some((t) => t.endpoint === target.endpoint && t.targetBucket === target.targetBucket));
        if (!sameTargets && targets.length > 0) {
            // MinIO keeps one remote target per source bucket and target server, and refuses to remove
            // a target a rule still uses; removing the configuration removes its targets with it.
            log(`replacing the remote targets of ${spec.source.zone}/${spec.source.bucket}: the rules' destinations changed`);
            await this.removeReplicationDocument(spec.source);
            targets = await admin.listRemoteTargets(spec.source.bucket);
        }
        const arnByDestination = new Map<string, string>();
        for (const { destination, target } of wanted) {
            const existing = targets.find((t) => t.endpoint === target.endpoint && t.targetBucket === target.targetBucket);
            if (existing) {
                await admin.updateRemoteTargetCredentials(spec.source.bucket, existing.arn, target);
                arnByDestination.set(destinationKey(destination), existing.arn);
            } else {
                log(`registering ${destination.zone}/${destination.bucket} as a remote target of ${spec.source.zone}/${spec.source.bucket}`);
                arnByDestination.set(destinationKey(destination), await admin.setRemoteTarget(spec.source.bucket, target));
            }
        }
        const xml = replicationXml(spec.rules, (rule) => arnByDestination.get(destinationKey(rule.destination))!);
        const response = await admin.s3Request("PUT", spec.source.bucket, "replication", xml);
        if (response.status >= 300) {
            throw new Error(`MinIO refused the replication configuration of bucket '${spec.source.bucket}': ${response.text}`);
        }
    }

    async getReplication(source: BucketRef, known: ReplicationSpec): Promise<ReplicationSpec | undefined> {
        const admin = this.admin(source.zone);
        const response = await admin.s3Request("GET", source.bucket, "replication");
        if (response.status === 404) return undefined;
        if (response.status >= 300) {
            throw new Error(`Could not read the replication configuration of bucket '${source.bucket}': ${response.text}`);
        }
        const targets = await admin.listRemoteTargets(source.bucket);
        const rules = readReplicationXml(response.text, (arn) => {
            const target = targets.find((t) => t.arn === arn);
            if (!target) return { zone: "", bucket: arn };
            return { zone: this.zoneOfHost(target.endpoint) ?? target.endpoint, bucket: target.targetBucket };
        });
        return { source, role: known.role, rules };
    }

    async deleteReplication(spec: ReplicationSpec, log: ProgressLog): Promise<void> {
        if (!(await this.bucketExists(spec.source))) return;
        log(`removing the replication configuration of ${spec.source.zone}/${spec.source.bucket}; replicated objects stay where they are`);
        await this.removeReplicationDocument(spec.source);
    }

    /** Removes the configuration and, with it on MinIO, every remote target of the bucket. */
    private async removeReplicationDocument(source: BucketRef): Promise<void> {
        const admin = this.admin(source.zone);
        const response = await admin.s3Request("DELETE", source.bucket, "replication");
        if (response.status >= 300 && response.status !== 404) {
            throw new Error(`Could not remove the replication configuration of bucket '${source.bucket}': ${response.text}`);
        }
        for (const target of await admin.listRemoteTargets(source.bucket)) {
            await admin.removeRemoteTarget(source.bucket, target.arn);
        }
    }

    private async waitForVersioning(source: BucketRef, destinations: readonly BucketRef[], log: ProgressLog): Promise<void> {
        const probe = async (ref: BucketRef) => (await this.bucketExists(ref)) ? await this.getVersioning(ref) : "Missing" as const;
        await waitForVersioningAtBothEnds(source, destinations, probe, log, { timeoutMs: this.settings.waitTimeoutMs ?? defaultWaitTimeoutMs });
    }

    private remoteTarget(destination: BucketRef, role: RoleState): RemoteTarget {
        if (!role.secretKey) {
            throw new Error(`Role '${role.name}' has no credentials for MinIO remote targets; pass the IamRole resource itself as 'role'.`);
        }
        const url = new URL(this.endpointOf(destination.zone));
        const secure = url.protocol === "https:";
        return {
            endpoint: `${url.hostname}:${url.port || (secure ? "443" : "80")}`,
            secure,
            targetBucket: destination.bucket,
            accessKey: role.id,
            secretKey: role.secretKey,
            region: this.settings.zones[destination.zone].region,
        };
    }

    private zoneOfHost(hostPort: string): string | undefined {
        return this.zoneNames.find((zone) => {
            const url = new URL(this.endpointOf(zone));
            return `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}` === hostPort;
        });
    }

    private s3(zone: string): S3Client {
        let client = this.clients.get(zone);
        if (!client) {
            client = s3Client({ endpoint: this.endpointOf(zone), region: this.regionOf(zone), credentials: this.settings.credentials });
            this.clients.set(zone, client);
        }
        return client;
    }

    private admin(zone: string): MinioAdminClient {
        let admin = this.admins.get(zone);
        if (!admin) {
            const { MinioAdminClient } = require("./adminClient") as typeof import("./adminClient");
            admin = new MinioAdminClient({ endpoint: this.endpointOf(zone), credentials: this.settings.credentials, region: this.regionOf(zone) });
            this.admins.set(zone, admin);
        }
        return admin;
    }

    private regionOf(zone: string): string {
        return this.settings.zones[zone]?.region ?? "us-east-1";
    }
}

function uniqueDestinations(rules: readonly ReplicationRule[]): BucketRef[] {
    const seen = new Map<string, BucketRef>();
    for (const rule of rules) seen.set(destinationKey(rule.destination), rule.destination);
    return [...seen.values()];
}

function destinationKey(ref: BucketRef): string {
    return `${ref.zone}/${ref.bucket}`;
}

function randomSecret(): string {
    const { randomBytes } = require("crypto") as typeof import("crypto");
    return randomBytes(30).toString("base64").replace(/[+/=]/g, "").slice(0, 40);
}
