// How replication of one source bucket is doing, rule by rule: the shapes that the status query, the
// backends that read it and the CLI share. A leaf: it imports nothing, so that every layer may use it and a
// program that imports the SDK type-checks nothing beyond it and @pulumi/pulumi.

export interface ReplicationStatusArgs {
    /** The source bucket's zone. */
    readonly zone: string;
    /** The source bucket's name. */
    readonly bucket: string;
    /**
     * The destination buckets with their zones. Only needed on Exoscale and AWS, whose replication
     * documents name a destination bucket but not its zone: without it, a destination shows the source's zone.
     * @default none
     */
    readonly destinations?: readonly { readonly zone: string; readonly bucket: string }[];
    /**
     * How many of the latest object versions to read the replication status of, where the service has no
     * figures of its own (Exoscale, AWS) and, besides its metrics, on MinIO.
     * @default 20
     */
    readonly sampleSize?: number;
}

/** A number of objects and/or bytes, and what it covers, such as "queued now" or "last minute". */
export interface ReplicationStatusFigure {
    readonly count?: number;
    readonly bytes?: number;
    /** The window or set the figure covers, in words. */
    readonly over: string;
}

/** The replication status of a sample of the latest object versions (x-amz-replication-status on each). */
export interface SampledReplicationStatus {
    /** How many versions were read. */
    readonly objects: number;
    readonly pending: number;
    readonly failed: number;
    /** COMPLETED (or MinIO's older COMPLETE). */
    readonly completed: number;
    /** Objects that are themselves replicas (REPLICA): written by the other direction of a bi-directional pair. */
    readonly replica: number;
    /** Objects without a replication status: written before the rule existed, or outside its filter. */
    readonly none: number;
}

export interface ReplicationRuleStatus {
    /** The rule's ID: its key in the ReplicationConfiguration's `rules`. */
    readonly ruleId: string;
    readonly destination: { readonly zone: string; readonly bucket: string };
    /** The rule's state as the service reports it: `Enabled`/`Disabled` (S3, MinIO, SOS), `starting`/`doing`/`closing` (OSS). */
    readonly state: string;
    /** Objects waiting to be replicated. */
    readonly pending?: ReplicationStatusFigure;
    /** Objects whose replication failed. */
    readonly failed?: ReplicationStatusFigure;
    /** Objects replicated. */
    readonly replicated?: ReplicationStatusFigure;
    /** How far behind replication is: a duration, or the time before which everything has been replicated. */
    readonly lag?: { readonly seconds?: number; readonly until?: string; readonly over: string };
    /** OSS: share of the objects that existed when the rule was made that has been replicated, 0 to 100. */
    readonly historicalObjectsPercent?: number;
    /** The latest versions' replication status, where it was sampled. */
    readonly sample?: SampledReplicationStatus;
    /** Further figures exactly as the service names them (MinIO: failed in the last hour, since start, ...). */
    readonly metrics?: Readonly<Record<string, number | string>>;
    /** Where the figures come from: "service metrics", "progress API", "sampled object status (N objects)". */
    readonly source: string;
    /** What the figures cannot say, such as a sample that cannot tell rules apart. */
    readonly notes?: readonly string[];
}

export interface ReplicationStatusResult {
    readonly zone: string;
    readonly bucket: string;
    /** The configured backend: minio, exoscale, aws or oss. */
    readonly backend: string;
    /** When the figures were read (ISO 8601). */
    readonly readAt: string;
    /** One entry per rule the bucket's replication configuration holds; empty when it has none. */
    readonly rules: readonly ReplicationRuleStatus[];
}
