import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { Fault, FaultProxy, RequestMatcher, describeFault } from "../support/faultProxy";
import { localZones, mc } from "../support/localZones";
import { putObject, replicated } from "../support/objects";
import { PulumiStack, RunResult } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

/**
 * One cell of the fault suite: a stack of test/programs/fault-leader-follower whose two zones are
 * reached through a FaultProxy each, and the checks every cell ends with. Everything a cell makes
 * starts with its prefix, so the servers can be searched for leftovers without knowing the state.
 */

export type ZoneName = "local-a" | "local-b";
export const zoneNames: readonly ZoneName[] = ["local-a", "local-b"];

/** Every name made by this run of the suite starts with this, so leftovers of earlier runs are not counted. */
export const runPrefix = `f${Date.now().toString(36).slice(-5)}`;

/** A step of a leader-follower `up` where a fault is put, and how the provider names it in messages. */
export interface Stage {
    readonly name: string;
    readonly zone: ZoneName;
    readonly match: RequestMatcher;
    /** The operation as a failure message names it. */
    readonly operation: RegExp;
}

/** The steps of a leader-follower `up`, each on the zone where the fault suite puts its fault. */
export const stages = {
    createBucket: { name: "CreateBucket of the leader", zone: "local-a", match: { op: "CreateBucket" }, operation: /CreateBucket of '/ },
    putBucketTagging: { name: "PutBucketTagging of the leader", zone: "local-a", match: { op: "PutBucketTagging" }, operation: /PutBucketTagging of '/ },
    putBucketVersioning: { name: "PutBucketVersioning of the follower", zone: "local-b", match: { op: "PutBucketVersioning" }, operation: /PutBucketVersioning of '/ },
    addCannedPolicy: { name: "admin add-canned-policy on the second zone", zone: "local-b", match: { op: "admin:add-canned-policy" }, operation: /add-canned-policy/ },
    addUser: { name: "admin add-user on the second zone", zone: "local-b", match: { op: "admin:add-user" }, operation: /add-user/ },
    attachPolicy: { name: "admin policy attach on the second zone", zone: "local-b", match: { op: "admin:idp/builtin/policy/attach" }, operation: /attach-policy/ },
    setRemoteTarget: { name: "admin set-remote-target on the leader's zone", zone: "local-a", match: { op: "admin:set-remote-target" }, operation: /set-remote-target/ },
    putReplication: { name: "PUT ?replication of the leader", zone: "local-a", match: { op: "PutBucketReplication" }, operation: /PUT \?replication|PutBucketReplication/ },
} satisfies Record<string, Stage>;

export const allStages: readonly Stage[] = Object.values(stages);

export interface RigOptions {
    /** Stack configuration besides zones, credentials and the prefix. */
    readonly config?: Record<string, string>;
    readonly requestTimeoutSeconds?: number;
    readonly maxRetries?: number;
}

/** What a failure message must say happened, for each kind of fault (issue 7: errors with context). */
export function causeOf(fault: Fault): RegExp {
    switch (fault.kind) {
        case "slowDown": return /HTTP 503 SlowDown/;
        case "internalError": return /HTTP 500 InternalError/;
        case "reset":
        case "lostAnswer": return /ECONNRESET/;
        case "stall": return /Timeout: no answer within \d+ ms/;
        case "restart": return /ECONNREFUSED|ECONNRESET/;
    }
}

export interface Expectations {
    /** The leader's tags the servers must hold (default: the program's `{ stage: "first" }`). */
    readonly leaderTags?: Record<string, string>;
    /** More to check on the servers before the object test and destroy. */
    readonly alsoCheck?: (out: Record<string, string>) => Promise<void>;
}

export class FaultRig {
    readonly outputsSeen: Record<string, string>[] = [];
    private out?: Record<string, string>;

    /** Assertions that failed in a step after which the cell still goes on, to show whether it recovers. */
    private readonly deferredFailures: string[] = [];

    private constructor(
        readonly cell: string,
        readonly prefix: string,
        readonly stack: PulumiStack,
        readonly proxies: Record<ZoneName, FaultProxy>,
        readonly adminAccessKey: string,
    ) {}

    /** Starts a proxy in front of each zone and a stack whose zones point at the proxies. */
    static async open(cell: string, options: RigOptions = {}): Promise<FaultRig> {
        const local = localZones();
        const proxies = {
            "local-a": await FaultProxy.start(local.zones["local-a"].endpoint, `${cell}/local-a`),
            "local-b": await FaultProxy.start(local.zones["local-b"].endpoint, `${cell}/local-b`),
        };
        const prefix = `${runPrefix}-${cell}`;
        const stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "fault-leader-follower"), {},
            { PBR_LOCAL_ZONES: process.env.PBR_LOCAL_ZONES ?? path.join(repoRoot, ".zones", "zones.json") });
        const config: Record<string, string> = {
            "bucket-replication:backend": "minio",
            "bucket-replication:zones": JSON.stringify({
                "local-a": { endpoint: proxies["local-a"].endpoint },
                "local-b": { endpoint: proxies["local-b"].endpoint },
            }),
            "bucket-replication:accessKey": local.accessKey,
            "bucket-replication:requestTimeoutSeconds": String(options.requestTimeoutSeconds ?? 5),
            "bucket-replication:connectTimeoutSeconds": "2",
            "bucket-replication:maxRetries": String(options.maxRetries ?? 4),
            "bucket-replication:waitTimeoutSeconds": "30",
            prefix,
            ...options.config,
        };
        // One command for all of it: a cell starts many stacks, and each `config set` is a CLI start.
        const setAll = await stack.run(["config", "set-all", "--stack", stack.stackName, "--config-file", stack.configFile,
            ...Object.entries(config).flatMap(([key, value]) => ["--plaintext", `${key}=${value}`]),
            "--secret", `bucket-replication:secretKey=${local.secretKey}`]);
        if (setAll.code !== 0) throw new Error(`pulumi config set-all failed:\n${setAll.stdout}${setAll.stderr}`);
        return new FaultRig(cell, prefix, stack, proxies, local.accessKey);
    }

    /** Puts `fault` on the provider's requests of `stage` (the servers' replication traffic is left alone). */
    inject(stage: Stage, fault: Fault, selection: { nth?: number; times?: number | "every" } = {}): void {
        this.proxies[stage.zone].inject({ match: { ...stage.match, accessKey: this.adminAccessKey }, fault, ...selection });
    }

    clearFaults(): void {
        for (const zone of zoneNames) this.proxies[zone].clearFaults();
    }

    /** The provider's requests of `stage` that got a fault, as the proxy recorded them. */
    faultedAt(stage: Stage): string[] {
        return this.proxies[stage.zone].requests({ ...stage.match, accessKey: this.adminAccessKey })
            .filter((r) => r.fault !== undefined).map((r) => r.fault!);
    }

    /** `pulumi up`, expected to fail at `stage`: the message names the zone, the endpoint (the proxy) and the operation. */
    async upFailingAt(stage: Stage, fault: Fault): Promise<RunResult> {
        const result = await this.stack.up();
        const text = result.stdout + result.stderr;
        const what = `${describeFault(fault)} at every ${stage.name}`;
        expect(result.code, `pulumi up should fail under ${what}; its output:\n${text}`).to.not.equal(0);
        expect(this.faultedAt(stage).length, `the proxy should have faulted ${stage.name}; output:\n${text}`).to.be.greaterThan(0);
        const endpoint = this.proxies[stage.zone].endpoint;
        const line = text.split("\n").find((l) => l.includes(`zone '${stage.zone}' (${endpoint})`) && stage.operation.test(l));
        expect(line, `a failure message naming zone '${stage.zone}', endpoint ${endpoint} and ${stage.operation} under ${what}; output:\n${text}`)
            .to.not.equal(undefined);
        // The message itself, as evidence in the test log of what a user reads.
        this.note(line!.trim());
        // Checked at the end of the cell, so that a wrong cause does not hide whether the cell recovers.
        if (!causeOf(fault).test(line!)) {
            this.deferredFailures.push(`the failure message should say what went wrong (${describeFault(fault)}, ${causeOf(fault)}), but reads: ${line!.trim()}`);
        }
        return result;
    }

    /** Every cell that failed ends here: faults removed, a plain `up` converges, then `verifiedAndDestroyed`. */
    async convergesAndCleansUp(expectations: Expectations = {}): Promise<RunResult> {
        this.clearFaults();
        const up = await this.stack.up();
        expect(up.code, `the plain re-run of pulumi up should converge; its output:\n${up.stdout}${up.stderr}`).to.equal(0);
        await this.verifiedAndDestroyed(expectations);
        return up;
    }

    /** How many requests of the provider (signed with the admin key) both proxies have seen so far. */
    providerRequestCount(): number {
        return zoneNames.reduce((n, zone) => n + this.proxies[zone].requests({ accessKey: this.adminAccessKey }).length, 0);
    }

    /** Resolves once neither proxy has seen a request of the provider for `quietMs` (or after `limitMs`). */
    async providerQuiet(quietMs: number, limitMs: number): Promise<void> {
        const started = Date.now();
        let last = this.providerRequestCount();
        let lastChange = Date.now();
        while (Date.now() - lastChange < quietMs && Date.now() - started < limitMs) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            const now = this.providerRequestCount();
            if (now !== last) { last = now; lastChange = Date.now(); }
        }
    }

    /** The preview is empty, the servers hold exactly this stack's things, an object replicates, destroy leaves nothing. */
    async verifiedAndDestroyed(expectations: Expectations = {}): Promise<void> {
        this.clearFaults();
        await this.expectNoChanges();
        const out = await this.outputs();
        await this.expectExactlyOurs(out, expectations.leaderTags ?? { stage: "first" });
        await expectations.alsoCheck?.(out);
        await this.expectReplication(out);
        await this.destroyLeavesNothing();
        expect(this.deferredFailures, "what the cell found wrong on the way").to.deep.equal([]);
    }

    /** A line of evidence in the test log, marked with the cell (parallel runs print as they go). */
    note(text: string): void {
        process.stdout.write(`      ↳ [${this.cell}] ${text}\n`);
    }

    async outputs(): Promise<Record<string, string>> {
        this.out = await this.stack.outputs() as Record<string, string>;
        this.outputsSeen.push(this.out);
        return this.out;
    }

    async expectNoChanges(): Promise<void> {
        const preview = await this.stack.run(["preview", "--expect-no-changes", ...this.flags()]);
        expect(preview.code, `pulumi preview --expect-no-changes after convergence; its output:\n${preview.stdout}${preview.stderr}`).to.equal(0);
    }

    /** On the servers themselves: exactly the two buckets, one user and one policy per zone, one remote target. */
    async expectExactlyOurs(out: Record<string, string>, leaderTags: Record<string, string>): Promise<void> {
        const found = await leftovers(this.prefix);
        expect(found, "what the servers hold with this cell's prefix").to.deep.equal({
            "local-a": { buckets: [out.leaderBucket], users: [out.roleName], policies: [out.roleName] },
            "local-b": { buckets: [out.followerBucket], users: [out.roleName], policies: [out.roleName] },
        });
        const targets = await remoteTargets("local-a", out.leaderBucket);
        const proxyB = new URL(this.proxies["local-b"].endpoint).host;
        expect(targets.map((t) => `${t.endpoint}/${t.targetBucket}`), "remote targets of the leader")
            .to.deep.equal([`${proxyB}/${out.followerBucket}`]);
        expect(await remoteTargets("local-b", out.followerBucket), "remote targets of the follower").to.deep.equal([]);
        const tags = await mc(["tag", "list", `local-a/${out.leaderBucket}`]);
        const { "pulumi-bucket-replication:owner": marker, ...userTags } = tags[0]?.tagset ?? {};
        expect(userTags, "the leader's tags on the server").to.deep.equal(leaderTags);
        expect(marker, "the leader's ownership marker").to.be.a("string");
    }

    async expectReplication(out: Record<string, string>): Promise<void> {
        const body = `fault cell ${this.prefix} ${Date.now()}`;
        await putObject("local-a", out.leaderBucket, "fault/object.txt", body);
        await replicated("local-b", out.followerBucket, "fault/object.txt", body, "REPLICA");
    }

    async destroyLeavesNothing(): Promise<void> {
        const destroy = await this.stack.destroy();
        expect(destroy.code, `pulumi destroy; its output:\n${destroy.stdout}${destroy.stderr}`).to.equal(0);
        expect(await leftovers(this.prefix), "what the servers hold with this cell's prefix after destroy").to.deep.equal({
            "local-a": { buckets: [], users: [], policies: [] },
            "local-b": { buckets: [], users: [], policies: [] },
        });
    }

    /** The flags every pulumi command of this stack needs. */
    flags(): string[] {
        return ["--non-interactive", "--stack", this.stack.stackName, "--config-file", this.stack.configFile, "--suppress-progress"];
    }

    /** Destroys whatever is left (faults removed), then the stack and the proxies. */
    async close(): Promise<void> {
        this.clearFaults();
        let destroy = await this.stack.destroy().catch((error: Error) => ({ code: -1, stdout: "", stderr: error.message }));
        if (destroy.code !== 0 && /currently locked/.test(destroy.stdout + destroy.stderr)) {
            // A cell that failed between a kill -9 and its 'pulumi cancel' must still clean up after itself.
            await this.stack.run(["cancel", "--yes", "--stack", this.stack.stackName, "--non-interactive"]);
            destroy = await this.stack.destroy().catch((error: Error) => ({ code: -1, stdout: "", stderr: error.message }));
        }
        if (destroy.code !== 0) process.stderr.write(`[fault ${this.prefix}] destroy while closing failed:\n${destroy.stdout}${destroy.stderr}\n`);
        await this.stack.dispose();
        for (const zone of zoneNames) await this.proxies[zone].close();
    }
}

