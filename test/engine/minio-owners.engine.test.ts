import { expect } from "chai";
import * as path from "path";
import { keysOf, mcOn, objectsOn, ownersZones, rawRemoteTargetsOn, type LocalZones } from "../support/localZones";
import { PulumiStack, type RunResult } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

// Issue 20, MinIO: two sites with different owners. The owners pair (`npm run zones -- --pair owners up`)
// runs local-a and local-b with different root users and passwords, so that a request signed with one
// site's pair is refused by the other. Each zone's pair is stack configuration
// ('bucket-replication:zones.<zone>.accessKey/secretKey', the secret set with --secret); every request to
// a zone (S3, admin, the remote target registered on the source, the replication user made on every zone)
// must sign with that zone's pair. Checked under the real engine, on what the two servers hold.

const program = (name: string) => path.join(repoRoot, "test", "programs", name);

/**
 * A stack on the owners pair, configured as a user of two sites would: the zones' endpoints, the zones'
 * own key pairs where given (secret keys with --secret), and the stack's pair. The embedded default (a
 * zones file) is kept out of the way: only this configuration can work.
 */
async function ownersStack(programName: string, local: LocalZones, options: { ownKeys: readonly string[]; stackPair: { accessKey: string; secretKey: string } }): Promise<PulumiStack> {
    const stack = await PulumiStack.init(program(programName), { "bucket-replication:backend": "minio" }, { PBR_LOCAL_ZONES: "/nonexistent/zones.json" });
    await setZones(stack, local, options.ownKeys);
    await stack.setConfig("bucket-replication:accessKey", options.stackPair.accessKey);
    await stack.setConfig("bucket-replication:secretKey", options.stackPair.secretKey, { secret: true });
    return stack;
}

/** `pulumi config set --path` of each zone's endpoint, and of its own key pair for the zones in `ownKeys`. */
async function setZones(stack: PulumiStack, local: LocalZones, ownKeys: readonly string[]): Promise<void> {
    const set = async (key: string, value: string, secret = false) => {
        const result = await stack.run(["config", "set", "--path", key, value, "--config-file", stack.configFile, secret ? "--secret" : "--plaintext"]);
        if (result.code !== 0) throw new Error(`pulumi config set --path ${key} failed: ${result.stdout}${result.stderr}`);
    };
    for (const [zone, { endpoint }] of Object.entries(local.zones)) {
        await set(`bucket-replication:zones.${zone}.endpoint`, endpoint);
        if (!ownKeys.includes(zone)) continue;
        const keys = keysOf(local, zone);
        await set(`bucket-replication:zones.${zone}.accessKey`, keys.accessKey);
        await set(`bucket-replication:zones.${zone}.secretKey`, keys.secretKey, true);
    }
}

/** Every root password of the pair, for searching the state and the logs. */
function rootPasswords(local: LocalZones): string[] {
    return Object.keys(local.zones).map((zone) => keysOf(local, zone).secretKey);
}

function expectNoSecret(where: string, text: string, secrets: readonly string[]): void {
    for (const secret of secrets) {
        expect(secret.length, "a secret worth searching for").to.be.greaterThan(7);
        expect(text.includes(secret), `${where} holds a secret in clear`).to.equal(false);
    }
}

/** What the owners pair holds of ours on `zone`: buckets, users and canned policies with these names. */
async function heldOn(local: LocalZones, zone: string, names: { buckets: readonly string[]; roles: readonly string[] }) {
    const buckets = (await mcOn(local, ["ls", zone])).map((entry) => String(entry.key ?? "").replace(/\/$/, ""));
    const users = (await mcOn(local, ["admin", "user", "list", zone])).map((user) => String(user.accessKey ?? ""));
    const policies = (await mcOn(local, ["admin", "policy", "list", zone])).map((policy) => String(policy.policy ?? ""));
    return {
        buckets: names.buckets.filter((name) => buckets.includes(name)),
        users: names.roles.filter((name) => users.includes(name)),
        policies: names.roles.filter((name) => policies.includes(name)),
    };
}

/** The remote targets of a source bucket, read with the source zone's root keys (MinIO's admin API, not the provider's client). */
async function remoteTargets(local: LocalZones, zone: string, bucket: string) {
    return (await rawRemoteTargetsOn(local, zone, bucket)).map((t) => ({ endpoint: t.endpoint, targetBucket: t.targetbucket, accessKey: t.credentials?.accessKey }));
}

