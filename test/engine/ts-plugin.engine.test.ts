import { expect } from "chai";
import * as path from "path";
import { mc } from "../support/localZones";
import { putObject, replicated } from "../support/objects";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

/**
 * A TypeScript program that opts into the plugin's resources with `usePlugin()`: the same SDK classes, served
 * by the plugin, so that previews carry detailed diffs and `pulumi import` works, as for other languages.
 */
describe("engine: a TypeScript program on the plugin's resources (usePlugin)", function () {
    let stack: PulumiStack;
    let out: Record<string, string>;

    before(async () => {
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "ts-plugin"));
    });

    after(async () => {
        await stack?.destroy();
        await stack?.dispose();
    });

    it("converges with plugin resources only, under the plugin's component type", async () => {
        await stack.mustUp();
        out = await stack.outputs();
        const types = JSON.parse(stack.stateText()).checkpoint.latest.resources.map((r: { type: string }) => r.type) as string[];
        expect(types.filter((t) => t.startsWith("pulumi-nodejs:dynamic"))).to.deep.equal([]);
        expect(types).to.include("pulumi-bucket-replication:index:LeaderFollower");
        expect(types).to.include("pulumi-bucket-replication:index:ReplicationConfiguration");
    });

    it("replicates, and previews no changes", async () => {
        await putObject("local-a", out.leader, "a.txt", "ts-plugin");
        await replicated("local-b", out.follower, "a.txt", "ts-plugin", "REPLICA");
        expect((await stack.previewSteps()).filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("shows a tag update as a detailed diff in preview --json (dynamic resources show none)", async () => {
        await stack.setConfig("team", "platform");
        const preview = JSON.parse((await stack.runOnStack(["preview", "--json"])).stdout);
        const changed = preview.steps.filter((s: { op: string }) => s.op !== "same");
        expect(changed.map((s: { op: string; urn: string }) => `${s.op} ${s.urn.split("::").pop()}`)).to.deep.equal(["update logs"]);
        expect(changed[0].detailedDiff).to.deep.equal({ tags: { kind: "update", inputDiff: true } });
    });

    it("imports a bucket made with mc with pulumi import (no code: the 3.68 Node.js host cannot write it)", async () => {
        const bucket = `ts-import-${Date.now().toString(36)}`;
        await mc(["mb", `local-b/${bucket}`]);
        try {
            const result = await stack.runOnStackWithoutConfig(["import", "--yes", "--generate-code=false", "pulumi-bucket-replication:index:Bucket", "handmade", `local-b/${bucket}`]);
            expect(result.code, result.stdout + result.stderr).to.equal(0);
            expect(result.stdout).to.match(/= 1 imported/);
            const urn = JSON.parse(stack.stateText()).checkpoint.latest.resources.find((r: { urn: string }) => r.urn.endsWith("::handmade")).urn;
            expect((await stack.runOnStackWithoutConfig(["state", "delete", urn, "--yes", "--force"])).code).to.equal(0);
        } finally {
            await mc(["rb", "--force", `local-b/${bucket}`]);
        }
    });
});
