import { expect } from "chai";
import * as path from "path";
import { localZones } from "../support/localZones";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

/**
 * Credentials given as stack-config secrets reach the provider at run time and nowhere else: not the
 * state, not the provider code serialized into it. Invalid inputs fail the preview, property named.
 */
describe("engine: configuration, credentials and preview-time validation", function () {
    let stack: PulumiStack;
    const local = localZones();

    before(async () => {
        // An empty zones file keeps the embedded default out of the way: only stack config can work here.
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "buckets"), {
            "bucket-replication:backend": "minio",
            "bucket-replication:zones": JSON.stringify(local.zones),
            "bucket-replication:accessKey": local.accessKey,
            bucketName: `pbr-creds-${Date.now().toString(36)}`,
        }, { PBR_LOCAL_ZONES: "/nonexistent/zones.json" });
        await stack.setConfig("bucket-replication:secretKey", local.secretKey, { secret: true });
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    it("fails the preview on invalid inputs, naming each property and the fix", async () => {
        await stack.setConfig("bucketName", "Not_Valid..");
        await stack.setConfig("zone", "local-z");
        const preview = await stack.preview();
        expect(preview.code).to.not.equal(0);
        const text = preview.stdout + preview.stderr;
        expect(text).to.contain("Bucket name 'Not_Valid..' may contain only lowercase letters, digits, dots and hyphens");
        expect(text).to.contain("must not contain two dots in a row");
        expect(text).to.contain("Zone 'local-z' is not configured. Use one of: local-a, local-b");
        await stack.removeConfig("zone");
        await stack.setConfig("bucketName", `pbr-creds-${Date.now().toString(36)}`);
    });

    it("works from stack configuration alone and keeps the secret out of the state and the serialized provider", async () => {
        await stack.mustUp();
        const text = stack.stateText();
        expect(text).to.not.contain(local.secretKey);
        const state = JSON.parse(text);
        const providers: string[] = state.checkpoint.latest.resources
            .map((r: any) => r.outputs?.__provider)
            .filter((p: unknown): p is string => typeof p === "string");
        expect(providers).to.have.length.greaterThan(0);
        for (const serialized of providers) {
            expect(serialized).to.not.contain(local.secretKey);
            expect(serialized).to.not.contain(local.accessKey);
            expect(serialized.length, "serialized provider size").to.be.below(20_000);
        }
    });
});
