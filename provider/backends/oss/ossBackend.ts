import type {
    BackendSettings, BucketRef, ObservedVersioning, ProgressLog, ReplicationRule, ReplicationSpec, RoleSpec, RoleState, StorageBackend,
} from "../backend";
import type { PathProblem } from "../contract";
import type { ReplicationLocation, ReplicationProgress } from "../../common/oss";
import { OssBuckets } from "./buckets";
import { OssClient } from "./ossClient";
import { RamClient } from "./ramClient";
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
    private ramClient?: RamClient;
    private readonly roles = new OssRoles(() => this.ram());
    private readonly replication: OssReplication;

    constructor(private readonly settings: BackendSettings, options: { pollMs?: { first: number; max: number } } = {}) {
        super(new OssClient({
            zones: settings.zones, credentials: settings.credentials, requestPolicy: settings.requestPolicy, credentialHint: settings.credentialHint,
        }));
        this.zoneNames = Object.keys(settings.zones);
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

    createRole(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        return this.roles.create(spec, identity, log);
    }

    readRole(id: string, known: RoleState): Promise<RoleState | undefined> {
        return this.roles.read(id, known);
    }

    updateRole(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        return this.roles.update(known, spec, log);
    }

    deleteRole(known: RoleState, log: ProgressLog): Promise<void> {
        return this.roles.delete(known, log);
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

    private ram(): RamClient {
        this.ramClient ??= new RamClient({
            endpoint: this.settings.iamEndpoint, credentials: this.settings.credentials,
            requestPolicy: this.settings.requestPolicy, credentialHint: this.settings.credentialHint,
        });
        return this.ramClient;
    }
}
