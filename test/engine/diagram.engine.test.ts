import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { processIo } from "../../cli/command";
import { main } from "../../cli/main";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

// The topology diagram of the examples under the real Pulumi CLI on the local MinIO pair: what the
// components record as their `diagram` output, and what `pulumi-bucket-replication diagram` prints
// from `pulumi preview --json` before any up, from `pulumi stack export` after it and from the stack
// by name, all equal to the checked-in text in test/engine/expected/. Bucket names carry a suffix
// derived from stack and account, so the expected files name them by stack output: {sourceBucket}.
// PBR_UPDATE_EXPECTED=1 rewrites the expected files from this run instead of comparing.

const expectedDir = path.join(__dirname, "expected");

/** The expected text with each {output} replaced by the stack output of that name (bucket names only). */
function expectMatches(actual: string, file: string, outputs: Record<string, string>, what: string): void {
    const names = Object.fromEntries(Object.entries(outputs).filter(([key]) => /bucket|^leader$|^follower$/i.test(key)));
    const full = path.join(expectedDir, file);
    if (process.env.PBR_UPDATE_EXPECTED) {
        let generic = actual;
        for (const [key, value] of Object.entries(names)) generic = generic.split(value).join(`{${key}}`);
        fs.writeFileSync(full, generic);
        return;
    }
    const expected = fs.readFileSync(full, "utf8").replace(/\{(\w+)\}/g, (whole, key: string) => names[key] ?? whole);
    expect(actual, `${what} differs from test/engine/expected/${file}`).to.equal(expected);
}

/** The diagram command in-process, in `cwd`, with the stack's environment (its backend and PULUMI_HOME). */
async function diagram(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
    let out = "";
    let err = "";
    const code = await main(["diagram", ...argv], processIo({ cwd, env, out: (t) => { out += t; }, err: (t) => { err += t; } }));
    expect(code, `diagram ${argv.join(" ")} failed: ${err}`).to.equal(0);
    return out;
}

/** The package's command as a user runs it (`npx pulumi-bucket-replication diagram ...`), in the program's folder. */
function command(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(repoRoot, "bin", "pulumi-bucket-replication"), "diagram", ...argv], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => { stdout += c; });
        child.stderr.on("data", (c) => { stderr += c; });
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}

async function exportTo(stack: PulumiStack, file: string): Promise<Record<string, any>> {
    const result = await stack.run(["stack", "export", "--stack", stack.stackName]);
    expect(result.code, result.stderr).to.equal(0);
    fs.writeFileSync(file, result.stdout);
    return JSON.parse(result.stdout);
}

async function previewTo(stack: PulumiStack, file: string, extra: string[] = []): Promise<void> {
    const result = await stack.run(["preview", "--json", ...extra, "--non-interactive", "--stack", stack.stackName, "--config-file", stack.configFile]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).to.equal(0);
    fs.writeFileSync(file, result.stdout);
}

/** The `diagram` output a component recorded in the state. */
function componentDiagram(state: Record<string, any>, type: string): string {
    const components = (state.deployment.resources as Array<{ type: string; outputs?: Record<string, unknown> }>).filter((r) => r.type === type);
    expect(components, `one ${type} in the state`).to.have.length(1);
    return components[0].outputs?.diagram as string;
}