export interface ZoneHoldings {
    readonly buckets: string[];
    readonly users: string[];
    readonly policies: string[];
}

/** What each server holds whose name starts with `prefix`, read with mc straight from the servers (not through the proxies). */
export async function leftovers(prefix: string): Promise<Record<ZoneName, ZoneHoldings>> {
    const result = {} as Record<ZoneName, ZoneHoldings>;
    for (const zone of zoneNames) {
        const ours = (name: string | undefined): name is string => typeof name === "string" && name.startsWith(prefix);
        const buckets = (await mc(["ls", zone])).map((e) => String(e.key ?? "").replace(/\/$/, "")).filter(ours).sort();
        const users = (await mc(["admin", "user", "list", zone])).map((u) => u.accessKey as string | undefined).filter(ours).sort();
        const policies = (await mc(["admin", "policy", "list", zone])).map((p) => p.policy as string | undefined).filter(ours).sort();
        result[zone] = { buckets, users, policies };
    }
    return result;
}

/**
 * The replication remote targets of a bucket, straight from its server. This mc has no command that
 * lists them, so the admin client reads them (a read, at the server's own address, not through a proxy).
 */
export async function remoteTargets(zone: ZoneName, bucket: string): Promise<Array<{ endpoint: string; targetBucket: string }>> {
    const { MinioAdminClient } = require("../../provider/backends/minio/adminClient") as typeof import("../../provider/backends/minio/adminClient");
    const local = localZones();
    const admin = new MinioAdminClient({ endpoint: local.zones[zone].endpoint, credentials: { accessKey: local.accessKey, secretKey: local.secretKey }, zone });
    return (await admin.listRemoteTargets(bucket)).map((t) => ({ endpoint: t.endpoint, targetBucket: t.targetBucket }));
}

