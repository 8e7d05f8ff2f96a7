import { expect } from "chai";
import * as path from "path";
import type { BucketRef, ReplicationRule, ReplicationSpec, RoleState } from "../../provider/backends/backend";
import { replicationPolicy } from "../../provider/backends/exoscale";
import { configureFrom } from "../../provider/context";
import { replicationStatusWith } from "../../provider/replicationStatus";
import { provider as verificationProvider } from "../../provider/replicationVerification";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";
import { backendUnderContract, createRole, independentS3, roleSpec, settingsFor, versionedBucket } from "./exoscaleHarness";
import { evaluateCel, type ExoscaleContractServer, policyAllows, stackConfigFor, startExoscaleContractServer } from "./exoscaleServer";

// The SOS stand-in replicates as its stored configuration says (test/contract/exoscaleServer.ts, "Replication"):
// asynchronously, a version at a time, to the named destination bucket in whichever zone holds it, with
// x-amz-replication-status PENDING, then COMPLETED or FAILED on the source and REPLICA on the copy. These
// tests hold our health sample, ReplicationVerification and a LeaderFollower with `verify` to it; against
// a stand-in that does not replicate, every one of them fails.

const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

/** Long enough that a HEAD right after a write sees PENDING, even on a busy machine. */
const replicationDelayMs = 1000;

/**
 * Retries `check` until it passes or `withinMs` elapse, then fails with its last failure: replication is
 * waited for through what a client sees, so that a stand-in that never replicates fails on the assertion.
 */
