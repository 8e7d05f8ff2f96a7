import {
    type BackendSettings, type BucketRef, type ObservedVersioning, type ProgressLog, type ReplicationRule, type ReplicationSpec,
    type RoleSpec, type RoleState, type StorageBackend, zoneCredentials,
} from "../backend";
import type { PathProblem } from "../contract";
import type { ReplicationLocation, ReplicationProgress } from "../../common/oss";
import { OssBuckets } from "./buckets";
import { OssGrants, sourceBucketOfPolicy } from "./crossAccount";
import { credentialHintOf, OssClient } from "./ossClient";
import { isCode, RamClient } from "./ramClient";
import { regionOfLocation } from "./regions";
import { OssReplication } from "./replication";
import { OssRoles } from "./roles";
import type { OssRule } from "./rules";

/**
 * Alibaba OSS: buckets, versioning, tags and replication through OSS's native API (signed with
 * OSS4-HMAC-SHA256), sync roles through RAM (signed with ACS3-HMAC-SHA256). The jobs live beside it:
 * buckets and objects (buckets.ts), roles (roles.ts), replication and its queries (replication.ts).
 */
export class OssBackend extends OssBuckets implements StorageBackend {
    readonly name = "oss";
    readonly zoneNames: readonly string[];
    /** RAM per account: keyed by the access key that signs for it (the stack's, or a zone's own). */
    private readonly ramClients = new Map<string, RamClient>();
    private readonly replication: OssReplication;
    readonly grants: OssGrants;

    constructor(private readonly settings: BackendSettings, options: { pollMs?: { first: number; max: number } } = {}) {
        super(new OssClient({
            zones: settings.zones, credentials: settings.credentials, requestPolicy: settings.requestPolicy, credentialHint: settings.credentialHint,
        }));
        this.zoneNames = Object.keys(settings.zones);
        this.grants = new OssGrants(this.oss, settings);
        this.replication = new OssReplication(this, settings.waitTimeoutMs, options.pollMs ?? { first: 1000, max: 10_000 });
    }

    endpointOf(zone: string): string {
        return this.oss.site(zone).endpoint;
    }

    /** The OSS region of a zone: its configured `region`, or its name. */
    regionOf(zone: string): string {
        return this.settings.zones[zone]?.region ?? zone;
    }

    /** The configured zone of an OSS location, preferring `preferred` when it is in that region. */
    zoneOfLocation(location: string, preferred?: string): string {
        const region = regionOfLocation(location);
        if (preferred && this.regionOf(preferred) === region) return preferred;
        return this.zoneNames.find((zone) => this.regionOf(zone) === region) ?? region;
    }

    // Roles (roles.ts). The role's id is its name, which is what a replication rule's SyncRole names.
    // OSS replicates only as a role of the source bucket's account: across accounts, the role is made,
    // read, updated and deleted with the key pair of the account that owns the source its policy names.

    async createRole(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        return new OssRoles(await this.roleHome(spec.policy, spec.name, log)).create(spec, identity, log);
    }

    async readRole(id: string, known: RoleState): Promise<RoleState | undefined> {
        return new OssRoles(await this.roleHome(known.policy, id)).read(id, known);
    }

    async updateRole(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        return new OssRoles(await this.roleHome(known.policy, known.id, log)).update(known, spec, log);
    }

    async deleteRole(known: RoleState, log: ProgressLog): Promise<void> {
        return new OssRoles(await this.roleHome(known.policy, known.id, log)).delete(known, log);
    }

    /**
     * The RAM client of the account a role belongs to. With the stack's key pair alone, that one (no call
     * is made). With zones of their own, the account that owns the source bucket the role's policy names
     * (asked zone by zone, each with its key pair); when that bucket cannot be found, the account that has
     * a role of that name; else the stack's.
     */
    private async roleHome(policy: unknown, roleName: string, log?: ProgressLog): Promise<() => RamClient> {
        const stack = () => this.ram(undefined);
        if (!this.zoneNames.some((zone) => this.settings.zones[zone]?.credentials !== undefined)) return stack;
        const source = sourceBucketOfPolicy(policy);
        for (const zone of source ? this.zoneNames : []) {
            const owner = await this.grants.ownerOf({ zone, bucket: source! }, log).catch((error) => {
                // Another region's bucket, or another account's: OSS answers AccessDenied.
                if (isCode(error, "AccessDenied")) return undefined;
                throw error;
            });
            if (owner === undefined) continue;
            if (this.settings.zones[zone]?.credentials) log?.(`role '${roleName}' replicates from '${source}', a bucket of account ${owner}: it lives there (zone ${zone}'s key pair)`);
            return () => this.ram(zone);
        }
        const zoneOfPair = new Map(this.zoneNames.map((zone) => [zoneCredentials(this.settings, zone).accessKey, zone]));
        for (const zone of zoneOfPair.values()) {
            if (await this.ram(zone).getRole(roleName, log)) return () => this.ram(zone);
        }
        return stack;
    }

    // Replication and its queries (replication.ts).

    putReplication(spec: ReplicationSpec, previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        return this.replication.putReplication(spec, previous, log);
    }

    getReplication(source: BucketRef, known: ReplicationSpec): Promise<ReplicationSpec | undefined> {
        return this.replication.getReplication(source, known);
    }

    /** GetBucketReplicationProgress of every rule (oss/status.ts). */
    replicationStatus(spec: ReplicationSpec) {
        return this.replication.replicationStatus(spec);
    }

    deleteReplication(spec: ReplicationSpec, log: ProgressLog): Promise<void> {
        return this.replication.deleteReplication(spec, log);
    }

    /** The rules on a bucket, with their states; empty when it has none. */
    rulesOf(source: BucketRef, log?: ProgressLog): Promise<OssRule[]> {
        return this.replication.rulesOf(source, log);
    }

    rulesPreviewProblems(source: BucketRef, rules: readonly ReplicationRule[]): Promise<PathProblem[]> {
        return this.replication.rulesPreviewProblems(source, rules);
    }

    destinationProblems(source: BucketRef, rules: readonly Pick<ReplicationRule, "id" | "destination" | "transferType" | "replicationTimeControl">[]): Promise<PathProblem[]> {
        return this.replication.destinationProblems(source, rules);
    }

    replicationLocations(source: BucketRef): Promise<ReplicationLocation[]> {
        return this.replication.replicationLocations(source);
    }

    replicationProgress(source: BucketRef, ruleId: string): Promise<ReplicationProgress> {
        return this.replication.replicationProgress(source, ruleId);
    }

    /** RAM signed with a zone's key pair (the stack's where the zone has none), or the stack's (`undefined`). */
    private ram(zone: string | undefined): RamClient {
        const credentials = zone === undefined ? this.settings.credentials : zoneCredentials(this.settings, zone);
        let client = this.ramClients.get(credentials.accessKey);
        if (!client) {
            client = new RamClient({
                endpoint: this.settings.iamEndpoint, credentials, requestPolicy: this.settings.requestPolicy,
                credentialHint: zone === undefined ? this.settings.credentialHint : credentialHintOf(zone, this.settings.zones[zone], this.settings.credentialHint),
            });
            this.ramClients.set(credentials.accessKey, client);
        }
        return client;
    }
}
