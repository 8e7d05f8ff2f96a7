// A replication rule, declared once. The SDK's argument type (sdk/replicationConfiguration.ts), the check's
// schema (./ruleSchema.ts), the state's shape, the backends' model (ReplicationRule in backends/backend.ts)
// and what a backend's preview rules see (RuleCheck) all derive from ReplicationRuleFields. A new rule option
// is one field here with its schema in ./ruleSchema.ts; a service that takes it lists it in its
// ruleOptions.ts, and every other service refuses it at preview without knowing its name.

/** Where a rule replicates to. */
export interface RuleDestination {
    /** The destination bucket's name, such as `destination.name`. */
    readonly bucket: string;
    /** The destination bucket's zone, such as `destination.zone`. */
    readonly zone: string;
    /**
     * The storage class of the replicas, where the service lets a rule choose one.
     * @default the destination bucket's own class
     */
    readonly storageClass?: string;
}

/** A replication rule as a program declares it; its ID is its key in the configuration's `rules`. */
export interface ReplicationRuleFields {
    /** Which rule wins where rules overlap: the highest. Unique within the configuration. */
    readonly priority: number;
    /** @default "Enabled" */
    readonly status?: "Enabled" | "Disabled";
    /**
     * Replicate only keys that start with this prefix.
     * @default "" (every object)
     */
    readonly prefix?: string;
    /**
     * Replicate only objects with all of these tags.
     * @default no tag filter
     */
    readonly tags?: Readonly<Record<string, string>>;
    /**
     * Whether deleting an object on the source (which adds a delete marker) is replicated.
     * @default false
     */
    readonly deleteMarkerReplication?: boolean;
    /**
     * Whether deleting a specific object version is replicated (MinIO only).
     * @default false
     */
    readonly deleteReplication?: boolean;
    /**
     * Whether objects that existed before the rule are replicated too (where the service supports it).
     * @default false
     */
    readonly existingObjectReplication?: boolean;
    /**
     * Whether metadata changes on replicas are replicated back (useful in bi-directional setups).
     * @default false
     */
    readonly replicaModifications?: boolean;
    /** Where objects are replicated to. */
    readonly destination: RuleDestination;
    /**
     * Several key prefixes for one rule, where the backend holds more than one (Alibaba OSS: up to 10).
     * Only one of `prefix` and `prefixes`; other backends refuse it at preview.
     * @default the rule's `prefix`
     */
    readonly prefixes?: readonly string[];
    /**
     * Objects encrypted with SSE-KMS: whether they are replicated, and the destination's KMS key for
     * the replicas (AWS, Alibaba OSS).
     * @default KMS-encrypted objects are not replicated
     */
    readonly sseKms?: { readonly replicateEncryptedObjects: boolean; readonly replicaKmsKeyId?: string };
    /**
     * Replication time control: the service's guaranteed replication time, with its metrics (AWS RTC,
     * Alibaba OSS RTC where the region offers it).
     * @default off
     */
    readonly replicationTimeControl?: boolean;
    /**
     * How the service moves the data between regions, in its own words: Alibaba OSS `internal`, or `oss_acc`
     * (transfer acceleration, required between the Chinese mainland and regions outside it). Other backends
     * refuse it at preview.
     * @default the service's own choice (OSS: `internal`)
     */
    readonly transferType?: string;
    /**
     * The most bytes per second replication may send to this rule's destination (MinIO: its remote target's
     * bandwidth limit, at least 100 MB/s; rules into one destination share one limit).
     * @default no limit
     * @example 200_000_000
     */
    readonly bandwidthLimit?: number;
    /**
     * Whether each write waits until its copy has reached this rule's destination (MinIO: its remote
     * target's synchronous replication). Slower writes; no copy is ever behind.
     * @default false (copies follow the write)
     */
    readonly synchronous?: boolean;
    /**
     * How often the service checks that this rule's destination is reachable, in seconds (MinIO: its remote
     * target's health check period).
     * @default the service's own (MinIO: 5 seconds)
     * @example 30
     */
    readonly healthCheckPeriod?: number;
    /**
     * Any text: when it changes, `up` has the service copy every existing object to this rule's destination
     * again (MinIO: a resync of the remote target, which needs `existingObjectReplication` and an enabled
     * rule), as after a destination was lost and rebuilt.
     * @default no resync
     * @example "2026-12-04"
     */
    readonly resync?: string;
    /**
     * Replication metrics of this rule, on their own (AWS: `Metrics`; replication time control turns them on
     * too).
     * @default off
     */
    readonly metrics?: boolean;
    /**
     * The account that owns the destination bucket, where it is not the source's (AWS: `Destination/Account`,
     * an account ID). On AWS a rule into a zone of another `account` gets it from the zone, so LeaderFollower
     * and BiDirectional need say nothing. OSS rules have no such field: a destination zone with its own key
     * pair tells its owner, and the grant follows.
     * @default the source's account
     * @example "111122223333"
     */
    readonly destinationAccount?: string;
    /**
     * Whether the replicas belong to the destination's owner rather than the source's (AWS:
     * `AccessControlTranslation/Owner Destination`, which needs `destinationAccount`).
     * @default false (the source's owner keeps owning the replicas)
     */
    readonly ownerOverride?: boolean;
}

