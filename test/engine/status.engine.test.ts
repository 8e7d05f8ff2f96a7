import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { localZones } from "../support/localZones";
import { putObject, replicated } from "../support/objects";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";
import { eventually } from "../support/wait";
import type { ReplicationRuleStatus } from "../../sdk/replicationStatus";

// Replication status on the local pair, under the real Pulumi CLI: the program's own
// getReplicationStatusOutput (an output of every `pulumi up`) and `pulumi-bucket-replication status --json`
// see objects replicate, see failures rise while the destination zone's server is stopped, and see them
// recover once it runs again. The figures are checked against what the servers hold.

/**
 * A MinIO pair of this test's own: it stops one of its zones, which must not disturb the suites that
 * run beside it on the main pair (the package tests). PBR_STATUS_ZONE_PORTS moves it.
 */
const pair = { dir: path.join(repoRoot, ".zones", "pairs", "status"), ports: process.env.PBR_STATUS_ZONE_PORTS ?? "9500,9600" };

async function zonesScript(command: "up" | "down" | "status"): Promise<boolean> {
    return promisify(execFile)("bash", [path.join(repoRoot, "scripts", "zones.sh"), command], {
        env: { ...process.env, PBR_ZONES_DIR: pair.dir, PBR_ZONE_PORTS: pair.ports },
    }).then(() => true, (error) => {
        if (command === "status") return false;
        throw error;
    });
}

function stopZone(zone: string): void {
    const pid = Number(fs.readFileSync(path.join(pair.dir, zone, "minio.pid"), "utf8"));
    process.kill(pid, "SIGTERM");
}

async function zoneDown(zone: string): Promise<boolean> {
    const endpoint = localZones().zones[zone].endpoint;
    return fetch(`${endpoint}/minio/health/live`).then(() => false, () => true);
}

