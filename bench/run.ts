// On-demand figures (npm run bench): printed, never asserted. Speed targets live here, not in timed tests.
//   npm run bench                                  everything below, on the local MinIO pair (started if needed)
//   npm run bench -- --only micro|typecheck|compare|pairs
//   npm run bench -- --runs 5 --pairs 1,10,50
//   npm run bench -- --checkout /tmp/before      the same figures of another built checkout (bench/stack.ts)
// The whole-command figures need a quiet machine: other work on the same cores shows up in them.
import { execFileSync } from "child_process";
import { performance } from "perf_hooks";
import * as path from "path";
import { decryptAdminBody, encryptAdminBody, pbkdf2AesGcm, argon2idAesGcm } from "../provider/backends/minio/adminCrypto";
import { signExo2 } from "../provider/backends/exoscale/exo2Signer";
import { withDefaults } from "../provider/replicationConfiguration";
import { stableJson } from "../provider/common/stableJson";
import { repoRoot } from "../test/support/toolchain";
import { resolveSettings } from "../provider/settings";
import { openBackend } from "../provider/backends/registry";

async function measure(label: string, runs: number, work: () => unknown | Promise<unknown>): Promise<void> {
    await work();
    const started = performance.now();
    for (let i = 0; i < runs; i++) await work();
    const perRun = (performance.now() - started) / runs;
    const heapMiB = process.memoryUsage().heapUsed / (1 << 20);
    console.log(`${label.padEnd(60)} ${perRun.toFixed(3).padStart(10)} ms/run   heap ${heapMiB.toFixed(1)} MiB`);
}

async function micro(): Promise<void> {
    console.log("\nThe provider's hot paths, in this process");
    const small = Buffer.alloc(1024, 7);
    const large = Buffer.alloc(1 << 20, 7);
    const pbkdf2 = { algorithm: pbkdf2AesGcm } as const;
    await measure("MinIO admin body: encrypt 1 KiB (PBKDF2 + AES-GCM, what we send)", 20, () => encryptAdminBody("bench-secret-key", small, pbkdf2));
    await measure("MinIO admin body: encrypt 1 MiB (PBKDF2)", 5, () => encryptAdminBody("bench-secret-key", large, pbkdf2));
    const fromServer = await encryptAdminBody("bench-secret-key", small, pbkdf2);
    await measure("MinIO admin body: decrypt 1 KiB (PBKDF2)", 20, () => decryptAdminBody("bench-secret-key", fromServer));
    const argon = await encryptAdminBody("bench-secret-key", small, { algorithm: argon2idAesGcm });
    await measure("MinIO admin body: decrypt 1 KiB (argon2id, still read)", 5, () => decryptAdminBody("bench-secret-key", argon));
    await measure("Exoscale EXO2 signature of a policy update", 10_000, () => signExo2({
        method: "PUT", path: "/v2/iam-role/0b12cb6b-7e3e-4c0e-9e10-1e5d8a7c4b2a:policy",
        body: '{"default-service-strategy":"deny","services":{"sos":{"type":"allow"}}}',
        apiKey: "EXObench", apiSecret: "bench", expires: 1750000000,
    }));
    const rules = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`rule-${i}`, {
        priority: i, prefix: `p${i}/`, destination: { bucket: "dest", zone: "zone-b" },
    }]));
    await measure("diff of a 1000-rule configuration (defaults + stable JSON)", 100, () => stableJson(withDefaults(rules)) === stableJson(withDefaults(rules)));
}

function startZones(): void {
    const zones = path.join(repoRoot, "scripts", "zones.sh");
    try {
        execFileSync("bash", [zones, "status"], { stdio: "ignore" });
    } catch {
        execFileSync("bash", [zones, "up"], { stdio: "inherit" });
    }
}

function option(name: string): string | undefined {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? process.argv[at + 1] : undefined;
}

/** IamRole create and delete on the local pair, at the backend (no engine): one role after another. */
async function roles(count: number): Promise<void> {
    const backend = openBackend(resolveSettings(() => undefined));
    const creates: number[] = [];
    const deletes: number[] = [];
    for (let i = 0; i < count; i++) {
        const spec = {
            name: `bench-role-${Date.now().toString(36)}-${i}`, description: "bench", editable: true, labels: {},
            policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::bench/*"] }] },
        };
        let started = performance.now();
        const role = await backend.createRole(spec, "bench", () => undefined);
        creates.push(performance.now() - started);
        started = performance.now();
        await backend.deleteRole(role, () => undefined);
        deletes.push(performance.now() - started);
    }
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const mid = (values: number[]) => sorted(values)[Math.floor(values.length / 2)];
    console.log(`\nIamRole on the local pair (${count} roles, one after another; both zones each): create median ${mid(creates).toFixed(0)} ms ` +
        `[first ${creates[0].toFixed(0)}, max ${Math.max(...creates).toFixed(0)}], delete median ${mid(deletes).toFixed(0)} ms`);
}

async function main(): Promise<void> {
    const checkout = option("checkout");
    if (checkout) process.env.PBR_BENCH_CHECKOUT = path.resolve(checkout);
    const { comparison, pairSeries, typeCheckSeconds } = require("./stack") as typeof import("./stack");
    const only = option("only");
    const runs = Number(option("runs") ?? 5);
    const series = (option("pairs") ?? "1,10,50").split(",").map(Number);
    if (!only || only === "micro") await micro();
    if (!only || only === "typecheck") {
        const emptySeconds = typeCheckSeconds(3, path.join(repoRoot, "bench", "programs", "empty"));
        console.log(`\ntsc --noEmit (median of 3): examples/leader-follower ${typeCheckSeconds(3).toFixed(2)} s, the empty program ${emptySeconds.toFixed(2)} s`);
    }
    if (!only || only === "compare" || only === "pairs" || only === "roles") startZones();
    if (!checkout && (!only || only === "roles")) await roles(20);
    if (!only || only === "compare") await comparison(runs);
    if (!only || only === "pairs") await pairSeries(series);
}

main().catch((error) => { console.error(error); process.exit(1); });