const hostOf = (endpoint: string) => new URL(endpoint).host;

describe("engine: a LeaderFollower between two MinIO sites with different owners, each zone's key pair in the stack configuration", function () {
    const local = ownersZones();
    const objects = objectsOn(local);
    // The stack's own pair is known to neither site: every request must sign with its zone's pair.
    const stackPair = { accessKey: "pbr-nobody", secretKey: `nobody-${Date.now().toString(36)}-secret` };
    let stack: PulumiStack;
    let out: Record<string, any>;
    const logs: string[] = [];

    before(async () => {
        stack = await ownersStack("owners-leader-follower", local, { ownKeys: ["local-a", "local-b"], stackPair });
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    const run = (result: RunResult) => { logs.push(result.stdout, result.stderr); return result; };

    it("converges on the first up (the replication verified by it), with an unchanged preview after it", async () => {
        run(await stack.mustUp());
        out = await stack.outputs();
        expect(out.leader).to.match(/^owners-leader-[a-z0-9]{8}$/);
        expect(out.follower).to.match(/^owners-follower-1-[a-z0-9]{8}$/);
        expect(out.replicationLag).to.have.property("follower-1").that.is.a("number");
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
        expect(run(await stack.expectNoChanges()).code).to.equal(0);
    });

    it("made the replication user on both sites and registered the follower, signing with the user's keys, on the leader's site", async () => {
        for (const zone of ["local-a", "local-b"]) {
            expect(await heldOn(local, zone, { buckets: [], roles: [out.role] })).to.deep.include({ users: [out.role], policies: [out.role] });
        }
        const targets = await remoteTargets(local, "local-a", out.leader);
        expect(targets.map(({ endpoint, targetBucket, accessKey }) => ({ endpoint, targetBucket, accessKey })))
            .to.deep.equal([{ endpoint: hostOf(local.zones["local-b"].endpoint), targetBucket: out.follower, accessKey: out.role }]);
    });

    it("replicates writes from the leader's site to the follower's: COMPLETED on the leader, REPLICA on the follower", async () => {
        await objects.putObject("local-a", out.leader, "ledger.csv", "owner,a\n");
        await objects.replicated("local-b", out.follower, "ledger.csv", "owner,a\n", "REPLICA");
        await objects.replicated("local-a", out.leader, "ledger.csv", "owner,a\n", "COMPLETED");
    });

    it("keeps both root passwords, the stack's secret key and the role's secret key out of the state and the logs; a refresh finds nothing changed", async () => {
        expect(out.roleSecretKey).to.be.a("string").with.length.greaterThan(7);
        const secrets = [...rootPasswords(local), stackPair.secretKey, out.roleSecretKey];
        expectNoSecret("the state file", stack.stateText(), secrets);
        // A refresh reads every zone, each with its own pair, and finds everything as declared.
        const refreshed = run(await stack.runOnStack(["preview", "--refresh", "--expect-no-changes"]));
        expect(refreshed.code, refreshed.stdout + refreshed.stderr).to.equal(0);
        run(await stack.mustRefresh());
        expectNoSecret("the output of up, preview and refresh", logs.join("\n"), secrets);
    });

    it("destroy leaves nothing of ours on either site: no bucket, user, policy or remote target", async () => {
        const result = run(await stack.mustDestroy());
        expectNoSecret("the output of destroy", result.stdout + result.stderr, [...rootPasswords(local), out.roleSecretKey]);
        for (const zone of ["local-a", "local-b"]) {
            expect(await heldOn(local, zone, { buckets: [out.leader, out.follower], roles: [out.role] }), zone)
                .to.deep.equal({ buckets: [], users: [], policies: [] });
        }
        // The remote target lived on the leader bucket: MinIO has no target for a bucket that is gone.
        const targets = await remoteTargets(local, "local-a", out.leader).catch((error: Error) => error.message);
        expect(targets).to.satisfy((t: unknown) => (Array.isArray(t) && t.length === 0) || /NoSuchBucket|does not exist/i.test(String(t)));
    });
});

describe("engine: a BiDirectional between two MinIO sites with different owners (the stack's pair for one site, the other's own)", function () {
    const local = ownersZones();
    const objects = objectsOn(local);
    let stack: PulumiStack;
    let out: Record<string, any>;

    before(async () => {
        // The stack's pair is local-a's owner's; local-b has its own in the zones setting.
        stack = await ownersStack("owners-bidirectional", local, { ownKeys: ["local-b"], stackPair: keysOf(local, "local-a") });
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    it("converges on the first up, with an unchanged preview after it", async () => {
        await stack.mustUp();
        out = await stack.outputs();
        expect(out.a).to.match(/^owners-a-[a-z0-9]{8}$/);
        expect(out.b).to.match(/^owners-b-[a-z0-9]{8}$/);
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("replicates both ways, once: COMPLETED where written, REPLICA on the other site", async () => {
        await objects.putObject("local-a", out.a, "from-a.txt", "written on a");
        await objects.putObject("local-b", out.b, "from-b.txt", "written on b");
        await objects.replicated("local-b", out.b, "from-a.txt", "written on a", "REPLICA");
        await objects.replicated("local-a", out.a, "from-b.txt", "written on b", "REPLICA");
        await objects.replicated("local-a", out.a, "from-a.txt", "written on a", "COMPLETED");
        await objects.replicated("local-b", out.b, "from-b.txt", "written on b", "COMPLETED");
    });

    it("registered each direction's remote target on its source site, signing with that direction's user", async () => {
        const toB = await remoteTargets(local, "local-a", out.a);
        const toA = await remoteTargets(local, "local-b", out.b);
        expect(toB.map(({ endpoint, targetBucket, accessKey }) => ({ endpoint, targetBucket, accessKey })))
            .to.deep.equal([{ endpoint: hostOf(local.zones["local-b"].endpoint), targetBucket: out.b, accessKey: out.roleAToB }]);
        expect(toA.map(({ endpoint, targetBucket, accessKey }) => ({ endpoint, targetBucket, accessKey })))
            .to.deep.equal([{ endpoint: hostOf(local.zones["local-a"].endpoint), targetBucket: out.a, accessKey: out.roleBToA }]);
    });

    it("keeps both root passwords and the roles' secret keys out of the state", async () => {
        expect(out.roleSecretKeys).to.have.length(2);
        expectNoSecret("the state file", stack.stateText(), [...rootPasswords(local), ...out.roleSecretKeys]);
    });

    it("destroy leaves nothing of ours on either site", async () => {
        await stack.mustDestroy();
        for (const zone of ["local-a", "local-b"]) {
            expect(await heldOn(local, zone, { buckets: [out.a, out.b], roles: [out.roleAToB, out.roleBToA] }), zone)
                .to.deep.equal({ buckets: [], users: [], policies: [] });
        }
    });
});

describe("engine: on two sites with different owners, the stack's pair alone is refused, naming the zone and its key settings", function () {
    const local = ownersZones();
    let stack: PulumiStack;
    let out: Record<string, any> = {};

    before(async () => {
        // local-a's owner's pair for every zone: local-b refuses it.
        stack = await ownersStack("owners-leader-follower", local, { ownKeys: [], stackPair: keysOf(local, "local-a") });
    });

    after(async () => {
        await stack.destroy();
        await stack.dispose();
    });

    it("fails the up on local-b, saying which pair signed and which settings give local-b its own", async () => {
        const result = await stack.up();
        expect(result.code).to.not.equal(0);
        const text = result.stdout + result.stderr;
        expect(text).to.match(/on zone 'local-b' \(http:\/\/127\.0\.0\.1:\d+\) failed: HTTP 403 InvalidAccessKeyId/);
        expect(text).to.contain("requests to zone local-b sign with the stack's key pair, 'bucket-replication:accessKey' and 'bucket-replication:secretKey'");
        expect(text).to.contain("give local-b that key pair as 'bucket-replication:zones.local-b.accessKey' and 'bucket-replication:zones.local-b.secretKey'");
        expectNoSecret("the output of the failed up", text, rootPasswords(local));
    });

    it("converges once local-b's own pair is set, and destroy then leaves nothing on either site", async () => {
        await setZones(stack, local, ["local-b"]);
        await stack.mustUp();
        out = await stack.outputs();
        await stack.mustDestroy();
        for (const zone of ["local-a", "local-b"]) {
            expect(await heldOn(local, zone, { buckets: [out.leader, out.follower], roles: [out.role] }), zone)
                .to.deep.equal({ buckets: [], users: [], policies: [] });
        }
    });
});
