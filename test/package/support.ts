// What the package tests share: the packed tarball, Node.js runtimes from the npm registry, programs
// installed outside the repository, and a look at the processes a Pulumi command left behind.
import { execFile, execFileSync } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { localZones } from "../support/localZones";
import { PulumiStack, RunResult } from "../support/pulumiStack";
import { repoRoot, toolBin } from "../support/toolchain";

const run = promisify(execFile);

/** The versions pinned in scripts/toolchain.env. */
export function toolchainVersion(key: string): string {
    const text = fs.readFileSync(path.join(repoRoot, "scripts", "toolchain.env"), "utf8");
    const value = text.match(new RegExp(`^${key}=(\\S+)$`, "m"))?.[1];
    if (!value) throw new Error(`scripts/toolchain.env has no ${key}=...; the package tests need it.`);
    return value;
}

/** The cache outside the repository (PBR_CACHE): the folder above the tools' bin, as scripts/setup.sh made it. */
export const cacheDir = path.dirname(toolBin());

/**
 * npm's own cache for these tests, beside the tools: the first run fills it from the registry, later
 * runs install from it with --prefer-offline and need no network.
 */
export const npmCacheDir = path.join(cacheDir, "npm-cache");

/** The npm command line of the machine (npm-cli.js), run by whichever Node.js the test chose. */
function npmCli(): string {
    const npm = execFileSync("bash", ["-c", "command -v npm"], { encoding: "utf8" }).trim();
    if (!npm) throw new Error("npm is not on PATH; the package tests install with it.");
    const cli = fs.realpathSync(npm);
    if (!cli.endsWith(".js")) throw new Error(`npm on PATH (${npm}) does not lead to npm-cli.js but to ${cli}; the package tests need to run it with other Node.js versions.`);
    return cli;
}

async function npm(node: NodeRuntime, cwd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
    const env = { ...process.env, PATH: `${node.binDir}:${process.env.PATH}`, npm_config_update_notifier: "false" };
    try {
        return await run(node.node, [npmCli(), ...args, "--cache", npmCacheDir, "--prefer-offline", "--no-audit", "--no-fund"], { cwd, env, maxBuffer: 64 << 20 });
    } catch (error) {
        const failed = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`npm ${args.join(" ")} (in ${cwd}, Node ${node.version}) failed:\n${failed.stdout ?? ""}${failed.stderr ?? ""}${failed.message}`);
    }
}

let tarball: Promise<string> | undefined;

/**
 * `npm pack` of the repository, once per test run, into a temporary folder. Packs what `npm test`
 * compiled (dist/): prepack's build is skipped so that the tests do not compile the package twice.
 */
export function packedTarball(): Promise<string> {
    tarball ??= (async () => {
        if (!fs.existsSync(path.join(repoRoot, "dist", "sdk", "index.js"))) {
            throw new Error("dist/ is missing: run 'npm run build' (npm test does) before the package tests.");
        }
        const destination = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-pack-"));
        process.on("exit", () => fs.rmSync(destination, { recursive: true, force: true }));
        const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], { cwd: repoRoot, maxBuffer: 64 << 20 });
        const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
        return path.join(destination, filename);
    })();
    return tarball;
}

