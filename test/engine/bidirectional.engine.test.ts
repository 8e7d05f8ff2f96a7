import { expect } from "chai";
import * as path from "path";
import { mc, rawS3 } from "../support/localZones";
import { putObject, replicated, versionsOf } from "../support/objects";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";
import { sleep } from "../support/wait";

const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

/** examples/bidirectional under the real Pulumi CLI, against the local MinIO pair. */
describe("engine: examples/bidirectional replicates bucket-a and bucket-b into each other", function () {
    let stack: PulumiStack;
    let out: Record<string, string>;

    before(async () => {
        stack = await PulumiStack.init(path.join(repoRoot, "examples", "bidirectional"));
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    it("converges on one pulumi up, and previews no changes right after", async () => {
        await stack.mustUp();
        out = await stack.outputs();
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("carries writes on either side to the other", async () => {
        await putObject("local-a", out.bucketA, "from-a.txt", "written on a");
        await putObject("local-b", out.bucketB, "from-b.txt", "written on b");
        await replicated("local-b", out.bucketB, "from-a.txt", "written on a", "REPLICA");
        await replicated("local-a", out.bucketA, "from-b.txt", "written on b", "REPLICA");
        await replicated("local-a", out.bucketA, "from-a.txt", "written on a", /^(COMPLETED|COMPLETE)$/);
        await replicated("local-b", out.bucketB, "from-b.txt", "written on b", /^(COMPLETED|COMPLETE)$/);
    });

    it("replicates each write once: nothing bounces back as a new version", async () => {
        await sleep(5000);
        for (const [zone, bucket] of [["local-a", out.bucketA], ["local-b", out.bucketB]]) {
            for (const key of ["from-a.txt", "from-b.txt"]) {
                expect(await versionsOf(zone, bucket, key), `${zone}/${bucket}/${key}`).to.deep.equal({ versions: 1, deleteMarkers: 0 });
            }
        }
    });

    it("destroys both directions, leaving no user or bucket behind", async () => {
        await stack.mustDestroy();
        for (const zone of ["local-a", "local-b"]) {
            const users = (await mc(["admin", "user", "list", zone])).map((u) => u.accessKey);
            expect(users).to.not.include(out.roleAToB).and.not.include(out.roleBToA);
            const buckets = ((await rawS3(zone).send(new (s3().ListBucketsCommand)({}))).Buckets ?? []).map((b) => b.Name);
            expect(buckets).to.not.include(out.bucketA).and.not.include(out.bucketB);
        }
    });
});
