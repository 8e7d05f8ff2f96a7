import { expect } from "chai";
import * as path from "path";
import { mc, rawS3 } from "../support/localZones";
import { putObject, readObject, replicated } from "../support/objects";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

/**
 * `pulumi import` cannot bring dynamic resources in (the engine drops their provider), so buckets and
 * roles take `adoptExisting`: objects made with mc are brought under Pulumi, updated and destroyed
 * through it, and nothing is recreated or deleted on the way in (issue 8, point 2).
 */
describe("engine: adopting buckets, versioning and a role made with mc", function () {
    const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const suffix = Date.now().toString(36);
    const sourceName = `pbr-adopt-src-${suffix}`;
    const destinationName = `pbr-adopt-dst-${suffix}`;
    const roleName = `pbr-adopt-${suffix}`;
    let stack: PulumiStack;

    before(async () => {
        await mc(["mb", `local-a/${sourceName}`]);
        await mc(["mb", `local-b/${destinationName}`]);
        await mc(["version", "enable", `local-a/${sourceName}`]);
        await putObject("local-a", sourceName, "before.txt", "made before Pulumi");
        await mc(["admin", "user", "add", "local-a", roleName, "made-by-mc-secret"]);
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "adopt"), { sourceName, destinationName, roleName });
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    it("takes them over on the first up, keeping every object and version", async () => {
        const before = (await readObject("local-a", sourceName, "before.txt"))!;
        const up = await stack.mustUp();
        expect(up.stdout + up.stderr).to.contain("adopting it as 'adoptExisting' asks").and.contain(`adopting role '${roleName}'`);
        const after = await readObject("local-a", sourceName, "before.txt");
        expect(after?.body).to.equal("made before Pulumi");
        expect(after?.versionId, "the same version: nothing was recreated").to.equal(before.versionId);
        const unchanged = await stack.expectNoChanges();
        expect(unchanged.code, unchanged.stdout + unchanged.stderr).to.equal(0);
    });

    it("replicates through the adopted role, and updates the adopted bucket in place", async () => {
        await putObject("local-a", sourceName, "after.txt", "written after adoption");
        await replicated("local-b", destinationName, "after.txt", "written after adoption", "REPLICA");
        await stack.setConfig("team", "platform");
        await stack.mustUp();
        const tags = await rawS3("local-a").send(new (s3().GetBucketTaggingCommand)({ Bucket: sourceName }));
        expect(tags.TagSet?.find((t) => t.Key === "team")?.Value).to.equal("platform");
    });

    it("destroys them through Pulumi, objects only when asked", async () => {
        const refused = await stack.destroy();
        expect(refused.code, "the adopted source still holds objects").to.not.equal(0);
        expect(await readObject("local-a", sourceName, "before.txt")).to.not.equal(undefined);
        await stack.setConfig("forceDestroy", "true");
        await stack.mustUp();
        await stack.mustDestroy();
        const buckets = (await rawS3("local-a").send(new (s3().ListBucketsCommand)({}))).Buckets?.map((b) => b.Name) ?? [];
        expect(buckets).to.not.include(sourceName);
        const users = await mc(["admin", "user", "list", "local-a"]);
        expect(users.map((u) => u.accessKey)).to.not.include(roleName);
    });
});