/** The entries of a tarball, without the leading `package/`. */
export function tarballEntries(file: string): string[] {
    return execFileSync("tar", ["-tzf", file], { encoding: "utf8", maxBuffer: 64 << 20 }).split("\n").filter(Boolean).map((e) => e.replace(/^package\//, ""));
}

/** One entry of a tarball, as text. */
export function tarballText(file: string, entry: string): string {
    return execFileSync("tar", ["-xzOf", file, `package/${entry}`], { encoding: "utf8", maxBuffer: 64 << 20 });
}

export interface NodeRuntime {
    readonly version: string;
    readonly node: string;
    readonly binDir: string;
}

/**
 * Node.js `version` from the npm registry's node-<platform>-<arch> package (the binaries the `node`
 * package installs), unpacked once into $PBR_CACHE/node/<version>. Idempotent; a half-finished
 * unpack is never taken for a finished one.
 */
export async function nodeRuntime(version: string): Promise<NodeRuntime> {
    const dir = path.join(cacheDir, "node", version);
    const binDir = path.join(dir, "bin");
    const node = path.join(binDir, "node");
    const ready = () => fs.existsSync(node) && execFileSync(node, ["--version"], { encoding: "utf8" }).trim() === `v${version}`;
    if (!ready()) {
        const packageName = `node-${process.platform}-${process.arch}`;
        fs.mkdirSync(path.dirname(dir), { recursive: true });
        const staging = fs.mkdtempSync(path.join(path.dirname(dir), `.${version}-`));
        try {
            const host: NodeRuntime = { version: process.versions.node, node: process.execPath, binDir: path.dirname(process.execPath) };
            await npm(host, staging, ["pack", `${packageName}@${version}`, "--pack-destination", staging]);
            const archive = fs.readdirSync(staging).find((f) => f.endsWith(".tgz"));
            if (!archive) throw new Error(`npm pack ${packageName}@${version} left no archive in ${staging}.`);
            fs.mkdirSync(path.join(staging, "bin"));
            execFileSync("tar", ["-xzf", path.join(staging, archive), "-C", path.join(staging, "bin"), "--strip-components=2", "package/bin/node"]);
            fs.rmSync(path.join(staging, archive));
            fs.rmSync(dir, { recursive: true, force: true });
            fs.renameSync(staging, dir);
        } finally {
            fs.rmSync(staging, { recursive: true, force: true });
        }
        if (!ready()) throw new Error(`${node} does not report v${version} after unpacking ${packageName}@${version}.`);
    }
    return { version, node, binDir };
}

export interface InstalledProgram {
    readonly dir: string;
    readonly node: NodeRuntime;
    /** npm's output of the install, for what it says about install scripts. */
    readonly npmOutput: string;
    dispose(): void;
}

/**
 * Copies test/programs/<name> into a temporary folder outside the repository and installs into it,
 * as a user would: the tarball, @pulumi/pulumi at `pulumiVersion`, TypeScript and Node's types.
 */
export async function installProgram(name: string, node: NodeRuntime, pulumiVersion: string): Promise<InstalledProgram> {
    return installProgramWith(name, node, pulumiVersion, await packedTarball());
}

/** installProgram with the package from `tarball` (such as releaseTarball's) instead of packedTarball(). */
export async function installProgramWith(name: string, node: NodeRuntime, pulumiVersion: string, tarball: string): Promise<InstalledProgram> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pbr-${name}-`));
    fs.cpSync(path.join(repoRoot, "test", "programs", name), dir, { recursive: true });
    const types = require(path.join(repoRoot, "node_modules", "@types", "node", "package.json")).version;
    const typescript = require(path.join(repoRoot, "node_modules", "typescript", "package.json")).version;
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({
        name: `pbr-${name}`,
        private: true,
        main: "index.ts",
        dependencies: { "@pulumi/pulumi": pulumiVersion, "pulumi-bucket-replication": `file:${tarball}` },
        devDependencies: { "@types/node": types, typescript },
    }, null, 2));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
        compilerOptions: { strict: true, target: "es2020", module: "commonjs", moduleResolution: "node", skipLibCheck: false, types: ["node"] },
        files: ["index.ts"],
    }, null, 2));
    const { stdout, stderr } = await npm(node, dir, ["install"]);
    return { dir, node, npmOutput: stdout + stderr, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Upgrades (or downgrades) the package in an installed program to the one in `tarball`, as a user does:
 * the dependency in its package.json changes, then `npm install`. Fails unless the program's
 * node_modules then holds that tarball's version. Returns npm's output.
 */
export async function reinstallPackage(program: InstalledProgram, tarball: string): Promise<string> {
    const manifest = path.join(program.dir, "package.json");
    const pkg = JSON.parse(fs.readFileSync(manifest, "utf8"));
    pkg.dependencies["pulumi-bucket-replication"] = `file:${tarball}`;
    fs.writeFileSync(manifest, JSON.stringify(pkg, null, 2));
    const { stdout, stderr } = await npm(program.node, program.dir, ["install"]);
    const wanted = JSON.parse(tarballText(tarball, "package.json")).version;
    const installed = installedVersion(program.dir);
    if (installed !== wanted) throw new Error(`npm install of ${tarball} in ${program.dir} left pulumi-bucket-replication ${installed}, not ${wanted}:\n${stdout}${stderr}`);
    return stdout + stderr;
}

/** The version of pulumi-bucket-replication in a program's node_modules. */
export function installedVersion(programDir: string): string {
    return JSON.parse(fs.readFileSync(path.join(programDir, "node_modules", "pulumi-bucket-replication", "package.json"), "utf8")).version;
}

const releaseTarballs = new Map<string, Promise<string>>();

/**
 * The tarball of an earlier release, built from the repository's history as it was released: the tree of
 * `commit` (git archive), `npm ci` there from npmCacheDir, then `npm pack`, whose prepack builds it. Kept
 * in $PBR_CACHE/releases/<commit>/ (moved there only once whole), so that later runs, on any clone, reuse
 * it. Fails loudly when the commit is not in the repository, as in a shallow clone: the tests never skip.
 * Checks that the tarball's package.json says `version`.
 */
export function releaseTarball(commit: string, version: string): Promise<string> {
    let packed = releaseTarballs.get(commit);
    if (!packed) {
        packed = packRelease(commit, version);
        releaseTarballs.set(commit, packed);
    }
    return packed;
}

async function packRelease(commit: string, version: string): Promise<string> {
    const dir = path.join(cacheDir, "releases", commit);
    const file = path.join(dir, `pulumi-bucket-replication-${version}.tgz`);
    const check = (tarball: string) => {
        const found = JSON.parse(tarballText(tarball, "package.json")).version;
        if (found !== version) throw new Error(`The tarball packed from commit ${commit} (${tarball}) is version ${found}, not ${version}: the commit pinned for ${version} is not that release.`);
        return tarball;
    };
    if (fs.existsSync(file)) return check(file);
    const git = (args: string[]) => execFileSync("git", ["-C", repoRoot, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    try {
        git(["cat-file", "-e", `${commit}^{commit}`]);
    } catch {
        let shallow = "";
        try { shallow = git(["rev-parse", "--is-shallow-repository"]); } catch { /* not a git repository at all */ }
        throw new Error(`The repository at ${repoRoot} does not have commit ${commit}, from which the ${version} tarball is built` +
            (shallow === "true" ? ": it is a shallow clone. Fetch the whole history ('git fetch --unshallow') or clone without --depth." :
                shallow === "false" ? ". Fetch the history that holds it ('git fetch origin')." : ": it is not a git checkout. Run the tests in a clone of the repository."));
    }
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const staging = fs.mkdtempSync(path.join(path.dirname(dir), `.${commit.slice(0, 12)}-`));
    try {
        const source = path.join(staging, "source");
        fs.mkdirSync(source);
        execFileSync("bash", ["-o", "pipefail", "-c", 'git -C "$1" archive --format=tar "$2" | tar -x -C "$3"', "bash", repoRoot, commit, source], { stdio: ["ignore", "ignore", "pipe"] });
        const host: NodeRuntime = { version: process.versions.node, node: process.execPath, binDir: path.dirname(process.execPath) };
        await npm(host, source, ["ci"]);
        // Not --json: the prepack build writes to the same output.
        await npm(host, source, ["pack", "--pack-destination", staging]);
        const archive = fs.readdirSync(staging).find((f) => f.endsWith(".tgz"));
        if (!archive) throw new Error(`npm pack of commit ${commit} left no tarball in ${staging}.`);
        check(path.join(staging, archive));
        fs.mkdirSync(dir, { recursive: true });
        fs.renameSync(path.join(staging, archive), file);
    } finally {
        fs.rmSync(staging, { recursive: true, force: true });
    }
    return file;
}

/** Every copy of a package under a program's node_modules, with its version. */
export function copiesOf(programDir: string, packageName: string): Array<{ dir: string; version: string }> {
    const found: Array<{ dir: string; version: string }> = [];
    const walk = (nodeModules: string) => {
        if (!fs.existsSync(nodeModules)) return;
        const candidate = path.join(nodeModules, packageName, "package.json");
        if (fs.existsSync(candidate)) found.push({ dir: path.dirname(candidate), version: JSON.parse(fs.readFileSync(candidate, "utf8")).version });
        for (const entry of fs.readdirSync(nodeModules, { withFileTypes: true })) {
            if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
            const packages = entry.name.startsWith("@")
                ? fs.readdirSync(path.join(nodeModules, entry.name)).map((n) => path.join(nodeModules, entry.name, n))
                : [path.join(nodeModules, entry.name)];
            for (const pkg of packages) walk(path.join(pkg, "node_modules"));
        }
    };
    walk(path.join(programDir, "node_modules"));
    return found;
}

/**
 * A stack of an installed program, under the Pulumi CLI that scripts/setup.sh provides, with the
 * program's Node.js first on PATH (the language host and the dynamic-provider launcher start `node`
 * from PATH), type-checking as a user's run does, and no knowledge of the repository's local zones:
 * the zones and credentials come from the stack's `bucket-replication:*` configuration only.
 * Every process the commands start carries a marker in its environment, for `lingering`.
 */
export class PackageStack {
    private constructor(readonly stack: PulumiStack, readonly marker: string) {}

    static async init(program: InstalledProgram, extraPath: string[] = []): Promise<PackageStack> {
        const marker = `pbr-package-${randomUUID()}`;
        const stack = await PulumiStack.init(program.dir, {}, {
            PATH: [program.node.binDir, ...extraPath, toolBin(), process.env.PATH].join(":"),
            PBR_PACKAGE_RUN: marker,
            PBR_LOCAL_ZONES: undefined,
            PULUMI_NODEJS_TRANSPILE_ONLY: "false",
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        });
        const local = localZones();
        await stack.setConfig("bucket-replication:zones", JSON.stringify(local.zones));
        await stack.setConfig("bucket-replication:accessKey", local.accessKey);
        await stack.setConfig("bucket-replication:secretKey", local.secretKey, { secret: true });
        return new PackageStack(stack, marker);
    }

    /**
     * Runs `command` and fails unless it succeeded. Meanwhile it notes, four times a second, the
     * commands of the processes it started, so that a test can tell that the provider processes it
     * expects to end did run (and that `lingering` would have seen them).
     */
    async must(command: "up" | "refresh" | "destroy" | "preview"): Promise<RunResult & { seen: MarkedProcess[] }> {
        const seen = new Map<number, MarkedProcess>();
        const watch = setInterval(() => lingeringWith(this.marker).forEach((p) => seen.set(p.pid, p)), 250);
        try {
            const result = await { up: () => this.stack.up(), refresh: () => this.stack.refresh(), destroy: () => this.stack.destroy(), preview: () => this.stack.preview() }[command]();
            if (result.code !== 0) throw new Error(`pulumi ${command} failed with exit code ${result.code}:\n${result.stdout}\n${result.stderr}`);
            return { ...result, seen: [...seen.values()] };
        } finally {
            clearInterval(watch);
        }
    }

    /**
     * The processes still running that a command of this stack started (found by the marker in
     * their environment), such as dynamic-provider or component-provider processes.
     */
    lingering(): MarkedProcess[] {
        return lingeringWith(this.marker);
    }

    async dispose(): Promise<void> {
        await this.stack.destroy().catch(() => undefined);
        await this.stack.dispose();
    }
}

export interface MarkedProcess {
    readonly pid: number;
    /** Its command line. */
    readonly command: string;
    /** The executable it runs, such as the Node.js binary. */
    readonly exe: string;
}

/** The processes whose environment holds PBR_PACKAGE_RUN=<marker>, other than this one. */
export function lingeringWith(marker: string): MarkedProcess[] {
    const needle = `PBR_PACKAGE_RUN=${marker}`;
    const found: MarkedProcess[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        const pid = Number(entry);
        if (!Number.isInteger(pid) || pid === process.pid) continue;
        try {
            const environment = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
            if (!environment.includes(needle)) continue;
            const command = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
            found.push({ pid, command, exe: fs.readlinkSync(`/proc/${pid}/exe`) });
        } catch {
            // The process ended while it was being read: it does not linger.
        }
    }
    return found;
}
