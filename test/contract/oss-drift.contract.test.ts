import { expect } from "chai";
import type { ReplicationRule, ReplicationSpec, RoleState } from "../../provider/backends/backend";
import { replicationPolicy } from "../../provider/backends/oss";
import type { ContractRule } from "./ossServer";
import { identityOf, ossBackendUnderContract } from "./ossHarness";

// Drift against the local OSS + RAM contract server (test/contract/ossServer.ts), not Alibaba Cloud: each
// case changes one thing outside the provider, in the server's state as the console would leave it (OSS
// cannot edit a rule: the console deletes it and adds another of the same ID), then checks that the
// backend's read reports what the server holds and that a put afterwards restores the program's rule.

describe("contract: OSS drift made outside Pulumi, read back and restored (OSS + RAM contract server)", function () {
    this.timeout(60_000);
    const suite = ossBackendUnderContract();
    const src = { zone: "cn-hangzhou", bucket: "driftsource" };
    const dst = { zone: "cn-beijing", bucket: "driftdestination" };
    const elsewhere = { zone: "cn-hangzhou", bucket: "driftelsewhere" };
    let role: RoleState;
    let otherRole: RoleState;

    const declared: ReplicationRule = {
        id: "to-beijing", priority: 3, status: "Enabled", prefix: "", prefixes: ["logs/", "images/"], deleteMarkerReplication: true, deleteReplication: false,
        existingObjectReplication: true, replicaModifications: false, destination: dst,
        transferType: "oss_acc", replicationTimeControl: false, sseKms: { replicateEncryptedObjects: false },
    };
    const spec = (): ReplicationSpec => ({ source: src, role, rules: [declared] });

    /** The rule as the server holds it now. */
    const stored = (): ContractRule => suite.server.state.rulesOf(src.bucket).find((rule) => rule.closingSince === undefined)!;

    before(async () => {
        for (const ref of [src, dst, elsewhere]) {
            await suite.backend.createBucket(ref);
            await suite.backend.putVersioning(ref, "Enabled");
        }
        const policy = replicationPolicy(src, [dst, elsewhere]);
        role = await suite.backend.createRole({ name: "drift-sync-role", description: "sync role", editable: true, labels: {}, policy }, identityOf("drift-sync-role"), () => undefined);
        otherRole = await suite.backend.createRole({ name: "other-sync-role", description: "another", editable: true, labels: {}, policy }, identityOf("other-sync-role"), () => undefined);
    });

    beforeEach(async () => {
        await suite.backend.putReplication(spec(), undefined, () => undefined);
        expect(await suite.backend.getReplication(src, spec())).to.deep.equal(spec());
    });

    async function restoredByPut(observed: ReplicationSpec): Promise<void> {
        await suite.backend.putReplication(spec(), observed, () => undefined);
        expect(stored()).to.deep.include({
            id: "to-beijing", prefixes: ["logs/", "images/"], action: "ALL", historicalObjectReplication: "enabled", syncRole: role.id,
            destination: { bucket: dst.bucket, location: "oss-cn-beijing", transferType: "oss_acc" }, rtc: undefined, replicaKmsKeyId: undefined,
        });
        expect(await suite.backend.getReplication(src, spec())).to.deep.equal(spec());
    }

    it("reads the SyncRole a rule names now, and a put adds the rule again with the program's role", async () => {
        stored().syncRole = otherRole.id;
        const observed = (await suite.backend.getReplication(src, spec()))!;
        expect(observed.role).to.deep.include({ id: otherRole.id, name: otherRole.name });
        expect(observed.rules).to.deep.equal([declared]);
        await restoredByPut(observed);
    });

    it("reads every rule field OSS holds where each was changed, keeping only the priority OSS has not", async () => {
        Object.assign(stored(), {
            prefixes: ["other/"], action: "PUT", historicalObjectReplication: "disabled",
            destination: { bucket: elsewhere.bucket, location: "oss-cn-hangzhou" },
        });
        const observed = (await suite.backend.getReplication(src, spec()))!;
        expect(observed.rules).to.deep.equal([{
            ...declared, prefix: "", prefixes: ["other/"], deleteMarkerReplication: false, existingObjectReplication: false,
            // OSS reports a TransferType only for oss_acc: none is its default, internal.
            destination: elsewhere, transferType: "internal",
        }]);
        await restoredByPut(observed);
    });

    it("reads RTC and SSE-KMS turned on outside", async () => {
        Object.assign(stored(), { rtc: "enabled", sseKmsEncryptedObjects: "Enabled", replicaKmsKeyId: "replica-key" });
        const observed = (await suite.backend.getReplication(src, spec()))!;
        expect(observed.rules[0]).to.deep.include({
            replicationTimeControl: true, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "replica-key" },
        });
        await restoredByPut(observed);
    });

    it("reads a policy replaced outside and a policy detached, and an update restores each", async () => {
        const policyName = suite.server.state.policyAttachedTo(role.id)[0];
        const readOnly = { Version: "1", Statement: [{ Effect: "Allow", Action: ["oss:GetObject"], Resource: ["acs:oss:*:*:*"] }] };
        const policy = suite.server.state.policies.get(policyName)!;
        policy.versions = [...policy.versions.map((v) => ({ ...v, IsDefaultVersion: false })),
            { VersionId: `v${policy.versions.length + 1}`, PolicyDocument: JSON.stringify(readOnly), IsDefaultVersion: true }];
        let observed = (await suite.backend.readRole(role.id, role))!;
        expect(observed.policy).to.deep.equal(readOnly);
        await suite.backend.updateRole(observed, role, () => undefined);
        expect(await suite.backend.readRole(role.id, role)).to.deep.equal(role);

        suite.server.state.attachments.delete(`${role.id}\0${policyName}`);
        observed = (await suite.backend.readRole(role.id, role))!;
        expect(observed.policy).to.deep.equal({});
        await suite.backend.updateRole(observed, role, () => undefined);
        expect(suite.server.state.policyAttachedTo(role.id)).to.deep.equal([policyName]);
        expect(await suite.backend.readRole(role.id, role)).to.deep.equal(role);
    });
});
