// Alibaba OSS's replication query results, shared by sdk/oss.ts, the OSS backend and the queries. A leaf:
// it imports nothing, so that a program that imports the SDK type-checks nothing beyond it and @pulumi/pulumi.

export interface ReplicationLocationsArgs {
    /** The source bucket's zone (an OSS region such as `cn-hangzhou`). */
    readonly zone: string;
    readonly bucket: string;
}

export interface ReplicationLocationsResult extends ReplicationLocationsArgs {
    /** Every location the bucket can replicate to, with the transfer types and RTC OSS allows there. */
    readonly locations: readonly ReplicationLocation[];
}

export interface ReplicationProgressArgs extends ReplicationLocationsArgs {
    /** The rule's ID: its key in the ReplicationConfiguration's `rules`. */
    readonly ruleId: string;
}

export interface ReplicationProgressResult extends ReplicationProgress {
    readonly zone: string;
    readonly bucket: string;
}

/** A location a bucket can replicate to, from GetBucketReplicationLocation. */
export interface ReplicationLocation {
    /** As OSS names it: `oss-cn-beijing`. */
    readonly location: string;
    /** The region (zone) name: `cn-beijing`. */
    readonly region: string;
    /** `internal`, `oss_acc`, or only `oss_acc` where OSS requires acceleration. */
    readonly transferTypes: readonly string[];
    /** Whether replication time control can be enabled towards it. */
    readonly rtc: boolean;
}

/** The progress of one rule, from GetBucketReplicationProgress. */
export interface ReplicationProgress {
    readonly ruleId: string;
    /** starting | doing | closing */
    readonly status: string;
    readonly destination: { readonly bucket: string; readonly location: string };
    readonly historicalObjectReplication: boolean;
    /** Share of the objects that existed when the rule was made that has been replicated, 0 to 100; only while OSS reports it. */
    readonly historicalObjectsPercent?: number;
    /** Every object written before this time (ISO 8601) has been replicated. */
    readonly newObjectsReplicatedUntil?: string;
}
