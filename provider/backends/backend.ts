/**
 * What every storage service offers the resource providers. Each service lives in its own folder
 * below this one; nothing outside provider/backends/ knows which service it talks to.
 */

import type { RequestPolicy } from "../transport/retry";
import type { ReplicationRuleStatus } from "../common/status";
import type { ProgressLog } from "../common/progress";
import type { RuleWithDefaults } from "../common/rule";

export type { ProgressLog };

export type VersioningStatus = "Enabled" | "Suspended";

/** The versioning state of a bucket as the service reports it. `Unversioned` has never been enabled. */
export type ObservedVersioning = VersioningStatus | "Unversioned";

export interface ZoneSettings {
    /** Base URL of the zone's S3 API, such as `http://127.0.0.1:9100` or `https://sos-ch-dk-2.exo.io`. */
    readonly endpoint: string;
    /** SigV4 signing region. Defaults to the zone name for Exoscale and `us-east-1` for MinIO. */
    readonly region?: string;
    /**
     * The zone's own credentials, where its owner is not the stack's (a MinIO site with its own admin, a
     * bucket in another account): every request to the zone signs with them. Default: the stack's pair.
     */
    readonly credentials?: Credentials;
    /** The account that owns the zone, where it is not the stack's (AWS: the account ID; OSS: the account's UID). */
    readonly account?: string;
}

/** The credentials requests to `zone` sign with: the zone's own, else the stack's. */
export function zoneCredentials(settings: Pick<BackendSettings, "zones" | "credentials">, zone: string): Credentials {
    return settings.zones[zone]?.credentials ?? settings.credentials;
}

/** How one replication rule is doing; a shared shape (provider/common/status.ts), so that programs see it without provider types. */
export type { ReplicationRuleStatus };

export interface Credentials {
    readonly accessKey: string;
    readonly secretKey: string;
}

/** Where and as whom a backend works: read from stack configuration and environment by settings.ts. */
export interface BackendSettings {
    readonly backend: string;
    readonly zones: Readonly<Record<string, ZoneSettings>>;
    readonly credentials: Credentials;
    /** Exoscale only: base URL of the IAM API, for a contract server. Defaults to the public API. */
    readonly iamEndpoint?: string;
    /** Bounds of the waits for asynchronous work, in milliseconds: the configuration's, else the backend's default. */
    readonly waitTimeoutMs: number;
    /** Time limits and retries of every request. */
    readonly requestPolicy: RequestPolicy;
    /** Where the credentials come from, in words an error message can quote. */
    readonly credentialHint: string;
    /** A short, non-secret digest of the account, so that automatic names differ between accounts. */
    readonly accountDigest: string;
}

export interface BucketRef {
    readonly zone: string;
    readonly bucket: string;
}

/** A role as the provider keeps it. `id` is what the service calls it (MinIO access key, Exoscale UUID). */
export interface RoleSpec {
    readonly name: string;
    /**
     * The resource's identity digest (project, stack, URN): the suffix of the ownership marker the role
     * carries, so that an update puts back a marker somebody removed.
     */
    readonly identity?: string;
    /** Take over a role of this name that exists already (not made by this resource) instead of failing. */
    readonly adoptExisting?: boolean;
    readonly description: string;
    readonly editable: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly policy: unknown;
}

export interface RoleState extends RoleSpec {
    readonly id: string;
    /** Credentials the role replicates with, where the service needs them (MinIO). Always a secret output. */
    readonly secretKey?: string;
    /**
     * How the role stands on each zone where it lives as a user of its own (MinIO), as the last read or
     * write found it; absent where a role is one account-wide identity (AWS, Exoscale, OSS).
     */
    readonly zones?: Readonly<Record<string, RoleZoneState>>;
}

/**
 * One zone's copy of a role. Replication into a zone stops when any of these is off, so each is read
 * on every refresh; `healthyRoleZone` is what a working role looks like.
 */
export interface RoleZoneState {
    /** The role's user on the zone. */
    readonly user: "enabled" | "disabled" | "missing";
    /** The policies attached to the user, sorted: the role's own policy alone when nothing was changed. */
    readonly attachedPolicies: readonly string[];
    /** The zone's copy of the role's policy compared with the role's `policy` output (read from the first zone that has one). */
    readonly policy: "same" | "differs" | "missing";
    /** Whether the zone's policy carries this resource's ownership marker. */
    readonly ownershipMarker: boolean;
    /** Whether the zone accepts the secret key Pulumi holds for the role (a key reset elsewhere is refused). */
    readonly credentials: "accepted" | "rejected";
}

/** A role's copy on a zone as create and a repairing update leave it. */
export function healthyRoleZone(roleId: string, marked = true): RoleZoneState {
    return { user: "enabled", attachedPolicies: [roleId], policy: "same", ownershipMarker: marked, credentials: "accepted" };
}

