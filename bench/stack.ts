// The whole-command figures of `npm run bench`: real `pulumi` commands on the local MinIO pair, timed
// wall and CPU (every process of the command: CLI, language host, program, provider processes).
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FaultProxy } from "../test/support/faultProxy";
import { localZones } from "../test/support/localZones";
import { offlinePulumiEnv } from "../test/support/pulumiStack";
import { repoRoot, toolBin } from "../test/support/toolchain";

export interface Figures {
    readonly wallS: number;
    readonly cpuS: number;
}

/**
 * One stack of a program folder on a file backend of its own, type-checked as a user's program is
 * (no PULUMI_NODEJS_TRANSPILE_ONLY): the figures are what a user waits for.
 */
export class BenchStack {
    private readonly workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-bench-"));
    private readonly env: NodeJS.ProcessEnv;
    private readonly stackName = `b${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

    constructor(private readonly programDir: string, extraEnv: NodeJS.ProcessEnv = {}) {
        fs.mkdirSync(path.join(this.workDir, "backend"));
        // Type-checked as a user's program is: no PULUMI_NODEJS_TRANSPILE_ONLY, unlike the tests' stacks.
        this.env = { ...offlinePulumiEnv(this.workDir), ...extraEnv };
        this.must(["stack", "init", this.stackName]);
    }

    setConfig(config: Record<string, string>): void {
        if (Object.keys(config).length === 0) return;
        this.must(["config", "set-all", "--stack", this.stackName, "--config-file", this.configFile,
            ...Object.entries(config).flatMap(([key, value]) => ["--plaintext", `${key}=${value}`])]);
    }

    up(): Promise<Figures> { return this.timed(["up", "--yes", "--skip-preview", ...this.common()]); }
    preview(): Promise<Figures> { return this.timed(["preview", ...this.common()]); }
    refresh(): Promise<Figures> { return this.timed(["refresh", "--yes", "--skip-preview", ...this.common()]); }
    destroy(): Promise<Figures> { return this.timed(["destroy", "--yes", "--skip-preview", ...this.common()]); }

    /** Bytes per resource of ours in the exported state. */
    stateBytesPerResource(): number {
        const exported = JSON.parse(this.must(["stack", "export", "--stack", this.stackName]).stdout);
        const ours = (exported.deployment.resources as { type: string }[]).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/bucket-replication:"));
        return ours.reduce((sum, r) => sum + JSON.stringify(r).length, 0) / Math.max(1, ours.length);
    }

    dispose(): void {
        this.run(["stack", "rm", "--yes", "--force", this.stackName]);
        fs.rmSync(this.workDir, { recursive: true, force: true });
    }

    private get configFile(): string {
        return path.join(this.workDir, `Pulumi.${this.stackName}.yaml`);
    }

    private common(): string[] {
        return ["--non-interactive", "--stack", this.stackName, "--config-file", this.configFile, "--suppress-progress"];
    }

    /**
     * Runs the command under bash, whose `times` reports the CPU of every process the command waited
     * for. Asynchronously: the recording proxies of the pair series live in this process.
     */
    private async timed(args: string[]): Promise<Figures> {
        const script = `pulumi "$@" > "${this.workDir}/last.log" 2>&1; code=$?; times; exit $code`;
        const result = await timedBash(["-c", script, "bench", ...args], { cwd: this.programDir, env: this.env });
        if (result.code !== 0) {
            throw new Error(`pulumi ${args[0]} in ${this.programDir} failed:\n${fs.readFileSync(path.join(this.workDir, "last.log"), "utf8").slice(-3000)}`);
        }
        return result;
    }

    private must(args: string[]): { stdout: string } {
        const result = this.run(args);
        if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
        return result;
    }

    private run(args: string[]) {
        return spawnSync("pulumi", args, { cwd: this.programDir, env: this.env, encoding: "utf8", maxBuffer: 256 << 20 });
    }
}

/** Runs bash with `args`, whose script ends with `times`; wall time, and the CPU of the processes it waited for. */
function timedBash(args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<Figures & { code: number; stderr: string }> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn("bash", args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => { stdout += chunk; });
        child.stderr.on("data", (chunk) => { stderr += chunk; });
        child.on("error", reject);
        child.on("close", (code) => {
            const wallS = Number(process.hrtime.bigint() - started) / 1e9;
            // `times` prints the shell's user and system time, then its children's: "0m1.234s 0m0.456s".
            const children = stdout.trim().split("\n").pop()!.split(/\s+/).map(seconds);
            resolve({ wallS, cpuS: children[0] + children[1], code: code ?? 1, stderr });
        });
    });
}

function seconds(text: string): number {
    const match = /^(\d+)m([\d.]+)s$/.exec(text);
    return match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
}

export function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// `--checkout DIR` (PBR_BENCH_CHECKOUT) times another built checkout of this repository, such as an
// older commit in a git worktree, for before/after figures: its examples/leader-follower and
// bench/programs/pairs (copy that folder in when the checkout predates it).
const checkout = process.env.PBR_BENCH_CHECKOUT ?? repoRoot;
const emptyProgram = path.join(repoRoot, "bench", "programs", "empty");
const leaderFollowerExample = path.join(checkout, "examples", "leader-follower");
const pairsProgram = path.join(checkout, "bench", "programs", "pairs");

/** The same topology with MinIO's `mc`: the floor of what the storage API costs. */
async function mcTopology(name: string): Promise<Figures> {
    const zonesFile = process.env.PBR_LOCAL_ZONES ?? path.join(repoRoot, ".zones", "zones.json");
    const env = { ...process.env, PATH: `${toolBin()}:${process.env.PATH}` };
    const script = path.join(repoRoot, "bench", "mc-topology.sh");
    const result = await timedBash(["-c", `bash "$0" up "$1" "$2"; code=$?; times; exit $code`, script, zonesFile, name], { env });
    spawnSync("bash", [script, "down", zonesFile, name], { env });
    if (result.code !== 0) throw new Error(`bench/mc-topology.sh failed:\n${result.stderr}`);
    return result;
}

type Phase = "up" | "preview" | "destroy";

/**
 * The comparison: the empty program (the engine's floor), examples/leader-follower, and the same
 * topology with `mc` (the API floor), alternating, `runs` times each.
 */
export async function comparison(runs: number): Promise<void> {
    const ours: Record<Phase, number[]> = { up: [], preview: [], destroy: [] };
    const empty: Record<Phase, number[]> = { up: [], preview: [], destroy: [] };
    const mcWalls: number[] = [];
    let stateBytes = 0;
    for (let run = 1; run <= runs; run++) {
        process.stdout.write(`  run ${run}/${runs}\r`);
        for (const [program, figures] of [[emptyProgram, empty], [leaderFollowerExample, ours]] as const) {
            const stack = new BenchStack(program);
            try {
                figures.up.push((await stack.up()).wallS);
                figures.preview.push((await stack.preview()).wallS);
                if (program === leaderFollowerExample) stateBytes = stack.stateBytesPerResource();
                figures.destroy.push((await stack.destroy()).wallS);
            } finally {
                stack.dispose();
            }
        }
        mcWalls.push((await mcTopology(`bench${run}${Date.now().toString(36)}`)).wallS);
    }
    console.log(`\nexamples/leader-follower against the empty program (${runs} runs each, alternating; seconds: median [min-max])`);
    console.log(`${"".padEnd(9)}${"empty".padStart(20)}${"leader-follower".padStart(22)}${"above empty".padStart(13)}${"by min".padStart(8)}${"ratio".padStart(8)}`);
    for (const phase of ["up", "preview", "destroy"] as const) {
        const e = empty[phase], o = ours[phase];
        console.log(`${phase.padEnd(9)}${spread(e).padStart(20)}${spread(o).padStart(22)}${(median(o) - median(e)).toFixed(2).padStart(13)}` +
            `${(Math.min(...o) - Math.min(...e)).toFixed(2).padStart(8)}${(median(o) / median(e)).toFixed(2).padStart(8)}`);
    }
    // On a shared machine other work only ever adds time: the fastest runs are the least disturbed.
    console.log("above empty: difference of the medians; by min: of the fastest runs, the figure least moved by other work on the machine");
    console.log(`mc, the same topology: ${spread(mcWalls)} s; our up above empty is ${((median(ours.up) - median(empty.up)) / median(mcWalls)).toFixed(1)}x mc`);
    console.log(`state: ${Math.round(stateBytes)} bytes per resource of ours (examples/leader-follower)`);
}

function spread(values: readonly number[]): string {
    return `${median(values).toFixed(2)} [${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}]`;
}

/**
 * The series: `pairs` LeaderFollower topologies from empty, through a recording proxy in front of each
 * zone so that the provider's requests can be counted (requests signed with the root key: the servers'
 * own replication traffic is not ours).
 */
export async function pairSeries(series: readonly number[]): Promise<void> {
    const local = localZones();
    const proxies = {
        "local-a": await FaultProxy.start(local.zones["local-a"].endpoint, "bench/local-a"),
        "local-b": await FaultProxy.start(local.zones["local-b"].endpoint, "bench/local-b"),
    };
    const ourRequests = () => Object.values(proxies).reduce((sum, proxy) => sum + proxy.requests({ accessKey: local.accessKey }).length, 0);
    const clearLogs = () => Object.values(proxies).forEach((proxy) => proxy.clearLog());
    const traceFile = path.join(os.tmpdir(), `pbr-bench-trace-${process.pid}.jsonl`);
    try {
        const floor = new BenchStack(emptyProgram);
        const floorUp = await floor.up();
        await floor.destroy();
        floor.dispose();
        console.log(`\nLeaderFollower pairs from empty (the empty program's up: ${floorUp.wallS.toFixed(2)} s, ${floorUp.cpuS.toFixed(2)} CPU s)`);
        console.log(`${"pairs".padEnd(6)}${"up s".padStart(8)}${"up CPU s".padStart(10)}${"CPU/pair".padStart(10)}${"provider".padStart(10)}${"requests".padStart(10)}` +
            `${"refresh s".padStart(11)}${"refresh req".padStart(13)}${"req/pair".padStart(10)}${"destroy s".padStart(11)}${"role create ms".padStart(16)}`);
        for (const pairs of series) {
            fs.rmSync(traceFile, { force: true });
            const stack = new BenchStack(pairsProgram, { PBR_TRACE_FILE: traceFile });
            try {
                stack.setConfig({
                    pairs: String(pairs),
                    "bucket-replication:backend": "minio",
                    "bucket-replication:zones": JSON.stringify({
                        "local-a": { endpoint: proxies["local-a"].endpoint },
                        "local-b": { endpoint: proxies["local-b"].endpoint },
                    }),
                    "bucket-replication:accessKey": local.accessKey,
                });
                clearLogs();
                const up = await stack.up();
                const upRequests = ourRequests();
                const providerCpuS = tracedCpuMs(traceFile) / 1000;
                clearLogs();
                const refresh = await stack.refresh();
                const refreshRequests = ourRequests();
                const destroy = await stack.destroy();
                const roleCreates = traced(traceFile, "IamRole", "create");
                console.log(`${String(pairs).padEnd(6)}${up.wallS.toFixed(2).padStart(8)}${up.cpuS.toFixed(2).padStart(10)}` +
                    `${((up.cpuS - floorUp.cpuS) / pairs).toFixed(3).padStart(10)}${(providerCpuS / pairs).toFixed(3).padStart(10)}${String(upRequests).padStart(10)}` +
                    `${refresh.wallS.toFixed(2).padStart(11)}${String(refreshRequests).padStart(13)}${(refreshRequests / pairs).toFixed(1).padStart(10)}` +
                    `${destroy.wallS.toFixed(2).padStart(11)}${(roleCreates.length ? median(roleCreates).toFixed(0) : "-").padStart(16)}`);
            } finally {
                stack.dispose();
            }
        }
        console.log("CPU/pair: (up CPU - the empty program's up CPU) / pairs, every process of the command. provider: the CPU of the provider process " +
            "during up (loading included), per pair. role create ms: median wall time of IamRole create in the provider.");
        await checkpointShare(Math.max(...series), proxies, local.accessKey, floorUp.cpuS);
    } finally {
        fs.rmSync(traceFile, { force: true });
        await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
    }
}

