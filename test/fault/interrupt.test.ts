import { expect } from "chai";
import { RequestMatcher, stall } from "../support/faultProxy";
import { RunResult } from "../support/pulumiStack";
import { sleep } from "../support/wait";
import { FaultRig, ZoneName, descendantsOf, isRunning, leftovers, pulumiProcess, stages, zoneNames } from "./rig";

/**
 * `pulumi up` interrupted: killed with SIGKILL in the middle of a create (the provider process may
 * finish what it was doing, unseen by the state), and stopped with SIGINT (Ctrl-C) while a request
 * hangs. A plain re-run must adopt what the interrupted run made, never make a second of anything.
 */
describe("fault: pulumi interrupted mid-up (kill -9, Ctrl-C)", function () {
    const killCells: ReadonlyArray<{ cell: string; when: string; zone: ZoneName; match: RequestMatcher }> = [
        { cell: "k1", when: "the leader's CreateBucket reaches the server", zone: "local-a", match: { op: "CreateBucket" } },
        { cell: "k2", when: "the role's user is being added on the first zone", zone: "local-a", match: { op: "admin:add-user" } },
    ];

    for (const { cell, when, zone, match } of killCells) {
        it(`${cell}: kill -9 of pulumi when ${when}; the re-run adopts instead of duplicating`, async () => {
            const rig = await FaultRig.open(cell, { maxRetries: 2 });
            try {
                const seen = rig.proxies[zone].when({ ...match, accessKey: rig.adminAccessKey });
                const run = rig.stack.up();
                await seen;
                const pid = pulumiProcess(rig.stack, "up");
                expect(pid, "the pulumi up process of this stack").to.be.a("number");
                const helpers = descendantsOf(pid!);
                const sentBeforeKill = rig.providerRequestCount();
                process.kill(pid!, "SIGKILL");
                const killed = await run;
                expect(killed.code, "pulumi up killed with SIGKILL").to.not.equal(0);
                // The provider outlives pulumi and may finish its create: wait until it stops talking to the servers.
                await rig.providerQuiet(3_000, 30_000);
                const afterKill = rig.providerRequestCount() - sentBeforeKill;
                endLingering(helpers, rig);
                const leftBehind = await leftovers(rig.prefix);
                rig.note(`after the kill the provider sent ${afterKill} more request(s); the servers then held ${JSON.stringify(leftBehind)}`);

                // The file backend keeps the killed run's lock: Pulumi itself asks for 'pulumi cancel' first.
                const cancelRun = () => rig.stack.run(["cancel", "--yes", "--stack", rig.stack.stackName, "--non-interactive"]);
                let cancel = await cancelRun();
                if (cancel.code !== 0 && /failed to load checkpoint/.test(cancel.stdout + cancel.stderr)) {
                    // The kill can land while Pulumi's file backend rewrites its checkpoint, leaving it cut short (seen once
                    // under load: "failed to load checkpoint: EOF"). The backend keeps the previous one beside it, which is
                    // what a user restores; the provider's adoption, which this test is about, is then checked as before.
                    rig.note(`the kill cut Pulumi's checkpoint short; restored its backup ${rig.stack.restoreCheckpointBackup()}`);
                    cancel = await cancelRun();
                }
                expect(cancel.code, `pulumi cancel after the kill; its output:\n${cancel.stdout}${cancel.stderr}`).to.equal(0);

                const rerun = await rig.convergesAndCleansUp();
                const madeBefore = zoneNames.some((z) => leftBehind[z].buckets.length + leftBehind[z].users.length + leftBehind[z].policies.length > 0);
                if (madeBefore) {
                    expect(rerun.stdout + rerun.stderr, "the re-run says that it adopted what the killed run made").to.match(/earlier, interrupted run of this resource; adopting/);
                }
            } finally {
                await rig.close();
            }
        });
    }

    it("c1: Ctrl-C while a request hangs (time limit 120 s) stops pulumi up within seconds; the re-run converges", async () => {
        const rig = await FaultRig.open("c1", { maxRetries: 0, requestTimeoutSeconds: 120 });
        try {
            rig.inject(stages.putBucketVersioning, stall(), { times: "every" });
            const seen = rig.proxies[stages.putBucketVersioning.zone].when({ ...stages.putBucketVersioning.match, accessKey: rig.adminAccessKey });
            const run = rig.stack.up();
            await seen;
            const pid = pulumiProcess(rig.stack, "up");
            expect(pid, "the pulumi up process of this stack").to.be.a("number");
            const interruptedAt = Date.now();
            process.kill(pid!, "SIGINT");
            const interrupted = await Promise.race([run, sleep(100_000).then((): RunResult => ({ code: -999, stdout: "", stderr: "still running 100 s after SIGINT" }))]);
            const seconds = (Date.now() - interruptedAt) / 1000;
            const text = interrupted.stdout + interrupted.stderr;
            expect(interrupted.code, `pulumi up after SIGINT; its output:\n${text}`).to.not.equal(0);
            rig.note(`pulumi up exited ${seconds.toFixed(1)} s after SIGINT, with: ${text.split("\n").filter((l) => /error|cancel|Stopped/i.test(l)).slice(0, 3).join(" | ")}`);
            expect(seconds, `seconds from SIGINT to pulumi's exit (the stalled request's own limit is 120 s); output:\n${text}`).to.be.below(5);
            await rig.convergesAndCleansUp();
        } finally {
            await rig.close();
        }
    });
});

/**
 * The language host and provider of a killed `pulumi` are not stopped by its death (they serve until
 * told to stop); once they are idle, end them. They are this test's own processes, found by pid.
 */
function endLingering(pids: readonly number[], rig: FaultRig): void {
    for (const pid of pids.filter(isRunning)) {
        let command = "";
        try { command = require("fs").readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, 2).join(" "); } catch { /* gone */ }
        rig.note(`ending pid ${pid} left by the killed pulumi: ${command}`);
        try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
    }
}