/**
 * A rule as backends take it: the rule model (common/rule.ts) with its defaults filled in, its ID, and no
 * empty tag filter. Where a value is `undefined`, the rule does not use that option.
 */
export type ReplicationRule = Omit<RuleWithDefaults, "prefix" | "tags" | "destination"> & {
    readonly id: string;
    readonly prefix?: string;
    readonly tags?: Readonly<Record<string, string>>;
    readonly destination: BucketRef & { readonly storageClass?: string };
};

export interface ReplicationSpec {
    readonly source: BucketRef;
    readonly role: RoleState;
    readonly rules: readonly ReplicationRule[];
    /**
     * As read: whether each destination of another owner still lets the role replicate into it, keyed
     * `<zone>/<bucket>` (OSS: the destination's bucket policy). Absent where no rule crosses owners.
     */
    readonly destinationGrants?: Readonly<Record<string, "granted" | "missing">>;
}


/** An object as read back from a bucket (a verification canary): its bytes and what the service says of it. */
export interface StoredObject {
    readonly body: string;
    readonly versionId?: string;
    /** `REPLICA` on a copy made by replication, `PENDING`/`COMPLETED`/`FAILED` on a source; absent where the service does not say. */
    readonly replicationStatus?: string;
}

/** One object version or delete marker, as listed. */
export interface ObjectVersionRef {
    readonly key: string;
    readonly versionId?: string;
    readonly deleteMarker: boolean;
}

export interface StorageBackend {
    readonly name: string;
    readonly zoneNames: readonly string[];
    endpointOf(zone: string): string;

    bucketExists(ref: BucketRef): Promise<boolean>;
    /** "exists" when this account already has a bucket of that name; the caller decides whether it is its own. */
    createBucket(ref: BucketRef): Promise<"created" | "exists">;
    /** Lists how many object versions and delete markers remain, up to `limit`. */
    countVersions(ref: BucketRef, limit: number): Promise<number>;
    /** Removes every version and delete marker, then the bucket. */
    emptyAndDeleteBucket(ref: BucketRef, log: ProgressLog): Promise<void>;
    deleteBucket(ref: BucketRef): Promise<void>;
    /** Fails with a ServiceError of code NoSuchBucket when the bucket does not exist (refresh relies on it). */
    getBucketTags(ref: BucketRef): Promise<Record<string, string>>;
    putBucketTags(ref: BucketRef, tags: Readonly<Record<string, string>>): Promise<void>;

    getVersioning(ref: BucketRef): Promise<ObservedVersioning>;
    putVersioning(ref: BucketRef, status: VersioningStatus): Promise<void>;

    /**
     * Creates the role everywhere it is needed, marked with `identity`; adopts one that carries the same
     * marker (an interrupted earlier create), refuses one that does not, and undoes its own partial work
     * when a step fails.
     */
    createRole(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState>;
    /** Undefined when the role no longer exists. */
    readRole(id: string, known: RoleState): Promise<RoleState | undefined>;
    updateRole(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState>;
    deleteRole(known: RoleState, log: ProgressLog): Promise<void>;
    putReplication(spec: ReplicationSpec, previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void>;
    /** Undefined when the bucket has no replication configuration. */
    getReplication(source: BucketRef, known: ReplicationSpec): Promise<ReplicationSpec | undefined>;
    deleteReplication(spec: ReplicationSpec, log: ProgressLog): Promise<void>;
    /**
     * What the service itself says against these rules, asked at preview (OSS: the destinations its
     * replication locations list). Paths are relative to the rules, rule ID first. Empty when it
     * cannot tell yet, such as before the source bucket exists.
     */
    rulesPreviewProblems?(source: BucketRef, rules: readonly ReplicationRule[]): Promise<{ readonly path: readonly (string | number)[]; readonly message: string }[]>;

    /**
     * How each rule of `spec` is doing, from what the service exposes (metrics, a progress API) or a
     * sample of the latest object versions' replication status; each result says which.
     */
    replicationStatus?(spec: ReplicationSpec, options?: { readonly sampleSize?: number }): Promise<ReplicationRuleStatus[]>;

    // Object calls, for verifying a topology with canary objects (provider/replicationVerification.ts).
    // A backend without them cannot be verified, and `verify` is refused at preview there.
    putObject?(ref: BucketRef, key: string, body: string): Promise<{ readonly versionId?: string }>;
    /** Undefined when the bucket has no current version of `key`. */
    getObject?(ref: BucketRef, key: string): Promise<StoredObject | undefined>;
    /** Every version and delete marker whose key starts with `prefix`. */
    listObjectVersions?(ref: BucketRef, prefix: string): Promise<ObjectVersionRef[]>;
    /** Removes these versions and delete markers for good (by version ID, so no new delete marker is made). */
    deleteObjectVersions?(ref: BucketRef, versions: readonly ObjectVersionRef[]): Promise<void>;
}
