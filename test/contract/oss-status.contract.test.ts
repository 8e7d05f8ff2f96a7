import { expect } from "chai";
import type { ReplicationRule, RoleState } from "../../provider/backends/backend";
import { replicationPolicy } from "../../provider/backends/oss";
import { isNotThereYet, replicationStatusWith } from "../../provider/replicationStatus";
import { collectLog, eventually, identityOf, ossBackendUnderContract, ossSettingsFor, rejectionOf } from "./ossHarness";

// Replication status on OSS, against the local OSS + RAM contract server (not Alibaba Cloud): the rules
// are read from the bucket (GetBucketReplication), each rule's figures from GetBucketReplicationProgress.

describe("contract: OSS replication status (getReplicationStatus) against the OSS contract server", function () {
    const suite = ossBackendUnderContract();
    const src = { zone: "cn-hangzhou", bucket: "statussourcebucket" };
    const dst = { zone: "cn-beijing", bucket: "statusdestbucket" };
    let role: RoleState;

    const rule: ReplicationRule = {
        id: "to-beijing", priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: true, deleteReplication: false,
        existingObjectReplication: true, replicaModifications: false, destination: dst,
    };

    before(async () => {
        await suite.backend.createBucket(src);
        await suite.backend.createBucket(dst);
        await suite.backend.putVersioning(src, "Enabled");
        await suite.backend.putVersioning(dst, "Enabled");
        role = await suite.backend.createRole({ name: "status-sync-role", description: "status", editable: true, labels: {},
            policy: replicationPolicy(src, [dst]) }, identityOf("status-sync-role"), collectLog().log);
    });

    it("reports no rules for a bucket without replication, and a missing bucket as not there yet", async () => {
        const settings = ossSettingsFor(suite.server);
        const none = await replicationStatusWith(settings, src);
        expect(none).to.deep.include({ zone: "cn-hangzhou", bucket: src.bucket, backend: "oss", rules: [] });
        const missing = await rejectionOf(replicationStatusWith(settings, { zone: "cn-hangzhou", bucket: "nosuchstatusbucket" }));
        expect(isNotThereYet(missing)).to.equal(true);
        expect(missing.message).to.match(/nosuchstatusbucket/);
    });

    it("gives each rule its state, the new-object watermark as lag and the historical percent, from the progress API", async () => {
        suite.server.state.putObject(src.bucket, "history/one.txt", "one");
        await suite.backend.putReplication({ source: src, role, rules: [rule] }, undefined, collectLog().log);
        await eventually(() => suite.server.state.latest(dst.bucket, "history/one.txt") !== undefined, "the historical object to replicate");

        const status = await replicationStatusWith(ossSettingsFor(suite.server), src);
        expect(status.rules).to.have.length(1);
        const [only] = status.rules;
        expect(only).to.deep.include({ ruleId: "to-beijing", destination: dst, state: "doing", source: "progress API", historicalObjectsPercent: 100 });
        expect(only.lag?.until).to.be.a("string");
        expect(Date.parse(only.lag!.until!)).to.be.greaterThan(Date.now() - 60_000);
        expect(only.lag?.seconds).to.be.at.least(0);
        expect(only.pending).to.equal(undefined);
        expect(only.failed).to.equal(undefined);
        expect(only.notes).to.deep.equal(["OSS reports no pending or failed counts"]);
        expect(suite.server.state.requestsFor("GetBucketReplicationProgress").some((r) => r.query.includes("rule-id=to-beijing") && r.status === 200)).to.equal(true);
    });

    it("refuses a zone the stack does not configure, naming the ones it does", async () => {
        const error = await rejectionOf(replicationStatusWith(ossSettingsFor(suite.server), { zone: "mars-1", bucket: src.bucket }));
        expect(error.message).to.match(/zone 'mars-1' is not configured; use one of 'cn-hangzhou'/);
    });

    after(async () => {
        await suite.backend.deleteReplication({ source: src, role, rules: [rule] }, collectLog().log).catch(() => undefined);
    });
});
