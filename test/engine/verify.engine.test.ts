import { expect } from "chai";
import * as path from "path";
import { mc, rawS3 } from "../support/localZones";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

/** Where the verification writes its canaries, in every bucket of the topology. */
const canaryRoot = ".pulumi-bucket-replication/canary/";

/** Every object version and delete marker under the canary prefix, read straight from the zone. */
async function canariesIn(zone: string, bucket: string): Promise<string[]> {
    const listed = await rawS3(zone).send(new (s3().ListObjectVersionsCommand)({ Bucket: bucket, Prefix: canaryRoot }));
    return [
        ...(listed.Versions ?? []).map((v) => `version ${v.Key} ${v.VersionId}`),
        ...(listed.DeleteMarkers ?? []).map((m) => `delete marker ${m.Key} ${m.VersionId}`),
    ];
}

async function expectNoCanaries(buckets: readonly [string, string][]): Promise<void> {
    for (const [zone, bucket] of buckets) {
        expect(await canariesIn(zone, bucket), `canary versions and delete markers left in ${zone}/${bucket}`).to.deep.equal([]);
    }
}

const verificationType = "pulumi-nodejs:dynamic/bucket-replication:ReplicationVerification";

/** The verification's outputs as the state holds them. */
function verificationState(stack: PulumiStack): { urn: string; runId: string; lagSeconds: Record<string, number> } {
    const state = JSON.parse(stack.stateText());
    const found = state.checkpoint.latest.resources.filter((r: { type: string }) => r.type === verificationType);
    expect(found, "one ReplicationVerification in the state").to.have.length(1);
    return { urn: found[0].urn, runId: found[0].outputs.runId, lagSeconds: found[0].outputs.lagSeconds };
}

/** `pulumi up` with the engine's own --replace of one resource: the way to verify again on demand. */
function upReplacing(stack: PulumiStack, urn: string) {
    return stack.run(["up", "--yes", "--skip-preview", "--replace", urn, "--non-interactive", "--stack", stack.stackName,
        "--config-file", stack.configFile, "--suppress-progress"]);
}

/** The verification's own step in an `up`'s output, such as "updated" or "created", if it had one. */
function verificationStep(output: string): string | undefined {
    const line = output.split("\n").find((l) => l.includes("ReplicationVerification") && /\b(created|updated|replaced|deleted)\b/.test(l));
    return line?.match(/\b(created|updated|replaced|deleted)\b/)?.[1];
}

describe("engine: verify on up (LeaderFollower) proves replication with canaries and leaves none behind", function () {
    let stack: PulumiStack;
    let buckets: [string, string][];
    let role: string;

    before(async () => {
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "verify"), { timeoutSeconds: "60" });
    });

    after(async () => {
        if (role) await mc(["admin", "user", "enable", "local-b", role]).catch(() => undefined);
        await stack.destroy();
        await stack.dispose();
    });

    it("the first up verifies the follower rule, reports its lag and removes every canary", async () => {
        const result = await stack.mustUp();
        expect(result.stdout).to.match(/replication verified: rule 'follower-1' delivered in [\d.]+ s; canaries removed/);
        const out = await stack.outputs();
        buckets = out.buckets;
        role = out.roles[0];
        expect(Object.keys(out.replicationLag)).to.deep.equal(["follower-1"]);
        expect(out.replicationLag["follower-1"]).to.be.a("number").and.to.be.at.least(0).and.below(60);
        await expectNoCanaries(buckets);
    });

    it("an unchanged second up does not run it again", async () => {
        const before = verificationState(stack);
        const result = await stack.mustUp();
        expect(verificationStep(result.stdout), "a step of the verification").to.equal(undefined);
        expect(result.stdout).to.not.include("replication verified");
        expect(verificationState(stack).runId).to.equal(before.runId);
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("changing the topology (delete-marker replication off) runs it again, after the rule changed", async () => {
        const before = verificationState(stack);
        await stack.setConfig("deleteMarkerReplication", "false");
        const result = await stack.mustUp();
        expect(verificationStep(result.stdout)).to.equal("updated");
        expect(result.stdout).to.match(/replication verified: rule 'follower-1' delivered/);
        const after = verificationState(stack);
        expect(after.runId).to.not.equal(before.runId);
        expect(after.lagSeconds["follower-1"]).to.be.a("number");
        await expectNoCanaries(buckets);
    });

    it("a destination whose replication user is disabled out of band fails the up, naming rule, zone and bucket, within the timeout", async () => {
        // A Deny bucket policy on the destination does not stop MinIO's replication (its user is not
        // anonymous); disabling the replication user on the destination zone does: the source marks the
        // object FAILED. `--replace` re-runs the verification alone, as a user would to check again now.
        await stack.setConfig("timeoutSeconds", "8");
        await stack.mustUp(); // only the timeout changed: recorded, not re-run
        const { urn, runId } = verificationState(stack);
        await mc(["admin", "user", "disable", "local-b", role]);
        const result = await upReplacing(stack, urn);
        const output = result.stdout + result.stderr;
        expect(result.code, output).to.not.equal(0);
        const [[, leader], [, follower]] = buckets;
        expect(output).to.include("Replication did not deliver within 8 s (verify.timeoutSeconds)");
        expect(output).to.include(`rule 'follower-1' did not deliver its canary from bucket '${leader}' in zone local-a to bucket '${follower}' in zone local-b`);
        expect(output).to.include("the source reports its replication status as FAILED");
        // The failure cleaned up as well, and the last good result stays in the state.
        await expectNoCanaries(buckets);
        expect(verificationState(stack).runId).to.equal(runId);
        await mc(["admin", "user", "enable", "local-b", role]);
    });
});

describe("engine: verify on up (BiDirectional) checks both directions and removes canaries and their replicas", function () {
    let stack: PulumiStack;
    let buckets: [string, string][];

    before(async () => {
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "verify"), { topology: "bidirectional", timeoutSeconds: "60" });
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    it("verifies both rules, with a lag for each, and no canary version or delete marker is left on either side", async () => {
        const result = await stack.mustUp();
        const verified = result.stdout.split("\n").find((line) => line.includes("replication verified:"));
        expect(verified, result.stdout).to.match(/rule 'to-b' delivered in [\d.]+ s/).and.to.match(/rule 'to-a' delivered in [\d.]+ s/).and.to.match(/canaries removed/);
        const out = await stack.outputs();
        buckets = out.buckets;
        expect(Object.keys(out.replicationLag).sort()).to.deep.equal(["to-a", "to-b"]);
        await expectNoCanaries(buckets);
    });

    it("an unchanged second up does not run it again; a changed topology does", async () => {
        const first = verificationState(stack);
        const same = await stack.mustUp();
        expect(verificationStep(same.stdout)).to.equal(undefined);
        expect(verificationState(stack).runId).to.equal(first.runId);

        await stack.setConfig("deleteMarkerReplication", "false");
        const changed = await stack.mustUp();
        expect(verificationStep(changed.stdout)).to.equal("updated");
        expect(verificationState(stack).runId).to.not.equal(first.runId);
        await expectNoCanaries(buckets);
    });

    it("a later write still replicates both ways after the canaries were removed", async () => {
        const [[zoneA, a], [zoneB, b]] = buckets;
        await rawS3(zoneA).send(new (s3().PutObjectCommand)({ Bucket: a, Key: "after-verify.txt", Body: "still replicating" }));
        const { replicated } = await import("../support/objects");
        await replicated(zoneB, b, "after-verify.txt", "still replicating", "REPLICA");
    });
});
