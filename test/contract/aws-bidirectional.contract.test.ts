import { expect } from "chai";
import * as path from "path";
import { repoRoot } from "../support/toolchain";
import { independentClients, motoAccount, motoCredentials, programOnMoto, types } from "./aws-moto";

// examples/aws-bidirectional under the real Pulumi CLI against moto (scripts/moto.sh), with the keys in
// the stack configuration as secrets instead of the AWS credential chain. moto stores both replication
// configurations and both roles; it never copies an object, so nothing here waits for one to arrive.

function documentedPolicy(source: string, destination: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadSourceReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: [`arn:aws:s3:::${source}`] },
            { Sid: "ReadSourceObjectVersions", Effect: "Allow", Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], Resource: [`arn:aws:s3:::${source}/*`] },
            { Sid: "ReplicateIntoDestinations", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: [`arn:aws:s3:::${destination}/*`] },
        ],
    };
}

/** One direction's stored rule: replica modifications on, delete markers as configured. */
function storedRule(id: string, destination: string, deleteMarkers: "Enabled" | "Disabled") {
    return {
        ID: id, Priority: "1", Status: "Enabled", Filter: { Prefix: null },
        DeleteMarkerReplication: { Status: deleteMarkers },
        SourceSelectionCriteria: { ReplicaModifications: { Status: "Enabled" } },
        Destination: { Bucket: `arn:aws:s3:::${destination}` },
    };
}

describe("contract: examples/aws-bidirectional under the Pulumi CLI against moto (moto stores replication, it does not move objects)", function () {
    this.timeout(600_000);
    const program = programOnMoto(path.join(repoRoot, "examples", "aws-bidirectional"), { credentials: "config", config: { forceDestroy: "true" } });
    let out: Record<string, any>;

    it("converges on one pulumi up with the keys from the stack configuration", async () => {
        await program.stack.mustUp();
        out = await program.stack.outputs();
        expect(out).to.deep.include({ zoneA: "eu-west-1", zoneB: "us-east-1" });
        expect(out.roleAToBArn).to.equal(`arn:aws:iam::${motoAccount}:role/${out.roleAToBName}`);
        expect(out.roleBToAArn).to.equal(`arn:aws:iam::${motoAccount}:role/${out.roleBToAName}`);
        expect(out.roleAToBArn).to.not.equal(out.roleBToAArn);
    });

    it("gives each direction its own role, allowed to read its source and replicate into the other bucket only", async () => {
        const stored = await program.moto.stored();
        expect(stored.roleNamed(out.roleAToBName)!.policies).to.deep.equal({ "bucket-replication": documentedPolicy(out.bucketA, out.bucketB) });
        expect(stored.roleNamed(out.roleBToAName)!.policies).to.deep.equal({ "bucket-replication": documentedPolicy(out.bucketB, out.bucketA) });
    });

    it("puts a rule on each side into the other, with replica modifications and delete markers, naming the role and bucket ARNs", async () => {
        const stored = await program.moto.stored();
        expect(stored.replicationOf(out.bucketA)).to.deep.include({ Role: out.roleAToBArn, Rule: [storedRule("to-bucket-b", out.bucketB, "Enabled")] });
        expect(stored.replicationOf(out.bucketB)).to.deep.include({ Role: out.roleBToAArn, Rule: [storedRule("to-bucket-a", out.bucketA, "Enabled")] });
    });

    it("previews no changes right after, and keeps the configured keys out of the state file", async () => {
        expect(await program.changedSteps()).to.deep.equal([]);
        const text = program.stack.stateText();
        expect(text).to.not.contain(motoCredentials.secretKey);
        expect(text).to.not.contain(motoCredentials.accessKey);
    });

    it("turns delete-marker replication off on both sides in place", async () => {
        await program.stack.setConfig("deleteMarkerReplication", "false");
        expect(await program.changedSteps()).to.have.members([`update ${types.replication} bucket-a`, `update ${types.replication} bucket-b`]);
        await program.stack.mustUp();
        const stored = await program.moto.stored();
        expect(stored.replicationOf(out.bucketA)!.Rule).to.deep.equal([storedRule("to-bucket-b", out.bucketB, "Disabled")]);
        expect(stored.replicationOf(out.bucketB)!.Rule).to.deep.equal([storedRule("to-bucket-a", out.bucketA, "Disabled")]);
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("destroys everything with forceDestroy: no configuration, role or bucket is left in moto", async () => {
        const { s3 } = independentClients(program.moto, "eu-west-1");
        const { PutObjectCommand, ListBucketsCommand } = await import("@aws-sdk/client-s3");
        await s3.send(new PutObjectCommand({ Bucket: out.bucketA, Key: "a.txt", Body: "a" }));
        await program.stack.mustDestroy();
        program.destroyed = true;
        expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).to.deep.equal([]);
        const { iam } = independentClients(program.moto, "us-east-1");
        const { ListRolesCommand } = await import("@aws-sdk/client-iam");
        expect((await iam.send(new ListRolesCommand({}))).Roles ?? []).to.deep.equal([]);
    });
});