async function eventually<T>(check: () => Promise<T>, withinMs = 10_000): Promise<T> {
    const deadline = Date.now() + withinMs;
    for (;;) {
        try {
            return await check();
        } catch (error) {
            if (Date.now() >= deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }
}

function rule(id: string, destination: BucketRef, overrides: Partial<ReplicationRule> = {}): ReplicationRule {
    return {
        id, priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: true, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination, ...overrides,
    };
}

async function put(server: ExoscaleContractServer, ref: BucketRef, key: string, body: string): Promise<string> {
    const answer = await independentS3(server, ref.zone).send(new (s3().PutObjectCommand)({ Bucket: ref.bucket, Key: key, Body: body }));
    return answer.VersionId!;
}

/** HEAD of one object (its latest version, or `versionId`), read with a client of its own. */
async function head(server: ExoscaleContractServer, ref: BucketRef, key: string, versionId?: string): Promise<{ status?: string; versionId?: string } | undefined> {
    try {
        const answer = await independentS3(server, ref.zone).send(new (s3().HeadObjectCommand)({ Bucket: ref.bucket, Key: key, VersionId: versionId }));
        return { status: answer.ReplicationStatus, versionId: answer.VersionId };
    } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
        throw error;
    }
}

async function getBody(server: ExoscaleContractServer, ref: BucketRef, key: string): Promise<{ body: string; status?: string; versionId?: string }> {
    const answer = await independentS3(server, ref.zone).send(new (s3().GetObjectCommand)({ Bucket: ref.bucket, Key: key }));
    return { body: await answer.Body!.transformToString(), status: answer.ReplicationStatus, versionId: answer.VersionId };
}

/** Every version and delete marker of `key` in a bucket, as ListObjectVersions answers them. */
async function versionsOf(server: ExoscaleContractServer, ref: BucketRef, key: string): Promise<string[]> {
    const listed = await independentS3(server, ref.zone).send(new (s3().ListObjectVersionsCommand)({ Bucket: ref.bucket, Prefix: key }));
    return [
        ...(listed.Versions ?? []).filter((v) => v.Key === key).map((v) => `version ${v.VersionId}`),
        ...(listed.DeleteMarkers ?? []).filter((m) => m.Key === key).map((m) => `delete marker ${m.VersionId}`),
    ].sort();
}

describe("contract: the SOS stand-in judges the replication role's policy as Exoscale's policy guide describes", () => {
    const guide = replicationPolicy({ zone: "ch-dk-2", bucket: "my-source" }, [{ zone: "at-vie-1", bucket: "my-destination" }]);
    const request = (operation: string, bucket: string) => ({ operation, bucket, zone: "ch-dk-2" });

    it("allows the guide's policy exactly get-object on the source and put-object on the destination", () => {
        expect(policyAllows(guide, request("get-object", "my-source"))).to.equal(true);
        expect(policyAllows(guide, request("put-object", "my-destination"))).to.equal(true);
        expect(policyAllows(guide, request("put-object", "my-source"))).to.equal(false);
        expect(policyAllows(guide, request("get-object", "my-destination"))).to.equal(false);
        expect(policyAllows(guide, request("delete-object", "my-destination"))).to.equal(false);
    });

    it("takes the first rule that evaluates to true, denies when none does whatever the default, and gives unlisted services the default", () => {
        const rules = (strategy: string, ...list: [string, string][]) => ({
            "default-service-strategy": strategy, services: { sos: { type: "rules", rules: list.map(([action, expression]) => ({ action, expression })) } },
        });
        expect(policyAllows(rules("allow", ["deny", "operation == 'get-object'"], ["allow", "true"]), request("get-object", "b"))).to.equal(false);
        expect(policyAllows(rules("allow", ["allow", "operation == 'list-objects'"]), request("get-object", "b"))).to.equal(false);
        // An expression that does not evaluate (an unknown binding) concludes nothing: the next rule decides.
        expect(policyAllows(rules("deny", ["deny", "resource.nothing == 'x'"], ["allow", "parameters.bucket == 'b'"]), request("get-object", "b"))).to.equal(true);
        expect(policyAllows({ "default-service-strategy": "allow", services: {} }, request("get-object", "b"))).to.equal(true);
        expect(policyAllows({ "default-service-strategy": "deny", services: {} }, request("get-object", "b"))).to.equal(false);
        expect(policyAllows({ "default-service-strategy": "deny", services: { sos: { type: "allow" } } }, request("put-object", "b"))).to.equal(true);
    });

    it("evaluates CEL's || and && over errors as CEL does, and refuses what it cannot parse", () => {
        const bindings = { operation: "put-object-tagging", parameters: { bucket: "b" } };
        expect(evaluateCel("operation.startsWith('put-object') && (parameters.bucket == 'a' || parameters.bucket == 'b')", bindings)).to.equal(true);
        expect(evaluateCel("missing == 'x' || operation != 'get-object'", bindings)).to.equal(true);
        expect(evaluateCel("missing == 'x' && false", bindings)).to.equal(false);
        expect(() => evaluateCel("size(operation) > 3", bindings)).to.throw(/cannot evaluate/);
    });
});

describe("contract: the SOS stand-in replicates as its configuration says (local contract server)", function () {
    const contract = backendUnderContract({ replicationDelayMs });
    let source: BucketRef;
    let destination: BucketRef;
    let role: RoleState;

    const configure = async (from: BucketRef, rules: ReplicationRule[], as: RoleState = role) => {
        const spec: ReplicationSpec = { source: from, role: as, rules };
        await contract.backend.putReplication(spec, undefined, () => undefined);
        return spec;
    };

    before(async () => {
        source = await versionedBucket(contract.backend, "ch-dk-2", "source");
        destination = await versionedBucket(contract.backend, "at-vie-1", "destination");
        role = await createRole(contract.backend, roleSpec(`replication-${source.bucket}`, { policy: replicationPolicy(source, [destination]) }));
        await configure(source, [rule("to-vienna", destination)]);
    });

    it("copies a new version into the destination's zone with its version ID: PENDING on the source, then COMPLETED; REPLICA on the copy", async () => {
        const { server } = contract;
        const versionId = await put(server, source, "reports/q1.csv", "a,b\n1,2\n");
        expect(await head(server, source, "reports/q1.csv"), "right after the write").to.deep.equal({ status: "PENDING", versionId });
        expect(await head(server, destination, "reports/q1.csv"), "at the destination before the copy").to.equal(undefined);

        await eventually(async () => expect(await head(server, source, "reports/q1.csv")).to.deep.equal({ status: "COMPLETED", versionId }));
        expect(await getBody(server, destination, "reports/q1.csv")).to.deep.equal({ body: "a,b\n1,2\n", status: "REPLICA", versionId });
        expect(server.state.buckets.get(destination.bucket)!.zone).to.equal("at-vie-1");
    });

    it("copies only keys under the rule's prefix; other keys carry no replication status", async () => {
        const { server } = contract;
        const from = await versionedBucket(contract.backend, "ch-dk-2", "prefixed");
        const prefixRole = await createRole(contract.backend, roleSpec(`replication-${from.bucket}`, { policy: replicationPolicy(from, [destination]) }));
        await configure(from, [rule("logs-only", destination, { prefix: "logs/" })], prefixRole);
        await put(server, from, "tmp/scratch", "scratch\n");
        await put(server, from, "logs/app.log", "line\n");
        expect((await head(server, from, "logs/app.log"))?.status).to.equal("PENDING");
        await eventually(async () => expect((await head(server, from, "logs/app.log"))?.status).to.equal("COMPLETED"));
        expect((await head(server, destination, "logs/app.log"))?.status).to.equal("REPLICA");
        expect(await head(server, destination, "tmp/scratch")).to.equal(undefined);
        expect((await head(server, from, "tmp/scratch"))?.status).to.equal(undefined);
    });

    it("copies a delete marker, with its version ID, when DeleteMarkerReplication is Enabled; a delete naming a version stays at the source", async () => {
        const { server } = contract;
        const client = independentS3(server, source.zone);
        const first = await put(server, source, "gone.txt", "one");
        const second = await put(server, source, "gone.txt", "two");
        await eventually(async () => expect(await versionsOf(server, destination, "gone.txt")).to.deep.equal([`version ${first}`, `version ${second}`].sort()));
        const marker = await client.send(new (s3().DeleteObjectCommand)({ Bucket: source.bucket, Key: "gone.txt" }));
        expect(marker.DeleteMarker).to.equal(true);
        await eventually(async () => expect(await versionsOf(server, destination, "gone.txt"))
            .to.deep.equal([`delete marker ${marker.VersionId}`, `version ${first}`, `version ${second}`].sort()));
        expect(await head(server, destination, "gone.txt"), "the latest version at the destination is the marker").to.equal(undefined);

        await client.send(new (s3().DeleteObjectCommand)({ Bucket: source.bucket, Key: "gone.txt", VersionId: first }));
        // Written after the delete, replicated after it: once it is there, the delete would have been too.
        await put(server, source, "after-delete.txt", "later");
        await eventually(async () => expect((await head(server, source, "after-delete.txt"))?.status).to.equal("COMPLETED"));
        expect(await versionsOf(server, destination, "gone.txt")).to.include(`version ${first}`);
    });

    it("leaves delete markers at the source when DeleteMarkerReplication is Disabled", async () => {
        const { server } = contract;
        const from = await versionedBucket(contract.backend, "ch-dk-2", "no-markers");
        const to = await versionedBucket(contract.backend, "at-vie-1", "no-markers-copy");
        const markerRole = await createRole(contract.backend, roleSpec(`replication-${from.bucket}`, { policy: replicationPolicy(from, [to]) }));
        await configure(from, [rule("objects-only", to, { deleteMarkerReplication: false })], markerRole);
        const version = await put(server, from, "kept.txt", "kept");
        await eventually(async () => expect((await head(server, from, "kept.txt"))?.status).to.equal("COMPLETED"));
        await independentS3(server, from.zone).send(new (s3().DeleteObjectCommand)({ Bucket: from.bucket, Key: "kept.txt" }));
        await put(server, from, "after-delete.txt", "later");
        await eventually(async () => expect((await head(server, from, "after-delete.txt"))?.status).to.equal("COMPLETED"));
        expect(await versionsOf(server, to, "kept.txt")).to.deep.equal([`version ${version}`]);
        expect((await getBody(server, to, "kept.txt")).body).to.equal("kept");
    });

    it("copies to every destination, one rule per destination (the highest priority), COMPLETED once all have it", async () => {
        const { server } = contract;
        const from = await versionedBucket(contract.backend, "ch-dk-2", "fan-out");
        const vienna = await versionedBucket(contract.backend, "at-vie-1", "fan-out-vie");
        const local = await versionedBucket(contract.backend, "ch-dk-2", "fan-out-dk");
        const fanRole = await createRole(contract.backend, roleSpec(`replication-${from.bucket}`, { policy: replicationPolicy(from, [vienna, local]) }));
        await configure(from, [rule("vie-low", vienna, { priority: 1 }), rule("vie-high", vienna, { priority: 3 }), rule("dk", local, { priority: 2 })], fanRole);
        const versionId = await put(server, from, "data.bin", "payload");
        await eventually(async () => expect((await head(server, from, "data.bin"))?.status).to.equal("COMPLETED"));
        for (const to of [vienna, local]) expect(await getBody(server, to, "data.bin")).to.deep.equal({ body: "payload", status: "REPLICA", versionId });
        expect(server.state.replications.filter((r) => r.source === from.bucket).map((r) => `${r.ruleId} ${r.outcome}`).sort())
            .to.deep.equal(["dk COMPLETED", "vie-high COMPLETED"]);
    });

    it("marks a version FAILED when its destination bucket no longer exists", async () => {
        const { server } = contract;
        const from = await versionedBucket(contract.backend, "ch-dk-2", "orphan");
        const to = await versionedBucket(contract.backend, "at-vie-1", "orphan-copy");
        const orphanRole = await createRole(contract.backend, roleSpec(`replication-${from.bucket}`, { policy: replicationPolicy(from, [to]) }));
        await configure(from, [rule("to-gone", to)], orphanRole);
        server.state.buckets.delete(to.bucket);
        await put(server, from, "lost.txt", "lost");
        expect((await head(server, from, "lost.txt"))?.status).to.equal("PENDING");
        await eventually(async () => expect((await head(server, from, "lost.txt"))?.status).to.equal("FAILED"));
        expect(server.state.replications.find((r) => r.source === from.bucket)?.reason).to.contain(`'${to.bucket}' does not exist`);
    });

    it("marks a version FAILED when the role may not put-object on the destination, or is gone", async () => {
        const { server } = contract;
        const from = await versionedBucket(contract.backend, "ch-dk-2", "denied");
        const to = await versionedBucket(contract.backend, "at-vie-1", "denied-copy");
        const other = await versionedBucket(contract.backend, "at-vie-1", "denied-other");
        // A policy for another destination: get-object on the source, put-object only on `other`.
        const narrowRole = await createRole(contract.backend, roleSpec(`replication-${from.bucket}`, { policy: replicationPolicy(from, [other]) }));
        await configure(from, [rule("to-denied", to)], narrowRole);
        await put(server, from, "secret.txt", "no");
        await eventually(async () => expect((await head(server, from, "secret.txt"))?.status).to.equal("FAILED"));
        expect(await head(server, to, "secret.txt")).to.equal(undefined);
        expect(server.state.replications.find((r) => r.source === from.bucket)?.reason).to.contain(`may not put-object on bucket '${to.bucket}'`);

        expect(server.state.deleteRoleOutOfBand(narrowRole.id)).to.equal(true);
        await put(server, from, "secret-2.txt", "no");
        await eventually(async () => expect((await head(server, from, "secret-2.txt"))?.status).to.equal("FAILED"));
        expect(server.state.replications.filter((r) => r.source === from.bucket).at(-1)?.reason).to.contain("does not exist");
    });

    it("does not copy a replica again: two buckets replicating into each other hold one version each", async () => {
        const { server } = contract;
        const a = await versionedBucket(contract.backend, "ch-dk-2", "two-way-a");
        const b = await versionedBucket(contract.backend, "at-vie-1", "two-way-b");
        const aToB = await createRole(contract.backend, roleSpec(`replication-${a.bucket}`, { policy: replicationPolicy(a, [b]) }));
        const bToA = await createRole(contract.backend, roleSpec(`replication-${b.bucket}`, { policy: replicationPolicy(b, [a]) }));
        await configure(a, [rule("to-b", b)], aToB);
        await configure(b, [rule("to-a", a)], bToA);
        const fromA = await put(server, a, "from-a.txt", "a");
        const fromB = await put(server, b, "from-b.txt", "b");
        await eventually(async () => expect((await head(server, b, "from-b.txt"))?.status).to.equal("COMPLETED"));
        expect((await head(server, a, "from-b.txt"))?.status).to.equal("REPLICA");
        // Anything written to b after the copies (a replica copied back would be): replicated once it is there.
        await put(server, b, "marker.txt", "last");
        await eventually(async () => expect((await head(server, b, "marker.txt"))?.status).to.equal("COMPLETED"));
        expect(await versionsOf(server, a, "from-a.txt")).to.deep.equal([`version ${fromA}`]);
        expect(await versionsOf(server, b, "from-a.txt")).to.deep.equal([`version ${fromA}`]);
        expect(await versionsOf(server, a, "from-b.txt")).to.deep.equal([`version ${fromB}`]);
        expect((await head(server, a, "from-a.txt"))?.status).to.equal("COMPLETED");
    });

    it("getReplicationStatus's sample sees PENDING right after writes, then COMPLETED and FAILED, under the rule's prefix only", async () => {
        const { server } = contract;
        const from = await versionedBucket(contract.backend, "ch-dk-2", "sampled");
        const to = await versionedBucket(contract.backend, "at-vie-1", "sampled-copy");
        const sampleRole = await createRole(contract.backend, roleSpec(`replication-${from.bucket}`, { policy: replicationPolicy(from, [to]) }));
        await configure(from, [rule("sampled", to, { prefix: "in/" })], sampleRole);
        const status = async () => {
            const result = await replicationStatusWith(settingsFor(server), { zone: from.zone, bucket: from.bucket, destinations: [to] });
            expect(result.rules.map((r) => [r.ruleId, r.destination])).to.deep.equal([["sampled", to]]);
            return result.rules[0];
        };
        // Four writes and a sample must fit in the replication delay: a longer one for them.
        server.state.replicationDelayMs = 5000;
        for (const key of ["in/1", "in/2", "in/3"]) await put(server, from, key, key);
        await put(server, from, "out/1", "outside the rule");
        server.state.replicationDelayMs = replicationDelayMs;

        const pending = await status();
        expect(pending.sample).to.deep.equal({ objects: 3, pending: 3, failed: 0, completed: 0, replica: 0, none: 0 });
        expect(pending.pending).to.deep.equal({ count: 3, over: "of the 3 latest versions" });
        expect(pending.source).to.equal("sampled object status (3 objects)");

        const done = await eventually(async () => {
            const now = await status();
            expect(now.sample).to.deep.equal({ objects: 3, pending: 0, failed: 0, completed: 3, replica: 0, none: 0 });
            return now;
        }, 15_000);
        expect(done.replicated).to.deep.equal({ count: 3, over: "of the 3 latest versions" });

        server.state.buckets.delete(to.bucket);
        await put(server, from, "in/4", "lost");
        const failed = await eventually(async () => {
            const now = await status();
            expect(now.sample).to.deep.equal({ objects: 4, pending: 0, failed: 1, completed: 3, replica: 0, none: 0 });
            return now;
        });
        expect(failed.failed).to.deep.equal({ count: 1, over: "of the 4 latest versions" });
    });
});

describe("contract: ReplicationVerification on the exoscale backend sees canaries arrive under a rule's prefix (local contract server)", function () {
    const contract = backendUnderContract({ replicationDelayMs: 300 });
    const canaryRoot = ".pulumi-bucket-replication/canary/";
    let source: BucketRef;
    let destination: BucketRef;

    before(async () => {
        const { server } = contract;
        const config: Record<string, string> = {
            backend: "exoscale", zones: JSON.stringify(server.zones), iamEndpoint: server.iamEndpoint,
            accessKey: server.credentials.accessKey, secretKey: server.credentials.secretKey,
        };
        configureFrom({ config: { get: (key: string) => config[key.replace(/^bucket-replication:/, "")] } });
        source = await versionedBucket(contract.backend, "ch-dk-2", "verified");
        destination = await versionedBucket(contract.backend, "at-vie-1", "verified-copy");
        const role = await createRole(contract.backend, roleSpec(`replication-${source.bucket}`, { policy: replicationPolicy(source, [destination]) }));
        await contract.backend.putReplication({ source, role, rules: [rule("logs", destination, { prefix: "logs/" })] }, undefined, () => undefined);
    });
    after(() => configureFrom({ config: { get: () => undefined } }));

    const canariesLeft = () => [source, destination].flatMap((ref) =>
        contract.server.state.buckets.get(ref.bucket)!.versions.filter((v) => v.key.includes(canaryRoot)).map((v) => `${ref.bucket} ${v.key}`));

    it("a canary under the rule's prefix arrives as REPLICA, its lag is recorded, and every canary is removed", async () => {
        const outs = (await verificationProvider.create!({ rules: { logs: { source, destination, prefix: "logs/" } }, timeoutSeconds: 10, fingerprint: "" })).outs!;
        expect(outs.lagSeconds.logs).to.be.at.least(0.3).and.below(10);
        const copied = contract.server.state.replications.filter((r) => r.key.startsWith(`logs/${canaryRoot}`) && !r.deleteMarker);
        expect(copied.map((r) => `${r.ruleId} ${r.destination} ${r.outcome}`)).to.deep.equal([`logs ${destination.bucket} COMPLETED`]);
        expect(canariesLeft()).to.deep.equal([]);
    });

    it("of two canaries, the one outside every rule's prefix does not arrive: the verification fails naming that rule only, and removes the canaries", async () => {
        const failure = await verificationProvider.create!({
            rules: { logs: { source, destination, prefix: "logs/" }, elsewhere: { source, destination, prefix: "data/" } }, timeoutSeconds: 3, fingerprint: "",
        }).then(() => undefined, (error: Error) => error);
        expect(failure?.message).to.match(/rule 'elsewhere' did not deliver its canary from bucket '.*' in zone ch-dk-2 to bucket '.*' in zone at-vie-1 \(the destination holds nothing under the canary's key\)/);
        expect(failure?.message).to.not.contain("rule 'logs'");
        expect(canariesLeft()).to.deep.equal([]);
    });
});

describe("contract: a LeaderFollower with verify on the exoscale backend, under the Pulumi CLI, sees its canary arrive (local contract server)", function () {
    const verificationType = "pulumi-nodejs:dynamic/bucket-replication:ReplicationVerification";
    const canaryRoot = ".pulumi-bucket-replication/canary/";
    let server: ExoscaleContractServer;
    let stack: PulumiStack;

    const canariesLeft = () => [...server.state.buckets.values()].flatMap((b) => b.versions.filter((v) => v.key.includes(canaryRoot)).map((v) => `${b.name} ${v.key}`));

    before(async () => {
        server = await startExoscaleContractServer({ zones: ["ch-dk-2", "at-vie-1"], replicationDelayMs: 300 });
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "exoscale-verify"), { timeoutSeconds: "20" });
        for (const { key, value, secret } of stackConfigFor(server)) await stack.setConfig(key, value, { secret });
    });
    after(async () => {
        if (stack) {
            await stack.destroy();
            await stack.dispose();
        }
        if (server) await server.close();
    });

    it("the first up writes the canary to the leader, sees it arrive at the follower as REPLICA, reports the lag and removes the canaries", async () => {
        const result = await stack.mustUp();
        expect(result.stdout).to.match(/replication verified: rule 'follower-1' delivered in [\d.]+ s; canaries removed/);
        const out = await stack.outputs();
        expect(Object.keys(out.replicationLag)).to.deep.equal(["follower-1"]);
        // The stand-in takes 0.3 s to copy: a lag below that would mean the canary was never waited for.
        expect(out.replicationLag["follower-1"]).to.be.at.least(0.3).and.below(20);
        const [, leader] = out.leader as [string, string];
        const [, follower] = out.follower as [string, string];
        const copies = server.state.replications.filter((r) => r.key.includes(canaryRoot) && !r.deleteMarker);
        expect(copies.map((r) => `${r.source} -> ${r.destination} ${r.outcome}`)).to.deep.equal([`${leader} -> ${follower} COMPLETED`]);
        expect(canariesLeft(), "canary versions and delete markers left on the stand-in").to.deep.equal([]);
    });

    it("fails `up --replace` of the verification once the role may no longer write to the follower: the source reports FAILED", async () => {
        const out = await stack.outputs();
        const role = [...server.state.roles.values()].find((r) => r.name === out.roleName)!;
        const [, leader] = out.leader as [string, string];
        // Out of band, the role keeps only get-object on the leader.
        role.policy = { "default-service-strategy": "deny", services: { sos: { type: "rules", rules: [
            { action: "allow", expression: `parameters.bucket == '${leader}' && operation == 'get-object'` },
        ] } } };
        await stack.setConfig("timeoutSeconds", "3");
        const state = JSON.parse(stack.stateText());
        const urn = state.checkpoint.latest.resources.find((r: { type: string }) => r.type === verificationType).urn;
        const result = await stack.runOnStack(["up", "--yes", "--skip-preview", "--replace", urn]);
        expect(result.code).to.not.equal(0);
        expect(result.stdout + result.stderr).to.match(/rule 'follower-1' did not deliver its canary .*the source reports its replication status as FAILED/);
        expect(canariesLeft(), "canaries left after the failed run").to.deep.equal([]);
    });
});

describe("contract: the SOS stand-in lists object versions by prefix and in pages, as S3's ListObjectVersions does (local contract server)", function () {
    const contract = backendUnderContract();

    it("lists only keys under the prefix, by key and newest first, and goes on from NextKeyMarker/NextVersionIdMarker", async () => {
        const { server } = contract;
        const ref = await versionedBucket(contract.backend, "ch-dk-2", "paged");
        const a1 = await put(server, ref, "p/a", "1");
        const a2 = await put(server, ref, "p/a", "2");
        const b1 = await put(server, ref, "p/b", "1");
        await put(server, ref, "q/c", "outside");
        const client = independentS3(server, ref.zone);
        const list = (KeyMarker?: string, VersionIdMarker?: string) =>
            client.send(new (s3().ListObjectVersionsCommand)({ Bucket: ref.bucket, Prefix: "p/", MaxKeys: 2, KeyMarker, VersionIdMarker }));
        const first = await list();
        expect(first.Versions?.map((v) => `${v.Key} ${v.VersionId} ${v.IsLatest}`)).to.deep.equal([`p/a ${a2} true`, `p/a ${a1} false`]);
        expect([first.IsTruncated, first.NextKeyMarker, first.NextVersionIdMarker]).to.deep.equal([true, "p/a", a1]);
        const second = await list(first.NextKeyMarker, first.NextVersionIdMarker);
        expect(second.Versions?.map((v) => `${v.Key} ${v.VersionId}`)).to.deep.equal([`p/b ${b1}`]);
        expect(second.IsTruncated).to.equal(false);
    });

    it("the backend's listing of a prefix (as verify's cleanup uses it) gets every version across pages of 1000", async () => {
        const { server } = contract;
        const ref = await versionedBucket(contract.backend, "ch-dk-2", "many");
        // 1,005 versions under the prefix and one outside it, put straight into the stand-in's state.
        const bucket = server.state.buckets.get(ref.bucket)!;
        for (let i = 0; i < 1005; i++) {
            bucket.versions.push({ key: `c/${String(i).padStart(4, "0")}`, versionId: `v${i}`, deleteMarker: false, body: Buffer.from("x"), etag: '"x"', lastModified: new Date() });
        }
        bucket.versions.push({ key: "d/outside", versionId: "v-out", deleteMarker: false, body: Buffer.from("x"), etag: '"x"', lastModified: new Date() });
        const listing = contract.backend.listObjectVersions(ref, "c/");
        const listed = await Promise.race([listing, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the listing did not end within 20 s")), 20_000))]);
        expect(listed).to.have.length(1005);
        expect(new Set(listed.map((v) => v.versionId)).size).to.equal(1005);
        expect(listed.every((v) => v.key.startsWith("c/"))).to.equal(true);
    });
});
