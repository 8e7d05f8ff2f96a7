import type {
    BackendSettings, BucketRef, ProgressLog, ReplicationSpec, RoleSpec, RoleState, StorageBackend, ZoneSettings,
} from "../backend";
import { S3CompatibleBuckets } from "../s3/buckets";
import { ZoneS3 } from "../s3/client";
import { defaultPollInterval, ExoscaleIamClient, type PollInterval } from "./iamClient";
import { ExoscaleReplication } from "./replication";
import { ExoscaleRoles } from "./roles";
import { configKey } from "../../common/configKey";

export interface ExoscaleBackendOptions {
    /** How often to poll IAM operations and bucket versioning; tests shorten it. */
    readonly pollInterval?: PollInterval;
}

/** Exoscale SOS buckets (S3 API, one endpoint per zone) with replication roles from Exoscale IAM v2. */
export class ExoscaleBackend extends S3CompatibleBuckets implements StorageBackend {
    readonly name = "exoscale";
    readonly zoneNames: readonly string[];
    private readonly clients = new Map<string, ZoneS3>();
    private readonly pollInterval: PollInterval;
    private readonly waitTimeoutMs: number;
    private iamClient?: ExoscaleIamClient;
    private readonly roles = new ExoscaleRoles(() => this.iam());
    private readonly replication: ExoscaleReplication;

    constructor(private readonly settings: BackendSettings, options: ExoscaleBackendOptions = {}) {
        super();
        this.zoneNames = Object.keys(settings.zones);
        this.pollInterval = options.pollInterval ?? defaultPollInterval;
        this.waitTimeoutMs = settings.waitTimeoutMs;
        this.replication = new ExoscaleReplication(this, () => this.iam(), { timeoutMs: this.waitTimeoutMs, pollInterval: this.pollInterval });
    }

    endpointOf(zone: string): string {
        return this.zone(zone).endpoint;
    }


    // Roles: Exoscale IAM v2 (roles.ts). The role's id is its UUID, which is also what replication names.

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

    // Replication: S3 PutBucketReplication with the SOS document (replication.ts).

    putReplication(spec: ReplicationSpec, previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        return this.replication.putReplication(spec, previous, log);
    }

    getReplication(source: BucketRef, known: ReplicationSpec): Promise<ReplicationSpec | undefined> {
        return this.replication.getReplication(source, known);
    }

    /** SOS exposes no replication figures: the latest versions' replication status, sampled (s3/replicationSample.ts). */
    replicationStatus(spec: ReplicationSpec, options?: { readonly sampleSize?: number }) {
        return this.replication.replicationStatus(spec, options);
    }

    deleteReplication(spec: ReplicationSpec, log: ProgressLog): Promise<void> {
        return this.replication.deleteReplication(spec, log);
    }

    private zone(zone: string): ZoneSettings {
        const settings = this.settings.zones[zone];
        if (!settings) {
            throw new Error(`Zone '${zone}' is not configured for Exoscale; use one of ${this.zoneNames.map((z) => `'${z}'`).join(", ")}, ` +
                `or add it to '${configKey("zones")}'.`);
        }
        return settings;
    }

    s3(zone: string): ZoneS3 {
        let client = this.clients.get(zone);
        if (!client) {
            const settings = this.zone(zone);
            client = new ZoneS3({
                zone, endpoint: settings.endpoint,
                // SOS signs with the zone name as the SigV4 region.
                region: settings.region ?? zone,
                credentials: this.settings.credentials, requestPolicy: this.settings.requestPolicy,
                credentialHint: this.settings.credentialHint, serviceName: "Exoscale SOS",
            });
            this.clients.set(zone, client);
        }
        return client;
    }

    private iam(): ExoscaleIamClient {
        this.iamClient ??= new ExoscaleIamClient({
            endpoint: this.settings.iamEndpoint,
            apiKey: this.settings.credentials.accessKey,
            apiSecret: this.settings.credentials.secretKey,
            waitTimeoutMs: this.waitTimeoutMs,
            pollInterval: this.pollInterval,
            requestPolicy: this.settings.requestPolicy,
            credentialHint: this.settings.credentialHint,
        });
        return this.iamClient;
    }
}
