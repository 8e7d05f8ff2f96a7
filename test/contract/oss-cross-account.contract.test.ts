import { expect } from "chai";
import * as path from "path";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";
import { eventually, runPython, sdkPython } from "./ossHarness";
import { changedSteps } from "./ossGuide";
import { contractAccountId, type OssContractServer, ossContractCredentials, ossFirstContractAccount, ossSecondContractAccount, startOssContractServer } from "./ossServer";

// Replication across two Alibaba accounts under the real Pulumi CLI, against the OSS + RAM contract server
// serving both: zone hz-a (cn-hangzhou) is the stack's account, zones bj-b (cn-beijing) and hz-b (cn-hangzhou)
// another account, reached with its own key pair. test/programs/oss-cross-account declares a LeaderFollower
// hz-a -> bj-b, a BiDirectional between them, and a same-region LeaderFollower hz-a -> hz-b. As Alibaba's cross-account replication guides describe, each sync role
// lives in the account of its source bucket and the destination's owner grants that role in the
// destination bucket's policy; the stand-in replicates only while both hold.

const replicationType = "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration";
const second = ossSecondContractAccount;

describe("contract: replication across two Alibaba accounts, across regions and within one (test/programs/oss-cross-account) under the Pulumi CLI against the OSS contract server", function () {
    this.timeout(600_000);
    let server: OssContractServer;
    let stack: PulumiStack;
    let out: Record<string, string>;
    const state = () => server.state;
    const policyOf = (bucket: string) => {
        const text = state().buckets.get(bucket)?.policy;
        return text === undefined ? undefined : JSON.parse(text);
    };
    const grant = (sourceAccount: string, role: string, destinationAccount: string, bucket: string) => ({
        Effect: "Allow",
        Action: ["oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut", "oss:ReplicateDelete"],
        Principal: [`arn:sts::${sourceAccount}:assumed-role/${role.toLowerCase()}/*`],
        Resource: [`acs:oss:*:${destinationAccount}:${bucket}`, `acs:oss:*:${destinationAccount}:${bucket}/*`],
    });
    const replicationOutputs = async (bucket: string): Promise<Record<string, any>> => {
        const resources = JSON.parse((await stack.run(["stack", "export", "--stack", stack.stackName])).stdout).deployment.resources ?? [];
        return resources.find((r: { type: string; outputs?: Record<string, any> }) => r.type === replicationType && r.outputs?.bucket === bucket).outputs;
    };
    const hasObject = (bucket: string, key: string) => state().latest(bucket, key) !== undefined;

    before(async function () {
        this.timeout(120_000);
        server = await startOssContractServer({
            accounts: [ossFirstContractAccount, second],
            timing: { startingMs: 0 },
        });
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "oss-cross-account"));
        // Zones as an object set key by key (--path), so that zone bj-b's secret key is stored as a secret.
        const set = async (key: string, value: string, secret = false) => {
            const result = await stack.run(["config", "set", "--path", key, value, "--config-file", stack.configFile, ...(secret ? ["--secret"] : [])]);
            if (result.code !== 0) throw new Error(`pulumi config set --path ${key} failed: ${result.stderr}`);
        };
        await set("bucket-replication:backend", "oss");
        await set("bucket-replication:iamEndpoint", server.ramEndpoint);
        await set("bucket-replication:accessKey", ossContractCredentials.accessKey, true);
        await set("bucket-replication:secretKey", ossContractCredentials.secretKey, true);
        await set("bucket-replication:waitTimeoutSeconds", "20");
        await set("bucket-replication:zones.hz-a.endpoint", server.zones["cn-hangzhou"].endpoint);
        await set("bucket-replication:zones.hz-a.region", "cn-hangzhou");
        await set("bucket-replication:zones.bj-b.endpoint", server.zones["cn-beijing"].endpoint);
        await set("bucket-replication:zones.bj-b.region", "cn-beijing");
        await set("bucket-replication:zones.bj-b.accessKey", second.accessKey);
        await set("bucket-replication:zones.bj-b.secretKey", second.secretKey, true);
        await set("bucket-replication:zones.hz-b.endpoint", server.zones["cn-hangzhou"].endpoint);
        await set("bucket-replication:zones.hz-b.region", "cn-hangzhou");
        await set("bucket-replication:zones.hz-b.accessKey", second.accessKey);
        await set("bucket-replication:zones.hz-b.secretKey", second.secretKey, true);
    });

    after(async () => {
        if (stack) await stack.dispose();
        if (server) await server.close();
    });

    it("converges on the first up: buckets and sync roles each in their account, the destinations' grants in their bucket policies, and previews no changes after", async () => {
        const up = await stack.mustUp();
        out = await stack.outputs();
        expect(up.stdout + up.stderr).to.not.include(second.secretKey);

        // Buckets in the account of their zone.
        for (const bucket of [out.leader, out.bucketA, out.srrLeader]) expect(state().ownerOf(state().buckets.get(bucket)!), bucket).to.equal(contractAccountId);
        for (const bucket of [out.follower, out.bucketB, out.srrFollower]) expect(state().ownerOf(state().buckets.get(bucket)!), bucket).to.equal(second.uid);

        // Each sync role in the account of the bucket it replicates from, and only there.
        const rolesOf = (uid: string) => [...state().ramOf(uid).roles.keys()].sort();
        expect(rolesOf(contractAccountId)).to.deep.equal([out.leaderRole, out.roleAToB, out.srrRole].sort());
        expect(rolesOf(second.uid)).to.deep.equal([out.roleBToA]);

        // The rules name their role and the destination, as in one account.
        const live = (bucket: string) => state().rulesOf(bucket).map((rule) => [rule.syncRole, rule.destination.bucket, rule.destination.location]);
        expect(live(out.leader)).to.deep.equal([[out.leaderRole, out.follower, "oss-cn-beijing"]]);
        expect(live(out.bucketA)).to.deep.equal([[out.roleAToB, out.bucketB, "oss-cn-beijing"]]);
        expect(live(out.bucketB)).to.deep.equal([[out.roleBToA, out.bucketA, "oss-cn-hangzhou"]]);
        expect(live(out.srrLeader)).to.deep.equal([[out.srrRole, out.srrFollower, "oss-cn-hangzhou"]]);

        // Each destination's owner lets the source account's role in, with the guide's statement and nothing more.
        expect(policyOf(out.follower)).to.deep.equal({ Version: "1", Statement: [grant(contractAccountId, out.leaderRole, second.uid, out.follower)] });
        expect(policyOf(out.bucketB)).to.deep.equal({ Version: "1", Statement: [grant(contractAccountId, out.roleAToB, second.uid, out.bucketB)] });
        expect(policyOf(out.bucketA)).to.deep.equal({ Version: "1", Statement: [grant(second.uid, out.roleBToA, contractAccountId, out.bucketA)] });
        expect(policyOf(out.srrFollower)).to.deep.equal({ Version: "1", Statement: [grant(contractAccountId, out.srrRole, second.uid, out.srrFollower)] });
        expect(policyOf(out.leader)).to.equal(undefined);

        expect(await changedSteps(stack)).to.deep.equal([]);
    });

    it("the grant the provider wrote reads back through Alibaba's Python SDK (alibabacloud-oss-v2), signed with the destination owner's pair", async () => {
        const job = { mode: "read-policy", zones: server.zones, accessKey: second.accessKey, secretKey: second.secretKey, region: "cn-beijing", bucket: out.follower };
        const read = JSON.parse(await runPython(sdkPython(), path.join(__dirname, "oss_sdk_check.py"), JSON.stringify(job)));
        expect(read.policy).to.deep.equal({ Version: "1", Statement: [grant(contractAccountId, out.leaderRole, second.uid, out.follower)] });
    });

    it("replicates across the accounts: leader to follower, and both ways between the pair", async () => {
        state().putObject(out.leader, "xlf/one.txt", "one");
        state().putObject(out.bucketA, "xbi/from-a.txt", "a");
        state().putObject(out.bucketB, "xbi/from-b.txt", "b");
        await eventually(() => hasObject(out.follower, "xlf/one.txt"), "the leader's object on the follower");
        await eventually(() => hasObject(out.bucketB, "xbi/from-a.txt"), "a's object on b");
        await eventually(() => hasObject(out.bucketA, "xbi/from-b.txt"), "b's object on a");
        state().putObject(out.srrLeader, "srr/one.txt", "same region");
        await eventually(() => hasObject(out.srrFollower, "srr/one.txt"), "the same-region leader's object on its follower of the other account");
        expect(state().latest(out.follower, "xlf/one.txt")?.replica).to.equal(true);
    });

    it("keeps the second account's secret key out of the state in clear", () => {
        const text = stack.stateText();
        expect(text).to.not.include(second.secretKey);
        expect(text).to.not.include(ossContractCredentials.secretKey);
    });

    it("a grant removed outside Pulumi stops replication, shows on refresh (destinationGrants: missing, with a warning), and up puts it back and the held objects arrive", async () => {
        state().buckets.get(out.follower)!.policy = undefined;
        state().putObject(out.leader, "xlf/held.txt", "held");
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(hasObject(out.follower, "xlf/held.txt"), "copied without the grant").to.equal(false);

        const refresh = await stack.mustRefresh();
        expect(refresh.stdout + refresh.stderr).to.match(/replication into bj-b\/\S+ has stopped/);
        expect((await replicationOutputs(out.leader)).destinationGrants).to.deep.equal({ [`bj-b/${out.follower}`]: "missing" });
        expect((await replicationOutputs(out.bucketA)).destinationGrants).to.deep.equal({ [`bj-b/${out.bucketB}`]: "granted" });
        expect(await changedSteps(stack)).to.deep.equal(["update ReplicationConfiguration oxlf-leader"]);

        await stack.mustUp();
        expect(policyOf(out.follower)).to.deep.equal({ Version: "1", Statement: [grant(contractAccountId, out.leaderRole, second.uid, out.follower)] });
        await eventually(() => hasObject(out.follower, "xlf/held.txt"), "the held object on the follower once the grant is back");
        await stack.mustRefresh();
        expect((await replicationOutputs(out.leader)).destinationGrants).to.deep.equal({ [`bj-b/${out.follower}`]: "granted" });
        expect(await changedSteps(stack)).to.deep.equal([]);
    });

    it("keeps statements the destination's owner wrote next to the grant", async () => {
        const own = { Effect: "Allow", Action: ["oss:GetObject"], Principal: ["20000000000000"], Resource: [`acs:oss:*:${second.uid}:${out.bucketB}/public/*`] };
        const current = policyOf(out.bucketB);
        state().buckets.get(out.bucketB)!.policy = JSON.stringify({ ...current, Statement: [own, ...current.Statement] });
        await stack.mustRefresh();
        expect(await changedSteps(stack)).to.deep.equal([]);
        expect(policyOf(out.bucketB).Statement).to.deep.equal([own, grant(contractAccountId, out.roleAToB, second.uid, out.bucketB)]);
    });

    it("a role of the second account changed outside Pulumi (its policy detached in that account's RAM) shows on refresh, and up reattaches it there", async () => {
        const ram = state().ramOf(second.uid);
        const attachment = `${out.roleBToA}\0${out.roleBToA}-replication`;
        expect(ram.attachments.has(attachment), "attached by the first up").to.equal(true);
        ram.attachments.delete(attachment);

        await stack.mustRefresh();
        const steps = await changedSteps(stack);
        expect(steps).to.have.length(1);
        expect(steps[0]).to.match(/^update IamRole /);

        await stack.mustUp();
        expect(ram.attachments.has(attachment), "reattached in the second account").to.equal(true);
        expect([...state().ramOf(contractAccountId).roles.keys()]).to.not.include(out.roleBToA);
        await stack.mustRefresh();
        expect(await changedSteps(stack)).to.deep.equal([]);
    });

    it("destroy leaves nothing in either account: no bucket, role or policy, and takes only its own statement out of a bucket policy", async () => {
        const writes = () => state().requestsFor("PutBucketPolicy").filter((r) => r.status === 200 && r.path.includes(out.bucketB));
        const before = writes().length;
        await stack.mustDestroy();
        // The grant came out of bucket b's policy before the bucket went, and the owner's own statement stayed.
        const last = writes().slice(before).pop();
        expect(JSON.parse(last!.body).Statement).to.deep.equal([
            { Effect: "Allow", Action: ["oss:GetObject"], Principal: ["20000000000000"], Resource: [`acs:oss:*:${second.uid}:${out.bucketB}/public/*`] },
        ]);
        expect([...state().buckets.keys()]).to.deep.equal([]);
        for (const uid of [contractAccountId, second.uid]) {
            expect([...state().ramOf(uid).roles.keys()], `roles of ${uid}`).to.deep.equal([]);
            expect([...state().ramOf(uid).policies.keys()], `policies of ${uid}`).to.deep.equal([]);
        }
    });
});
