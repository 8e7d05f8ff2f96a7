import * as pulumi from "@pulumi/pulumi";
import { unknownWhileAbsent } from "./queryOutput";

// How replication of one source bucket is doing now, rule by rule, as the service tells it: MinIO's
// bucket replication metrics, OSS's progress API, and on Exoscale and AWS the replication status of a
// sample of the latest object versions. Runs where it is called (in the program, or in the
// `pulumi-bucket-replication status` command) with the stack's `bucket-replication` configuration.
// The shapes live in provider/common/status.ts, a leaf that every layer shares.

import type { ReplicationRuleStatus, ReplicationStatusArgs, ReplicationStatusResult } from "../provider/common/status";

export type {
    ReplicationRuleStatus, ReplicationStatusArgs, ReplicationStatusFigure, ReplicationStatusResult, SampledReplicationStatus,
} from "../provider/common/status";

function entry(): typeof import("../provider/sdkEntry") {
    return require("../provider/sdkEntry");
}

/**
 * How replication from one source bucket is doing, per rule: destination, state, pending and failed
 * objects, lag or progress, each with where the figures come from.
 */
export function getReplicationStatus(args: ReplicationStatusArgs): Promise<ReplicationStatusResult> {
    return entry().replicationStatusOfProgram(args);
}

/**
 * The Output form of `getReplicationStatus`. In a preview it is unknown while the bucket or its
 * replication configuration does not exist yet.
 */
export function getReplicationStatusOutput(args: {
    readonly zone: pulumi.Input<string>;
    readonly bucket: pulumi.Input<string>;
    readonly destinations?: pulumi.Input<readonly pulumi.Input<{ readonly zone: pulumi.Input<string>; readonly bucket: pulumi.Input<string> }>[]>;
    readonly sampleSize?: pulumi.Input<number>;
}): pulumi.Output<ReplicationStatusResult> {
    return pulumi.output(args).apply((resolved) => unknownWhileAbsent(() => getReplicationStatus(resolved as ReplicationStatusArgs)));
}
