import * as pulumi from "@pulumi/pulumi";
import { unknownWhileAbsent } from "./queryOutput";

// Alibaba OSS's replication queries (GetBucketReplicationLocation, GetBucketReplicationProgress), run
// with the stack's `bucket-replication` configuration. Each has a Promise form and an Output form; in a
// preview, the Output form is unknown while the bucket or rule it asks about does not exist yet.

import type { ReplicationLocationsArgs, ReplicationLocationsResult, ReplicationProgressArgs, ReplicationProgressResult } from "../provider/common/oss";

export type {
    ReplicationLocation, ReplicationLocationsArgs, ReplicationLocationsResult, ReplicationProgress, ReplicationProgressArgs, ReplicationProgressResult,
} from "../provider/common/oss";

function entry(): typeof import("../provider/sdkEntry") {
    return require("../provider/sdkEntry");
}

/** The regions a bucket can replicate to, with the transfer types (`internal`, `oss_acc`) and RTC that OSS allows towards each. */
export function getReplicationLocations(args: ReplicationLocationsArgs): Promise<ReplicationLocationsResult> {
    return entry().ossReplicationLocations(args);
}

/**
 * The progress of one rule: the share of historical objects replicated (percent) and the time before
 * which every new object has been replicated.
 */
export function getReplicationProgress(args: ReplicationProgressArgs): Promise<ReplicationProgressResult> {
    return entry().ossReplicationProgress(args);
}

export function getReplicationLocationsOutput(args: { [K in keyof ReplicationLocationsArgs]: pulumi.Input<ReplicationLocationsArgs[K]> }):
    pulumi.Output<ReplicationLocationsResult> {
    return pulumi.output(args).apply((resolved) => unknownWhileAbsent(() => getReplicationLocations(resolved)));
}

export function getReplicationProgressOutput(args: { [K in keyof ReplicationProgressArgs]: pulumi.Input<ReplicationProgressArgs[K]> }):
    pulumi.Output<ReplicationProgressResult> {
    return pulumi.output(args).apply((resolved) => unknownWhileAbsent(() => getReplicationProgress(resolved)));
}
