import { expect } from "chai";
import type { ReplicationRule, ReplicationSpec, RoleState } from "../../provider/backends/backend";
import { AwsBackend } from "../../provider/backends/aws/awsBackend";
import { replicationPolicy } from "../../provider/backends/aws/policy";
import { independentClients, startMoto, type Moto } from "./aws-moto";

// Drift against moto (scripts/moto.sh), the stand-in for AWS: each case changes one thing outside the
// provider with an SDK client of its own, as the console or the CLI would, then checks that the
// backend's read reports what moto answers and that a put afterwards restores the program's document.
//
// What moto can hold and answer decides what is tried here (see aws-moto.ts): the Role, a rule's
// Priority, Status and Destination (bucket, storage class, replica KMS key, replication time). moto
// answers every rule with an empty prefix and delete markers off, and without SourceSelectionCriteria
// or ExistingObjectReplication, so those fields are covered by test/unit/aws-rules.test.ts instead.

describe("contract: AWS drift made outside Pulumi, read back and restored (moto)", function () {
    this.timeout(120_000);
    const fastPolls = { pollInterval: { initialMs: 50, maxMs: 200 } };
    let moto: Moto;
    let backend: AwsBackend;
    let role: RoleState;
    let otherRole: RoleState;
    const stamp = `${process.pid}-${Date.now().toString(36)}`;
    const source = { zone: "eu-west-1", bucket: `drift-source-${stamp}` };
    const destination = { zone: "us-east-1", bucket: `drift-destination-${stamp}` };
    const elsewhere = { zone: "us-east-1", bucket: `drift-elsewhere-${stamp}` };

    const declared: ReplicationRule = {
        id: "to-east", priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: false, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination: { ...destination, storageClass: "STANDARD_IA" },
        replicationTimeControl: false,
    };
    const spec = (): ReplicationSpec => ({ source, role, rules: [declared] });

    /** PutBucketReplication by another tool: the source's whole configuration replaced. */
    async function replaceOutside(roleArn: string, rule: object): Promise<void> {
        const { PutBucketReplicationCommand } = await import("@aws-sdk/client-s3");
        await independentClients(moto, source.zone).s3.send(new PutBucketReplicationCommand({
            Bucket: source.bucket, ReplicationConfiguration: { Role: roleArn, Rules: [rule as never] },
        }));
    }

    const storedRule = {
        ID: "to-east", Priority: 1, Status: "Enabled", Filter: { Prefix: "" }, DeleteMarkerReplication: { Status: "Disabled" },
        Destination: { Bucket: `arn:aws:s3:::${destination.bucket}`, StorageClass: "STANDARD_IA" },
    };

    before(async () => {
        moto = await startMoto();
        backend = new AwsBackend(moto.settings(), fastPolls);
        for (const ref of [source, destination, elsewhere]) {
            await backend.createBucket(ref);
            await backend.putVersioning(ref, "Enabled");
        }
        const policy = replicationPolicy(source, [destination, elsewhere]);
        role = await backend.createRole({ name: `drift-role-${stamp}`, description: "replicates", editable: true, labels: {}, policy }, "identity-drift", () => undefined);
        otherRole = await backend.createRole({ name: `other-role-${stamp}`, description: "another", editable: true, labels: {}, policy }, "identity-other", () => undefined);
    });
    after(async () => {
        await moto?.stop();
    });

    beforeEach(async () => {
        await backend.putReplication(spec(), undefined, () => undefined);
        expect(await backend.getReplication(source, spec())).to.deep.equal(spec());
    });

    async function restoredByPut(observed: ReplicationSpec): Promise<void> {
        await backend.putReplication(spec(), observed, () => undefined);
        const stored = (await moto.stored()).replicationOf(source.bucket)!;
        expect(stored.Role).to.equal(role.id);
        expect(stored.Rule).to.have.length(1);
        expect(stored.Rule[0]).to.deep.include({ ID: "to-east", Priority: "1", Status: "Enabled" });
        expect(stored.Rule[0].Destination).to.deep.equal({ Bucket: `arn:aws:s3:::${destination.bucket}`, StorageClass: "STANDARD_IA" });
        expect(await backend.getReplication(source, spec())).to.deep.equal(spec());
    }

    it("reads the role ARN the configuration names now, named by the ARN's role name, and a put names the program's role again", async () => {
        await replaceOutside(otherRole.id, storedRule);
        const observed = (await backend.getReplication(source, spec()))!;
        expect(observed.role).to.deep.include({ id: otherRole.id, name: otherRole.name });
        expect(observed.rules).to.deep.equal([declared]);
        await restoredByPut(observed);
    });

    it("reads each rule field moto holds where each was changed: priority, status, destination bucket and its region, storage class, replica key, RTC", async () => {
        const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        await replaceOutside(role.id, {
            ...storedRule, Priority: 9, Status: "Disabled",
            Destination: {
                Bucket: `arn:aws:s3:::${elsewhere.bucket}`, StorageClass: "GLACIER", EncryptionConfiguration: { ReplicaKmsKeyID: keyArn },
                ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } }, Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } },
            },
        });
        const observed = (await backend.getReplication(source, spec()))!;
        expect(observed.role).to.equal(role);
        const expected: ReplicationRule = {
            ...declared, priority: 9, status: "Disabled",
            // The ARN names no region: GetBucketLocation places the bucket in us-east-1 (not the source's eu-west-1).
            destination: { ...elsewhere, storageClass: "GLACIER" },
            sseKms: { replicateEncryptedObjects: false, replicaKmsKeyId: keyArn }, replicationTimeControl: true,
        };
        expect(observed.rules).to.deep.equal([expected]);
        await restoredByPut(observed);
    });

    it("reads a policy replaced outside and a policy removed from the role, and an update restores each", async () => {
        const { iam } = independentClients(moto, "us-east-1");
        const { PutRolePolicyCommand, DeleteRolePolicyCommand } = await import("@aws-sdk/client-iam");
        const readOnly = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
        await iam.send(new PutRolePolicyCommand({ RoleName: role.name, PolicyName: "bucket-replication", PolicyDocument: JSON.stringify(readOnly) }));
        let observed = (await backend.readRole(role.id, role))!;
        expect(observed.policy).to.deep.equal(readOnly);
        await backend.updateRole(observed, role, () => undefined);
        expect(await backend.readRole(role.id, role)).to.deep.equal(role);

        await iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: "bucket-replication" }));
        observed = (await backend.readRole(role.id, role))!;
        expect(observed.policy).to.deep.equal({});
        await backend.updateRole(observed, role, () => undefined);
        expect((await moto.stored()).roleNamed(role.name)!.policies["bucket-replication"]).to.deep.equal(role.policy);
        expect(await backend.readRole(role.id, role)).to.deep.equal(role);
    });
});
