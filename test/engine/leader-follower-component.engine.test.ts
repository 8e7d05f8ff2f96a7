import { expect } from "chai";
import * as path from "path";
import { mc } from "../support/localZones";
import { putObject, replicated } from "../support/objects";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

/** The one-declaration LeaderFollower component under the real Pulumi CLI. */
describe("engine: the LeaderFollower component converges in one declaration", function () {
    let stack: PulumiStack;
    let out: Record<string, string>;

    before(async () => {
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "leader-follower-component"));
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    it("creates buckets, versioning, role and rule on the first up, with nothing left to change", async () => {
        await stack.mustUp();
        out = await stack.outputs();
        expect(out.leader).to.match(/^prod-leader-[a-z0-9]{8}$/);
        expect(out.follower).to.match(/^prod-follower-1-[a-z0-9]{8}$/);
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("replicates writes from the leader to the follower", async () => {
        await putObject("local-a", out.leader, "report.csv", "a,b\n1,2\n");
        await replicated("local-b", out.follower, "report.csv", "a,b\n1,2\n", "REPLICA");
    });

    it("destroys everything it made, objects included since forceDestroy is set", async () => {
        await stack.mustDestroy();
        for (const zone of ["local-a", "local-b"]) {
            const users = (await mc(["admin", "user", "list", zone])).map((u) => u.accessKey);
            expect(users).to.not.include(out.role);
        }
        const buckets = (await mc(["ls", "local-a"])).map((entry) => entry.key);
        expect(buckets).to.not.include(`${out.leader}/`);
    });
});
