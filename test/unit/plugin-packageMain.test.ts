import { expect } from "chai";
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../support/toolchain";

// The package's `main` (dist/provider/plugin/packageMain.js) in its two lives, each in a process of its own:
// required by a program it is the SDK; started by @pulumi/pulumi's run-plugin on the package's root, as a
// language host that runs plugins from source starts a PulumiPlugin.yaml folder, it is the plugin, which this
// file then talks to over the provider protocol. Needs the build (npm test builds; else `npm run build`).

const mainFile = path.join(repoRoot, "dist", "provider", "plugin", "packageMain.js");
const pluginName = "pulumi-bucket-replication";
const packageVersion: string = require(path.join(repoRoot, "package.json")).version;

/** @pulumi/pulumi's own modules, from its folder: its grpc-js and protobuf are what the plugin's server is built with. */
const hostDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [repoRoot] }));
const fromHost = (name: string) => require(require.resolve(name, { paths: [hostDir] }));
const grpc = fromHost("@grpc/grpc-js");
const { Struct } = fromHost("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromHost("google-protobuf/google/protobuf/empty_pb");
const providerRpc = require(path.join(hostDir, "proto", "provider_grpc_pb"));
const providerPb = require(path.join(hostDir, "proto", "provider_pb"));
const engineRpc = require(path.join(hostDir, "proto", "engine_grpc_pb"));
const enginePb = require(path.join(hostDir, "proto", "engine_pb"));

function requireBuild(): void {
    if (!fs.existsSync(mainFile)) {
        throw new Error(`${path.relative(repoRoot, mainFile)} is missing: run 'npm run build' (npm test does) before these tests.`);
    }
}

const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
const urnOf = (type: string, name: string) => `urn:pulumi:dev::proj::${pluginName}:index:${type}::${name}`;

describe("plugin packageMain: required by a program, it is the SDK", () => {
    before(requireBuild);

    it("gives the SDK's classes and functions, the same module as dist/sdk and as the package itself", async () => {
        const script = `const m = require(${JSON.stringify(mainFile)});
            console.log(JSON.stringify({
                sdk: m === require(${JSON.stringify(path.join(repoRoot, "dist", "sdk"))}), byName: m === require(${JSON.stringify(repoRoot)}),
                kinds: ["LeaderFollower", "BiDirectional", "Bucket", "BucketVersioning", "IamRole", "ReplicationConfiguration", "replicationPolicy"].map((k) => typeof m[k]),
            }));`;
        const stdout = await new Promise<string>((resolve, reject) =>
            execFile(process.execPath, ["-e", script], { cwd: repoRoot, timeout: 60_000 }, (error, out, err) => error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
        expect(JSON.parse(stdout)).to.deep.equal({ sdk: true, byName: true, kinds: Array(7).fill("function") });
    });
});

describe("plugin packageMain: started by run-plugin on the package's root, it is the plugin", function () {
    let engine: FakeEngine;
    let child: ChildProcess | undefined;
    let output = "";
    let client: any;

    before(async function () {
        requireBuild();
        engine = await FakeEngine.start();
        // What a language host that runs plugins starts: node <@pulumi/pulumi>/cmd/run-plugin <plugin folder> <engine>.
        child = spawn(process.execPath, [path.join(hostDir, "cmd", "run-plugin"), repoRoot, engine.address], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
        child.stderr!.on("data", (chunk) => { output += chunk; });
        const port = await portOf(child, () => output);
        client = new providerRpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(async () => {
        client?.close();
        if (child && child.exitCode === null) {
            const exited = new Promise((resolve) => child!.once("exit", resolve));
            child.kill();
            await exited;
        }
        await engine?.stop();
    });

    const call = <T = any>(method: string, request: unknown): Promise<T> => new Promise((resolve, reject) =>
        client[method](request, (error: Error | null, response: T) => error ? reject(new Error(`${method}: ${error.message}\n${output}`)) : resolve(response)));

    it("answers GetSchema with the schema named pulumi-bucket-replication, its resources, components and functions", async () => {
        const schema = JSON.parse((await call("getSchema", new providerPb.GetSchemaRequest())).getSchema());
        expect(schema).to.deep.include({ name: pluginName, version: packageVersion });
        expect(schema.resources[`${pluginName}:index:Bucket`].inputProperties).to.have.property("zone");
        expect(schema.resources[`${pluginName}:index:LeaderFollower`]).to.deep.include({ isComponent: true });
        expect(schema.functions).to.have.property(`${pluginName}:index:replicationPolicy`);
        const { packageSchema } = require(path.join(repoRoot, "dist", "provider", "plugin", "schema.js"));
        expect(schema).to.deep.equal(packageSchema(pluginName, packageVersion));
    });

    it("answers GetPluginInfo with the package's version", async () => {
        expect((await call("getPluginInfo", new Empty())).getVersion()).to.equal(packageVersion);
    });

    it("reads its configuration as the engine sends it (variables keyed <package>:config:<key>, args by key)", async () => {
        // pulumi 3.248, sdk/go/common/resource/plugin/provider_plugin.go, provider.Configure: the deprecated
        // `variables` are keyed `<pkg>:config:<key>`; `args` holds the same values by their short key.
        const settings = { backend: "minio", zones: JSON.stringify({ "only-zone": { endpoint: "http://127.0.0.1:1" } }), accessKey: "a", secretKey: "s" };
        const configure = new providerPb.ConfigureRequest();
        for (const [key, value] of Object.entries(settings)) configure.getVariablesMap().set(`${pluginName}:config:${key}`, value);
        configure.setArgs(Struct.fromJavaScript({ ...settings, secretKey: secret(settings.secretKey) }));
        configure.setType(`pulumi:providers:${pluginName}`);
        configure.setAcceptsecrets(true);
        configure.setAcceptresources(true);
        expect((await call("configure", configure)).getAcceptsecrets()).to.equal(true);

        const check = checkRequest(urnOf("Bucket", "logs"), { zone: "only-zone" });
        const response = await call("check", check);
        const failures = response.getFailuresList().map((f: any) => `${f.getProperty()}: ${f.getReason()}`);
        expect(failures, "the zone configured through Configure").to.deep.equal([]);
        expect(response.getInputs().toJavaScript()).to.deep.include({ zone: "only-zone", namePrefix: "logs", forceDestroy: false, tags: {} });
        expect(response.getInputs().toJavaScript().name).to.match(/^logs-[a-z0-9]{8}$/);
    });

    it("keeps a secret input secret in what Check returns", async () => {
        const policy = { Version: "2012-10-17", Statement: [] };
        const response = await call("check", checkRequest(urnOf("IamRole", "role"), { policy: secret(policy), description: "d" }));
        const inputs = response.getInputs().toJavaScript();
        expect(inputs.policy).to.deep.equal(secret(policy));
        expect(inputs.description).to.equal("d");
    });

    it("answers Diff with a detailed diff: a tag change updates `tags`, a zone change replaces on `zone`", async () => {
        const state = { name: "logs-abcd1234", namePrefix: "logs", identity: "i", zone: "zone-a", endpoint: "http://127.0.0.1:1", forceDestroy: false, tags: { team: "a" } };
        const inputs = { name: state.name, namePrefix: "logs", identity: "i", zone: "zone-a", forceDestroy: false, tags: { team: "a" } };
        const kinds = providerPb.PropertyDiff.Kind;
        const diff = async (news: Record<string, unknown>) => {
            const request = new providerPb.DiffRequest();
            request.setId("zone-a/logs-abcd1234");
            request.setUrn(urnOf("Bucket", "logs"));
            request.setOlds(Struct.fromJavaScript(state));
            request.setNews(Struct.fromJavaScript(news));
            const response = await call("diff", request);
            const detailed: Record<string, number> = {};
            response.getDetaileddiffMap().forEach((entry: any, key: string) => { detailed[key] = entry.getKind(); });
            return { changes: response.getChanges(), replaces: response.getReplacesList(), diffs: response.getDiffsList(), hasDetailedDiff: response.getHasdetaileddiff(), detailed };
        };
        expect(await diff({ ...inputs, tags: { team: "b" } })).to.deep.equal({
            changes: providerPb.DiffResponse.DiffChanges.DIFF_SOME, replaces: [], diffs: ["tags"], hasDetailedDiff: true, detailed: { tags: kinds.UPDATE },
        });
        expect(await diff({ ...inputs, zone: "zone-b" })).to.deep.include({ replaces: ["zone"], detailed: { zone: kinds.UPDATE_REPLACE } });
        expect(await diff(inputs)).to.deep.include({ changes: providerPb.DiffResponse.DiffChanges.DIFF_NONE, replaces: [], detailed: {} });
    });

    it("answers Invoke of replicationPolicy with the backend's policy", async () => {
        const request = new providerPb.InvokeRequest();
        request.setTok(`${pluginName}:index:replicationPolicy`);
        request.setArgs(Struct.fromJavaScript({ backend: "aws", source: { name: "src", zone: "eu-west-1" }, destinations: [{ name: "dst", zone: "us-east-1" }] }));
        const response = await call("invoke", request);
        expect(response.getFailuresList()).to.deep.equal([]);
        expect(JSON.stringify(response.getReturn().toJavaScript().policy)).to.contain("arn:aws:s3:::dst");
    });

    it("refuses a type it does not serve, naming those it does", async () => {
        const error = await call("check", checkRequest(urnOf("Nope", "x"), {})).then(() => undefined, (e: Error) => e);
        expect(error?.message).to.match(/Unknown resource type '[^']*:index:Nope'.*Bucket, BucketVersioning, IamRole, ReplicationConfiguration, ReplicationVerification/);
    });
});

function checkRequest(urn: string, news: Record<string, unknown>): unknown {
    const request = new providerPb.CheckRequest();
    request.setUrn(urn);
    request.setOlds(Struct.fromJavaScript({}));
    request.setNews(Struct.fromJavaScript(news));
    return request;
}

/** The port a provider prints as its first line, or the process's output when it ends or stays silent first. */
function portOf(child: ChildProcess, stderr: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
        let stdout = "";
        const timer = setTimeout(() => reject(new Error(`run-plugin printed no port within 60 s:\n${stdout}${stderr()}`)), 60_000);
        child.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const line = stdout.split("\n")[0].trim();
            if (stdout.includes("\n") && /^\d+$/.test(line)) { clearTimeout(timer); resolve(Number(line)); }
        });
        child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`run-plugin exited (${code}) before printing its port:\n${stdout}${stderr()}`)); });
    });
}

/** The engine's side a provider calls back (its log, the root resource), answering every call with nothing. */
class FakeEngine {
    readonly logs: string[] = [];
    private constructor(private readonly server: any, readonly address: string) {}

    static async start(): Promise<FakeEngine> {
        const server = new grpc.Server();
        const port: number = await new Promise((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error: Error | null, p: number) => error ? reject(error) : resolve(p)));
        const engine = new FakeEngine(server, `127.0.0.1:${port}`);
        server.addService(engineRpc.EngineService, {
            log: (call: any, callback: any) => { engine.logs.push(call.request.getMessage()); callback(null, new Empty()); },
            getRootResource: (_call: any, callback: any) => callback(null, new enginePb.GetRootResourceResponse()),
            setRootResource: (_call: any, callback: any) => callback(null, new enginePb.SetRootResourceResponse()),
        });
        return engine;
    }

    stop(): Promise<void> {
        return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
    }
}
