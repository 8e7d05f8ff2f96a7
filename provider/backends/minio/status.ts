import type { ReplicationRuleStatus, ReplicationSpec } from "../backend";
import type { ZoneS3 } from "../s3/client";
import type { MinioAdminClient, RemoteTargetSummary } from "./adminClient";
import { defaultSampleSize, sampleReplicationStatus } from "../s3/replicationSample";

// MinIO's own replication figures: `GET /<bucket>?replication-metrics=2` on the S3 port (what
// minio-go's GetBucketReplicationMetricsV2 and `mc replicate status` read). Counters are per remote
// target (ARN), so per destination; they live in the server's memory and start again at 0 when it
// restarts. Besides them, the latest object versions' status is sampled, because MinIO's "failed"
// counters never go down when a failed object is replicated later.

/** The parts of the metrics answer read here (MinIO's JSON names). */
interface MetricsV2 {
    readonly uptime?: number;
    readonly currStats?: {
        readonly Stats?: Record<string, TargetStats>;
        readonly queued?: { readonly curr?: CountBytes };
    };
}

interface CountBytes { readonly count?: number; readonly bytes?: number }

interface TargetStats {
    readonly completedReplicationSize?: number;
    readonly replicationCount?: number;
    readonly failed?: { readonly lastMinute?: CountBytes; readonly lastHour?: CountBytes; readonly totals?: CountBytes };
    readonly replicationLatency?: { readonly UploadHistogram?: readonly { readonly Totals?: readonly { readonly Total?: number; readonly N?: number }[] }[] };
}

export interface MinioStatusContext {
    readonly admin: MinioAdminClient;
    readonly s3: ZoneS3;
    /** The base URL of a zone's S3 API. */
    endpointOf(zone: string): string;
}

/** Parses the metrics answer; exported for the unit tests. */
export function targetFigures(metrics: MetricsV2, arn: string | undefined): { stats?: TargetStats; queued?: CountBytes; uptimeSeconds?: number } {
    return {
        stats: arn ? metrics.currStats?.Stats?.[arn] : undefined,
        queued: metrics.currStats?.queued?.curr,
        uptimeSeconds: metrics.uptime,
    };
}

/** The mean upload time in MinIO's last-minute latency histogram, in seconds; undefined when nothing was replicated in it. */
export function lastMinuteLatencySeconds(stats: TargetStats | undefined): number | undefined {
    let total = 0;
    let n = 0;
    for (const size of stats?.replicationLatency?.UploadHistogram ?? []) {
        for (const slot of size.Totals ?? []) {
            total += slot.Total ?? 0;
            n += slot.N ?? 0;
        }
    }
    return n > 0 ? Math.round(total / n / 1e6) / 1e3 : undefined;
}

export async function minioReplicationStatus(context: MinioStatusContext, spec: ReplicationSpec, options: { readonly sampleSize?: number } = {}): Promise<ReplicationRuleStatus[]> {
    const { admin, s3 } = context;
    const source = spec.source;
    const response = await s3.call(`GetBucketReplicationMetricsV2 of '${source.bucket}'`,
        { method: "GET", bucket: source.bucket, query: { "replication-metrics": "2" } });
    const metrics = JSON.parse(response.text) as MetricsV2;
    const targets: RemoteTargetSummary[] = await admin.listRemoteTargets(source.bucket);
    const size = options.sampleSize ?? defaultSampleSize;
    const samples = new Map<string, ReturnType<typeof sampleReplicationStatus>>();

    return Promise.all(spec.rules.map(async (rule): Promise<ReplicationRuleStatus> => {
        const target = targets.find((t) => t.targetBucket === rule.destination.bucket && t.endpoint === hostOf(context.endpointOf(rule.destination.zone)));
        const { stats, queued, uptimeSeconds } = targetFigures(metrics, target?.arn);
        const prefix = rule.prefix ?? "";
        if (!samples.has(prefix)) samples.set(prefix, sampleReplicationStatus(s3, source.bucket, prefix, size));
        const sample = await samples.get(prefix)!;
        const latency = lastMinuteLatencySeconds(stats);
        const notes: string[] = [];
        if (!target) notes.push(`no remote target of '${source.bucket}' points at ${rule.destination.zone}/${rule.destination.bucket}: run 'pulumi refresh' and 'pulumi up'`);
        if (spec.rules.length > 1) notes.push("the sampled status covers all of an object's rules together");
        notes.push("MinIO keeps its counters in memory: they start again at 0 when the server restarts; 'queued' counts the whole bucket");
        if (sample.failed > 0) notes.push("MinIO retries a FAILED version when it is read (as this sample just did), else from its retry queue within minutes");
        return {
            ruleId: rule.id,
            destination: { zone: rule.destination.zone, bucket: rule.destination.bucket },
            state: rule.status,
            pending: { count: queued?.count ?? 0, bytes: queued?.bytes ?? 0, over: "queued now (service metrics)" },
            failed: { count: stats?.failed?.lastMinute?.count ?? 0, bytes: stats?.failed?.lastMinute?.bytes ?? 0, over: "last minute (service metrics)" },
            replicated: { count: stats?.replicationCount ?? 0, bytes: stats?.completedReplicationSize ?? 0, over: "since the server started (service metrics)" },
            ...(latency !== undefined ? { lag: { seconds: latency, over: "mean upload time in the last minute (service metrics)" } } : {}),
            sample,
            metrics: {
                failedLastHour: stats?.failed?.lastHour?.count ?? 0,
                failedLastHourBytes: stats?.failed?.lastHour?.bytes ?? 0,
                failedSinceStart: stats?.failed?.totals?.count ?? 0,
                failedSinceStartBytes: stats?.failed?.totals?.bytes ?? 0,
                serverUptimeSeconds: uptimeSeconds ?? 0,
                ...(target ? { targetArn: target.arn } : {}),
            },
            source: `service metrics; sampled object status (${sample.objects} objects)`,
            notes,
        };
    }));
}

/** `host:port` of an endpoint, always with the port, as MinIO names remote targets. */
function hostOf(endpoint: string): string {
    const url = new URL(endpoint);
    return `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
}