describe("engine: topology diagrams of the examples match the checked-in text", function () {
    const files = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-diagram-"));
    after(() => fs.rmSync(files, { recursive: true, force: true }));

    describe("examples/leader-follower", () => {
        const programDir = path.join(repoRoot, "examples", "leader-follower");
        let stack: PulumiStack;
        let names: Record<string, string>;
        let planned: string;

        before(async () => { stack = await PulumiStack.init(programDir); });
        after(async () => {
            await stack.destroy();
            await stack.dispose();
        });

        it("draws the preview before any up, the export after it and the stack by name alike", async () => {
            await previewTo(stack, path.join(files, "lf-preview.json"));
            planned = await diagram(["--preview", path.join(files, "lf-preview.json")], programDir);
            await stack.mustUp();
            names = await stack.outputs();
            expectMatches(planned, "leader-follower.mmd", names, "the preview's diagram");
            await exportTo(stack, path.join(files, "lf-state.json"));
            expectMatches(await diagram(["--from-file", path.join(files, "lf-state.json")], programDir), "leader-follower.mmd", names, "the export's diagram");
            const byName = await command(["--stack", stack.stackName], programDir, stack.env);
            expect(byName.code, byName.stderr).to.equal(0);
            expectMatches(byName.stdout, "leader-follower.mmd", names, "the stack's diagram (pulumi-bucket-replication diagram --stack)");
        });

        it("shows dropping delete-marker replication as a changed, dashed rule, fenced for a pull-request comment", async () => {
            await stack.setConfig("deleteMarkerReplication", "false");
            await previewTo(stack, path.join(files, "lf-preview-no-markers.json"));
            const change = await diagram(["--before", path.join(files, "lf-state.json"), "--after", path.join(files, "lf-preview-no-markers.json"), "--markdown"], programDir);
            expectMatches(change, "leader-follower-no-delete-markers.md", names, "the before/after diagram");
            expect(change).to.include("-.->|\"~ follower: all objects, no delete markers, priority 1<br/>was: delete markers\"|");
            // The same from one preview that lists the unchanged resources too: old and new state side by side.
            await previewTo(stack, path.join(files, "lf-preview-sames.json"), ["--show-sames"]);
            const fromOne = await diagram(["--before", path.join(files, "lf-preview-sames.json"), "--after", path.join(files, "lf-preview-sames.json"), "--markdown"], programDir);
            expect(fromOne).to.equal(change);
        });
    });

    describe("examples/bidirectional (the BiDirectional component)", () => {
        const programDir = path.join(repoRoot, "examples", "bidirectional");
        let stack: PulumiStack;

        before(async () => { stack = await PulumiStack.init(programDir); });
        after(async () => {
            await stack.destroy();
            await stack.dispose();
        });

        it("the component's diagram output, the preview before any up and the export after it all match", async () => {
            await previewTo(stack, path.join(files, "bd-preview.json"));
            const planned = await diagram(["--preview", path.join(files, "bd-preview.json")], programDir);
            await stack.mustUp();
            const names = await stack.outputs();
            expectMatches(planned, "bidirectional.mmd", names, "the preview's diagram");
            const state = await exportTo(stack, path.join(files, "bd-state.json"));
            expectMatches(componentDiagram(state, "bucket-replication:index:BiDirectional"), "bidirectional.mmd", names, "BiDirectional's diagram output");
            expectMatches(await diagram(["--from-file", path.join(files, "bd-state.json")], programDir), "bidirectional.mmd", names, "the export's diagram");
        });
    });

    describe("test/programs/leader-follower-component (the LeaderFollower component)", () => {
        const programDir = path.join(repoRoot, "test", "programs", "leader-follower-component");
        let stack: PulumiStack;

        before(async () => { stack = await PulumiStack.init(programDir); });
        after(async () => {
            await stack.destroy();
            await stack.dispose();
        });

        it("the component's diagram output and the export's diagram match", async () => {
            await previewTo(stack, path.join(files, "lfc-preview.json"));
            const planned = await diagram(["--preview", path.join(files, "lfc-preview.json")], programDir);
            await stack.mustUp();
            const names = await stack.outputs();
            expectMatches(planned, "leader-follower-component.mmd", names, "the preview's diagram");
            const state = await exportTo(stack, path.join(files, "lfc-state.json"));
            expectMatches(componentDiagram(state, "bucket-replication:index:LeaderFollower"), "leader-follower-component.mmd", names, "LeaderFollower's diagram output");
            expectMatches(await diagram(["--from-file", path.join(files, "lfc-state.json")], programDir), "leader-follower-component.mmd", names, "the export's diagram");
        });
    });

    describe("a program turned from leader-follower into bi-directional", () => {
        // A program of its own, in a temporary folder that sees this repository's node_modules (the
        // package is linked there under its own name): the rule back from b to a comes with config.
        const programDir = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-diagram-program-"));
        let stack: PulumiStack;

        before(async () => {
            fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(programDir, "node_modules"), "dir");
            fs.writeFileSync(path.join(programDir, "Pulumi.yaml"), "name: diagram-change\nruntime: nodejs\nmain: index.js\n");
            fs.writeFileSync(path.join(programDir, "index.js"), [
                `const pulumi = require("@pulumi/pulumi");`,
                `const br = require("pulumi-bucket-replication");`,
                `const both = new pulumi.Config().getBoolean("bidirectional") ?? false;`,
                `const side = (name, zone) => {`,
                `    const bucket = new br.Bucket(name, { zone, forceDestroy: true });`,
                `    const versioning = new br.BucketVersioning(name, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" });`,
                `    return { bucket, versioning };`,
                `};`,
                `const a = side("data-a", "local-a");`,
                `const b = side("data-b", "local-b");`,
                `const direction = (label, from, to, ruleId) => new br.ReplicationConfiguration(label, {`,
                `    bucket: from.versioning.bucket, zone: from.versioning.zone,`,
                `    role: new br.IamRole(label, { policy: br.replicationPolicy({ source: from.bucket, destinations: [to.bucket] }) }),`,
                `    rules: { [ruleId]: { priority: 1, deleteMarkerReplication: true, replicaModifications: both,`,
                `                         destination: { bucket: to.versioning.bucket, zone: to.versioning.zone } } },`,
                `});`,
                `direction("a-to-b", a, b, "to-b");`,
                `if (both) direction("b-to-a", b, a, "to-a");`,
                `exports.bucketA = a.bucket.name;`,
                `exports.bucketB = b.bucket.name;`,
                ``,
            ].join("\n"));
            stack = await PulumiStack.init(programDir);
        });
        after(async () => {
            await stack.destroy();
            await stack.dispose();
            fs.rmSync(programDir, { recursive: true, force: true });
        });

        it("marks the added rule back, and the changed rule out, in the pull request's picture", async () => {
            await stack.mustUp();
            const names = await stack.outputs();
            await exportTo(stack, path.join(files, "change-state.json"));
            await stack.setConfig("bidirectional", "true");
            await previewTo(stack, path.join(files, "change-preview.json"));
            const change = await diagram(["--before", path.join(files, "change-state.json"), "--after", path.join(files, "change-preview.json")], programDir);
            expectMatches(change, "leader-follower-to-bidirectional.mmd", names, "the before/after diagram");
            expect(change).to.include("rules +1 -0 ~1");
            expect(change).to.match(/b_data_b -->\|"\+ to-a: /);
        });
    });
});
