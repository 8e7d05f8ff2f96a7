import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { ProviderKind, providerStubSource } from "../../sdk/providerStub";
import { repoRoot } from "../support/toolchain";

const kinds: ProviderKind[] = ["bucket", "bucketVersioning", "iamRole", "replicationConfiguration", "replicationVerification"];

/**
 * The stub as the dynamic-provider host runs it: the `__provider` text of the state, loaded as a
 * module of a folder of our choosing (the program's folder, in real runs). The host calls the
 * handler inside every call it serves, so the handler's error is what each call reports.
 */
function stubHandlerFromState(kind: ProviderKind, programDir: string): () => pulumi.dynamic.ResourceProvider {
    const Module = require("module");
    const file = path.join(programDir, "__provider.js");
    const stub = new Module(file);
    stub.filename = file;
    stub.paths = Module._nodeModulePaths(programDir);
    stub._compile(providerStubSource(kind), file);
    return stub.exports.handler;
}

describe("package: the provider stub in every stack's state", function () {
    let emptyFolder: string;
    before(() => { emptyFolder = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-no-package-")); });
    after(() => fs.rmSync(emptyFolder, { recursive: true, force: true }));

    for (const kind of kinds) {
        it(`loads 'pulumi-bucket-replication/dist/provider/${kind}' by that path, the same in every release`, async () => {
            const text = providerStubSource(kind);
            expect(text).to.contain(`"pulumi-bucket-replication/dist/provider/${kind}"`);
            expect(text.length, "bytes kept twice in every resource's state").to.be.at.most(300);
            const real = require(path.join(repoRoot, "dist", "provider", kind)).provider;
            for (const method of ["check", "diff", "create", "read", "update", "delete"]) expect(real[method], `${kind}.${method}`).to.be.a("function");
        });
    }

    it("where the package is installed, it hands calls to the package's provider", async () => {
        // The repository links itself into its node_modules (scripts/link-self.js), as an install would.
        const stub = stubHandlerFromState("bucketVersioning", repoRoot)();
        const result = await stub.check!({}, { zone: "local-a" });
        expect(result.failures?.map((f) => f.property)).to.include("bucket");
    });

    it("where it is not, every call fails naming the package, the folder and the command that installs it", async () => {
        const handler = stubHandlerFromState("bucket", emptyFolder);
        const cwd = process.cwd();
        process.chdir(emptyFolder);
        try {
            const failure = await Promise.resolve().then(() => handler().delete!("some-bucket", {})).then(() => undefined, (error: Error) => error);
            expect(failure, "delete's error").to.be.instanceOf(Error);
            expect(failure!.message).to.contain("Missing package");
            expect(failure!.message).to.contain(`the program's folder (${fs.realpathSync(emptyFolder)})`);
            expect(failure!.message).to.contain("npm install pulumi-bucket-replication @pulumi/pulumi");
            expect(failure!.message).to.not.contain("Cannot find module");
        } finally {
            process.chdir(cwd);
        }
    });

    it("the stub of an earlier release, kept in existing states, still hands calls to the package's provider", async () => {
        const Module = require("module");
        const file = path.join(repoRoot, "__provider.js");
        const stub = new Module(file);
        stub.filename = file;
        stub.paths = Module._nodeModulePaths(repoRoot);
        stub._compile(earlierStub("bucketVersioning"), file);
        const result = await stub.exports.handler().check({}, { zone: "local-a" });
        expect(result.failures?.map((f: { property: string }) => f.property)).to.include("bucket");
    });

    it("a broken install of the package keeps Node's own error, which names the missing piece", async () => {
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-broken-package-"));
        try {
            const providerDir = path.join(folder, "node_modules", "pulumi-bucket-replication", "dist", "provider");
            fs.mkdirSync(providerDir, { recursive: true });
            fs.writeFileSync(path.join(providerDir, "bucket.js"), "require('some-dependency-that-is-gone');\n");
            const handler = stubHandlerFromState("bucket", folder);
            const failure = await Promise.resolve().then(() => handler().delete!("b", {})).then(() => undefined, (error: Error) => error);
            expect(failure!.message).to.contain("Cannot find module 'some-dependency-that-is-gone'");
        } finally {
            fs.rmSync(folder, { recursive: true, force: true });
        }
    });
});

/** The stub as release 0.1.0 wrote it into states (verbatim), to show that the module path still serves it. */
function earlierStub(kind: ProviderKind): string {
    const m = JSON.stringify(`pulumi-bucket-replication/dist/provider/${kind}`);
    return `const m=${m};exports.handler=()=>{try{return require(m).provider}catch(e){` +
        `if(e?.code!=="MODULE_NOT_FOUND"||!String(e.message).includes("'"+m+"'"))throw e;` +
        `throw new Error("This stack needs the npm package 'pulumi-bucket-replication' in the program's folder ("+process.cwd()+"): ` +
        `run 'npm install pulumi-bucket-replication @pulumi/pulumi' there, then run the command again (any version manages what an earlier one created).")}};`;
}