/**
 * The engine writes the whole state after every step of a file backend, so at many resources its
 * checkpoints take a share of the CPU that grows with the stack. The same up with
 * PULUMI_SKIP_CHECKPOINTS=true (the state written once, at the end) shows that share.
 */
async function checkpointShare(pairs: number, proxies: Record<string, FaultProxy>, accessKey: string, floorCpuS: number): Promise<void> {
    const stack = new BenchStack(pairsProgram, { PULUMI_SKIP_CHECKPOINTS: "true" });
    try {
        stack.setConfig({
            pairs: String(pairs),
            "bucket-replication:backend": "minio",
            "bucket-replication:zones": JSON.stringify(Object.fromEntries(Object.entries(proxies).map(([zone, proxy]) => [zone, { endpoint: proxy.endpoint }]))),
            "bucket-replication:accessKey": accessKey,
        });
        const up = await stack.up();
        await stack.destroy();
        console.log(`${pairs} pairs with PULUMI_SKIP_CHECKPOINTS=true (the engine's per-step state writes left out): ` +
            `up ${up.wallS.toFixed(2)} s, ${up.cpuS.toFixed(2)} CPU s, ${((up.cpuS - floorCpuS) / pairs).toFixed(3)} CPU s per pair`);
    } finally {
        stack.dispose();
    }
}

