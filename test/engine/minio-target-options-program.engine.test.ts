import { expect } from "chai";
import * as path from "path";
import { resyncId } from "../../provider/backends/minio/minioBackend";
import { localZones, mc, objectsOn, rawRemoteTargetsOn } from "../support/localZones";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

// Issue 20: MinIO's remote-target options of a rule under the real Pulumi CLI (test/programs/minio-options-resync):
// set by `up`, read back by `refresh` with nothing to change, and a changed `resync` text previews as an
// update whose `up` copies the objects written before the rule was enabled.


describe("engine: a MinIO rule's synchronous, healthCheckPeriod and resync under the real engine", function () {
    const local = localZones();
    const objects = objectsOn(local);
    let stack: PulumiStack;
    let out: Record<string, string>;
    const targets = () => rawRemoteTargetsOn(local, "local-a", out.leaderBucket);

    before(async () => {
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "minio-options-resync"), { ruleStatus: "Disabled" });
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    it("writes objects while the rule is disabled: nothing reaches the follower", async () => {
        await stack.mustUp();
        out = await stack.outputs();
        for (const key of ["early/1.txt", "early/2.txt"]) await objects.putObject("local-a", out.leaderBucket, key, `early ${key}`);
        for (const key of ["early/1.txt", "early/2.txt"]) expect(await objects.readObject("local-b", out.followerBucket, key), key).to.equal(undefined);
    });

    it("enables the rule with synchronous, a health check period and a resync: the target holds them, and the early objects arrive", async () => {
        await stack.setConfig("ruleStatus", "Enabled");
        await stack.setConfig("synchronous", "true");
        await stack.setConfig("healthCheckPeriod", "30");
        await stack.setConfig("resync", "first");
        const up = await stack.mustUp();
        expect(up.stdout).to.contain("starting a resync of the existing objects");
        const [target] = await targets();
        expect(target).to.deep.include({ replicationSync: true, healthCheckDuration: 30_000_000_000, resetID: resyncId("first") });
        for (const key of ["early/1.txt", "early/2.txt"]) await objects.replicated("local-b", out.followerBucket, key, `early ${key}`, "REPLICA", 120_000);
    });

    it("reads them back on refresh with nothing to change, and an unchanged preview", async () => {
        const refresh = await stack.runOnStack(["preview", "--refresh", "--expect-no-changes"]);
        expect(refresh.code, refresh.stdout + refresh.stderr).to.equal(0);
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("a target changed outside Pulumi with mc shows on refresh, and up --refresh puts it back", async () => {
        // mc's update names the remote bucket with keys; the root pair's, which refresh also shows and up puts back.
        const destination = new URL(local.zones["local-b"].endpoint);
        const remote = `${destination.protocol}//${encodeURIComponent(local.accessKey)}:${encodeURIComponent(local.secretKey)}@${destination.host}/${out.followerBucket}`;
        await mc(["replicate", "update", `local-a/${out.leaderBucket}`, "--id", "follower", "--remote-bucket", remote, "--sync", "disable", "--healthcheck-seconds", "60"]);
        expect((await targets())[0]).to.deep.include({ replicationSync: false });
        const preview = await stack.runOnStack(["preview", "--refresh", "--diff"]);
        expect(preview.code, preview.stderr).to.equal(0);
        expect(preview.stdout).to.match(/~ pulumi-nodejs:dynamic\/bucket-replication:ReplicationConfiguration|ReplicationConfiguration: \(update\)/);
        expect(preview.stdout).to.match(/synchronous/);
        await stack.runOnStack(["up", "--refresh", "--yes", "--skip-preview"]).then((r) => expect(r.code, r.stdout + r.stderr).to.equal(0));
        expect((await targets())[0]).to.deep.include({ replicationSync: true, healthCheckDuration: 30_000_000_000 });
        const after = await stack.runOnStack(["preview", "--refresh", "--expect-no-changes"]);
        expect(after.code, after.stdout + after.stderr).to.equal(0);
    });

    it("a new resync text previews as an update of the configuration, and its up starts one more resync", async () => {
        await stack.setConfig("resync", "second");
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.type.split(":").pop()}`)).to.deep.equal(["update ReplicationConfiguration"]);
        const up = await stack.mustUp();
        expect(up.stdout).to.contain("starting a resync of the existing objects");
        expect((await targets())[0].resetID).to.equal(resyncId("second"));
        // An unchanged up starts none.
        const again = await stack.mustUp();
        expect(again.stdout).to.not.contain("starting a resync");
    });
});