describe("engine: replication status (getReplicationStatus and `pulumi-bucket-replication status`)", function () {
    let stack: PulumiStack;
    let leader: string;
    let follower: string;
    let stopped = false;

    /** The command as a user runs it in the program's folder, against this test's stack. */
    async function cliStatus(...extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
        const env = stack.env;
        const args = [path.join(repoRoot, "bin", "pulumi-bucket-replication"), "status", "--stack", stack.stackName, "--config-file", stack.configFile, ...extra];
        return new Promise((resolve) => execFile("node", args, { cwd: stack.programDir, env }, (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })));
    }

    async function cliRule(): Promise<ReplicationRuleStatus> {
        const result = await cliStatus("--json");
        expect(result.code, result.stderr).to.equal(0);
        const parsed = JSON.parse(result.stdout);
        expect(parsed.configurations).to.have.length(1);
        expect(parsed.configurations[0]).to.deep.include({ name: "sts-leader", zone: "local-a", bucket: leader });
        return parsed.configurations[0].status.rules[0];
    }

    /** The program's own view: `pulumi up` (nothing to change) evaluates getReplicationStatusOutput again. */
    async function sdkRule(): Promise<ReplicationRuleStatus> {
        const up = await stack.mustUp();
        expect(up.stdout).to.match(/7 unchanged/);
        const status = (await stack.outputs()).status;
        expect(status).to.deep.include({ zone: "local-a", bucket: leader, backend: "minio" });
        return status.rules[0];
    }

    let pairWasRunning = false;
    let previousZonesFile: string | undefined;

    before(async () => {
        pairWasRunning = await zonesScript("status");
        await zonesScript("up");
        // The support helpers (objects.ts, localZones.ts) and the stack's processes read this pair.
        previousZonesFile = process.env.PBR_LOCAL_ZONES;
        process.env.PBR_LOCAL_ZONES = path.join(pair.dir, "zones.json");
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "status"), {}, { PBR_LOCAL_ZONES: process.env.PBR_LOCAL_ZONES });
    });

    after(async () => {
        try {
            if (stopped) await zonesScript("up");
            await stack?.destroy();
            await stack?.dispose();
        } finally {
            if (previousZonesFile === undefined) delete process.env.PBR_LOCAL_ZONES;
            else process.env.PBR_LOCAL_ZONES = previousZonesFile;
            if (!pairWasRunning) await zonesScript("down");
        }
    });

    it("reports the rule, its destination and state right after the first up, with nothing pending or failed", async () => {
        await stack.mustUp();
        const out = await stack.outputs();
        leader = out.leaderBucket;
        follower = out.followerBucket;
        const rule: ReplicationRuleStatus = out.status.rules[0];
        expect(rule).to.deep.include({ ruleId: "follower", destination: { zone: "local-b", bucket: follower }, state: "Enabled" });
        expect(rule.source).to.equal("service metrics; sampled object status (0 objects)");
        expect(rule.pending?.count).to.equal(0);
        expect(rule.failed?.count).to.equal(0);
    });

    it("shows written objects replicated, in the command and in the program", async () => {
        for (const n of [1, 2, 3]) await putObject("local-a", leader, `docs/before-${n}.txt`, `before ${n}`);
        for (const n of [1, 2, 3]) await replicated("local-b", follower, `docs/before-${n}.txt`, `before ${n}`, "REPLICA");

        const rule = await eventually("the replications counted by MinIO", async () => {
            const r = await cliRule();
            return (r.replicated?.count ?? 0) >= 3 ? r : undefined;
        });
        expect(rule.sample).to.deep.equal({ objects: 3, pending: 0, failed: 0, completed: 3, replica: 0, none: 0 });
        expect(rule.failed).to.deep.include({ count: 0 });
        expect(rule.replicated).to.deep.include({ over: "since the server started (service metrics)" });
        expect(rule.metrics?.targetArn).to.match(new RegExp(`^arn:minio:replication:.*:${follower}$`));

        const fromProgram = await sdkRule();
        expect(fromProgram.sample).to.deep.include({ objects: 3, completed: 3, failed: 0, pending: 0 });

        const table = await cliStatus();
        expect(table.code, table.stderr).to.equal(0);
        expect(table.stdout).to.match(new RegExp(`sts-leader\\s+follower\\s+local-a/${leader}\\s+local-b/${follower}\\s+Enabled\\s+0; 0/3 sampled\\s+0; 0/3 sampled`));
    });

    it("shows failures rising while the destination zone is stopped", async () => {
        stopZone("local-b");
        stopped = true;
        await eventually("local-b to stop answering", async () => (await zoneDown("local-b")) ? true : undefined);
        for (const n of [1, 2, 3]) await putObject("local-a", leader, `docs/during-${n}.txt`, `during ${n}`);

        const rule = await eventually("failures in MinIO's metrics and in the sample", async () => {
            const r = await cliRule();
            const stuck = (r.sample?.failed ?? 0) + (r.sample?.pending ?? 0);
            return stuck >= 3 && (r.failed?.count ?? 0) + (r.pending?.count ?? 0) >= 3 ? r : undefined;
        }, 120_000);
        expect(rule.sample?.objects).to.equal(6);
        expect(rule.metrics?.failedSinceStart).to.be.at.least(3);

        const fromProgram = await sdkRule();
        expect((fromProgram.sample?.failed ?? 0) + (fromProgram.sample?.pending ?? 0)).to.be.at.least(3);
        expect((fromProgram.failed?.count ?? 0) + (fromProgram.pending?.count ?? 0)).to.be.at.least(3);

        // What the command says, the source server says too.
        const { readObject } = await import("../support/objects");
        const statuses = await Promise.all([1, 2, 3].map(async (n) => (await readObject("local-a", leader, `docs/during-${n}.txt`))?.replicationStatus));
        expect(statuses.every((s) => s === "FAILED" || s === "PENDING")).to.equal(true);
    });

    it("shows them recovering once the destination zone runs again", async () => {
        await zonesScript("up");
        stopped = false;
        // MinIO retries a failed version when it is read (the sample's HEAD does) or, otherwise, from its
        // retry queue every few minutes: asking for the status is what a user does next anyway.
        const rule = await eventually("the sample to show every object replicated", async () => {
            const r = await cliRule();
            return r.sample?.completed === 6 ? r : undefined;
        }, 120_000);
        expect(rule.sample).to.deep.include({ failed: 0, pending: 0 });
        for (const n of [1, 2, 3]) await replicated("local-b", follower, `docs/during-${n}.txt`, `during ${n}`, "REPLICA");
        // MinIO's failed counter covers the last minute: it returns to 0 once that minute has passed,
        // while its since-start total keeps the failures.
        const later = await eventually("MinIO's last-minute failures to return to 0", async () => {
            const r = await cliRule();
            return r.failed?.count === 0 ? r : undefined;
        }, 150_000);
        expect(later.metrics?.failedSinceStart).to.be.at.least(3);

        const fromProgram = await sdkRule();
        expect(fromProgram.sample).to.deep.include({ objects: 6, completed: 6, failed: 0, pending: 0 });
    });
});
