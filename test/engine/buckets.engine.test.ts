import { expect } from "chai";
import * as path from "path";
import { localZones, mc, rawS3 } from "../support/localZones";
import { ownerTagKey } from "../../provider/identity";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

/**
 * Buckets and versioning under the real Pulumi CLI against the local MinIO zones. Each step reads the
 * servers independently (a plain S3 client, or mc) rather than trusting the provider.
 */
describe("engine: Bucket and BucketVersioning on the local zones", function () {
    const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const firstName = `pbr-first-${Date.now().toString(36)}`;
    const secondName = `pbr-second-${Date.now().toString(36)}`;
    let stack: PulumiStack;
    let autoNamed: string;

    before(async () => {
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "buckets"), { bucketName: firstName });
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    /** The bucket's tags as the program sees them: without the package's ownership marker. */
    async function tagsOf(zone: string, bucket: string): Promise<Record<string, string>> {
        const { [ownerTagKey]: _marker, ...tags } = await rawTagsOf(zone, bucket);
        return tags;
    }

    async function rawTagsOf(zone: string, bucket: string): Promise<Record<string, string>> {
        const result = await rawS3(zone).send(new (s3().GetBucketTaggingCommand)({ Bucket: bucket }));
        return Object.fromEntries((result.TagSet ?? []).map((t) => [t.Key!, t.Value!]));
    }

    async function versioningOf(zone: string, bucket: string): Promise<string | undefined> {
        return (await rawS3(zone).send(new (s3().GetBucketVersioningCommand)({ Bucket: bucket }))).Status;
    }

    async function bucketNames(zone: string): Promise<string[]> {
        return ((await rawS3(zone).send(new (s3().ListBucketsCommand)({}))).Buckets ?? []).map((b) => b.Name!);
    }

    it("creates the buckets, their tags and versioning on the first up", async () => {
        await stack.mustUp();
        const outputs = await stack.outputs();
        autoNamed = outputs.autoNamedBucket;
        expect(outputs.dataBucket).to.equal(firstName);
        expect(outputs.dataEndpoint).to.equal(localZones().zones["local-a"].endpoint);
        expect(autoNamed).to.match(/^auto-named-[a-z0-9]{8}$/);
        expect(await bucketNames("local-a")).to.include(firstName);
        expect(await bucketNames("local-b")).to.include(autoNamed);
        expect(await tagsOf("local-a", firstName)).to.deep.equal({ team: "storage" });
        expect(Object.keys(await rawTagsOf("local-b", autoNamed)), "the ownership marker").to.deep.equal([ownerTagKey]);
        expect(await versioningOf("local-a", firstName)).to.equal("Enabled");
        const listed = await mc(["ls", "local-b"]);
        expect(listed.map((entry) => entry.key)).to.include(`${autoNamed}/`);
    });

    it("previews no changes right after", async () => {
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("updates tags in place", async () => {
        await stack.setConfig("team", "platform");
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same").map((s) => s.op)).to.deep.equal(["update"]);
        await stack.mustUp();
        expect(await tagsOf("local-a", firstName)).to.deep.equal({ team: "platform" });
    });

    it("announces a rename as a replacement and carries it out", async () => {
        await stack.setConfig("bucketName", secondName);
        const preview = await stack.preview();
        expect(preview.code).to.equal(0);
        expect(preview.stdout).to.match(/\+-\s+pulumi-nodejs:dynamic\/bucket-replication:Bucket\s+data\s+replace/);
        const ops = (await stack.previewSteps()).map((s) => s.op);
        expect(ops).to.include("replace");
        await stack.mustUp();
        const names = await bucketNames("local-a");
        expect(names).to.include(secondName);
        expect(names).to.not.include(firstName);
        expect(await versioningOf("local-a", secondName)).to.equal("Enabled");
    });

    it("shows changes made outside Pulumi on refresh", async () => {
        const client = rawS3("local-a");
        await client.send(new (s3().PutBucketTaggingCommand)({ Bucket: secondName, Tagging: { TagSet: [{ Key: "team", Value: "rogue" }] } }));
        await client.send(new (s3().PutBucketVersioningCommand)({ Bucket: secondName, VersioningConfiguration: { Status: "Suspended" } }));
        await rawS3("local-b").send(new (s3().DeleteBucketCommand)({ Bucket: autoNamed }));

        const refresh = await stack.mustRefresh();
        expect(refresh.stdout).to.match(/~\s+pulumi-nodejs:dynamic\/bucket-replication:Bucket\s+data\s+updated/);
        expect(refresh.stdout).to.match(/~\s+pulumi-nodejs:dynamic\/bucket-replication:BucketVersioning\s+data\s+updated/);
        expect(refresh.stdout).to.match(/-\s+pulumi-nodejs:dynamic\/bucket-replication:Bucket\s+auto-named\s+deleted/);

        const steps = await stack.previewSteps();
        const changed = steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`).sort();
        expect(changed).to.deep.equal(["create auto-named", "update data", "update data"]);
        await stack.mustUp();
        expect(await tagsOf("local-a", secondName)).to.deep.equal({ team: "platform" });
        expect(await versioningOf("local-a", secondName)).to.equal("Enabled");
    });

    it("refuses to delete a bucket that holds objects, deleting nothing, until forceDestroy is set", async () => {
        const client = rawS3("local-a");
        await client.send(new (s3().PutObjectCommand)({ Bucket: secondName, Key: "keep.txt", Body: "v1" }));
        await client.send(new (s3().PutObjectCommand)({ Bucket: secondName, Key: "keep.txt", Body: "v2" }));
        await client.send(new (s3().DeleteObjectCommand)({ Bucket: secondName, Key: "keep.txt" }));

        const refused = await stack.destroy();
        expect(refused.code).to.not.equal(0);
        expect(refused.stdout + refused.stderr).to.contain(`Bucket '${secondName}' in zone local-a still holds objects`).and.contain("forceDestroy: true");
        const versions = await client.send(new (s3().ListObjectVersionsCommand)({ Bucket: secondName }));
        expect(versions.Versions?.length).to.equal(2);
        expect(versions.DeleteMarkers?.length).to.equal(1);

        await stack.setConfig("forceDestroy", "true");
        await stack.mustUp();
        const destroyed = await stack.mustDestroy();
        expect(destroyed.stdout).to.contain("Suspended");
        // Issue 8, point 4: the message is on the bucket's own row, with the total.
        expect(destroyed.stdout).to.match(new RegExp(`Bucket \\(data\\):\\s+bucket '${secondName}' in zone local-a: emptied \\(3 object versions and delete markers in total\\)`));
        expect(await bucketNames("local-a")).to.not.include(secondName);
    });
});
