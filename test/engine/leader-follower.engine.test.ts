import { expect } from "chai";
import * as path from "path";
import { localZones, mc, rawS3 } from "../support/localZones";
import { deleteObject, putObject, readObject, replicated, versionsOf } from "../support/objects";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";
import { eventually, sleep } from "../support/wait";

const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

/** examples/leader-follower under the real Pulumi CLI, against the local MinIO pair. */
describe("engine: examples/leader-follower replicates my-source into my-destination", function () {
    let stack: PulumiStack;
    let out: Record<string, string>;

    before(async () => {
        stack = await PulumiStack.init(path.join(repoRoot, "examples", "leader-follower"));
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    it("converges on one pulumi up", async () => {
        await stack.mustUp();
        out = await stack.outputs();
        expect(out.sourceZone).to.equal("local-a");
        expect(out.destinationZone).to.equal("local-b");
    });

    it("previews no changes right after", async () => {
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("replicates an object with the same bytes, COMPLETED on the source and REPLICA on the destination", async () => {
        const body = `payload ${Date.now()}`;
        await putObject("local-a", out.sourceBucket, "docs/one.txt", body);
        const replica = await replicated("local-b", out.destinationBucket, "docs/one.txt", body, "REPLICA");
        expect(replica.body).to.equal(body);
        const original = await replicated("local-a", out.sourceBucket, "docs/one.txt", body, /^(COMPLETED|COMPLETE)$/);
        expect(original.replicationStatus).to.match(/^(COMPLETED|COMPLETE)$/);
        const stat = await mc(["stat", `local-b/${out.destinationBucket}/docs/one.txt`]);
        expect(stat[0].replicationStatus ?? stat[0].metadata?.["X-Amz-Replication-Status"]).to.equal("REPLICA");
    });

    it("replicates the delete marker when deleteMarkerReplication is on", async () => {
        await deleteObject("local-a", out.sourceBucket, "docs/one.txt");
        await eventually("a replicated delete marker", async () =>
            (await versionsOf("local-b", out.destinationBucket, "docs/one.txt")).deleteMarkers === 1 ? true : undefined);
        expect(await readObject("local-b", out.destinationBucket, "docs/one.txt")).to.equal(undefined);
        expect((await versionsOf("local-b", out.destinationBucket, "docs/one.txt")).versions).to.equal(1);
    });

    it("updates a changed rule in place, and then keeps deletes on the source only", async () => {
        await stack.setConfig("deleteMarkerReplication", "false");
        const changed = (await stack.previewSteps()).filter((s) => s.op !== "same");
        expect(changed.map((s) => `${s.op} ${s.type}`)).to.deep.equal(["update pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration"]);
        await stack.mustUp();

        const body = `kept ${Date.now()}`;
        await putObject("local-a", out.sourceBucket, "docs/two.txt", body);
        await replicated("local-b", out.destinationBucket, "docs/two.txt", body, "REPLICA");
        await deleteObject("local-a", out.sourceBucket, "docs/two.txt");
        await sleep(5000);
        expect((await readObject("local-b", out.destinationBucket, "docs/two.txt"))?.body).to.equal(body);
        expect((await versionsOf("local-b", out.destinationBucket, "docs/two.txt")).deleteMarkers).to.equal(0);
    });

    it("gives the role write access to the destination and nothing more", async () => {
        const state = JSON.parse((await stack.run(["stack", "export", "--show-secrets", "--stack", stack.stackName])).stdout);
        const role = state.deployment.resources.find((r: any) => r.type === "pulumi-nodejs:dynamic/bucket-replication:IamRole");
        const roleClient = rawS3("local-b", { accessKey: role.outputs.name, secretKey: role.outputs.secretKey.plaintext ? JSON.parse(role.outputs.secretKey.plaintext) : role.outputs.secretKey });
        await roleClient.send(new (s3().PutObjectCommand)({ Bucket: out.destinationBucket, Key: "written-by-role.txt", Body: "ok" }));

        const deleteBucket = await roleClient.send(new (s3().DeleteBucketCommand)({ Bucket: out.destinationBucket })).then(() => "allowed", (e) => e.name);
        expect(deleteBucket).to.equal("AccessDenied");

        const other = `pbr-other-${Date.now().toString(36)}`;
        await rawS3("local-b").send(new (s3().CreateBucketCommand)({ Bucket: other }));
        await putObject("local-b", other, "secret.txt", "not for the role");
        const readOther = await roleClient.send(new (s3().GetObjectCommand)({ Bucket: other, Key: "secret.txt" })).then(() => "allowed", (e) => e.name);
        expect(readOther).to.equal("AccessDenied");
        await deleteObject("local-b", other, "secret.txt");
        await rawS3("local-b").send(new (s3().DeleteObjectCommand)({ Bucket: out.destinationBucket, Key: "written-by-role.txt" }));
        await mc(["rb", "--force", `local-b/${other}`]);
    });

    it("keeps every secret out of the state file in clear", async () => {
        const text = stack.stateText();
        const state = JSON.parse((await stack.run(["stack", "export", "--show-secrets", "--stack", stack.stackName])).stdout);
        const role = state.deployment.resources.find((r: any) => r.type === "pulumi-nodejs:dynamic/bucket-replication:IamRole");
        const roleSecret: string = typeof role.outputs.secretKey === "string" ? role.outputs.secretKey : JSON.parse(role.outputs.secretKey.plaintext);
        expect(roleSecret).to.have.length.greaterThan(20);
        expect(text).to.not.contain(roleSecret);
        expect(text).to.not.contain(localZones().secretKey);
        expect(text).to.contain("4dabf18193072939515e22adb298388d"); // the marker of an encrypted secret value
    });

    it("refreshes without inventing drift: the next preview is still empty", async () => {
        const refresh = await stack.mustRefresh();
        expect(refresh.stdout).to.not.match(/\bupdated\b|\bdeleted\b/);
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("shows a rule changed outside Pulumi on refresh, and restores it on up", async () => {
        const client = rawS3("local-a");
        const current = await client.send(new (s3().GetBucketReplicationCommand)({ Bucket: out.sourceBucket }));
        const rules = current.ReplicationConfiguration!.Rules!.map((rule) => ({ ...rule, Priority: 7 }));
        await client.send(new (s3().PutBucketReplicationCommand)({
            Bucket: out.sourceBucket,
            ReplicationConfiguration: { Role: current.ReplicationConfiguration!.Role ?? "", Rules: rules },
        }));
        const refresh = await stack.mustRefresh();
        expect(refresh.stdout).to.match(/~\s+pulumi-nodejs:dynamic\/bucket-replication:ReplicationConfiguration\s+my-source\s+updated/);
        const changed = (await stack.previewSteps()).filter((s) => s.op !== "same");
        expect(changed.map((s) => `${s.op} ${s.type}`)).to.deep.equal(["update pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration"]);
        await stack.mustUp();
        const restored = await client.send(new (s3().GetBucketReplicationCommand)({ Bucket: out.sourceBucket }));
        expect(restored.ReplicationConfiguration!.Rules!.map((r) => [r.ID, r.Priority])).to.deep.equal([["follower", 1]]);
    });

    it("shows a rule removed outside Pulumi on refresh, and puts it back on up", async () => {
        await rawS3("local-a").send(new (s3().DeleteBucketReplicationCommand)({ Bucket: out.sourceBucket }));
        const refresh = await stack.mustRefresh();
        expect(refresh.stdout).to.match(/-\s+pulumi-nodejs:dynamic\/bucket-replication:ReplicationConfiguration\s+my-source\s+deleted/);
        const changed = (await stack.previewSteps()).filter((s) => s.op !== "same");
        expect(changed.map((s) => `${s.op} ${s.type}`)).to.deep.equal(["create pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration"]);
        await stack.mustUp();
        const body = `after refresh ${Date.now()}`;
        await putObject("local-a", out.sourceBucket, "docs/three.txt", body);
        await replicated("local-b", out.destinationBucket, "docs/three.txt", body, "REPLICA");
    });

    it("destroys configuration, remote targets, the role and the buckets, leaving no user behind", async () => {
        await stack.mustDestroy();
        for (const zone of ["local-a", "local-b"]) {
            const users = await mc(["admin", "user", "list", zone]);
            expect(users.map((u) => u.accessKey)).to.not.include(out.roleName);
            const buckets = ((await rawS3(zone).send(new (s3().ListBucketsCommand)({}))).Buckets ?? []).map((b) => b.Name);
            expect(buckets).to.not.include(out.sourceBucket).and.not.include(out.destinationBucket);
        }
    });
});
