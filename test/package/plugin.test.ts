import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { mc } from "../support/localZones";
import { putObject, replicated } from "../support/objects";
import { installProgram, InstalledProgram, nodeRuntime, PackageStack, toolchainVersion } from "./support";

/**
 * LeaderFollower served by the component provider, as programs in any Pulumi language use it: a
 * Node program outside the repository declares bucket-replication:index:LeaderFollower as a remote
 * component (it imports no SDK of ours), and the engine starts pulumi-resource-bucket-replication from
 * PATH (npm put it in the program's node_modules/.bin). The component's resources are dynamic ones,
 * so the program's folder holds the package too: their providers load it from there.
 */
describe("package: the component provider serves LeaderFollower to a program that declares it remotely", function () {
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

    it("pulumi package get-schema describes both components, their inputs and outputs", async () => {
        const result = await stack.stack.run(["package", "get-schema", executable]);
        expect(result.code, result.stderr).to.equal(0);
        const schema = JSON.parse(result.stdout);
        expect(schema.name).to.equal("bucket-replication");
        expect(schema.version).to.equal(require(path.join(program.dir, "node_modules", "pulumi-bucket-replication", "package.json")).version);
        const leaderFollower = schema.resources["bucket-replication:index:LeaderFollower"];
        expect(leaderFollower.isComponent).to.equal(true);
        expect(Object.keys(leaderFollower.inputProperties).sort()).to.deep.equal(["deleteMarkerReplication", "followers", "leader", "verify"]);
        expect(leaderFollower.requiredInputs.sort()).to.deep.equal(["followers", "leader"]);
        expect(Object.keys(leaderFollower.properties).sort()).to.deep.equal(["diagram", "followerNames", "leaderName", "replicationLag", "roleName"]);
        const biDirectional = schema.resources["bucket-replication:index:BiDirectional"];
        expect(Object.keys(biDirectional.inputProperties).sort()).to.deep.equal(["a", "b", "deleteMarkerReplication", "verify"]);
        expect(Object.keys(biDirectional.properties).sort()).to.deep.equal(["aName", "aToBRoleName", "bName", "bToARoleName", "diagram", "replicationLag"]);
        expect(Object.keys(schema.types["bucket-replication:index:TopologyBucketArgs"].properties).sort()).to.deep.equal(["forceDestroy", "name", "zone"]);
        expect(schema.types["bucket-replication:index:VerifyArgs"].properties.timeoutSeconds.type).to.equal("number");
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

    it("the PulumiPlugin.yaml folder runs under @pulumi/pulumi's run-plugin, as a plugin-running language host starts it, with the same schema", async () => {
        // Language hosts that run source plugins start `node <@pulumi/pulumi>/cmd/run-plugin <plugin folder>`;
        // the 3.68 host built here does not (it answers RunPlugin 'not supported'), so this test starts it
        // the same way and asks for the schema over the provider protocol.
        const pluginDir = path.join(program.dir, "node_modules", "pulumi-bucket-replication", "provider", "plugin");
        const runPlugin = path.join(program.dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin", "index.js");
        const child = spawn(program.node.node, [runPlugin, pluginDir], { cwd: program.dir, stdio: ["ignore", "pipe", "pipe"] });
        try {
            const port = await firstLine(child);
            const fromRunPlugin = JSON.parse(await schemaOver(port));
            const fromExecutable = JSON.parse((await stack.stack.run(["package", "get-schema", executable])).stdout);
            // The CLI re-encodes the provider's schema: it drops the `optional` markers (the `required` lists
            // say the same), empty `required` lists and `dependencies`, and adds an empty `config`. What matters is compared.
            const essence = (schema: Record<string, unknown>) => withoutOptionalMarkers(
                Object.fromEntries(["name", "version", "description", "resources", "types"].map((key) => [key, schema[key]])));
            expect(essence(fromRunPlugin)).to.deep.equal(essence(fromExecutable));
        } finally {
            child.kill();
        }
    });
});

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
