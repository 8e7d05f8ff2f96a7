import { expect } from "chai";
import type { ReplicationRule, ReplicationSpec } from "../../provider/backends/backend";
import { lastMinuteLatencySeconds, targetFigures } from "../../provider/backends/minio/status";
import { ossReplicationStatus } from "../../provider/backends/oss/status";
import { latestVersions, sampledRuleStatuses, tally } from "../../provider/backends/s3/replicationSample";
import type { ZoneS3 } from "../../provider/backends/s3/client";
import { parseCommandArgs } from "../../cli/command";
import { configLookupOf } from "../../cli/stack";
import { renderStatusTable, replicationConfigurationsOf, statusCommand } from "../../cli/status";
import type { ReplicationStatusResult } from "../../sdk/replicationStatus";

// The pieces of replication status that need no server: the sampler's counting and choice of versions,
// MinIO's metrics parsing, OSS's progress mapping, and the status command's arguments, state reading and table.

function rule(overrides: Partial<ReplicationRule> = {}): ReplicationRule {
    return {
        id: "follower", priority: 1, status: "Enabled", deleteMarkerReplication: true, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination: { zone: "local-b", bucket: "dst" }, ...overrides,
    };
}

function spec(rules: ReplicationRule[]): ReplicationSpec {
    return { source: { zone: "local-a", bucket: "src" }, role: { name: "", id: "", description: "", editable: true, labels: {}, policy: {} }, rules };
}

/** A ZoneS3 that answers ListObjectVersions and HeadObject from a table, and records what it was asked. */
function fakeS3(versions: { key: string; versionId: string; at: number; status?: string }[], asked: string[] = []): ZoneS3 {
    return {
        zone: "local-a",
        listObjectVersions: async (bucket: string, page: { prefix?: string }) => {
            asked.push(`ListObjectVersions ${bucket} ${JSON.stringify(page)}`);
            const prefix = page.prefix ?? "";
            const listed = versions.filter((v) => v.key.startsWith(prefix)).map((v) => ({ key: v.key, versionId: v.versionId, lastModified: new Date(v.at) }));
            return { versions: listed, deleteMarkers: [], isTruncated: false };
        },
        headObject: async (bucket: string, key: string, versionId?: string) => {
            asked.push(`HeadObject ${bucket} ${key} ${versionId}`);
            return { replicationStatus: versions.find((v) => v.key === key && v.versionId === versionId)?.status };
        },
    } as unknown as ZoneS3;
}

