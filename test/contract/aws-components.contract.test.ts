import { expect } from "chai";
import * as path from "path";
import { repoRoot } from "../support/toolchain";
import { independentClients, motoAccount, programOnMoto } from "./aws-moto";

// The topology components, unchanged, on the 'aws' backend: examples/bidirectional (br.BiDirectional)
// and the LeaderFollower test program, under the real Pulumi CLI against moto. Only stack
// configuration differs from their MinIO runs. moto stores the replication configurations; it does
// not move objects.

const arnOf = (bucket: string) => `arn:aws:s3:::${bucket}`;

describe("contract: br.BiDirectional on AWS (examples/bidirectional against moto; moto stores replication, it does not move objects)", function () {
    this.timeout(600_000);
    const program = programOnMoto(path.join(repoRoot, "examples", "bidirectional"), { config: { zoneA: "eu-west-1", zoneB: "us-east-1" } });

    it("converges on one up, replicating each bucket into the other by ARN with its own role, and previews no changes after", async () => {
        await program.stack.mustUp();
        const out = await program.stack.outputs();
        const stored = await program.moto.stored();
        const a = stored.replicationOf(out.bucketA)!;
        const b = stored.replicationOf(out.bucketB)!;
        expect(a.Role).to.equal(`arn:aws:iam::${motoAccount}:role/${out.roleAToB}`);
        expect(b.Role).to.equal(`arn:aws:iam::${motoAccount}:role/${out.roleBToA}`);
        expect(a.Rule.map((rule) => [rule.ID, rule.Destination.Bucket, rule.SourceSelectionCriteria])).to.deep.equal([["to-b", arnOf(out.bucketB), { ReplicaModifications: { Status: "Enabled" } }]]);
        expect(b.Rule.map((rule) => [rule.ID, rule.Destination.Bucket, rule.SourceSelectionCriteria])).to.deep.equal([["to-a", arnOf(out.bucketA), { ReplicaModifications: { Status: "Enabled" } }]]);
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("destroys what it made", async () => {
        await program.stack.mustDestroy();
        program.destroyed = true;
        expect((await program.stateResources()).filter((r) => r.type.includes("bucket-replication:"))).to.deep.equal([]);
    });
});

describe("contract: br.LeaderFollower on AWS (zones local-a and local-b mapped to regions on moto; moto stores replication, it does not move objects)", function () {
    this.timeout(600_000);
    // The program names the zones local-a and local-b; on AWS they are configured as two regions.
    const program = programOnMoto(path.join(repoRoot, "test", "programs", "leader-follower-component"), { zones: { "local-a": "eu-west-1", "local-b": "us-east-1" } });

    it("converges on one up with the leader in eu-west-1, the follower in us-east-1 and one rule by ARN, and previews no changes after", async () => {
        await program.stack.mustUp();
        const out = await program.stack.outputs();
        const { GetBucketLocationCommand } = await import("@aws-sdk/client-s3");
        const { s3 } = independentClients(program.moto, "eu-west-1");
        expect((await s3.send(new GetBucketLocationCommand({ Bucket: out.leader }))).LocationConstraint).to.equal("eu-west-1");
        const stored = (await program.moto.stored()).replicationOf(out.leader)!;
        expect(stored.Role).to.equal(`arn:aws:iam::${motoAccount}:role/${out.role}`);
        expect(stored.Rule.map((rule) => [rule.ID, rule.Destination.Bucket, rule.DeleteMarkerReplication.Status]))
            .to.deep.equal([["follower-1", arnOf(out.follower), "Enabled"]]);
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("destroys what it made", async () => {
        await program.stack.mustDestroy();
        program.destroyed = true;
        expect((await program.stateResources()).filter((r) => r.type.includes("bucket-replication:"))).to.deep.equal([]);
    });
});
