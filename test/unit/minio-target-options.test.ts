import { expect } from "chai";
import type { ReplicationRule } from "../../provider/backends/backend";
import { resyncId, targetOptionsOf } from "../../provider/backends/minio/minioBackend";
import { ruleProblemsFor } from "../../provider/backends/registry";

// Issue 20: MinIO's options of a rule's remote target (synchronous, healthCheckPeriod, resync), checked at
// preview and read back from the target (test/engine/minio-target-options.engine.test.ts sets them on servers).

const destination = { bucket: "b", zone: "local-b" };

describe("MinIO target options at preview", () => {
    it("takes synchronous and a health check period on any rule", () => {
        expect(ruleProblemsFor("minio", { r1: { priority: 1, destination, synchronous: true, healthCheckPeriod: 30 } })).to.deep.equal([]);
    });

    it("takes resync only with existing objects replicated, as MinIO resyncs nothing else", () => {
        const without = ruleProblemsFor("minio", { r1: { priority: 1, destination, resync: "2026-12-04" } });
        expect(without).to.deep.equal([{ path: ["r1", "existingObjectReplication"], message: "Rule 'r1' sets 'resync', but MinIO resyncs only to a destination whose rule replicates existing objects; " +
            "set 'existingObjectReplication: true' on rule 'r1', or remove 'resync'." }]);
        expect(ruleProblemsFor("minio", { r1: { priority: 1, destination, resync: "2026-12-04", existingObjectReplication: true } })).to.deep.equal([]);
    });

    it("refuses resync on a disabled rule, which MinIO cannot resync", () => {
        const problems = ruleProblemsFor("minio", { r1: { priority: 1, destination, status: "Disabled", resync: "2026-12-04", existingObjectReplication: true } });
        expect(problems.map((p) => p.path.join("."))).to.deep.equal(["r1.status"]);
        expect(problems[0].message).to.contain("enable rule 'r1' (its resync then starts), or remove 'resync' while it is disabled");
    });

    it("refuses two rules into one destination that disagree on an option of their shared remote target", () => {
        const problems = ruleProblemsFor("minio", {
            r1: { priority: 1, destination, prefix: "a/", synchronous: true, healthCheckPeriod: 30, existingObjectReplication: true, resync: "x" },
            r2: { priority: 2, destination, prefix: "b/", healthCheckPeriod: 60, existingObjectReplication: true },
        });
        expect(problems.map((p) => p.path.join("."))).to.deep.equal(["r2.synchronous", "r2.healthCheckPeriod", "r2.resync"]);
        expect(problems[1].message).to.equal("Rules 'r1' and 'r2' replicate into local-b/b through one MinIO remote target, which has one health check period; give both the same 'healthCheckPeriod'.");
        // 'synchronous: false' is the default: it agrees with a rule that leaves it out.
        expect(ruleProblemsFor("minio", { r1: { priority: 1, destination, prefix: "a/", synchronous: false }, r2: { priority: 2, destination, prefix: "b/" } })).to.deep.equal([]);
    });
});

describe("MinIO target options read back from the target", () => {
    const known = (options: Partial<ReplicationRule>): ReplicationRule => ({
        id: "r1", priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: false, deleteReplication: false,
        existingObjectReplication: true, replicaModifications: false, destination, ...options,
    });
    const target = { arn: "arn:minio:replication::x:b", endpoint: "127.0.0.1:9200", targetBucket: "b" };

    it("reads what the target holds, and nothing it does not", () => {
        expect(targetOptionsOf({ ...target, synchronous: true, healthCheckSeconds: 30, bandwidthLimit: 200_000_000 }, undefined))
            .to.deep.equal({ synchronous: true, healthCheckPeriod: 30, bandwidthLimit: 200_000_000 });
        expect(targetOptionsOf(target, known({}))).to.deep.equal({});
    });

    it("keeps a state's explicit 'synchronous: false', which the target cannot tell from none", () => {
        expect(targetOptionsOf(target, known({ synchronous: false }))).to.deep.equal({ synchronous: false });
        expect(targetOptionsOf({ ...target, synchronous: true }, known({ synchronous: false }))).to.deep.equal({ synchronous: true });
    });

    it("reads the state's resync while the target's latest resync is that text's, and none otherwise", () => {
        expect(targetOptionsOf({ ...target, resetId: resyncId("2026-12-04") }, known({ resync: "2026-12-04" }))).to.deep.equal({ resync: "2026-12-04" });
        expect(targetOptionsOf({ ...target, resetId: resyncId("2026-12-05") }, known({ resync: "2026-12-04" }))).to.deep.equal({});
        expect(targetOptionsOf({ ...target, resetId: "a-resync-started-with-mc" }, known({ resync: "2026-12-04" }))).to.deep.equal({});
        expect(targetOptionsOf(target, known({ resync: "2026-12-04" }))).to.deep.equal({});
    });

    it("gives MinIO a resync ID that is a digest of the text, never the text itself", () => {
        expect(resyncId("2026-12-04")).to.match(/^pbr-[0-9a-f]{32}$/).and.to.equal(resyncId("2026-12-04"));
        expect(resyncId("2026-12-04")).to.not.equal(resyncId("2026-12-05"));
    });
});
