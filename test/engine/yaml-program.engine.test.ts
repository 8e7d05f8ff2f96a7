import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { mc } from "../support/localZones";
import { putObject, replicated, versionsOf } from "../support/objects";
import { expectBothWaysReplicate, expectLongFormReplicates, expectTeamChangePreviewsAsTagUpdate } from "../support/pluginPrograms";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

/** The bucket examples/yaml-replication imports: made with mc before the first `up`, as its comment says. */
const handmade = "handmade-logs";

async function bucketsOf(zone: string): Promise<string[]> {
    return (await mc(["ls", `${zone}`])).map((entry) => String(entry.key).replace(/\/$/, ""));
}

/**
 * examples/yaml-replication, a Pulumi YAML program, under the real engine and the YAML language host built
 * from github.com/pulumi/pulumi-yaml: the plugin pulumi-bucket-replication serves its resources, the
 * BiDirectional component and the functions. Replication is checked on the servers themselves.
 */
describe("engine: a Pulumi YAML program on the plugin (examples/yaml-replication)", function () {
    let stack: PulumiStack;
    let out: Record<string, any>;

    before(async () => {
        await mc(["rb", "--force", `local-a/${handmade}`]).catch(() => undefined);
        await mc(["mb", `local-a/${handmade}`]);
        await mc(["version", "enable", `local-a/${handmade}`]);
        await putObject("local-a", handmade, "notes.txt", "first");
        await putObject("local-a", handmade, "notes.txt", "second");
        stack = await PulumiStack.init(path.join(repoRoot, "examples", "yaml-replication"));
    });

    after(async () => {
        await stack?.destroy();
        await stack?.dispose();
        await mc(["rb", "--force", `local-a/${handmade}`]).catch(() => undefined);
    });

    it("converges on the first pulumi up: the long-form pair, the component, and the hand-made bucket imported", async () => {
        const result = await stack.mustUp();
        out = await stack.outputs();
        // The stack, 5 + 5 resources the long way and for the imported bucket, the component and its 7 children.
        expect(result.stdout).to.match(/\+ 17 created/);
        expect(result.stdout).to.match(/= 1 imported/);
        expect(out.replicationState).to.equal("Enabled");
        expect(out.importedEndpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
        const state = JSON.parse(stack.stateText());
        const types = new Set<string>(state.checkpoint.latest.resources.map((r: { type: string }) => r.type));
        expect([...types].filter((t) => t.includes("dynamic")), "no dynamic resources: the program's folder has no npm package").to.deep.equal([]);
        for (const kind of ["Bucket", "BucketVersioning", "IamRole", "ReplicationConfiguration", "ReplicationVerification", "BiDirectional"]) {
            expect(types, kind).to.include(`pulumi-bucket-replication:index:${kind}`);
        }
    });

    it("keeps the role's secret key secret in the state", () => {
        const role = JSON.parse(stack.stateText()).checkpoint.latest.resources.find((r: { type: string; urn: string }) => r.urn.endsWith("::role"));
        expect(role.outputs.secretKey).to.have.property("ciphertext");
    });

    it("previews no changes right after", async () => {
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("replicates the long way: COMPLETED on the leader, REPLICA on the follower", () => expectLongFormReplicates(out as never, "yaml"));

    it("replicates both ways through the BiDirectional component", () => expectBothWaysReplicate(out as never));

    it("shows an update of one tag as a detailed diff of `tags` alone in preview --json, and up applies it", async () => {
        await expectTeamChangePreviewsAsTagUpdate(stack);
        await stack.mustUp();
        const tags = await mc(["tag", "list", `local-a/${out.leader}`]);
        expect(JSON.stringify(tags)).to.contain("platform");
    });

    it("imports, with `pulumi import --file`, each kind into another YAML program, writing its code", async () => {
        const other = await PulumiStack.init(path.join(repoRoot, "test", "programs", "yaml-empty"));
        try {
            const resources = JSON.parse(stack.stateText()).checkpoint.latest.resources as Array<{ type: string; urn: string; id: string }>;
            const idOf = (name: string) => resources.find((r) => r.urn.endsWith(`::${name}`))!.id;
            const file = path.join(other.workDir, "import.json");
            fs.writeFileSync(file, JSON.stringify({
                resources: [
                    { type: "pulumi-bucket-replication:index:Bucket", name: "leader", id: idOf("leader") },
                    { type: "pulumi-bucket-replication:index:BucketVersioning", name: "leaderVersioning", id: idOf("leaderVersioning") },
                    { type: "pulumi-bucket-replication:index:IamRole", name: "role", id: idOf("role") },
                    { type: "pulumi-bucket-replication:index:ReplicationConfiguration", name: "replication", id: idOf("replication") },
                ],
            }));
            const code = path.join(other.workDir, "imported.yaml");
            const result = await other.runOnStackWithoutConfig(["import", "--yes", "--file", file, "--out", code]);
            expect(result.code, result.stdout + result.stderr).to.equal(0);
            expect(result.stdout).to.match(/= 4 imported/);
            const generated = fs.readFileSync(code, "utf8");
            for (const kind of ["Bucket", "BucketVersioning", "IamRole", "ReplicationConfiguration"]) expect(generated).to.contain(`type: pulumi-bucket-replication:${kind}`);
            expect(generated).to.contain(`name: ${out.leader}`);
            expect(generated).to.contain("to-follower:");
            // The first stack keeps owning them: the second forgets them again.
            for (const r of ["replication", "role", "leaderVersioning", "leader"]) {
                const urn = JSON.parse(other.stateText()).checkpoint.latest.resources.find((x: { urn: string }) => x.urn.endsWith(`::${r}`)).urn;
                const forgot = await other.runOnStackWithoutConfig(["state", "delete", urn, "--yes", "--force"]);
                expect(forgot.code, forgot.stderr).to.equal(0);
            }
        } finally {
            await other.dispose();
        }
    });

    it("destroys everything it made, and leaves the imported bucket with every object version", async () => {
        await stack.mustDestroy();
        const a = await bucketsOf("local-a");
        const b = await bucketsOf("local-b");
        for (const name of [out.leader, out.pairA]) expect(a, name).to.not.include(name);
        for (const name of [out.follower, out.pairB]) expect(b, name).to.not.include(name);
        expect(a).to.include(handmade);
        expect(await versionsOf("local-a", handmade, "notes.txt")).to.deep.include({ versions: 2 });
        const users = (await mc(["admin", "user", "list", "local-a"])).map((u) => u.accessKey);
        expect(users).to.not.include(out.role);
    });
});

/**
 * A bucket and its versioning made with mc, brought under a YAML program with `pulumi import`: the code it
 * writes becomes the program (with `retainOnDelete`, as one adopts what was made by hand), `up` updates the
 * bucket's tags, and destroy gives the bucket back with every object version.
 */
describe("engine: pulumi import of buckets made with mc, into a YAML program that then updates and destroys them", function () {
    const bucket = `mc-made-${Date.now().toString(36)}`;
    let stack: PulumiStack;
    let programDir: string;

    before(async () => {
        await mc(["mb", `local-b/${bucket}`]);
        await mc(["version", "enable", `local-b/${bucket}`]);
        await putObject("local-b", bucket, "report.csv", "v1");
        await putObject("local-b", bucket, "report.csv", "v2");
        programDir = fs.mkdtempSync(path.join(require("os").tmpdir(), "pbr-yaml-import-"));
        const project = fs.readFileSync(path.join(repoRoot, "test", "programs", "yaml-empty", "Pulumi.yaml"), "utf8")
            .replace("path: ../../../bin", `path: ${path.join(repoRoot, "bin")}`).replace("resources: {}\n", "");
        fs.writeFileSync(path.join(programDir, "Pulumi.yaml"), project);
        stack = await PulumiStack.init(programDir);
    });

    after(async () => {
        await stack?.destroy();
        await stack?.dispose();
        fs.rmSync(programDir, { recursive: true, force: true });
        await mc(["rb", "--force", `local-b/${bucket}`]).catch(() => undefined);
    });

    it("imports both with the IDs the README documents and writes their YAML", async () => {
        const code = path.join(stack.workDir, "imported.yaml");
        const bucketImport = await stack.runOnStackWithoutConfig(["import", "--yes", "pulumi-bucket-replication:index:Bucket", "reports", `local-b/${bucket}`, "--out", code]);
        expect(bucketImport.code, bucketImport.stdout + bucketImport.stderr).to.equal(0);
        const written = fs.readFileSync(code, "utf8");
        expect(written).to.contain("type: pulumi-bucket-replication:Bucket");
        expect(written).to.contain(`name: ${bucket}`);
        expect(written).to.contain("zone: local-b");
        const versioningCode = path.join(stack.workDir, "versioning.yaml");
        const versioningImport = await stack.runOnStackWithoutConfig(["import", "--yes", "pulumi-bucket-replication:index:BucketVersioning", "reportsVersioning", `local-b/${bucket}`, "--out", versioningCode]);
        expect(versioningImport.code, versioningImport.stdout + versioningImport.stderr).to.equal(0);
        expect(fs.readFileSync(versioningCode, "utf8")).to.contain("status: Enabled");
        // The written code becomes the program, unprotected, kept on destroy, and with a tag added.
        const resources = (written + fs.readFileSync(versioningCode, "utf8").replace(/^resources:\n/m, ""))
            .replace(/\n {4}options:\n {6}protect: true/g, "\n    options:\n      retainOnDelete: true")
            .replace("tags: {}", "tags:\n        owner: reports-team");
        fs.appendFileSync(path.join(programDir, "Pulumi.yaml"), resources);

        for (const name of ["reports", "reportsVersioning"]) {
            const urn = JSON.parse(stack.stateText()).checkpoint.latest.resources.find((r: { urn: string }) => r.urn.endsWith(`::${name}`)).urn;
            const unprotected = await stack.runOnStackWithoutConfig(["state", "unprotect", urn, "--yes"]);
            expect(unprotected.code, unprotected.stderr).to.equal(0);
        }
    });

    it("updates the imported bucket in place: its tag is added, nothing replaced", async () => {
        const preview = JSON.parse((await stack.runOnStack(["preview", "--json"])).stdout);
        const changed = preview.steps.filter((s: { op: string }) => s.op !== "same");
        expect(changed.map((s: { op: string; urn: string }) => `${s.op} ${s.urn.split("::").pop()}`)).to.deep.equal(["update reports"]);
        expect(changed[0].detailedDiff).to.deep.equal({ tags: { kind: "update", inputDiff: true } });
        await stack.mustUp();
        expect(JSON.stringify(await mc(["tag", "list", `local-b/${bucket}`]))).to.contain("reports-team");
    });

    it("previews a zone change as a replacement forced by `zone`, in the JSON and in the text with the reason", async () => {
        const file = path.join(programDir, "Pulumi.yaml");
        const program = fs.readFileSync(file, "utf8");
        fs.writeFileSync(file, program.replace(/zone: local-b/g, "zone: local-a"));
        try {
            const preview = JSON.parse((await stack.runOnStack(["preview", "--json"])).stdout);
            const step = preview.steps.find((s: { urn: string; op: string }) => s.urn.endsWith("::reports") && s.op === "replace");
            expect(step, JSON.stringify(preview.steps.map((s: { op: string; urn: string }) => [s.op, s.urn]))).to.exist;
            expect(step.replaceReasons).to.deep.equal(["zone"]);
            expect(step.detailedDiff).to.deep.include({ zone: { kind: "update-replace", inputDiff: true } });
            const text = await stack.runOnStack(["preview", "--diff"]);
            expect(text.stdout).to.match(/\+-pulumi-bucket-replication:index:Bucket: \(replace\)/);
            // The diff display prints the row's info lines on standard error.
            expect(text.stdout + text.stderr).to.contain("replaced because 'zone' changes: a bucket cannot move between zones");
        } finally {
            fs.writeFileSync(file, program);
        }
    });

    it("destroys the stack and leaves the bucket with every object version", async () => {
        await stack.mustDestroy();
        expect(await bucketsOf("local-b")).to.include(bucket);
        expect(await versionsOf("local-b", bucket, "report.csv")).to.deep.include({ versions: 2 });
    });
});
