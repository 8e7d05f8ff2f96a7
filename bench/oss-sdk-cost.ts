// On demand, never in a test: what Alibaba's Node SDKs (@alicloud/oss20190517, @alicloud/ram20150501,
// @alicloud/credentials) would cost a command, against our own OSS and RAM clients (provider/backends/oss:
// ossClient.ts, ramClient.ts, on Node's http and crypto, no dependencies). Prints figures only.
//
//   npx ts-node bench/oss-sdk-cost.ts                 installs the SDKs once into $PBR_CACHE/alicloud-node-sdks (never into this repository)
//   npx ts-node bench/oss-sdk-cost.ts --runs 9        more runs per figure (medians are printed)
//
// Figures: installed size (du) and number of packages; require time in a fresh Node process, with the
// number and bytes of the modules it loads; and one signed request against the local OSS + RAM stand-in
// (test/contract/ossServer.ts), cold (first in a fresh process: client set-up, connection) and warm
// (the median of the following ones). Needs `npm run build` first (ours are measured as compiled).
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ossContractCredentials, startOssContractServer } from "../test/contract/ossServer";
import { repoRoot } from "../test/support/toolchain";

const sdks = { "@alicloud/oss20190517": "1.0.6", "@alicloud/ram20150501": "1.2.1", "@alicloud/credentials": "2.4.7" } as const;
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const cache = process.env.PBR_CACHE ?? path.join(os.homedir(), ".cache", "pulumi-bucket-replication");
const sdkDir = path.join(cache, "alicloud-node-sdks");
const ours = {
    oss: path.join(repoRoot, "dist", "provider", "backends", "oss", "ossClient.js"),
    ram: path.join(repoRoot, "dist", "provider", "backends", "oss", "ramClient.js"),
};

function install(): void {
    const stamp = path.join(sdkDir, `.installed-${Object.entries(sdks).map(([n, v]) => `${n.replace("/", "+")}@${v}`).join(",")}`);
    if (fs.existsSync(stamp)) return;
    fs.mkdirSync(sdkDir, { recursive: true });
    fs.writeFileSync(path.join(sdkDir, "package.json"), JSON.stringify({ name: "alicloud-node-sdks-bench", private: true }));
    console.log(`installing ${Object.entries(sdks).map(([n, v]) => `${n}@${v}`).join(" ")} into ${sdkDir} (first time only)`);
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", sdkDir, ...Object.entries(sdks).map(([n, v]) => `${n}@${v}`)], { stdio: "inherit" });
    fs.writeFileSync(stamp, "");
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `script` in a fresh Node process (cwd: `cwd`, so that bare names resolve there) and parses its last line as JSON. */
function node<T>(script: string, cwd: string, env: Record<string, string> = {}): T {
    const out = execFileSync(process.execPath, ["-e", script], { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
    return JSON.parse(out.trim().split("\n").pop()!);
}

/** require() of `modules` in a fresh process: milliseconds, and the files it loaded with their bytes. */
function requireCost(modules: readonly string[], cwd: string): { ms: number; files: number; bytes: number } {
    const samples = Array.from({ length: runs }, () => node<{ ms: number; files: number; bytes: number }>(`
        const fs = require("fs");
        const before = new Set(Object.keys(require.cache));
        const t = process.hrtime.bigint();
        for (const m of ${JSON.stringify(modules)}) require(m);
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        const loaded = Object.keys(require.cache).filter((f) => !before.has(f));
        console.log(JSON.stringify({ ms, files: loaded.length, bytes: loaded.reduce((sum, f) => sum + fs.statSync(f).size, 0) }));`, cwd));
    return { ms: median(samples.map((s) => s.ms)), files: samples[0].files, bytes: samples[0].bytes };
}

/** `node` without blocking this process, which serves the stand-in the child talks to. */
function nodeAsync<T>(script: string, cwd: string, env: Record<string, string>): Promise<T> {
    return new Promise((resolve, reject) => execFile(process.execPath, ["-e", script], { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 120_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split("\n").pop()!)))));
}

/** One request in a fresh process, then `runs` more: the first (cold) and the median of the rest (warm), with what came back. */
function requestCost(setup: string, request: string, cwd: string, env: Record<string, string>): Promise<{ coldMs: number; warmMs: number; answer: string }> {
    return nodeAsync(`
        (async () => {
            const t0 = process.hrtime.bigint();
            ${setup}
            const one = async () => { try { return "ok: " + (await (${request})); } catch (e) { return "refused: " + (e.code || e.name) + " " + String(e.message).split("\\n")[0].slice(0, 140); } };
            const answer = await one();
            const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
            const warm = [];
            for (let i = 0; i < ${runs}; i++) { const t = process.hrtime.bigint(); await one(); warm.push(Number(process.hrtime.bigint() - t) / 1e6); }
            warm.sort((a, b) => a - b);
            console.log(JSON.stringify({ coldMs, warmMs: warm[Math.floor(warm.length / 2)], answer }));
        })().catch((e) => { console.error(e); process.exit(1); });`, cwd, env);
}

function duKiB(dir: string): number {
    return Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split(/\s+/)[0]);
}

