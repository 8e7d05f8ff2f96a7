// On-demand figures (npm run bench): how long the pieces on the provider's hot path take on this machine.
// Printed, never asserted: speed targets live here, not in timed tests.
import { performance } from "perf_hooks";
import { decryptAdminBody, encryptAdminBody } from "../provider/backends/minio/adminCrypto";
import { signExo2 } from "../provider/backends/exoscale/exo2Signer";
import { withDefaults } from "../provider/replicationConfiguration";
import { stableJson } from "../provider/stableJson";

async function measure(label: string, runs: number, work: () => unknown | Promise<unknown>): Promise<void> {
    await work();
    const started = performance.now();
    for (let i = 0; i < runs; i++) await work();
    const perRun = (performance.now() - started) / runs;
    const heapMiB = process.memoryUsage().heapUsed / (1 << 20);
    console.log(`${label.padEnd(52)} ${perRun.toFixed(3).padStart(10)} ms/run   heap ${heapMiB.toFixed(1)} MiB`);
}

async function main(): Promise<void> {
    const small = Buffer.alloc(1024, 7);
    const large = Buffer.alloc(1 << 20, 7);
    const encryptedSmall = await encryptAdminBody("bench-secret-key", small);
    await measure("MinIO admin body: encrypt 1 KiB (argon2id + AES-GCM)", 10, () => encryptAdminBody("bench-secret-key", small));
    await measure("MinIO admin body: encrypt 1 MiB", 5, () => encryptAdminBody("bench-secret-key", large));
    await measure("MinIO admin body: decrypt 1 KiB", 10, () => decryptAdminBody("bench-secret-key", encryptedSmall));
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

main().catch((error) => { console.error(error); process.exit(1); });
