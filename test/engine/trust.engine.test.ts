import { expect } from "chai";
import * as path from "path";
import { rawS3 } from "../support/localZones";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

/**
 * Issue 7 under the real Pulumi CLI on the local zones: previews name what `up` creates, a create
 * adopts only what this resource made, and the state claims only what the service reads back.
 */
const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
const trustProgram = path.join(repoRoot, "test", "programs", "trust");

async function bucketNames(zone: string): Promise<string[]> {
    return ((await rawS3(zone).send(new (s3().ListBucketsCommand)({}))).Buckets ?? []).map((b) => b.Name!);
}

async function versioningOf(zone: string, bucket: string): Promise<string | undefined> {
    return (await rawS3(zone).send(new (s3().GetBucketVersioningCommand)({ Bucket: bucket }))).Status;
}

function plannedNames(preview: Awaited<ReturnType<PulumiStack["previewJson"]>>): Record<string, string> {
    return Object.fromEntries((preview.steps ?? [])
        .filter((step) => /:(Bucket|IamRole)$/.test(step.newState?.type ?? ""))
        .map((step) => [step.urn.split("::").pop()!, step.newState!.inputs!.name]));
}

describe("engine: trust under failure on the local zones (issue 7)", function () {
    describe("finding 1: automatic names", () => {
        let stack: PulumiStack;
        before(async () => { stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "leader-follower-component")); });
        after(async () => { await stack.destroy(); await stack.dispose(); });

        it("are the same in every preview, and `up --plan` of a saved preview creates exactly them", async () => {
            const first = plannedNames(await stack.previewJson());
            const second = plannedNames(await stack.previewJson());
            expect(Object.keys(first)).to.have.members(["prod-leader", "prod-follower-1", "prod-replication"]);
            expect(second).to.deep.equal(first);
            for (const name of Object.values(first)) expect(name).to.match(/^prod-[a-z0-9-]+-[a-z0-9]{8}$/);

            const planFile = path.join(stack.workDir, "plan.json");
            await stack.savePlan(planFile);
            const up = await stack.upWithPlan(planFile);
            expect(up.code, up.stdout + up.stderr).to.equal(0);
            const outputs = await stack.outputs();
            expect([outputs.leader, outputs.follower, outputs.role]).to.deep.equal([first["prod-leader"], first["prod-follower-1"], first["prod-replication"]]);
            expect(await bucketNames("local-a")).to.include(outputs.leader);
        });

        // Issue 8, point 5: reviewers must see which role replication runs as.
        it("keeps the replication's role name and ID readable in the state; only its secret key is secret", async () => {
            const resources = JSON.parse(stack.stateText()).checkpoint.latest.resources as Array<{ type: string; inputs: Record<string, any> }>;
            const replication = resources.find((r) => r.type.endsWith(":ReplicationConfiguration"))!;
            const outputs = await stack.outputs();
            expect(replication.inputs.role).to.deep.equal({ id: outputs.role, name: outputs.role });
            expect(replication.inputs.roleSecretKey).to.have.property("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270");
        });
    });

    describe("finding 4: versioning the service ignored", () => {
        let stack: PulumiStack;
        afterEach(async () => { await stack.destroy(); await stack.dispose(); });

        it("refuses versioning declared in a zone where the bucket does not exist, and records nothing", async () => {
            stack = await PulumiStack.init(trustProgram, { case: "versioning-wrong-zone" });
            const up = await stack.up();
            expect(up.code).to.not.equal(0);
            const output = up.stdout + up.stderr;
            expect(output).to.match(/BucketVersioning: bucket 'data-[a-z0-9]{8}' does not exist in zone local-b/).and.contain("Check 'bucket' and 'zone'");
            expect(stack.stateText()).to.not.contain("bucket-replication:BucketVersioning");
            const bucket = /bucket '(data-[a-z0-9]{8})'/.exec(output)![1];
            expect(await versioningOf("local-a", bucket), "the bucket's real versioning is untouched").to.equal(undefined);
            expect(await bucketNames("local-b")).to.not.include(bucket);
            const preview = await stack.expectNoChanges();
            expect(preview.code, "preview must not claim the versioning is in place").to.not.equal(0);
        });

        it("refuses versioning of a bucket that does not exist, and creates nothing", async () => {
            const ghost = `pbr-ghost-${Date.now().toString(36)}`;
            stack = await PulumiStack.init(trustProgram, { case: "versioning-missing-bucket", ghostBucket: ghost });
            const up = await stack.up();
            expect(up.code).to.not.equal(0);
            expect(up.stdout + up.stderr).to.contain(`bucket '${ghost}' does not exist in zone local-a`);
            expect(stack.stateText()).to.not.contain("bucket-replication:BucketVersioning");
            expect(await bucketNames("local-a")).to.not.include(ghost);
        });
    });

    // Issue 8, point 6: the versioning gate waited 120 s for what the program itself rules out.
    describe("replication into a bucket the program declares un-versioned", () => {
        let stack: PulumiStack;
        after(async () => { await stack.destroy(); await stack.dispose(); });

        it("fails at preview, naming the rule's destination and the fix", async () => {
            stack = await PulumiStack.init(trustProgram, { case: "suspended-destination" });
            const started = Date.now();
            const preview = await stack.preview();
            expect(preview.code).to.not.equal(0);
            expect(preview.stdout + preview.stderr).to.match(/rules\.to-b\.destination.*Rule 'to-b' replicates into 'destination-[a-z0-9]{8}' in zone local-b, whose BucketVersioning this program declares "Suspended"/)
                .and.contain(`Set that BucketVersioning's 'status' to "Enabled"`);
            expect(Date.now() - started, "no 120 s wait").to.be.below(60_000);
        });
    });

    describe("adopt only what this resource made", () => {
        const name = `pbr-adopt-${Date.now().toString(36)}`;
        let stack: PulumiStack;
        before(async () => { stack = await PulumiStack.init(trustProgram, { case: "explicit-name", bucketName: name }); });
        after(async () => {
            await stack.destroy();
            await stack.dispose();
            await rawS3("local-a").send(new (s3().DeleteObjectCommand)({ Bucket: name, Key: "theirs.txt" })).catch(() => undefined);
            await rawS3("local-a").send(new (s3().DeleteBucketCommand)({ Bucket: name })).catch(() => undefined);
        });

        it("refuses a bucket of that name made outside Pulumi, and leaves it untouched", async () => {
            const client = rawS3("local-a");
            await client.send(new (s3().CreateBucketCommand)({ Bucket: name }));
            await client.send(new (s3().PutObjectCommand)({ Bucket: name, Key: "theirs.txt", Body: "theirs" }));
            const up = await stack.up();
            expect(up.code).to.not.equal(0);
            expect(up.stdout + up.stderr).to.contain(`Bucket '${name}' already exists in zone local-a, made outside this Pulumi resource; it was left untouched`);
            const tagging = await client.send(new (s3().GetBucketTaggingCommand)({ Bucket: name })).catch((e) => e);
            expect(tagging.name ?? tagging.Code, "no tags were written onto their bucket").to.match(/NoSuchTagSet/);
            await client.send(new (s3().DeleteObjectCommand)({ Bucket: name, Key: "theirs.txt" }));
            await client.send(new (s3().DeleteBucketCommand)({ Bucket: name }));
        });

        it("adopts its own bucket that an interrupted run made but the state never recorded", async () => {
            await stack.mustUp();
            const urn = JSON.parse(stack.stateText()).checkpoint.latest.resources
                .find((r: { type: string }) => r.type.endsWith(":Bucket")).urn as string;
            const forgotten = await stack.run(["state", "delete", urn, "--yes", "--stack", stack.stackName]);
            expect(forgotten.code, forgotten.stderr).to.equal(0);
            const rerun = await stack.up();
            expect(rerun.code, rerun.stdout + rerun.stderr).to.equal(0);
            expect(rerun.stdout + rerun.stderr).to.contain("made by an earlier, interrupted run of this resource; adopting it");
            const unchanged = await stack.expectNoChanges();
            expect(unchanged.code, unchanged.stdout + unchanged.stderr).to.equal(0);
        });

        it("refuses the same bucket from another stack of the same program", async () => {
            const other = await PulumiStack.init(trustProgram, { case: "explicit-name", bucketName: name });
            try {
                const up = await other.up();
                expect(up.code).to.not.equal(0);
                expect(up.stdout + up.stderr, up.stdout + up.stderr).to.contain("made by another Pulumi resource or stack (its ownership tag differs); it was left untouched");
                expect(await bucketNames("local-a")).to.include(name);
            } finally {
                await other.dispose();
            }
        });
    });
});
