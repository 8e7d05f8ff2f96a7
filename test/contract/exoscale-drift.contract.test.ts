import { expect } from "chai";
import type { BucketRef, ReplicationRule, ReplicationSpec, RoleState } from "../../provider/backends/backend";
import { replicationPolicy } from "../../provider/backends/exoscale";
import { ExoscaleIamClient } from "../../provider/backends/exoscale/iamClient";
import { backendUnderContract, createRole, independentS3, roleSpec, versionedBucket } from "./exoscaleHarness";

// Drift against the local Exoscale contract server (test/contract/exoscaleServer.ts), not Exoscale: each
// case changes one thing outside the provider, as `exo storage bucket replication set` or
// `exo iam role update-policy` would, then checks that the backend's read reports what the server holds
// and that a put afterwards restores the program's configuration.

function rule(id: string, destination: BucketRef, overrides: Partial<ReplicationRule> = {}): ReplicationRule {
    return {
        id, priority: 1, status: "Enabled", prefix: "logs/", deleteMarkerReplication: true, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination, ...overrides,
    };
}

describe("contract: Exoscale drift made outside Pulumi, read back and restored (local contract server)", () => {
    const context = backendUnderContract();
    let source: BucketRef;
    let destination: BucketRef;
    let elsewhere: BucketRef;
    let role: RoleState;
    let otherRole: RoleState;
    let spec: ReplicationSpec;


    /** PutBucketReplication by another tool, with its own client: the SOS document, as `exo storage bucket replication set` sends it. */
    async function replaceOutside(document: { Role: string; Rules: object[] }): Promise<void> {
        const { PutBucketReplicationCommand } = await import("@aws-sdk/client-s3");
        await independentS3(context.server, source.zone).send(new PutBucketReplicationCommand({
            Bucket: source.bucket, ReplicationConfiguration: document as never,
        }));
    }

    function iamOutside(): ExoscaleIamClient {
        return new ExoscaleIamClient({ endpoint: context.server.iamEndpoint, apiKey: context.server.credentials.accessKey, apiSecret: context.server.credentials.secretKey,
            pollInterval: { initialMs: 5, maxMs: 20 }, waitTimeoutMs: 300_000 });
    }

    before(async () => {
        source = await versionedBucket(context.backend, "ch-dk-2", "drift-source");
        destination = await versionedBucket(context.backend, "at-vie-1", "drift-destination");
        elsewhere = await versionedBucket(context.backend, "ch-dk-2", "drift-elsewhere");
        role = await createRole(context.backend, roleSpec(`replication-${source.bucket}`, { policy: replicationPolicy(source, [destination]) }));
        otherRole = await createRole(context.backend, roleSpec(`other-${source.bucket}`));
        spec = { source, role, rules: [rule("to-vienna", destination, { destination: { ...destination, storageClass: "STANDARD" } })] };
    });

    beforeEach(async () => {
        await context.backend.putReplication(spec, undefined, () => undefined);
        expect(await context.backend.getReplication(source, spec)).to.deep.equal(spec);
    });

    async function restoredByPut(observed: ReplicationSpec): Promise<void> {
        await context.backend.putReplication(spec, observed, () => undefined);
        const stored = context.server.state.replicationOf(source.bucket)!;
        expect(stored.Role).to.equal(role.id);
        expect(stored.Rules).to.deep.equal([{
            ID: "to-vienna", Priority: 1, Status: "Enabled", Filter: { Prefix: "logs/" }, DeleteMarkerReplication: { Status: "Enabled" },
            Destination: { Bucket: destination.bucket, StorageClass: "STANDARD" },
        }]);
        expect(await context.backend.getReplication(source, spec)).to.deep.equal(spec);
    }

    it("reads the role the configuration names now, by IAM's name for it, and a put names the program's role again", async () => {
        await replaceOutside({ Role: otherRole.id, Rules: [{
            ID: "to-vienna", Priority: 1, Status: "Enabled", Filter: { Prefix: "logs/" }, DeleteMarkerReplication: { Status: "Enabled" },
            Destination: { Bucket: destination.bucket, StorageClass: "STANDARD" },
        }] });
        const observed = (await context.backend.getReplication(source, spec))!;
        expect(observed.role).to.deep.include({ id: otherRole.id, name: otherRole.name });
        expect(observed.rules).to.deep.equal(spec.rules);
        await restoredByPut(observed);
    });

    it("reads a role IAM no longer has by its UUID", async () => {
        const doomed = await createRole(context.backend, roleSpec(`doomed-${source.bucket}`));
        await replaceOutside({ Role: doomed.id, Rules: [{ ID: "to-vienna", Priority: 1, Status: "Enabled", Filter: { Prefix: "logs/" },
            DeleteMarkerReplication: { Status: "Enabled" }, Destination: { Bucket: destination.bucket, StorageClass: "STANDARD" } }] });
        context.server.state.deleteRoleOutOfBand(doomed.id);
        const observed = (await context.backend.getReplication(source, spec))!;
        expect(observed.role).to.deep.include({ id: doomed.id, name: doomed.id });
        await restoredByPut(observed);
    });

    it("names the role by its UUID when IAM cannot be asked, rather than failing the read", async () => {
        await replaceOutside({ Role: otherRole.id, Rules: [{ ID: "to-vienna", Priority: 1, Status: "Enabled", Filter: { Prefix: "logs/" },
            DeleteMarkerReplication: { Status: "Enabled" }, Destination: { Bucket: destination.bucket, StorageClass: "STANDARD" } }] });
        context.server.state.injectFault({ kind: "503", operation: "get-iam-role", times: Infinity });
        const observed = (await context.backend.getReplication(source, spec))!;
        context.server.state.clearFaults();
        expect(observed.role).to.deep.include({ id: otherRole.id, name: otherRole.id });
        await restoredByPut(observed);
    });

    it("reads every rule field SOS holds where another tool changed each: priority, status, prefix, delete markers, destination, storage class", async () => {
        await replaceOutside({ Role: role.id, Rules: [{
            ID: "to-vienna", Priority: 9, Status: "Disabled", Filter: { Prefix: "other/" }, DeleteMarkerReplication: { Status: "Disabled" },
            Destination: { Bucket: elsewhere.bucket },
        }] });
        const observed = (await context.backend.getReplication(source, spec))!;
        expect(observed.role).to.equal(role);
        expect(observed.rules).to.deep.equal([{
            id: "to-vienna", priority: 9, status: "Disabled", prefix: "other/", deleteMarkerReplication: false, deleteReplication: false,
            existingObjectReplication: false, replicaModifications: false, destination: { bucket: elsewhere.bucket, zone: "ch-dk-2" },
        }]);
        await restoredByPut(observed);
    });

    it("reads a rule another tool added, and a put removes it", async () => {
        await replaceOutside({ Role: role.id, Rules: [
            { ID: "to-vienna", Priority: 1, Status: "Enabled", Filter: { Prefix: "logs/" }, DeleteMarkerReplication: { Status: "Enabled" },
                Destination: { Bucket: destination.bucket, StorageClass: "STANDARD" } },
            { ID: "extra", Priority: 2, Status: "Enabled", Filter: { Prefix: "" }, DeleteMarkerReplication: { Status: "Disabled" }, Destination: { Bucket: elsewhere.bucket } },
        ] });
        const observed = (await context.backend.getReplication(source, spec))!;
        expect(observed.rules.map((r) => r.id)).to.deep.equal(["to-vienna", "extra"]);
        await restoredByPut(observed);
    });

    it("reads a role's policy replaced outside, and an update puts the program's back", async () => {
        const known = (await context.backend.readRole(role.id, role))!;
        expect(known.policy).to.deep.equal(role.policy);
        const readOnly = { "default-service-strategy": "deny", services: { sos: { type: "rules", rules: [{ action: "allow", expression: "operation == 'list-objects'" }] } } };
        await iamOutside().updateRolePolicy(role.id, readOnly, () => undefined);
        const observed = (await context.backend.readRole(role.id, role))!;
        expect(observed.policy).to.deep.equal(readOnly);
        await context.backend.updateRole(observed, role, () => undefined);
        expect(context.server.state.roles.get(role.id)!.policy).to.deep.equal(role.policy);
        expect(await context.backend.readRole(role.id, role)).to.deep.equal(role);
    });

    it("reads a description changed outside, puts the program's back, and refuses to clear one, which the API cannot do", async () => {
        const current = context.server.state.roles.get(role.id)!;
        await iamOutside().updateRole(role.id, { description: "changed in the portal", labels: current.labels }, () => undefined);
        const observed = (await context.backend.readRole(role.id, role))!;
        expect(observed.description).to.equal("changed in the portal");
        await context.backend.updateRole(observed, role, () => undefined);
        expect(context.server.state.roles.get(role.id)!.description).to.equal(role.description);

        const updatesBefore = context.server.state.requestsFor("update-iam-role").length;
        const failure = await context.backend.updateRole(role, { ...role, description: "" }, () => undefined).then(() => undefined, (error: Error) => error.message);
        expect(failure).to.contain("cannot clear a role's description");
        expect(context.server.state.requestsFor("update-iam-role").length).to.equal(updatesBefore);
        expect(context.server.state.roles.get(role.id)!.description).to.equal(role.description);
    });
});
