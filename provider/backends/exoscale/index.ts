import type { GetBucketReplicationCommandOutput, StorageClass } from "@aws-sdk/client-s3";
import type {
    BackendSettings,
    BucketRef,
    ProgressLog,
    ReplicationRule,
    ReplicationSpec,
    RoleSpec,
    RoleState,
    StorageBackend,
    ZoneSettings,
} from "../backend";
import type { BackendDefaults } from "../registry";
import { S3CompatibleBuckets } from "../s3/buckets";
import { waitForVersioningAtBothEnds } from "../versioningGate";
import { s3ErrorCode, ZoneS3 } from "../s3/client";
import { defaultPollInterval, defaultWaitTimeoutMs, ExoscaleIamClient, type PollInterval } from "./iamClient";

/** Every zone with an SOS endpoint (egoscale v3 schemas). */
export const exoscaleZones: readonly string[] = [
    "ch-gva-2", "ch-dk-2", "de-fra-1", "de-muc-1", "at-vie-1", "at-vie-2", "bg-sof-1", "hr-zag-1",
];

export function sosEndpoint(zone: string): string {
    return `https://sos-${zone}.exo.io`;
}

export function defaults(env: NodeJS.ProcessEnv): BackendDefaults {
    return {
        zones: Object.fromEntries(exoscaleZones.map((zone) => [zone, { endpoint: sosEndpoint(zone), region: zone }])),
        credentials: { accessKey: env.EXOSCALE_API_KEY, secretKey: env.EXOSCALE_API_SECRET },
        howToConfigureZones: `Every Exoscale zone (${exoscaleZones.join(", ")}) is known by default; to choose others, set ` +
            `'bucket-replication:zones' to an object such as {"ch-dk-2": {"endpoint": "https://sos-ch-dk-2.exo.io"}}.`,
        howToSetCredentials: "set the EXOSCALE_API_KEY and EXOSCALE_API_SECRET environment variables to an Exoscale API key " +
            "whose IAM role may manage SOS buckets and IAM roles.",
    };
}

export function open(settings: BackendSettings): StorageBackend {
    return new ExoscaleBackend(settings);
}

/**
 * The IAM policy that lets SOS replicate from `source` to each destination, and nothing else: get-object
 * on the source, put-object and put-object-* on each destination. The expressions are the ones of
 * Exoscale's bucket-replication guide (community.exoscale.com, storage/replication/examples).
 */
export function replicationPolicy(source: BucketRef, destinations: readonly BucketRef[]): unknown {
    const destinationBuckets = [...new Set(destinations.map((d) => d.bucket))];
    return {
        "default-service-strategy": "deny",
        services: {
            sos: {
                type: "rules",
                rules: [
                    { action: "allow", expression: `parameters.bucket == ${celString(source.bucket)} && operation == 'get-object'` },
                    ...destinationBuckets.map((bucket) => ({
                        action: "allow",
                        expression: `parameters.bucket == ${celString(bucket)} && operation.startsWith('put-object')`,
                    })),
                ],
            },
        },
    };
}

