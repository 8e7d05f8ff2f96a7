import { expect } from "chai";
import { ChildProcess, execFile, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { localZones, mc } from "../support/localZones";
import { putObject, replicated } from "../support/objects";
import { repoRoot } from "../support/toolchain";
import { copiesOf, installProgram, InstalledProgram, nodeRuntime, NodeRuntime, npmCacheDir, PackageStack, packedTarball, toolchainVersion } from "./support";

/** What the plugin serves: its resources, then its components. */
const servedResources = ["Bucket", "BucketVersioning", "IamRole", "ReplicationConfiguration", "ReplicationVerification", "LeaderFollower", "BiDirectional"];

/**
 * 0.1.0's name, kept for the stacks made with it: LeaderFollower served by pulumi-resource-bucket-replication,
 * as programs in any Pulumi language use it. A Node program outside the repository declares
 * bucket-replication:index:LeaderFollower as a remote component (it imports no SDK of ours), and the engine
 * starts pulumi-resource-bucket-replication from PATH (npm put it in the program's node_modules/.bin). The
 * component's resources are dynamic ones, as 0.1.0 made them, so the program's folder holds the package too:
 * their providers load it from there. The schema is the plugin's whole one, under the name bucket-replication.
 */
describe("package: 0.1.0's component provider (bucket-replication) serves LeaderFollower to a program that declares it remotely", function () {
    const node = toolchainVersion("PACKAGE_TEST_NODE_CLI");
    const sdk = toolchainVersion("PACKAGE_TEST_PULUMI_CLI");
    let program: InstalledProgram;
    let stack: PackageStack;
    let executable: string;
    let out: Record<string, string>;

    before(async () => {
        program = await installProgram("package-remote", await nodeRuntime(node), sdk);
        const binDir = path.join(program.dir, "node_modules", ".bin");
        executable = path.join(binDir, "pulumi-resource-bucket-replication");
        stack = await PackageStack.init(program, [binDir]);
    });

    after(async () => {
        await stack?.dispose();
        program?.dispose();
    });

    it("pulumi package get-schema describes the whole package under the name bucket-replication: both components, their inputs and outputs", async () => {
        const result = await stack.stack.run(["package", "get-schema", executable]);
        expect(result.code, result.stderr).to.equal(0);
        const schema = JSON.parse(result.stdout);
        expect(schema.name).to.equal("bucket-replication");
        expect(schema.version).to.equal(require(path.join(program.dir, "node_modules", "pulumi-bucket-replication", "package.json")).version);
        expect(Object.keys(schema.resources).sort()).to.deep.equal(servedResources.map((kind) => `bucket-replication:index:${kind}`).sort());
        const leaderFollower = schema.resources["bucket-replication:index:LeaderFollower"];
        expect(leaderFollower.isComponent).to.equal(true);
        expect(Object.keys(leaderFollower.inputProperties).sort()).to.deep.equal(["deleteMarkerReplication", "followers", "leader", "verify"]);
        expect(leaderFollower.requiredInputs.sort()).to.deep.equal(["followers", "leader"]);
        expect(Object.keys(leaderFollower.properties).sort()).to.deep.equal(["diagram", "followerNames", "leaderName", "replicationLag", "roleName"]);
        const biDirectional = schema.resources["bucket-replication:index:BiDirectional"];
        expect(Object.keys(biDirectional.inputProperties).sort()).to.deep.equal(["a", "b", "deleteMarkerReplication", "verify"]);
        expect(Object.keys(biDirectional.properties).sort()).to.deep.equal(["aName", "aToBRoleName", "bName", "bToARoleName", "diagram", "replicationLag"]);
        expect(Object.keys(schema.types["bucket-replication:index:TopologyBucket"].properties).sort()).to.deep.equal(["forceDestroy", "name", "zone"]);
        expect(schema.types["bucket-replication:index:Verify"].properties.timeoutSeconds.type).to.equal("number");
        expect(leaderFollower.inputProperties.leader.$ref).to.equal("#/types/bucket-replication:index:TopologyBucket");
        expect(Object.keys(schema.types).every((name) => name.startsWith("bucket-replication:"))).to.equal(true);
        expect(leaderFollower.properties.replicationLag).to.deep.include({ type: "object", additionalProperties: { type: "number" } });
    });

    it("pulumi up converges through the component provider, whose process ends with the command", async () => {
        const result = await stack.must("up");
        expect(result.stdout).to.match(/\+ 9 created/);
        expect(result.stdout + result.stderr).to.contain(`using pulumi-resource-bucket-replication from $PATH at ${executable}`);
        expect(result.seen.filter((p) => p.command.includes("pulumi-resource-bucket-replication")), "component provider processes seen during up").to.not.be.empty;
        expect(stack.lingering()).to.deep.equal([]);
        out = await stack.stack.outputs();
        expect(out.leader).to.match(/^remote-leader-[a-z0-9]{8}$/);
        expect(out.follower).to.match(/^remote-follower-1-[a-z0-9]{8}$/);
        // verify, diagram and replicationLag reach a remote program too.
        expect(out.diagram).to.contain("flowchart LR").and.contain(out.leader).and.contain(out.follower);
        expect((out.replicationLag as unknown as Record<string, unknown>)["follower-1"]).to.be.a("number");
        expect(out.role).to.match(/^remote-replication-[a-z0-9]{8}$/);
        const types = JSON.parse(stack.stack.stateText()).checkpoint.latest.resources.map((r: { type: string }) => r.type);
        expect(types).to.include("bucket-replication:index:LeaderFollower");
        expect(types.filter((t: string) => t.startsWith("pulumi-nodejs:dynamic/bucket-replication:"))).to.have.length(7);
    });

    it("what it made replicates (zones and credentials reached the component's resources from stack configuration)", async () => {
        await putObject("local-a", out.leader, "remote.txt", "declared remotely\n");
        await replicated("local-b", out.follower, "remote.txt", "declared remotely\n", "REPLICA");
    });

    it("a second preview finds nothing to change", async () => {
        const preview = await stack.must("preview");
        expect(preview.stdout).to.match(/9 unchanged/);
        expect(stack.lingering()).to.deep.equal([]);
    });

    it("pulumi destroy removes it all through the component provider", async () => {
        await stack.must("destroy");
        expect(stack.lingering()).to.deep.equal([]);
        expect((await mc(["ls", "local-a"])).map((entry) => entry.key)).to.not.include(`${out.leader}/`);
        for (const zone of ["local-a", "local-b"]) {
            expect((await mc(["admin", "user", "list", zone])).map((u) => u.accessKey)).to.not.include(out.role);
        }
    });
});

/**
 * The plugin pulumi-bucket-replication, as programs in any Pulumi language use it: the package is installed in
 * a folder of its own (with the @pulumi/pulumi it runs on), and a Node program elsewhere, whose node_modules has
 * @pulumi/pulumi and no pulumi-bucket-replication, declares pulumi-bucket-replication:index:LeaderFollower as
 * a remote component. The engine starts pulumi-resource-pulumi-bucket-replication from the project's
 * `plugins.providers[].path`; the component's parts are the plugin's own custom resources, which the same
 * plugin creates, reads and deletes, so nothing of the package is needed in the program's folder, for
 * refresh and destroy either. The configuration is the stack's `pulumi-bucket-replication:*`.
 */
describe("package: the plugin pulumi-bucket-replication serves LeaderFollower, made of its own resources, to a program without the package", function () {
    const node = toolchainVersion("PACKAGE_TEST_NODE_CLI");
    const sdk = toolchainVersion("PACKAGE_TEST_PULUMI_CLI");
    let installed: string;
    let program: InstalledProgram;
    let stack: PackageStack;
    let pluginBin: string;
    let executable: string;
    let out: Record<string, string>;

    before(async () => {
        const runtime = await nodeRuntime(node);
        // The package where a user keeps it for the engine: a folder of its own, with the @pulumi/pulumi it runs on.
        installed = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-plugin-install-"));
        await npmInstall(runtime, installed, { dependencies: { "pulumi-bucket-replication": `file:${await packedTarball()}`, "@pulumi/pulumi": sdk } });
        pluginBin = path.join(installed, "node_modules", "pulumi-bucket-replication", "bin");
        executable = path.join(pluginBin, "pulumi-resource-pulumi-bucket-replication");
        program = await programWithout("package-remote-plugin", runtime, sdk);
        fs.appendFileSync(path.join(program.dir, "Pulumi.yaml"), `plugins:\n  providers:\n    - name: pulumi-bucket-replication\n      path: ${pluginBin}\n`);
        // Not on PATH: the engine finds the plugin through Pulumi.yaml alone.
        stack = await PackageStack.init(program);
        // The plugin reads its own namespace only: the 0.1.0 keys PackageStack sets go, so that they cannot be what works.
        for (const key of ["zones", "accessKey", "secretKey"]) await stack.stack.removeConfig(`bucket-replication:${key}`);
        const local = localZones();
        await stack.stack.setConfig("pulumi-bucket-replication:zones", JSON.stringify(local.zones));
        await stack.stack.setConfig("pulumi-bucket-replication:accessKey", local.accessKey);
        await stack.stack.setConfig("pulumi-bucket-replication:secretKey", local.secretKey, { secret: true });
    });

    after(async () => {
        await stack?.dispose();
        program?.dispose();
        if (installed) fs.rmSync(installed, { recursive: true, force: true });
    });

    it("the program's folder has @pulumi/pulumi and no pulumi-bucket-replication, nor any of its dependencies", () => {
        expect(copiesOf(program.dir, "pulumi-bucket-replication")).to.deep.equal([]);
        for (const dependency of ["zod", "fast-xml-parser", "hash-wasm", "@aws-sdk/client-s3"]) expect(copiesOf(program.dir, dependency), dependency).to.deep.equal([]);
        expect(copiesOf(program.dir, "@pulumi/pulumi").map((copy) => copy.version)).to.deep.equal([sdk]);
    });

    it("pulumi package get-schema names pulumi-bucket-replication, with its five resources, both components and the functions", async () => {
        const result = await stack.stack.run(["package", "get-schema", executable]);
        expect(result.code, result.stderr).to.equal(0);
        const schema = JSON.parse(result.stdout);
        expect(schema.name).to.equal("pulumi-bucket-replication");
        expect(schema.version).to.equal(require(path.join(installed, "node_modules", "pulumi-bucket-replication", "package.json")).version);
        expect(Object.keys(schema.resources).sort()).to.deep.equal(servedResources.map((kind) => `pulumi-bucket-replication:index:${kind}`).sort());
        for (const component of ["LeaderFollower", "BiDirectional"]) expect(schema.resources[`pulumi-bucket-replication:index:${component}`].isComponent, component).to.equal(true);
        expect(schema.resources["pulumi-bucket-replication:index:Bucket"].isComponent).to.not.equal(true);
        expect(Object.keys(schema.functions).sort()).to.deep.equal([
            "pulumi-bucket-replication:index:getReplicationStatus", "pulumi-bucket-replication:index:replicationPolicy",
            "pulumi-bucket-replication:oss:getReplicationLocations", "pulumi-bucket-replication:oss:getReplicationProgress",
        ]);
        expect(schema.resources["pulumi-bucket-replication:index:IamRole"].properties.secretKey.secret).to.equal(true);
        expect(schema.config.variables.secretKey.secret).to.equal(true);
    });

    it("pulumi up converges: the plugin from plugins.providers constructs the component, whose parts are its own resources", async () => {
        const result = await stack.must("up");
        expect(result.stdout).to.match(/\+ \d+ created/);
        expect(result.seen.filter((p) => p.command.includes(executable)), "plugin processes seen during up").to.not.be.empty;
        expect(stack.lingering()).to.deep.equal([]);
        out = await stack.stack.outputs();
        expect(out.leader).to.match(/^plugin-leader-[a-z0-9]{8}$/);
        expect(out.follower).to.match(/^plugin-follower-1-[a-z0-9]{8}$/);
        expect(out.role).to.match(/^plugin-replication-[a-z0-9]{8}$/);
        expect(out.diagram).to.contain("flowchart LR").and.contain(out.leader).and.contain(out.follower);
        // verify ran: the follower received its canary, and the lag came back to the program.
        expect((out.replicationLag as unknown as Record<string, unknown>)["follower-1"]).to.be.a("number");

        const resources: StateResource[] = JSON.parse(stack.stack.stateText()).checkpoint.latest.resources;
        const component = resources.find((r) => r.type === "pulumi-bucket-replication:index:LeaderFollower");
        expect(component, "the component in the state").to.not.equal(undefined);
        const children = resources.filter((r) => r.custom && r.type.startsWith("pulumi-bucket-replication:index:"));
        expect(children.map((r) => r.type.split(":")[2]).sort()).to.deep.equal(
            ["Bucket", "Bucket", "BucketVersioning", "BucketVersioning", "IamRole", "ReplicationConfiguration", "ReplicationVerification"]);
        expect(children.every((r) => r.parent === component!.urn), "every part is the component's child").to.equal(true);
        expect(children.every((r) => r.provider?.startsWith(`${r.urn.split("::")[0]}::${r.urn.split("::")[1]}::pulumi:providers:pulumi-bucket-replication::`)),
            "served by the plugin's provider").to.equal(true);
        expect(resources.map((r) => r.type).filter((t) => t.startsWith("pulumi-nodejs:") || t === "pulumi:providers:pulumi-nodejs")).to.deep.equal([]);
        // The role's generated secret stays a secret in the state.
        const role = children.find((r) => r.type.endsWith(":IamRole"))!;
        expect(role.outputs.secretKey, "IamRole.secretKey in the state").to.have.property("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270");
    });

    it("what it made replicates (zones and credentials reached the plugin from the pulumi-bucket-replication:* configuration)", async () => {
        expect(out, "the outputs of a converged `up` (see the test before)").to.not.equal(undefined);
        await putObject("local-a", out.leader, "plugin.txt", "declared remotely, served by the plugin\n");
        await replicated("local-b", out.follower, "plugin.txt", "declared remotely, served by the plugin\n", "REPLICA");
    });

    it("refresh reads every part through the plugin, and then a preview finds nothing to change", async () => {
        await stack.must("refresh");
        const preview = await stack.stack.expectNoChanges();
        expect(preview.code, `${preview.stdout}\n${preview.stderr}`).to.equal(0);
        expect(stack.lingering()).to.deep.equal([]);
    });

    it("the package's root runs under @pulumi/pulumi's run-plugin, as a plugin-running language host starts PulumiPlugin.yaml, with the same schema", async () => {
        // Language hosts that run source plugins start `node <@pulumi/pulumi>/cmd/run-plugin <plugin folder>`, with
        // the run-plugin that the plugin folder resolves and the project's folder as working directory
        // (pulumi-language-nodejs RunPlugin); the 3.68 host built here does not (it answers RunPlugin 'not
        // supported'), so this test starts it the same way and asks for the schema over the provider protocol.
        const packageDir = path.join(installed, "node_modules", "pulumi-bucket-replication");
        expect(fs.existsSync(path.join(packageDir, "PulumiPlugin.yaml")), "PulumiPlugin.yaml at the package's root").to.equal(true);
        const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [packageDir] });
        const child = spawn(program.node.node, [runPlugin, packageDir], { cwd: program.dir, stdio: ["ignore", "pipe", "pipe"] });
        try {
            const port = await firstLine(child);
            const fromRunPlugin = JSON.parse(await schemaOver(port));
            const fromExecutable = JSON.parse((await stack.stack.run(["package", "get-schema", executable])).stdout);
            // Exactly what the installed package's schema.ts makes, under the plugin's name.
            const { packageSchema } = require(path.join(packageDir, "dist", "provider", "plugin", "schema.js"));
            expect(fromRunPlugin).to.deep.equal(packageSchema("pulumi-bucket-replication", fromExecutable.version));
            // The CLI re-encodes the provider's schema: it drops the `optional` markers (the `required` lists
            // say the same), empty `required` lists and `dependencies`, empty descriptions and those of array
            // items, and adds an empty `config`. What matters is compared.
            const essence = (schema: Record<string, unknown>) => withoutOptionalMarkers(
                Object.fromEntries(["name", "version", "description", "resources", "types"].map((key) => [key, schema[key]])));
            expect(essence(fromRunPlugin)).to.deep.equal(essence(fromExecutable));
            expect(Object.keys(fromRunPlugin.functions).sort()).to.deep.equal(Object.keys(fromExecutable.functions).sort());
        } finally {
            child.kill();
        }
    });

    it("pulumi destroy removes it all through the plugin, and leaves nothing in the state or on the zones", async () => {
        await stack.must("destroy");
        expect(stack.lingering()).to.deep.equal([]);
        expect(out, "the outputs of a converged `up` (see the test before)").to.not.equal(undefined);
        expect(JSON.parse(stack.stack.stateText()).checkpoint.latest?.resources ?? []).to.deep.equal([]);
        expect((await mc(["ls", "local-a"])).map((entry) => entry.key)).to.not.include(`${out.leader}/`);
        expect((await mc(["ls", "local-b"])).map((entry) => entry.key)).to.not.include(`${out.follower}/`);
        for (const zone of ["local-a", "local-b"]) {
            expect((await mc(["admin", "user", "list", zone])).map((u) => u.accessKey)).to.not.include(out.role);
        }
    });
});

interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly custom?: boolean;
    readonly parent?: string;
    readonly provider?: string;
    readonly outputs: Record<string, unknown>;
}

const run = promisify(execFile);

/** `npm install` of `manifest` into `dir` with the test's Node.js and npm cache, as support.ts installs programs. */
async function npmInstall(node: NodeRuntime, dir: string, manifest: Record<string, unknown>): Promise<void> {
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: path.basename(dir).toLowerCase(), private: true, ...manifest }, null, 2));
    const npmCli = fs.realpathSync(execFileSync("bash", ["-c", "command -v npm"], { encoding: "utf8" }).trim());
    const env = { ...process.env, PATH: `${node.binDir}:${process.env.PATH}`, npm_config_update_notifier: "false" };
    try {
        await run(node.node, [npmCli, "install", "--cache", npmCacheDir, "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, env, maxBuffer: 64 << 20 });
    } catch (error) {
        const failed = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`npm install (in ${dir}, Node ${node.version}) failed:\n${failed.stdout ?? ""}${failed.stderr ?? ""}${failed.message}`);
    }
}

/** test/programs/<name> in a temporary folder, installed with @pulumi/pulumi and TypeScript's tooling only. */
async function programWithout(name: string, node: NodeRuntime, pulumiVersion: string): Promise<InstalledProgram> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pbr-${name}-`));
    fs.cpSync(path.join(repoRoot, "test", "programs", name), dir, { recursive: true });
    const versionOf = (pkg: string): string => require(path.join(repoRoot, "node_modules", pkg, "package.json")).version;
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
        compilerOptions: { strict: true, target: "es2020", module: "commonjs", moduleResolution: "node", skipLibCheck: false, types: ["node"] },
        files: ["index.ts"],
    }, null, 2));
    await npmInstall(node, dir, { main: "index.ts", dependencies: { "@pulumi/pulumi": pulumiVersion }, devDependencies: { "@types/node": versionOf("@types/node"), typescript: versionOf("typescript") } });
    return { dir, node, npmOutput: "", dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function withoutOptionalMarkers(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withoutOptionalMarkers);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value)
        .filter(([key, v]) => key !== "optional" && !(key === "required" && Array.isArray(v) && v.length === 0))
        .map(([key, v]) => [key, withoutOptionalMarkers(v)]));
}

/** The first line a provider prints: the port it listens on. */
function firstLine(child: ChildProcess): Promise<number> {
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        const timer = setTimeout(() => reject(new Error(`run-plugin printed no port within 60 s:\n${stdout}${stderr}`)), 60_000);
        child.stderr!.on("data", (chunk) => { stderr += chunk; });
        child.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const line = stdout.split("\n")[0];
            if (stdout.includes("\n") && /^\d+$/.test(line.trim())) { clearTimeout(timer); resolve(Number(line.trim())); }
        });
        child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`run-plugin exited (${code}) before printing its port:\n${stdout}${stderr}`)); });
    });
}

/** GetSchema over the provider protocol, with the repository's own @pulumi/pulumi client stubs. */
function schemaOver(port: number): Promise<string> {
    const grpc = require("@grpc/grpc-js");
    const services = require("@pulumi/pulumi/proto/provider_grpc_pb");
    const messages = require("@pulumi/pulumi/proto/provider_pb");
    const client = new services.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new Promise((resolve, reject) => {
        client.getSchema(new messages.GetSchemaRequest(), (error: Error | null, response: { getSchema(): string }) => {
            client.close();
            if (error) reject(error); else resolve(response.getSchema());
        });
    });
}
