import { expect } from "chai";
import * as path from "path";
import { repoRoot } from "../support/toolchain";
import { independentClients, motoAccount, programOnMoto, types } from "./aws-moto";

// examples/aws-leader-follower under the real Pulumi CLI against moto (scripts/moto.sh), not AWS: changes
// made outside Pulumi to the role a configuration names and to each rule field moto holds (priority,
// status, destination bucket, storage class, replica KMS key, replication time) are seen by
// `pulumi refresh` and written back by `up`. moto answers every rule with delete markers off and an
// empty prefix whatever it stores (see aws-moto.ts), so those two fields are left out here.

const s3Trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }] };

describe("contract: refresh of drift on examples/aws-leader-follower under the Pulumi CLI against moto", function () {
    this.timeout(600_000);
    const program = programOnMoto(path.join(repoRoot, "examples", "aws-leader-follower"));
    let out: Record<string, any>;
    const otherRoleName = `made-in-the-console-${process.pid}`;
    const otherBucket = `made-in-the-console-${process.pid}`;
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    before(async () => {
        await program.stack.mustUp();
        out = await program.stack.outputs();
    });

    it("refresh reads the role ARN the configuration names and each rule field moto holds, as moto answers them", async () => {
        const { iam } = independentClients(program.moto, "us-east-1");
        const { s3 } = independentClients(program.moto, "eu-west-1");
        const { CreateRoleCommand } = await import("@aws-sdk/client-iam");
        const { CreateBucketCommand, PutBucketVersioningCommand, PutBucketReplicationCommand } = await import("@aws-sdk/client-s3");
        await iam.send(new CreateRoleCommand({ RoleName: otherRoleName, AssumeRolePolicyDocument: JSON.stringify(s3Trust) }));
        const { s3: east } = independentClients(program.moto, "us-east-1");
        await east.send(new CreateBucketCommand({ Bucket: otherBucket }));
        await east.send(new PutBucketVersioningCommand({ Bucket: otherBucket, VersioningConfiguration: { Status: "Enabled" } }));
        await s3.send(new PutBucketReplicationCommand({ Bucket: out.sourceBucket, ReplicationConfiguration: {
            Role: `arn:aws:iam::${motoAccount}:role/${otherRoleName}`,
            Rules: [{
                ID: "follower", Priority: 6, Status: "Disabled", Filter: { Prefix: "" }, DeleteMarkerReplication: { Status: "Disabled" },
                Destination: {
                    Bucket: `arn:aws:s3:::${otherBucket}`, StorageClass: "GLACIER", EncryptionConfiguration: { ReplicaKmsKeyID: keyArn },
                    ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } }, Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } },
                },
            }],
        } }));

        await program.stack.mustRefresh();
        const configuration = (await program.stateResources()).find((r) => r.type === types.replication)!.outputs!;
        expect(configuration.role).to.deep.include({ id: `arn:aws:iam::${motoAccount}:role/${otherRoleName}`, name: otherRoleName });
        expect(configuration.rules.follower).to.deep.include({
            priority: 6, status: "Disabled", replicationTimeControl: true,
            sseKms: { replicateEncryptedObjects: false, replicaKmsKeyId: keyArn },
            destination: { bucket: otherBucket, zone: "us-east-1", storageClass: "GLACIER" },
        });
    });

    it("up writes the program's role and rule back", async () => {
        expect(await program.changedSteps()).to.deep.equal([`update ${types.replication} my-source`]);
        await program.stack.mustUp();
        const stored = (await program.moto.stored()).replicationOf(out.sourceBucket)!;
        expect(stored.Role).to.equal(out.roleArn);
        expect(stored.Rule).to.have.length(1);
        expect(stored.Rule[0]).to.deep.include({ ID: "follower", Priority: "1", Status: "Enabled", DeleteMarkerReplication: { Status: "Enabled" } });
        expect(stored.Rule[0].Destination).to.deep.equal({ Bucket: `arn:aws:s3:::${out.destinationBucket}` });
    });
});