async function main(): Promise<void> {
    if (!fs.existsSync(ours.oss)) throw new Error("run 'npm run build' first: the figures are of the compiled clients");
    install();
    const modules = path.join(sdkDir, "node_modules");
    const packages = execFileSync("npm", ["ls", "--all", "--parseable", "--prefix", sdkDir], { encoding: "utf8" }).trim().split("\n").length - 1;
    const ourFiles = ["provider/backends/oss", "provider/transport", "provider/backends/s3/xml.js"].map((p) => path.join(repoRoot, "dist", p));

    console.log(`\nAlibaba's Node SDKs (${Object.entries(sdks).map(([n, v]) => `${n}@${v}`).join(", ")}) against our OSS and RAM clients; Node ${process.version}, medians of ${runs}\n`);
    console.log("installed");
    console.log(`  Alibaba's SDKs: ${(duKiB(modules) / 1024).toFixed(1)} MiB on disk (du of node_modules), ${packages} packages`);
    console.log(`  ours:           0 packages (Node's http and crypto); the compiled oss/, transport/ and the XML reader: ${(ourFiles.reduce((s, f) => s + duKiB(f), 0) / 1024).toFixed(2)} MiB`);

    console.log("\nrequire() in a fresh process");
    const theirs = requireCost(Object.keys(sdks), sdkDir);
    const mine = requireCost([ours.oss, ours.ram], repoRoot);
    console.log(`  Alibaba's SDKs: ${theirs.ms.toFixed(1)} ms, ${theirs.files} files, ${(theirs.bytes / 1024).toFixed(0)} KiB loaded`);
    console.log(`  ours:           ${mine.ms.toFixed(1)} ms, ${mine.files} files, ${(mine.bytes / 1024).toFixed(0)} KiB loaded`);

    const server = await startOssContractServer({ regions: ["cn-hangzhou"] });
    try {
        const zone = server.zones["cn-hangzhou"];
        server.state.buckets.set("bench-bucket", { name: "bench-bucket", region: "cn-hangzhou", versioning: "Enabled", tags: {}, versions: [], rules: [], createdAt: new Date() });
        server.state.roles.set("bench-role", { RoleName: "bench-role", RoleId: "300000000000000001", Arn: "acs:ram::1234567890123456:role/bench-role", Description: "",
            AssumeRolePolicyDocument: "{}", MaxSessionDuration: 3600, CreateDate: new Date().toISOString() });
        const env = { BENCH_OSS: zone.endpoint, BENCH_RAM: server.ramEndpoint, BENCH_AK: ossContractCredentials.accessKey, BENCH_SK: ossContractCredentials.secretKey };
        const credentials = `{ accessKey: process.env.BENCH_AK, secretKey: process.env.BENCH_SK }`;
        console.log("\none signed request against the local stand-in (cold: the first in a fresh process, client set-up and require included; warm: the following ones)");
        // One after the other: parallel children would time each other.
        const rows: [string, () => Promise<{ coldMs: number; warmMs: number; answer: string }>][] = [
            ["ours, RAM GetRole (ACS3)", () => requestCost(
                `const { RamClient } = require(${JSON.stringify(ours.ram)}); const c = new RamClient({ endpoint: process.env.BENCH_RAM, credentials: ${credentials}, credentialHint: "bench" });`,
                `c.getRole("bench-role").then((r) => r.RoleName)`, repoRoot, env)],
            ["@alicloud/ram20150501 GetRole (ACS3)", () => requestCost(
                `const Ram = require("@alicloud/ram20150501"); const { Config } = require("@alicloud/openapi-client");
                 const c = new Ram.default(new Config({ accessKeyId: process.env.BENCH_AK, accessKeySecret: process.env.BENCH_SK, endpoint: new URL(process.env.BENCH_RAM).host, protocol: "http" }));`,
                `c.getRole(new Ram.GetRoleRequest({ roleName: "bench-role" })).then((r) => r.body.role.roleName)`, sdkDir, env)],
            ["ours, OSS GetBucketVersioning (OSS4-HMAC-SHA256)", () => requestCost(
                `const { OssClient } = require(${JSON.stringify(ours.oss)}); const c = new OssClient({ zones: { "cn-hangzhou": { endpoint: process.env.BENCH_OSS, region: "cn-hangzhou" } }, credentials: ${credentials}, credentialHint: "bench" });`,
                `c.send({ zone: "cn-hangzhou", bucket: "bench-bucket", method: "GET", query: { versioning: "" }, operation: "GetBucketVersioning" }).then((a) => a.status)`, repoRoot, env)],
            ["@alicloud/oss20190517 ListBuckets (its own signature)", () => requestCost(
                `const Oss = require("@alicloud/oss20190517"); const { Config } = require("@alicloud/openapi-client");
                 const c = new Oss.default(new Config({ accessKeyId: process.env.BENCH_AK, accessKeySecret: process.env.BENCH_SK, endpoint: new URL(process.env.BENCH_OSS).host, protocol: "http", regionId: "cn-hangzhou" }));`,
                `c.listBuckets(new Oss.ListBucketsRequest({})).then((r) => r.statusCode)`, sdkDir, env)],
        ];
        for (const [label, pending] of rows) {
            const cost = await pending();
            console.log(`  ${label.padEnd(52)} cold ${cost.coldMs.toFixed(1).padStart(7)} ms   warm ${cost.warmMs.toFixed(2).padStart(6)} ms   ${cost.answer}`);
        }
        const v1 = server.state.requests.find((r) => r.operation === "ListBuckets");
        if (v1) console.log(`  (the stand-in checks OSS4-HMAC-SHA256 only: @alicloud/oss20190517 signed ${v1.code === "AccessDenied" ? "otherwise, and was refused" : `and got ${v1.status}`})`);
    } finally {
        await server.close();
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
