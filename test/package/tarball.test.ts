import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { mc } from "../support/localZones";
import { putObject, replicated } from "../support/objects";
import { copiesOf, installProgram, InstalledProgram, lingeringWith, nodeRuntime, PackageStack, toolchainVersion } from "./support";

/**
 * The packed tarball as a user meets it: installed into a program outside the repository, next to
 * the user's own @pulumi/pulumi, under the oldest SDK the package accepts, the CLI's own release,
 * and the newest SDK with the newest Node.js (scripts/toolchain.env pins the three); `pulumi up` replicates for real on the local MinIO pair, and `destroy` removes it.
 */
const pairs = ["OLDEST", "CLI", "NEWEST"].map((which) => ({
    node: toolchainVersion(`PACKAGE_TEST_NODE_${which}`),
    pulumi: toolchainVersion(`PACKAGE_TEST_PULUMI_${which}`),
}));

for (const pair of pairs) {
    describe(`package: the packed tarball in a program outside the repository, Node ${pair.node} with @pulumi/pulumi ${pair.pulumi}`, function () {
        let program: InstalledProgram;
        let stack: PackageStack;
        let out: Record<string, string>;

        before(async () => {
            program = await installProgram("package-leader-follower", await nodeRuntime(pair.node), pair.pulumi);
            stack = await PackageStack.init(program);
        });

        after(async () => {
            await stack?.dispose();
            program?.dispose();
        });

        it("installs with the program's own @pulumi/pulumi as the only copy, and runs no install script of this package", () => {
            expect(copiesOf(program.dir, "@pulumi/pulumi")).to.deep.equal([{ dir: path.join(program.dir, "node_modules", "@pulumi", "pulumi"), version: pair.pulumi }]);
            expect(copiesOf(program.dir, "pulumi-bucket-replication").map((c) => c.dir)).to.deep.equal([path.join(program.dir, "node_modules", "pulumi-bucket-replication")]);
            // npm names every dependency whose install scripts it ran or held back; this package has none.
            expect(program.npmOutput).to.not.match(/pulumi-bucket-replication@[^\s]+ \((preinstall|install|postinstall|prepare)/);
        });

        it(`pulumi up converges under Node ${pair.node}, and no process it started outlives it`, async () => {
            const result = await stack.must("up");
            expect(result.stdout).to.match(/\+ 8 created/);
            const providers = result.seen.filter((p) => p.command.includes("dynamic-provider"));
            expect(providers, "dynamic-provider processes seen during up").to.not.be.empty;
            expect(providers.map((p) => p.exe), "the Node.js that ran the providers").to.satisfy((exes: string[]) => exes.every((exe) => exe === program.node.node));
            expect(result.seen.filter((p) => p.command.includes("cmd/run")).map((p) => p.exe), "the Node.js that ran the program").to.include(program.node.node);
            expect(stack.lingering()).to.deep.equal([]);
            out = await stack.stack.outputs();
            expect(out.leader).to.match(/^pkg-leader-[a-z0-9]{8}$/);
            await stack.must("refresh");
            const preview = await stack.must("preview");
            expect(preview.stdout).to.match(/8 unchanged/);
            expect(preview.stdout).to.not.match(/to (create|update|delete|replace)/);
            expect(stack.lingering()).to.deep.equal([]);
        });

        it("replicates an object written to the leader", async () => {
            await putObject("local-a", out.leader, "from-the-package.txt", `written under Node ${pair.node}\n`);
            await replicated("local-b", out.follower, "from-the-package.txt", `written under Node ${pair.node}\n`, "REPLICA");
        });

        it("a program folder that lost the package: destroy fails, naming what to install, and deletes nothing", async () => {
            const installed = path.join(program.dir, "node_modules", "pulumi-bucket-replication");
            const aside = `${installed}.aside`;
            fs.renameSync(installed, aside);
            try {
                const result = await stack.stack.destroy();
                expect(result.code).to.not.equal(0);
                const text = result.stdout + result.stderr;
                expect(text).to.contain("npm install pulumi-bucket-replication @pulumi/pulumi");
                expect(text).to.contain(`in the program's folder (${program.dir})`);
                expect(stack.lingering()).to.deep.equal([]);
            } finally {
                fs.renameSync(aside, installed);
            }
            const buckets = (await mc(["ls", "local-a"])).map((entry) => entry.key);
            expect(buckets).to.include(`${out.leader}/`);
        });

        it("pulumi destroy removes buckets and role, and no process it started outlives it", async () => {
            const result = await stack.must("destroy");
            expect(result.seen.filter((p) => p.command.includes("dynamic-provider")), "dynamic-provider processes seen during destroy").to.not.be.empty;
            expect(stack.lingering()).to.deep.equal([]);
            expect((await mc(["ls", "local-a"])).map((entry) => entry.key)).to.not.include(`${out.leader}/`);
            expect((await mc(["ls", "local-b"])).map((entry) => entry.key)).to.not.include(`${out.follower}/`);
            for (const zone of ["local-a", "local-b"]) {
                expect((await mc(["admin", "user", "list", zone])).map((u) => u.accessKey)).to.not.include(out.role);
            }
        });
    });
}

describe("package: the process check sees what it is meant to see", function () {
    it("finds a process started with the marker, and loses it once it ends", async () => {
        const { spawn } = require("child_process") as typeof import("child_process");
        const marker = `self-test-${process.pid}`;
        const child = spawn("sleep", ["30"], { env: { ...process.env, PBR_PACKAGE_RUN: marker }, stdio: "ignore" });
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(lingeringWith(marker).map((p) => p.pid)).to.deep.equal([child.pid]);
        child.kill();
        await new Promise((resolve) => child.on("exit", resolve));
        expect(lingeringWith(marker)).to.deep.equal([]);
    });
});
