import type { BucketRef, ReplicationRuleStatus, ReplicationSpec } from "../backend";
import type { ReplicationProgress } from "../../common/oss";

/** Where the progress of a rule is read: the OSS backend, or a test's stand-in. */
export interface ProgressSource {
    replicationProgress(source: BucketRef, ruleId: string): Promise<ReplicationProgress>;
}

// OSS answers for each rule with GetBucketReplicationProgress: its state (starting, doing, closing),
// the share of historical objects replicated, and the time before which every new object has been
// replicated. It gives no pending or failed counts, so none are reported.

export async function ossReplicationStatus(oss: ProgressSource, spec: ReplicationSpec, now: Date = new Date()): Promise<ReplicationRuleStatus[]> {
    return Promise.all(spec.rules.map(async (rule): Promise<ReplicationRuleStatus> => {
        const progress = await oss.replicationProgress(spec.source, rule.id);
        const until = progress.newObjectsReplicatedUntil;
        const lagSeconds = until ? Math.max(0, Math.round((now.getTime() - new Date(until).getTime()) / 1000)) : undefined;
        return {
            ruleId: rule.id,
            destination: { zone: rule.destination.zone, bucket: progress.destination.bucket || rule.destination.bucket },
            state: progress.status,
            ...(until ? { lag: { seconds: lagSeconds, until, over: "every object written before 'until' has been replicated (progress API)" } } : {}),
            ...(progress.historicalObjectsPercent !== undefined ? { historicalObjectsPercent: progress.historicalObjectsPercent } : {}),
            metrics: { historicalObjectReplication: progress.historicalObjectReplication ? "enabled" : "disabled", location: progress.destination.location },
            source: "progress API",
            notes: ["OSS reports no pending or failed counts"],
        };
    }));
}