/** The processes of this machine as /proc shows them now: pid, parent and state (`Z` for a zombie). */
function processTable(): Array<{ pid: number; ppid: number; state: string }> {
    const table: Array<{ pid: number; ppid: number; state: string }> = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            // The command name in parentheses may hold spaces: the fields after its closing one are fixed.
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            table.push({ pid: Number(entry), ppid: Number(ppid), state });
        } catch {
            // the process ended while we looked
        }
    }
    return table;
}

/**
 * The `pulumi <command>` process of this stack, among the children of this test process, found by its
 * command line (the stack helper does not hand out its child process).
 */
export function pulumiProcess(stack: PulumiStack, command: string): number | undefined {
    for (const { pid, ppid } of processTable()) {
        if (ppid !== process.pid) continue;
        try {
            const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
            if (path.basename(argv[0]) === "pulumi" && argv[1] === command && argv.includes(stack.stackName)) return pid;
        } catch {
            // gone
        }
    }
    return undefined;
}

/** Every descendant of `pid`, as it is now. */
export function descendantsOf(pid: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of processTable()) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry.pid]);
    const found: number[] = [];
    const walk = (parent: number) => (children.get(parent) ?? []).forEach((child) => { found.push(child); walk(child); });
    walk(pid);
    return found;
}

/** Whether `pid` still runs: not ended, and not a zombie waiting for its (killed) parent to reap it. */
export function isRunning(pid: number): boolean {
    const entry = processTable().find((p) => p.pid === pid);
    return entry !== undefined && entry.state !== "Z";
}
