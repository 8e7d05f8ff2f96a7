import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { repoRoot } from "../support/toolchain";

const pinned = fs.readFileSync(path.join(repoRoot, "scripts", "toolchain.env"), "utf8").match(/^PULUMI_VERSION=(\S+)$/m)![1];

/**
 * A throw-away world for scripts/setup.sh: a temporary PBR_CACHE, a fake `go` that records what it is
 * asked to build (and writes a placeholder where a binary would go), and optionally a fake installed
 * Pulumi CLI that prints a given version. PATH holds only these and the system's basic commands, so
 * neither the real Go toolchain nor a real Pulumi CLI can be reached.
 */
class SetupWorld {
    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-setup-"));
    readonly cache = path.join(this.root, "cache");
    readonly fakes = path.join(this.root, "fakes");
    readonly installDir = path.join(this.root, "installed", "bin");
    readonly goLog = path.join(this.root, "go.log");

    constructor() {
        fs.mkdirSync(this.fakes, { recursive: true });
        fs.mkdirSync(this.installDir, { recursive: true });
        this.script(path.join(this.fakes, "go"), [
            `echo "$*" >> '${this.goLog}'`,
            // `go build -o OUT ...` and `go install MODULE@VERSION` (into GOBIN) leave a placeholder binary.
            `if [ "$1" = build ]; then while [ $# -gt 0 ]; do if [ "$1" = -o ]; then printf '#!/bin/sh\\necho built\\n' > "$2"; chmod +x "$2"; fi; shift; done; fi`,
            `if [ "$1" = install ]; then for a in "$@"; do case "$a" in *@*) n="\${a%@*}"; n="\${n##*/}"; printf '#!/bin/sh\\n' > "$GOBIN/$n"; chmod +x "$GOBIN/$n";; esac; done; fi`,
            "exit 0",
        ]);
    }

    /** A fake installed `pulumi` that prints `version`, optionally with its language host beside it. */
    installPulumi(version: string, withLanguageHost: boolean): string {
        const cli = path.join(this.installDir, "pulumi");
        this.script(cli, [`if [ "$1" = version ]; then echo "${version}"; fi`]);
        if (withLanguageHost) this.script(path.join(this.installDir, "pulumi-language-nodejs"), ["exit 0"]);
        return cli;
    }

    async setup(): Promise<string> {
        // The Python venv comes from PyPI, not from the fake tools: these cases are about the Go builds and links.
        const env = { HOME: this.root, PBR_CACHE: this.cache, PBR_PYTHON_VENV: "skip", PATH: `${this.fakes}:${this.installDir}:/usr/bin:/bin` };
        const { stderr } = await promisify(execFile)("bash", [path.join(repoRoot, "scripts", "setup.sh")], { env });
        return stderr;
    }

    /** What `go` was asked to build: the output paths of `go build -o`. */
    builtByGo(): string[] {
        if (!fs.existsSync(this.goLog)) return [];
        return fs.readFileSync(this.goLog, "utf8").split("\n").map((line) => line.match(/ -o (\S+)/)?.[1]).filter((o): o is string => !!o).map((o) => path.basename(o));
    }

    link(name: string): string | undefined {
        const file = path.join(this.cache, "bin", name);
        return fs.lstatSync(file).isSymbolicLink() ? fs.readlinkSync(file) : undefined;
    }

    dispose(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }

    private script(file: string, lines: string[]): void {
        fs.writeFileSync(file, ["#!/bin/sh", ...lines, ""].join("\n"), { mode: 0o755 });
    }
}

const bump = (version: string, part: 0 | 1 | 2, by: number) => version.split(".").map((n, i) => (i === part ? Number(n) + by : i > part ? 0 : Number(n))).join(".");

describe("package: scripts/setup.sh uses a Pulumi CLI that is already installed", function () {
    this.timeout(60_000);
    let world: SetupWorld;
    beforeEach(() => { world = new SetupWorld(); });
    afterEach(() => world.dispose());

    it(`links a newer installed CLI and its language host instead of building (pinned ${pinned})`, async () => {
        const cli = world.installPulumi(`v${bump(pinned, 1, 22)}`, true);
        const log = await world.setup();
        expect(world.link("pulumi")).to.equal(cli);
        expect(world.link("pulumi-language-nodejs")).to.equal(path.join(world.installDir, "pulumi-language-nodejs"));
        expect(world.builtByGo()).to.not.include.members(["pulumi"]);
        expect(world.builtByGo()).to.not.include.members(["pulumi-language-nodejs"]);
        expect(log).to.contain(`using the one installed at ${cli}`);
    });

    it("links an installed CLI of exactly the pinned version", async () => {
        const cli = world.installPulumi(`v${pinned}`, true);
        await world.setup();
        expect(world.link("pulumi")).to.equal(cli);
        expect(world.builtByGo()).to.deep.equal([]);
    });

    it("builds the pinned CLI when the installed one is older, and says why", async () => {
        const older = pinned.startsWith("3.0.") ? "2.99.0" : bump(pinned, 1, -1);
        const cli = world.installPulumi(`v${older}`, true);
        const log = await world.setup();
        expect(world.link("pulumi")).to.equal(undefined);
        expect(world.builtByGo()).to.include.members(["pulumi", "pulumi-language-nodejs"]);
        expect(log).to.contain(`pulumi at ${cli} is v${older}, older than the pinned ${pinned}`);
    });

    it("builds the pinned CLI when none is installed", async () => {
        const log = await world.setup();
        expect(world.builtByGo()).to.include.members(["pulumi", "pulumi-language-nodejs"]);
        expect(log).to.contain("no Pulumi CLI on PATH");
    });

    it("builds the language host when the installed CLI has none beside it", async () => {
        const cli = world.installPulumi(`v${bump(pinned, 2, 1)}`, false);
        await world.setup();
        expect(world.link("pulumi")).to.equal(cli);
        expect(world.builtByGo()).to.deep.equal(["pulumi-language-nodejs"]);
    });

    it("treats an unreadable version as too old, and builds", async () => {
        world.installPulumi("not a version", true);
        const log = await world.setup();
        expect(world.builtByGo()).to.include("pulumi");
        expect(log).to.contain("older than the pinned");
    });

    it("replaces its own link by a build once the installed CLI is gone, writing nothing through the old link", async () => {
        const cli = world.installPulumi(`v${bump(pinned, 0, 1)}`, true);
        await world.setup();
        expect(world.link("pulumi")).to.equal(cli);
        fs.rmSync(cli);
        await world.setup();
        expect(world.link("pulumi")).to.equal(undefined);
        expect(fs.readFileSync(path.join(world.cache, "bin", "pulumi"), "utf8")).to.contain("built");
        expect(fs.existsSync(cli)).to.equal(false);
    });

    it("a second run with the same installed CLI builds nothing", async () => {
        world.installPulumi(`v${bump(pinned, 1, 1)}`, true);
        await world.setup();
        fs.rmSync(world.goLog, { force: true });
        await world.setup();
        expect(world.builtByGo()).to.deep.equal([]);
    });
});
