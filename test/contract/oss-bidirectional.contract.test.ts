import { expect } from "chai";
import { eventually, waitMs } from "./ossHarness";
import { changedSteps, guidePolicy, ossExampleUnderContract } from "./ossGuide";

// examples/oss-bidirectional under the real Pulumi CLI, against the local OSS + RAM contract server.

describe("contract: examples/oss-bidirectional under the Pulumi CLI against the OSS contract server", function () {
    const example = ossExampleUnderContract("oss-bidirectional", {}, { forceDestroy: "true" });
    const state = () => example.server.state;

    it("converges on one pulumi up, one rule and one least-privilege sync role per direction", async () => {
        await example.stack.mustUp();
        expect(state().rulesOf("examplebucket-a").map((r) => ({ id: r.id, to: r.destination, role: r.syncRole }))).to.deep.equal([
            { id: "to-bucket-b", to: { bucket: "examplebucket-b", location: "oss-cn-beijing" }, role: "examplebucket-a-to-examplebucket-b" },
        ]);
        expect(state().rulesOf("examplebucket-b").map((r) => ({ id: r.id, to: r.destination, role: r.syncRole }))).to.deep.equal([
            { id: "to-bucket-a", to: { bucket: "examplebucket-a", location: "oss-cn-hangzhou" }, role: "examplebucket-b-to-examplebucket-a" },
        ]);
        expect(JSON.parse(state().policies.get("examplebucket-a-to-examplebucket-b-replication")!.versions[0].PolicyDocument))
            .to.deep.equal(guidePolicy("examplebucket-a", "examplebucket-b"));
        expect(JSON.parse(state().policies.get("examplebucket-b-to-examplebucket-a-replication")!.versions[0].PolicyDocument))
            .to.deep.equal(guidePolicy("examplebucket-b", "examplebucket-a"));
        const out = await example.stack.outputs();
        expect(out.progressAToB).to.deep.include({ ruleId: "to-bucket-b", status: "doing" });
        expect(out.progressBToA).to.deep.include({ ruleId: "to-bucket-a", status: "doing" });
        expect(await changedSteps(example.stack)).to.deep.equal([]);
    });

    it("replicates a write on either side to the other once: replicas do not bounce back", async () => {
        state().putObject("examplebucket-a", "from-a.txt", "a");
        state().putObject("examplebucket-b", "from-b.txt", "b");
        await eventually(() => state().latest("examplebucket-b", "from-a.txt") !== undefined && state().latest("examplebucket-a", "from-b.txt") !== undefined,
            "each write to reach the other bucket");
        await waitMs(600);
        expect(state().buckets.get("examplebucket-a")!.versions.filter((v) => v.key === "from-a.txt")).to.have.length(1);
        expect(state().buckets.get("examplebucket-b")!.versions.filter((v) => v.key === "from-b.txt")).to.have.length(1);
    });

    it("destroys everything", async () => {
        await example.stack.mustDestroy();
        example.destroyed = true;
        expect([...state().buckets.keys()]).to.deep.equal([]);
        expect([...state().roles.keys()]).to.deep.equal([]);
        expect([...state().policies.keys()]).to.deep.equal([]);
    });
});