/** A CEL string literal; bucket names never need escaping, so anything that would is refused rather than quoted. */
function celString(bucket: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(bucket)) {
        throw new Error(`Bucket name '${bucket}' cannot go into an Exoscale IAM policy: use only letters, digits, '.', '-' and '_'.`);
    }
    return `'${bucket}'`;
}

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

    constructor(private readonly settings: BackendSettings, options: ExoscaleBackendOptions = {}) {
        super();
        this.zoneNames = Object.keys(settings.zones);
        this.pollInterval = options.pollInterval ?? defaultPollInterval;
        this.waitTimeoutMs = settings.waitTimeoutMs ?? defaultWaitTimeoutMs;
    }

    endpointOf(zone: string): string {
        return this.zone(zone).endpoint;
    }

    // Roles: Exoscale IAM v2. The role's id is its UUID, which is also what replication names.

    async createRole(spec: RoleSpec, _identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        const id = await this.iam().createRole({
            name: spec.name,
            description: spec.description,
            editable: spec.editable,
            labels: spec.labels,
            policy: spec.policy,
        }, log);
        return { ...spec, id };
    }

    async readRole(id: string, known: RoleState): Promise<RoleState | undefined> {
        const role = await this.iam().getRole(id);
        if (!role) return undefined;
        return {
            id: role.id ?? id,
            name: role.name ?? known.name,
            description: role.description ?? "",
            editable: role.editable ?? true,
            labels: { ...(role.labels ?? {}) },
            // Keep the known document when only key order differs, so that a refresh reports no false drift.
            policy: role.policy === undefined || sameJson(role.policy, known.policy) ? known.policy : role.policy,
        };
    }

    async updateRole(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        const policyChanged = !sameJson(known.policy, spec.policy);
        if (policyChanged && !known.editable) {
            throw new Error(`IAM role '${known.name}' (${known.id}) was created with 'editable: false', so Exoscale will never change its policy. ` +
                `Replace the role to change its 'policy' (for example give it a new 'name'), or create it with 'editable: true'.`);
        }
        if (known.description !== spec.description || !sameJson(known.labels, spec.labels)) {
            await this.iam().updateRole(known.id, { description: spec.description, labels: spec.labels }, log);
        }
        if (policyChanged) {
            await this.iam().updateRolePolicy(known.id, spec.policy, log);
        }
        // name and editable cannot change in place; the provider replaces the role for those.
        return { ...spec, id: known.id, name: known.name, editable: known.editable };
    }

    async deleteRole(known: RoleState, log: ProgressLog): Promise<void> {
        await this.iam().deleteRole(known.id, log);
    }

    // Replication: S3 PutBucketReplication with the SOS document (role UUID, plain destination bucket name).

    async putReplication(spec: ReplicationSpec, _previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        for (const rule of spec.rules) refuseUnsupportedSettings(spec.source, rule);
        await waitForVersioningAtBothEnds(spec.source, spec.rules.map((rule) => rule.destination), (ref) => this.versioningOrMissing(ref), log, {
            timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollInterval.initialMs, maxPauseMs: this.pollInterval.maxMs,
        });

        const { PutBucketReplicationCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        await this.s3(spec.source.zone).send(`PutBucketReplication of '${spec.source.bucket}'`, new PutBucketReplicationCommand({
            Bucket: spec.source.bucket,
            ReplicationConfiguration: {
                Role: spec.role.id,
                Rules: spec.rules.map((rule) => ({
                    ID: rule.id,
                    Priority: rule.priority,
                    Status: rule.status,
                    Filter: { Prefix: rule.prefix ?? "" },
                    DeleteMarkerReplication: { Status: rule.deleteMarkerReplication ? "Enabled" : "Disabled" },
                    Destination: {
                        Bucket: rule.destination.bucket,
                        ...(rule.destination.storageClass ? { StorageClass: rule.destination.storageClass as StorageClass } : {}),
                    },
                })),
            },
        }));
    }

    async getReplication(source: BucketRef, known: ReplicationSpec): Promise<ReplicationSpec | undefined> {
        const { GetBucketReplicationCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        let document: GetBucketReplicationCommandOutput["ReplicationConfiguration"];
        try {
            document = (await this.s3(source.zone).send<GetBucketReplicationCommandOutput>(`GetBucketReplication of '${source.bucket}'`,
                new GetBucketReplicationCommand({ Bucket: source.bucket }))).ReplicationConfiguration;
        } catch (error) {
            const code = s3ErrorCode(error);
            if (code === "ReplicationConfigurationNotFoundError" || code === "NoSuchBucket") return undefined;
            throw error;
        }
        if (!document) return undefined;

        const knownRules = new Map(known.rules.map((rule) => [rule.id, rule]));
        const roleId = document.Role ?? "";
        const rules = (document.Rules ?? []).map((rule): ReplicationRule => {
            const id = rule.ID ?? "";
            const before = knownRules.get(id);
            const bucket = plainBucketName(rule.Destination?.Bucket ?? "");
            const prefix = rule.Filter?.Prefix ?? rule.Prefix ?? "";
            return {
                id,
                priority: rule.Priority ?? 0,
                status: rule.Status === "Enabled" ? "Enabled" : "Disabled",
                prefix: prefix === "" && before?.prefix === undefined ? undefined : prefix,
                deleteMarkerReplication: rule.DeleteMarkerReplication?.Status === "Enabled",
                deleteReplication: false,
                // SOS has no such settings, so it cannot contradict what the program asked for.
                existingObjectReplication: before?.existingObjectReplication ?? false,
                replicaModifications: before?.replicaModifications ?? false,
                destination: {
                    bucket,
                    // The document names no zone: keep the known one when the bucket is unchanged.
                    zone: before && before.destination.bucket === bucket ? before.destination.zone
                        : known.rules.find((r) => r.destination.bucket === bucket)?.destination.zone ?? source.zone,
                    ...(rule.Destination?.StorageClass ? { storageClass: rule.Destination.StorageClass } : {}),
                },
            };
        });
        const role = roleId === known.role.id || roleId.endsWith(`/${known.role.id}`) || roleId.endsWith(`:${known.role.id}`)
            ? known.role
            : { ...known.role, id: roleId };
        return { source, role, rules };
    }

    async deleteReplication(spec: ReplicationSpec, _log: ProgressLog): Promise<void> {
        const { DeleteBucketReplicationCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        try {
            await this.s3(spec.source.zone).send(`DeleteBucketReplication of '${spec.source.bucket}'`, new DeleteBucketReplicationCommand({ Bucket: spec.source.bucket }));
        } catch (error) {
            if (s3ErrorCode(error) === "NoSuchBucket") return;
            throw error;
        }
    }

    private zone(zone: string): ZoneSettings {
        const settings = this.settings.zones[zone];
        if (!settings) {
            throw new Error(`Zone '${zone}' is not configured for Exoscale; use one of ${this.zoneNames.map((z) => `'${z}'`).join(", ")}, ` +
                `or add it to 'bucket-replication:zones'.`);
        }
        return settings;
    }

    protected s3(zone: string): ZoneS3 {
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
        });
        return this.iamClient;
    }
}

/** SOS replicates whole objects and delete markers by prefix; refuse what it cannot do instead of ignoring it. */
function refuseUnsupportedSettings(source: BucketRef, rule: ReplicationRule): void {
    const where = `Replication rule '${rule.id}' of bucket '${source.bucket}'`;
    if (rule.deleteReplication) {
        throw new Error(`${where} sets 'deleteReplication: true', but Exoscale SOS cannot replicate deletions of versions. ` +
            `Set 'deleteReplication: false' (delete markers are replicated with 'deleteMarkerReplication').`);
    }
    if (rule.tags && Object.keys(rule.tags).length > 0) {
        throw new Error(`${where} filters on 'tags', but Exoscale SOS filters replication by prefix only. Remove 'tags' and use 'prefix'.`);
    }
}

/** SOS documents name plain buckets; tolerate an ARN in case a tool other than us wrote the configuration. */
function plainBucketName(bucket: string): string {
    return bucket.startsWith("arn:aws:s3:::") ? bucket.slice("arn:aws:s3:::".length) : bucket;
}

/** Equality of JSON values regardless of object key order. */
function sameJson(a: unknown, b: unknown): boolean {
    return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}