/** The value every rule has for a field it leaves out; the state and the program compare with these filled in. */
export const ruleDefaults = {
    status: "Enabled",
    prefix: "",
    tags: {},
    deleteMarkerReplication: false,
    deleteReplication: false,
    existingObjectReplication: false,
    replicaModifications: false,
} as const satisfies Partial<ReplicationRuleFields>;

export type DefaultedRuleField = keyof typeof ruleDefaults;

/** A rule with every default filled in. */
export type RuleWithDefaults = ReplicationRuleFields & { readonly [K in DefaultedRuleField]-?: NonNullable<ReplicationRuleFields[K]> };

/**
 * The options a service may or may not take, each with what counts as using it (a value other than the
 * default). A backend lists those it takes (its ruleOptions.ts); a rule that uses any other is refused.
 */
export const ruleOptionInUse = {
    tags: (value: ReplicationRuleFields["tags"]) => value !== undefined && Object.keys(value).length > 0,
    prefixes: (value: ReplicationRuleFields["prefixes"]) => value !== undefined,
    deleteReplication: (value: ReplicationRuleFields["deleteReplication"]) => value === true,
    existingObjectReplication: (value: ReplicationRuleFields["existingObjectReplication"]) => value === true,
    replicaModifications: (value: ReplicationRuleFields["replicaModifications"]) => value === true,
    sseKms: (value: ReplicationRuleFields["sseKms"]) => value !== undefined,
    replicationTimeControl: (value: ReplicationRuleFields["replicationTimeControl"]) => value !== undefined,
    transferType: (value: ReplicationRuleFields["transferType"]) => value !== undefined,
    bandwidthLimit: (value: ReplicationRuleFields["bandwidthLimit"]) => value !== undefined,
    synchronous: (value: ReplicationRuleFields["synchronous"]) => value === true,
    healthCheckPeriod: (value: ReplicationRuleFields["healthCheckPeriod"]) => value !== undefined,
    resync: (value: ReplicationRuleFields["resync"]) => value !== undefined,
    metrics: (value: ReplicationRuleFields["metrics"]) => value === true,
    destinationAccount: (value: ReplicationRuleFields["destinationAccount"]) => value !== undefined,
    ownerOverride: (value: ReplicationRuleFields["ownerOverride"]) => value === true,
} satisfies { readonly [K in keyof ReplicationRuleFields]?: (value: ReplicationRuleFields[K]) => boolean };

export type RuleOption = keyof typeof ruleOptionInUse;

/** A rule as preview rules see it: any field may be missing, or still unknown. */
export type RuleCheck = { readonly [K in keyof Omit<ReplicationRuleFields, "destination" | "status" | "sseKms">]?: ReplicationRuleFields[K] } & {
    readonly status?: string;
    readonly destination?: Partial<RuleDestination>;
    readonly sseKms?: Partial<NonNullable<ReplicationRuleFields["sseKms"]>>;
};