/** The CPU of every provider process that wrote to the trace, from start to its last call (module loading included). */
function tracedCpuMs(file: string): number {
    if (!fs.existsSync(file)) return 0;
    const perProcess = new Map<number, number>();
    for (const line of fs.readFileSync(file, "utf8").trim().split("\n").filter(Boolean)) {
        const call = JSON.parse(line) as { pid: number; processCpuMs: number };
        perProcess.set(call.pid, Math.max(perProcess.get(call.pid) ?? 0, call.processCpuMs));
    }
    return [...perProcess.values()].reduce((sum, ms) => sum + ms, 0);
}

function traced(file: string, type: string, method: string): number[] {
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line))
        .filter((call) => call.type === type && call.method === method).map((call) => call.wallMs);
}

/** `tsc --noEmit` of examples/leader-follower alone, as a user's editor or `pulumi up` type-checks it. */
export function typeCheckSeconds(runs: number, program = leaderFollowerExample): number {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-bench-tsc-"));
    const config = path.join(dir, "tsconfig.json");
    fs.writeFileSync(config, JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, target: "ES2020", module: "commonjs", moduleResolution: "node", esModuleInterop: true, types: ["node"], typeRoots: [path.join(repoRoot, "node_modules", "@types")] },
        files: [path.join(program, "index.ts")],
    }));
    const walls: number[] = [];
    try {
        for (let i = 0; i < runs; i++) {
            const started = process.hrtime.bigint();
            const result = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", config], { encoding: "utf8" });
            walls.push(Number(process.hrtime.bigint() - started) / 1e9);
            if (result.status !== 0) throw new Error(`tsc failed:\n${result.stdout}${result.stderr}`);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    return median(walls);
}
