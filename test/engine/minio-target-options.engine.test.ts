import { expect } from "chai";
import type { ReplicationRule, ReplicationSpec, RoleState, StorageBackend } from "../../provider/backends/backend";
import { resyncId } from "../../provider/backends/minio/minioBackend";
import { replicationUserPolicy } from "../../provider/backends/minio/policy";
import { openBackend } from "../../provider/backends/registry";
import { resolveSettings } from "../../provider/settings";
import { localZones, objectsOn, rawRemoteTargetsOn, type RawRemoteTarget, rawS3 } from "../support/localZones";
import { sleep } from "../support/wait";

const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

// Issue 20: the MinIO rule options kept on a rule's remote target, as bandwidthLimit is: `synchronous`
// (replicationSync), `healthCheckPeriod` (healthCheckDuration) and `resync` (a resync of existing objects,
// PUT /<bucket>?replication-reset). Set through the backend on the real pair, read back raw from MinIO's
// admin API with the zone's root keys, and read back by the backend as the rule's. Runs on any local pair,
// the owners pair included (each zone's own keys come with the zones file).


describe("engine: MinIO's target options (synchronous, healthCheckPeriod, resync) are the remote target's", function () {
    const local = localZones();
    const objects = objectsOn(local);
    const be: StorageBackend = openBackend(resolveSettings((key) => ({
        zones: JSON.stringify(local.zones), accessKey: local.accessKey, secretKey: local.secretKey,
    } as Record<string, string>)[key]));
    const lines: string[] = [];
    const log = (line: string) => { lines.push(line); };
    const stamp = Date.now().toString(36);
    const source = { zone: "local-a", bucket: `pbr-to-src-${stamp}` };
    const destination = { zone: "local-b", bucket: `pbr-to-dst-${stamp}` };
    let role: RoleState;
    const rule = (options: Partial<ReplicationRule> = {}): ReplicationRule => ({
        id: "to-b", priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: false, deleteReplication: false,
        existingObjectReplication: true, replicaModifications: false, destination, ...options,
    });
    const spec = (options: Partial<ReplicationRule> = {}): ReplicationSpec => ({ source, role, rules: [rule(options)] });
    const rawTargets = () => rawRemoteTargetsOn(local, "local-a", source.bucket);
    const resyncsStarted = () => lines.filter((line) => line.includes("starting a resync")).length;

    before(async () => {
        for (const ref of [source, destination]) {
            await rawS3(ref.zone).send(new (s3().CreateBucketCommand)({ Bucket: ref.bucket }));
            await rawS3(ref.zone).send(new (s3().PutBucketVersioningCommand)({ Bucket: ref.bucket, VersioningConfiguration: { Status: "Enabled" } }));
        }
        // Written before any rule: only a resync copies them.
        for (const key of ["before/1.txt", "before/2.txt"]) await objects.putObject(source.zone, source.bucket, key, `old ${key}`);
        role = await be.createRole({ name: `pbr-to-role-${stamp}`, description: "", editable: true, labels: {}, policy: replicationUserPolicy(source, [destination]) }, undefined, log);
    });

    after(async () => {
        await be.deleteReplication(spec(), log);
        await be.deleteRole(role, log);
        for (const ref of [source, destination]) await be.emptyAndDeleteBucket(ref, log);
    });

    it("a rule without them leaves the target asynchronous, with the server's health check and no resync", async () => {
        await be.putReplication(spec(), undefined, log);
        const [target] = await rawTargets();
        expect(target.replicationSync).to.equal(false);
        expect(target.healthCheckDuration ?? 0).to.equal(0);
        expect(target.resetID ?? "").to.equal("");
        expect(resyncsStarted()).to.equal(0);
        const read = await be.getReplication(source, spec());
        expect(read?.rules[0]).to.not.have.any.keys("synchronous", "healthCheckPeriod", "resync");
    });

    it("synchronous and healthCheckPeriod set the target's replicationSync and healthCheckDuration, read back as the rule's", async () => {
        await be.putReplication(spec({ synchronous: true, healthCheckPeriod: 30 }), spec(), log);
        const [target] = await rawTargets();
        expect(target).to.deep.include({ replicationSync: true, healthCheckDuration: 30_000_000_000 });
        const read = await be.getReplication(source, spec({ synchronous: true, healthCheckPeriod: 30 }));
        expect(read?.rules[0]).to.deep.include({ synchronous: true, healthCheckPeriod: 30 });
    });

    it("with synchronous on, a write has reached the destination when it returns: COMPLETED at once", async () => {
        await objects.putObject(source.zone, source.bucket, "sync/now.txt", "synchronous");
        const view = await objects.readObject(source.zone, source.bucket, "sync/now.txt");
        expect(view?.replicationStatus).to.equal("COMPLETED");
        expect((await objects.readObject(destination.zone, destination.bucket, "sync/now.txt"))?.replicationStatus).to.equal("REPLICA");
    });

    it("changes them in place and back to the defaults, the target's ARN unchanged", async () => {
        const [before] = await rawTargets();
        await be.putReplication(spec({ healthCheckPeriod: 90 }), undefined, log);
        expect(await rawTargets()).to.have.length(1).and.to.satisfy(([t]: RawRemoteTarget[]) => t.arn === before.arn && t.replicationSync === false && t.healthCheckDuration === 90_000_000_000);
        await be.putReplication(spec(), undefined, log);
        const [after] = await rawTargets();
        expect(after.arn).to.equal(before.arn);
        expect(after.replicationSync).to.equal(false);
        expect(after.healthCheckDuration ?? 0).to.equal(0);
        // An explicit 'synchronous: false' in the state reads back as such, not as drift.
        const read = await be.getReplication(source, spec({ synchronous: false }));
        expect(read?.rules[0]).to.deep.include({ synchronous: false });
        expect(read?.rules[0]).to.not.have.any.keys("healthCheckPeriod");
    });

    it("resync copies the objects written before the rule to the destination, once per text", async () => {
        expect(resyncsStarted()).to.equal(0);
        // The rule alone (existing objects on, no resync) has not copied them: MinIO leaves that to its scanner.
        for (const key of ["before/1.txt", "before/2.txt"]) expect(await objects.readObject(destination.zone, destination.bucket, key), key).to.equal(undefined);
        await be.putReplication(spec({ resync: "first" }), spec(), log);
        expect(resyncsStarted()).to.equal(1);
        expect((await rawTargets())[0].resetID).to.equal(resyncId("first"));
        for (const key of ["before/1.txt", "before/2.txt"]) {
            await objects.replicated(destination.zone, destination.bucket, key, `old ${key}`, "REPLICA", 120_000);
        }
        const read = await be.getReplication(source, spec({ resync: "first" }));
        expect(read?.rules[0]).to.deep.include({ resync: "first" });
        // The same text again (an unchanged up, or another option changing) starts nothing.
        await be.putReplication(spec({ resync: "first", healthCheckPeriod: 10 }), spec({ resync: "first" }), log);
        expect(resyncsStarted()).to.equal(1);
        expect((await rawTargets())[0].resetID).to.equal(resyncId("first"));
    });

    it("a new resync text starts another; a state whose text is not the target's latest reads back without it", async () => {
        await be.putReplication(spec({ resync: "second" }), spec({ resync: "first" }), log);
        expect(resyncsStarted()).to.equal(2);
        expect((await rawTargets())[0].resetID).to.equal(resyncId("second"));
        const stale = await be.getReplication(source, spec({ resync: "first" }));
        expect(stale?.rules[0]).to.not.have.any.keys("resync");
        // The copies stay REPLICA; the resync leaves the sources' status COMPLETED.
        await sleep(500);
        await objects.replicated(source.zone, source.bucket, "before/1.txt", "old before/1.txt", "COMPLETED", 60_000);
    });
});
