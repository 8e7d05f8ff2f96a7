import * as pulumi from "@pulumi/pulumi";
import { unknownWhileAbsent } from "./queryOutput";

// Alibaba OSS's replication queries (GetBucketReplicationLocation, GetBucketReplicationProgress), run
// with the stack's `bucket-replication` configuration. Each has a Promise form and an Output form; in a
// preview, the Output form is unknown while the bucket or rule it asks about does not exist yet.

// The public shapes live here, not in the provider, so that a program type-checks nothing beyond @pulumi/pulumi.
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

function queries(): typeof import("../provider/backends/oss/queries") {
    return require("../provider/backends/oss/queries");
}

/** The regions a bucket can replicate to, with the transfer types (`internal`, `oss_acc`) and RTC that OSS allows towards each. */
export function getReplicationLocations(args: ReplicationLocationsArgs): Promise<ReplicationLocationsResult> {
    return queries().getReplicationLocations(args);
}

/**
 * The progress of one rule: the share of historical objects replicated (percent) and the time before
 * which every new object has been replicated.
 */
export function getReplicationProgress(args: ReplicationProgressArgs): Promise<ReplicationProgressResult> {
    return queries().getReplicationProgress(args);
}

export function getReplicationLocationsOutput(args: { [K in keyof ReplicationLocationsArgs]: pulumi.Input<ReplicationLocationsArgs[K]> }):
    pulumi.Output<ReplicationLocationsResult> {
    return pulumi.output(args).apply((resolved) => unknownWhileAbsent(() => getReplicationLocations(resolved)));
}

export function getReplicationProgressOutput(args: { [K in keyof ReplicationProgressArgs]: pulumi.Input<ReplicationProgressArgs[K]> }):
    pulumi.Output<ReplicationProgressResult> {
    return pulumi.output(args).apply((resolved) => unknownWhileAbsent(() => getReplicationProgress(resolved)));
}
