import { expect } from "chai";
import { createHash } from "crypto";
import * as path from "path";
import { repoRoot } from "../support/toolchain";
import { packedTarball, tarballEntries, tarballText, toolchainVersion } from "./support";

/** SHA-256 of the Apache License 2.0 as the Apache Software Foundation publishes it (LICENSE-2.0.txt). */
const apacheLicense20Sha256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30";

describe("package: what the tarball ships", function () {
    let tarball: string;
    let entries: string[];
    let manifest: Record<string, any>;

    before(async () => {
        tarball = await packedTarball();
        entries = tarballEntries(tarball);
        manifest = JSON.parse(tarballText(tarball, "package.json"));
    });

    it("a LICENSE with the standard Apache-2.0 text, as package.json's license says", () => {
        expect(manifest.license).to.equal("Apache-2.0");
        expect(entries).to.include("LICENSE");
        expect(createHash("sha256").update(tarballText(tarball, "LICENSE")).digest("hex")).to.equal(apacheLicense20Sha256);
    });

    it("no source maps, and no compiled file that points to one", () => {
        expect(entries.filter((e) => e.endsWith(".map"))).to.deep.equal([]);
        const pointing = entries.filter((e) => e.endsWith(".js")).filter((e) => /sourceMappingURL=/.test(tarballText(tarball, e)));
        expect(pointing).to.deep.equal([]);
    });

    it("no script that npm runs while installing the package (it could only fail: the build's sources are not shipped)", () => {
        const scripts = manifest.scripts ?? {};
        expect(Object.keys(scripts).filter((s) => ["preinstall", "install", "postinstall", "prepare"].includes(s))).to.deep.equal([]);
    });

    it("what main, types and bin name is in it", () => {
        for (const file of [manifest.main, manifest.types, ...Object.values<string>(manifest.bin)]) {
            expect(entries, file).to.include(path.posix.normalize(file));
        }
        expect(manifest.bin).to.deep.equal({
            "pulumi-resource-pulumi-bucket-replication": "bin/pulumi-resource-pulumi-bucket-replication",
            "pulumi-resource-bucket-replication": "bin/pulumi-resource-bucket-replication",
            "pulumi-bucket-replication": "bin/pulumi-bucket-replication",
        });
        expect(entries).to.include("dist/cli/main.js");
    });

    it("the provider modules that stacks' states load by path (dist/provider/<kind>.js)", () => {
        for (const kind of ["bucket", "bucketVersioning", "iamRole", "replicationConfiguration", "replicationVerification"]) {
            expect(entries).to.include(`dist/provider/${kind}.js`);
        }
    });

    it("the plugin: PulumiPlugin.yaml beside package.json and tsconfig.json at the root, named after the package (issue 19)", () => {
        for (const file of ["PulumiPlugin.yaml", "package.json", "tsconfig.json"]) expect(entries).to.include(file);
        expect(tarballText(tarball, "PulumiPlugin.yaml")).to.match(/^runtime: nodejs$/m);
        expect(manifest.name, "Pulumi names a plugin after package.json's name").to.equal("pulumi-bucket-replication");
        expect(manifest.main).to.equal("dist/provider/plugin/packageMain.js");
        for (const file of ["host.js", "server.js", "schema.js", "resources.js", "components.js", "functions.js", "packageMain.js"]) {
            expect(entries).to.include(`dist/provider/plugin/${file}`);
        }
        expect(entries.filter((e) => e.startsWith("provider/plugin/")), "0.1.0's plugin folder is gone").to.deep.equal([]);
    });

    it("@pulumi/pulumi as a peer dependency (the program's copy), over the range the package tests cover", () => {
        expect(manifest.dependencies ?? {}).to.not.have.property("@pulumi/pulumi");
        const range: string = manifest.peerDependencies["@pulumi/pulumi"];
        const semver = require(require.resolve("semver", { paths: [path.join(repoRoot, "node_modules", "@pulumi", "pulumi")] }));
        for (const key of ["PACKAGE_TEST_PULUMI_OLDEST", "PACKAGE_TEST_PULUMI_CLI", "PACKAGE_TEST_PULUMI_NEWEST"]) {
            expect(semver.satisfies(toolchainVersion(key), range), `${key} within ${range}`).to.equal(true);
        }
        expect(semver.minVersion(range).version, "the range starts at the oldest version tested").to.equal(toolchainVersion("PACKAGE_TEST_PULUMI_OLDEST"));
        // The repository's own tests run on the version pinned for development.
        expect(require(path.join(repoRoot, "package.json")).devDependencies["@pulumi/pulumi"]).to.equal(toolchainVersion("PACKAGE_TEST_PULUMI_CLI"));
        expect(toolchainVersion("PACKAGE_TEST_PULUMI_CLI")).to.equal(toolchainVersion("PULUMI_VERSION"));
    });

    it("nothing of the repository's own: no tests, examples, scripts, tools or TypeScript sources", () => {
        const foreign = entries.filter((e) => /^(test|examples|scripts|bench|sdk|tools|\.zones)\//.test(e) || (e.endsWith(".ts") && !e.endsWith(".d.ts")));
        expect(foreign).to.deep.equal([]);
    });
});
