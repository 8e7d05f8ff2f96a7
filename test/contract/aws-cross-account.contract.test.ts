import { expect } from "chai";
import * as path from "path";
import { repoRoot } from "../support/toolchain";
import { motoAccount, motoAccountKeys, motoCredentials, motoBucketPolicy, motoS3As, motoSecondAccount, programOnMoto } from "./aws-moto";

// Replication across two AWS accounts on moto, under the real Pulumi CLI: zone a-eu (eu-west-1) is the
// stack's account (moto's default, 123456789012), zone b-us (us-east-1) another account (222222222222),
// reached with that account's own key pair (from STS AssumeRole; see aws-moto.ts). The program
// (test/programs/aws-cross-account) has a LeaderFollower a-eu -> b-us, a BiDirectional between them and
// a rule with ownerOverride and metrics. moto stores buckets, roles, bucket policies and replication
// configurations per account; it does not move objects, so nothing here claims that data replicates.

const arnOf = (bucket: string) => `arn:aws:s3:::${bucket}`;

describe("contract: replication across AWS accounts (test/programs/aws-cross-account against moto with two accounts; moto does not move objects)", function () {
    this.timeout(600_000);
    const program = programOnMoto(path.join(repoRoot, "test", "programs", "aws-cross-account"), { credentials: "config" });
    let secondKeys: { accessKey: string; secretKey: string };

    before(async function () {
        this.timeout(120_000);
        secondKeys = await motoAccountKeys(program.moto, motoSecondAccount);
        const { stack, moto } = program;
        // Zones as an object, set key by key (--path), so that zone b-us's secret key is stored as a secret.
        await stack.removeConfig("bucket-replication:zones");
        // '--type string': an account ID is digits, which '--path' would otherwise store as a number.
        const set = async (key: string, value: string, secret = false) => {
            const result = await stack.run(["config", "set", "--path", key, value, "--config-file", stack.configFile, ...(secret ? ["--secret"] : ["--type", "string"])]);
            if (result.code !== 0) throw new Error(`pulumi config set --path ${key} failed: ${result.stderr}`);
        };
        await set("bucket-replication:zones.a-eu.endpoint", moto.endpoint);
        await set("bucket-replication:zones.a-eu.region", "eu-west-1");
        await set("bucket-replication:zones.a-eu.account", motoAccount);
        await set("bucket-replication:zones.b-us.endpoint", moto.endpoint);
        await set("bucket-replication:zones.b-us.region", "us-east-1");
        await set("bucket-replication:zones.b-us.account", motoSecondAccount);
        await set("bucket-replication:zones.b-us.accessKey", secondKeys.accessKey);
        await set("bucket-replication:zones.b-us.secretKey", secondKeys.secretKey, true);
    });

    it("converges on the first up: buckets, roles and grants each in their account, Destination/Account in each rule, and previews no changes after", async () => {
        await program.stack.mustUp();
        const out = await program.stack.outputs();
        const stored = await program.moto.stored();

        // Buckets in the account of their zone.
        for (const bucket of [out.leader, out.bucketA, out.ownSource]) expect(stored.bucketAccount(bucket), bucket).to.equal(motoAccount);
        for (const bucket of [out.follower, out.bucketB, out.ownDestination]) expect(stored.bucketAccount(bucket), bucket).to.equal(motoSecondAccount);

        // Each role in the account of the bucket it replicates from.
        const roleArn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
        expect(stored.roleNamed(out.leaderRole)?.arn).to.equal(roleArn(motoAccount, out.leaderRole));
        expect(stored.roleNamed(out.roleAToB)?.arn).to.equal(roleArn(motoAccount, out.roleAToB));
        expect(stored.roleNamed(out.roleBToA)?.arn).to.equal(roleArn(motoSecondAccount, out.roleBToA));
        expect(stored.roleNamed(out.ownRole)?.arn).to.equal(roleArn(motoAccount, out.ownRole));

        // LeaderFollower: the rule names the follower's account, as the zone says; no owner override unasked.
        const leader = stored.replicationOf(out.leader)!;
        expect(leader.Role).to.equal(roleArn(motoAccount, out.leaderRole));
        expect(leader.Rule.map((rule) => [rule.ID, rule.Destination.Bucket, rule.Destination.Account, rule.Destination.AccessControlTranslation]))
            .to.deep.equal([["follower-1", arnOf(out.follower), motoSecondAccount, undefined]]);

        // BiDirectional: each direction names the other side's account, with its own role in its own account.
        const a = stored.replicationOf(out.bucketA)!;
        const b = stored.replicationOf(out.bucketB)!;
        expect([a.Role, a.Rule.map((rule) => [rule.Destination.Bucket, rule.Destination.Account])])
            .to.deep.equal([roleArn(motoAccount, out.roleAToB), [[arnOf(out.bucketB), motoSecondAccount]]]);
        expect([b.Role, b.Rule.map((rule) => [rule.Destination.Bucket, rule.Destination.Account])])
            .to.deep.equal([roleArn(motoSecondAccount, out.roleBToA), [[arnOf(out.bucketA), motoAccount]]]);

        // Owner override and metrics, where the rule asks for them.
        const own = stored.replicationOf(out.ownSource)!;
        expect(own.Rule.map((rule) => [rule.Destination.Account, rule.Destination.AccessControlTranslation, rule.Destination.Metrics]))
            .to.deep.equal([[motoSecondAccount, { Owner: "Destination" }, { Status: "Enabled" }]]);

        // The destinations' grants, read as the destination's owner, naming the source account's role and nothing more.
        const policies = new Map<string, Awaited<ReturnType<typeof motoBucketPolicy>>>();
        for (const [bucket, keys] of [[out.follower, secondKeys], [out.bucketB, secondKeys], [out.ownDestination, secondKeys], [out.bucketA, undefined],
            [out.leader, undefined], [out.ownSource, undefined]] as const) policies.set(bucket, await motoBucketPolicy(program.moto, bucket, keys));
        const grantOf = (bucket: string) => (policies.get(bucket)?.Statement ?? []).map((s) => [s.Principal, [s.Action].flat().sort(), s.Resource]);
        const objects = ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"];
        expect(grantOf(out.follower)).to.deep.equal([
            [{ AWS: roleArn(motoAccount, out.leaderRole) }, objects, `${arnOf(out.follower)}/*`],
            [{ AWS: roleArn(motoAccount, out.leaderRole) }, ["s3:GetBucketVersioning", "s3:List*"], arnOf(out.follower)],
        ]);
        expect(grantOf(out.bucketB)).to.deep.equal([
            [{ AWS: roleArn(motoAccount, out.roleAToB) }, objects, `${arnOf(out.bucketB)}/*`],
            [{ AWS: roleArn(motoAccount, out.roleAToB) }, ["s3:GetBucketVersioning", "s3:List*"], arnOf(out.bucketB)],
        ]);
        expect(grantOf(out.bucketA)).to.deep.equal([
            [{ AWS: roleArn(motoSecondAccount, out.roleBToA) }, objects, `${arnOf(out.bucketA)}/*`],
            [{ AWS: roleArn(motoSecondAccount, out.roleBToA) }, ["s3:GetBucketVersioning", "s3:List*"], arnOf(out.bucketA)],
        ]);
        expect(grantOf(out.ownDestination)[0]).to.deep.equal(
            [{ AWS: roleArn(motoAccount, out.ownRole) }, ["s3:ObjectOwnerOverrideToBucketOwner", ...objects].sort(), `${arnOf(out.ownDestination)}/*`]);
        // Sources of the same account hold no grant.
        expect(policies.get(out.leader)).to.equal(null);
        expect(policies.get(out.ownSource)).to.equal(null);

        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("keeps the second account's secret key out of the state in clear", async () => {
        const state = program.stack.stateText();
        expect(state).to.not.include(secondKeys.secretKey);
        expect(state).to.not.include(JSON.stringify(secondKeys.secretKey).slice(1, -1));
        expect(state).to.not.include(motoCredentials.secretKey);
    });

    it("refresh reads the grants back: the zone's account stays implied; a grant removed out of band shows as missing in destinationGrants, with a warning, and up puts it back", async () => {
        // moto reads every rule back with delete markers off (see aws-moto.ts), so a refresh on moto always shows that
        // field; what is checked here is the account and the grant, in the rules the refresh records.
        const outputsOf = async (name: string) => {
            const resources = await program.stateResources() as { urn: string; type: string; outputs?: Record<string, any> }[];
            return resources.find((r) => r.type.endsWith(":ReplicationConfiguration") && r.urn.endsWith(`::${name}`))!.outputs!;
        };
        const rulesOf = async (name: string) => (await outputsOf(name)).rules;
        const grantsOf = async (name: string) => (await outputsOf(name)).destinationGrants;
        await program.stack.mustRefresh();
        expect((await rulesOf("xlf-leader"))["follower-1"].destinationAccount).to.equal(undefined);
        expect((await rulesOf("xown"))["to-b"]).to.include({ ownerOverride: true, metrics: true });

        const out = await program.stack.outputs();
        const { DeleteBucketPolicyCommand } = await import("@aws-sdk/client-s3");
        await motoS3As(program.moto, secondKeys).send(new DeleteBucketPolicyCommand({ Bucket: out.follower }));
        const refresh = await program.stack.mustRefresh();
        expect(refresh.stdout + refresh.stderr).to.match(/replication into b-us\/\S+ has stopped/);
        expect((await rulesOf("xlf-leader"))["follower-1"].destinationAccount).to.equal(undefined);
        expect(await grantsOf("xlf-leader")).to.deep.equal({ [`b-us/${out.follower}`]: "missing" });

        await program.stack.mustUp();
        expect((await motoBucketPolicy(program.moto, out.follower, secondKeys))?.Statement).to.have.length(2);
        await program.stack.mustRefresh();
        expect(await grantsOf("xlf-leader")).to.deep.equal({ [`b-us/${out.follower}`]: "granted" });
        await program.stack.mustUp();
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("destroys everything in both accounts: configurations, grants, roles and buckets", async () => {
        const out = await program.stack.outputs();
        await program.stack.mustDestroy();
        program.destroyed = true;
        const stored = await program.moto.stored();
        const { IAMClient, GetRoleCommand } = await import("@aws-sdk/client-iam");
        for (const [name, keys] of [[out.leaderRole, undefined], [out.roleAToB, undefined], [out.ownRole, undefined], [out.roleBToA, secondKeys]] as const) {
            const iam = new IAMClient({ endpoint: program.moto.endpoint, region: "us-east-1",
                credentials: keys ? { accessKeyId: keys.accessKey, secretAccessKey: keys.secretKey } : { accessKeyId: "AKIAMOTOSTANDIN00001", secretAccessKey: "x" } });
            const gone = await iam.send(new GetRoleCommand({ RoleName: name })).then(() => false, (error) => error.name === "NoSuchEntity" || error.Code === "NoSuchEntity");
            expect(gone, `role ${name}`).to.equal(true);
        }
        const { HeadBucketCommand } = await import("@aws-sdk/client-s3");
        for (const bucket of [out.leader, out.follower, out.bucketA, out.bucketB, out.ownSource, out.ownDestination]) {
            const gone = await motoS3As(program.moto).send(new HeadBucketCommand({ Bucket: bucket })).then(() => false, (error) => error.$metadata?.httpStatusCode === 404);
            expect(gone, `bucket ${bucket}`).to.equal(true);
        }
        expect(stored.roleNamed(out.roleBToA)?.arn).to.equal(`arn:aws:iam::${motoSecondAccount}:role/${out.roleBToA}`);
        expect((await program.stateResources()).filter((r) => r.type.includes("bucket-replication:"))).to.deep.equal([]);
    });

    it("refuses, at the preview of a new stack, a rule into a zone of another key pair whose account is unknown; nothing is made", async () => {
        // The role is not known before it exists: the refusal must not wait for it (it waited until `up`'s check).
        const removed = await program.stack.run(["config", "rm", "--path", "bucket-replication:zones.b-us.account", "--config-file", program.stack.configFile]);
        expect(removed.code, removed.stderr).to.equal(0);
        const preview = await program.stack.preview();
        expect(preview.code, preview.stdout).to.not.equal(0);
        // Either direction of the pair may be checked first: a-eu -> b-us is refused for the destination's unknown
        // account, b-us -> a-eu for a source zone with a key pair and no account. Both name the setting to add.
        const text = preview.stdout + preview.stderr;
        expect(text, text).to.match(/(the destination's account is not known: set|signs with a key pair of its own but names no account; .* Set) 'bucket-replication:zones\.b-us\.account'/);
        expect((await program.stateResources()).filter((r) => r.type.includes("bucket-replication:"))).to.deep.equal([]);
    });
});