describe("replication status: the sampler", () => {
    it("counts each replication status, COMPLETE as MinIO's older COMPLETED, and versions without one", () => {
        expect(tally(["PENDING", "FAILED", "COMPLETED", "COMPLETE", "REPLICA", undefined, "pending"])).to.deep.equal({
            objects: 7, pending: 2, failed: 1, completed: 2, replica: 1, none: 1,
        });
    });

    it("chooses the most recently written versions, whatever their keys", () => {
        const chosen = latestVersions([
            { key: "a", versionId: "1", lastModified: new Date(1000) },
            { key: "z", versionId: "2", lastModified: new Date(3000) },
            { key: "m", versionId: "3", lastModified: new Date(2000) },
        ], 2);
        expect(chosen.map((v) => v.versionId)).to.deep.equal(["2", "3"]);
    });

    it("reads the latest N versions under the rule's prefix and reports them as a sample, saying so", async () => {
        const asked: string[] = [];
        const s3 = fakeS3([
            { key: "docs/old.txt", versionId: "v1", at: 1, status: "COMPLETED" },
            { key: "docs/a.txt", versionId: "v2", at: 5, status: "FAILED" },
            { key: "docs/b.txt", versionId: "v3", at: 6, status: "PENDING" },
            { key: "docs/c.txt", versionId: "v4", at: 7, status: "COMPLETED" },
            { key: "other/x.txt", versionId: "v5", at: 9, status: "FAILED" },
        ], asked);
        const [status] = await sampledRuleStatuses(s3, spec([rule({ prefix: "docs/" })]), 3);
        expect(status.source).to.equal("sampled object status (3 objects)");
        expect(status.sample).to.deep.equal({ objects: 3, pending: 1, failed: 1, completed: 1, replica: 0, none: 0 });
        expect(status.pending).to.deep.equal({ count: 1, over: "of the 3 latest versions" });
        expect(status.failed).to.deep.equal({ count: 1, over: "of the 3 latest versions" });
        expect(status.state).to.equal("Enabled");
        expect(status.destination).to.deep.equal({ zone: "local-b", bucket: "dst" });
        expect(asked.filter((a) => a.startsWith("HeadObject ")).map((a) => a.split(" ").pop()).sort())
            .to.deep.equal(["v2", "v3", "v4"]);
        expect(status.notes).to.equal(undefined);
    });

    it("samples each prefix once, and says that one object's status covers all of its rules", async () => {
        const asked: string[] = [];
        const s3 = fakeS3([{ key: "k", versionId: "v1", at: 1, status: "COMPLETED" }], asked);
        const statuses = await sampledRuleStatuses(s3, spec([rule({ id: "one" }), rule({ id: "two", priority: 2, destination: { zone: "local-c", bucket: "d2" } })]), 5);
        expect(statuses.map((s) => s.ruleId)).to.deep.equal(["one", "two"]);
        expect(asked.filter((a) => a.startsWith("ListObjectVersions "))).to.have.length(1);
        expect(statuses[0].notes?.[0]).to.match(/cannot tell this rule's share/);
    });
});

describe("replication status: MinIO's metrics", () => {
    const metrics = {
        uptime: 42,
        currStats: {
            Stats: {
                "arn:minio:replication::abc:dst": {
                    completedReplicationSize: 15, replicationCount: 5,
                    failed: { lastMinute: { count: 3, bytes: 9 }, lastHour: { count: 4, bytes: 12 }, totals: { count: 4, bytes: 12 } },
                    replicationLatency: { UploadHistogram: [{ Totals: [{ Total: 20_000_000, N: 1 }, { Total: 0, N: 0 }] }, { Totals: [{ Total: 40_000_000, N: 1 }] }] },
                },
            },
            queued: { curr: { count: 2, bytes: 6 } },
        },
    };

    it("picks the figures of the rule's remote target by ARN", () => {
        const figures = targetFigures(metrics, "arn:minio:replication::abc:dst");
        expect(figures.stats?.failed?.lastMinute).to.deep.equal({ count: 3, bytes: 9 });
        expect(figures.queued).to.deep.equal({ count: 2, bytes: 6 });
        expect(figures.uptimeSeconds).to.equal(42);
        expect(targetFigures(metrics, "arn:other").stats).to.equal(undefined);
    });

    it("averages the last-minute latency histogram (nanoseconds) into seconds, and has none without uploads", () => {
        expect(lastMinuteLatencySeconds(metrics.currStats.Stats["arn:minio:replication::abc:dst"])).to.equal(0.03);
        expect(lastMinuteLatencySeconds({ replicationLatency: { UploadHistogram: [{ Totals: [{ Total: 0, N: 0 }] }] } })).to.equal(undefined);
    });
});

describe("replication status: OSS's progress API", () => {
    it("maps each rule's progress: state, lag until the new-object watermark, historical percent", async () => {
        const now = new Date("2026-01-01T00:01:00Z");
        const [status] = await ossReplicationStatus({
            replicationProgress: async (_source, ruleId) => ({
                ruleId, status: "doing", destination: { bucket: "dst", location: "oss-cn-beijing" }, historicalObjectReplication: true,
                historicalObjectsPercent: 85, newObjectsReplicatedUntil: "2026-01-01T00:00:30.000Z",
            }),
        }, spec([rule({ destination: { zone: "cn-beijing", bucket: "dst" } })]), now);
        expect(status.state).to.equal("doing");
        expect(status.lag).to.deep.include({ seconds: 30, until: "2026-01-01T00:00:30.000Z" });
        expect(status.historicalObjectsPercent).to.equal(85);
        expect(status.source).to.equal("progress API");
        expect(status.pending).to.equal(undefined);
        expect(status.failed).to.equal(undefined);
    });
});

describe("replication status: the status command", () => {
    it("parses its options and refuses what it does not know", () => {
        const parse = (argv: string[]) => parseCommandArgs(statusCommand, argv);
        expect(parse(["--stack", "dev", "--json"])).to.deep.equal({ stack: "dev", configFile: undefined, sampleSize: undefined, json: true });
        expect(parse(["--stack=prod", "--sample-size", "50"])).to.deep.include({ stack: "prod", sampleSize: 50, json: false });
        expect(parse(["--sample-size", "0"])).to.have.property("problem").that.matches(/whole number from 1 to 1000/);
        // The same words as every command's (cli/command.ts): the diagram command says these alike.
        expect(parse(["--stack"])).to.have.property("problem").that.matches(/--stack needs the stack's name/);
        expect(parse(["--frobnicate"])).to.have.property("problem").that.matches(/'--frobnicate' is not an option of status/);
    });

    it("finds every live ReplicationConfiguration of an exported stack, with its rules by ID", () => {
        const found = replicationConfigurationsOf({ deployment: { resources: [
            { type: "pulumi:providers:pulumi-nodejs", urn: "urn:pulumi:s::p::pulumi:providers:pulumi-nodejs::default" },
            { type: "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration", urn: "urn:pulumi:s::p::pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration::lf-leader",
              outputs: { zone: "local-a", bucket: "src", rules: { follower: { priority: 1, destination: { zone: "local-b", bucket: "dst" } } } } },
            { type: "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration", urn: "urn:x::gone", delete: true, outputs: { zone: "local-a", bucket: "old" } },
        ] } });
        expect(found).to.have.length(1);
        expect(found[0]).to.deep.include({ name: "lf-leader", zone: "local-a", bucket: "src" });
        expect(found[0].rules[0]).to.deep.include({ id: "follower", destination: { zone: "local-b", bucket: "dst" } });
    });

    it("reads configuration values from 'pulumi config --json', objects as JSON text", () => {
        const lookup = configLookupOf({
            "bucket-replication:backend": { value: "minio", secret: false },
            "bucket-replication:secretKey": { value: "s3cr3t", secret: true },
            "bucket-replication:zones": { value: "{\"a\":{\"endpoint\":\"http://h:1\"}}", objectValue: { a: { endpoint: "http://h:1" } }, secret: false },
            "other:key": { value: "x" },
        });
        expect(lookup("backend")).to.equal("minio");
        expect(lookup("secretKey")).to.equal("s3cr3t");
        expect(JSON.parse(lookup("zones")!)).to.deep.equal({ a: { endpoint: "http://h:1" } });
        expect(lookup("key")).to.equal(undefined);
    });

    it("renders one row per rule, with what each figure covers and every note below", () => {
        const status: ReplicationStatusResult = {
            zone: "local-a", bucket: "src", backend: "minio", readAt: "2026-01-01T00:00:00Z",
            rules: [{
                ruleId: "follower", destination: { zone: "local-b", bucket: "dst" }, state: "Enabled",
                pending: { count: 0, bytes: 0, over: "queued now (service metrics)" },
                failed: { count: 3, bytes: 2048, over: "last minute (service metrics)" },
                lag: { seconds: 0.028, over: "mean upload time in the last minute (service metrics)" },
                sample: { objects: 8, pending: 0, failed: 3, completed: 5, replica: 0, none: 0 },
                source: "service metrics; sampled object status (8 objects)", notes: ["counters restart with the server"],
            }],
        };
        const text = renderStatusTable([
            { name: "lf-leader", zone: "local-a", bucket: "src", status },
            { name: "other", zone: "local-b", bucket: "b2", error: "MinIO S3 GET on zone 'local-b' failed: connection refused" },
            { name: "empty", zone: "local-a", bucket: "e", status: { ...status, bucket: "e", rules: [] } },
        ]);
        const lines = text.split("\n");
        expect(lines[0].split(/\s{2,}/)).to.deep.equal(["RESOURCE", "RULE", "SOURCE", "DESTINATION", "STATE", "PENDING", "FAILED", "LAG", "FROM"]);
        expect(lines[1].split(/\s{2,}/)).to.deep.equal([
            "lf-leader", "follower", "local-a/src", "local-b/dst", "Enabled", "0; 0/8 sampled", "3 (2.0 KiB); 3/8 sampled", "0.028 s",
            "service metrics; sampled object status (8 objects)",
        ]);
        expect(lines[2].split(/\s{2,}/).slice(0, 5)).to.deep.equal(["other", "-", "local-b/b2", "-", "unreadable"]);
        expect(lines[3].split(/\s{2,}/).slice(0, 5)).to.deep.equal(["empty", "-", "local-a/e", "-", "no rules"]);
        // Columns line up: every row's DESTINATION starts where the header's does.
        const column = lines[0].indexOf("DESTINATION");
        for (const line of lines.slice(1, 4)) expect(line.slice(column).startsWith("local-") || line.slice(column).startsWith("-")).to.equal(true);
        expect(text).to.include("  pending: queued now (service metrics)");
        expect(text).to.include("  failed: last minute (service metrics)");
        expect(text).to.include("  note: lf-leader/follower: counters restart with the server");
        expect(text).to.include("  note: other: MinIO S3 GET on zone 'local-b' failed: connection refused");
    });
});
