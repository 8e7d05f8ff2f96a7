import { expect } from "chai";
import * as path from "path";
import { repoRoot } from "../support/toolchain";
import { independentClients, motoAccount, motoCredentials, programOnMoto, types } from "./aws-moto";

// examples/aws-leader-follower under the real Pulumi CLI against moto (scripts/moto.sh), an independent
// implementation of the S3 and IAM APIs. moto stores the buckets, the role, its policy and the
// replication configuration, but never copies an object: these tests assert on what moto stores (its
// model dump) and what it answers to our own SDK clients, not on objects arriving.

/** The owner tag's key, written out rather than imported from the code under test. */
const ownerTag = "pulumi-bucket-replication:owner";

/** The replication role's policy as the S3 User Guide gives it, for a source and its destinations. */
function documentedPolicy(source: string, destinations: string[]) {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadSourceReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: [`arn:aws:s3:::${source}`] },
            { Sid: "ReadSourceObjectVersions", Effect: "Allow", Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], Resource: [`arn:aws:s3:::${source}/*`] },
            { Sid: "ReplicateIntoDestinations", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: destinations.map((d) => `arn:aws:s3:::${d}/*`) },
        ],
    };
}

/** S3 Replication Time Control as moto stores it: 15 minutes, with metrics at the same threshold. */
const rtc = { ReplicationTime: { Status: "Enabled", Time: { Minutes: "15" } }, Metrics: { Status: "Enabled", EventThreshold: { Minutes: "15" } } };

const s3Trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }] };

/** One stored rule, in moto's reading of our XML (every value text, an empty prefix as null). */
function storedRule(id: string, priority: number, destination: string, prefix: string | null, extra: object = {}) {
    return {
        ID: id, Priority: String(priority), Status: "Enabled", Filter: { Prefix: prefix },
        DeleteMarkerReplication: { Status: "Enabled" }, Destination: { Bucket: `arn:aws:s3:::${destination}`, ...extra },
    };
}

describe("contract: examples/aws-leader-follower under the Pulumi CLI against moto (moto stores replication, it does not move objects)", function () {
    this.timeout(600_000);
    const program = programOnMoto(path.join(repoRoot, "examples", "aws-leader-follower"));
    let out: Record<string, any>;

    it("converges on one pulumi up: buckets in eu-west-1 and us-east-1 with derived names, an IAM role with an ARN", async () => {
        await program.stack.mustUp();
        out = await program.stack.outputs();
        expect(out.sourceZone).to.equal("eu-west-1");
        expect(out.destinationZone).to.equal("us-east-1");
        expect(out.sourceBucket).to.match(/^my-source-[a-z0-9]{8}$/);
        expect(out.destinationBucket).to.match(/^my-destination-[a-z0-9]{8}$/);
        expect(out.roleArn).to.equal(`arn:aws:iam::${motoAccount}:role/${out.roleName}`);
        expect(out.ruleIds).to.deep.equal(["follower"]);
    });

    it("creates each bucket in its region, versioned", async () => {
        const { GetBucketLocationCommand, GetBucketVersioningCommand } = await import("@aws-sdk/client-s3");
        for (const [bucket, region] of [[out.sourceBucket, "eu-west-1"], [out.destinationBucket, "us-east-1"]]) {
            const { s3 } = independentClients(program.moto, region);
            const location = (await s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint;
            expect(location ?? "us-east-1", `region of ${bucket}`).to.equal(region);
            expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).to.equal("Enabled");
        }
    });

    it("creates the role trusted by S3 only, tagged with its owner, with the documented least-privilege policy inline", async () => {
        const role = (await program.moto.stored()).roleNamed(out.roleName)!;
        expect(role.arn).to.equal(out.roleArn);
        expect(role.trust).to.deep.equal(s3Trust);
        expect(Object.keys(role.tags)).to.deep.equal([ownerTag]);
        expect(role.tags[ownerTag]).to.match(/^[0-9a-f]{24}$/);
        expect(role.policies).to.deep.equal({ "bucket-replication": documentedPolicy(out.sourceBucket, [out.destinationBucket]) });
        expect(role.description).to.equal(`S3 replication from ${out.sourceBucket} to its followers`);
    });

    it("puts the replication document on my-source: role ARN, destination ARN, rule 'follower' with delete markers", async () => {
        const stored = (await program.moto.stored()).replicationOf(out.sourceBucket)!;
        expect(stored.Role).to.equal(out.roleArn);
        expect(stored.Rule).to.deep.equal([storedRule("follower", 1, out.destinationBucket, null)]);
        expect((await program.moto.stored()).replicationOf(out.destinationBucket)).to.equal(null);
    });

    it("previews no changes right after", async () => {
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("keeps the credentials, which came from the AWS credential chain, out of the state file", () => {
        const text = program.stack.stateText();
        expect(text).to.not.contain(motoCredentials.secretKey);
        expect(text).to.not.contain(motoCredentials.accessKey);
    });

    it("updates the rule in place when its prefix, storage class and replication time control change", async () => {
        await program.stack.setConfig("prefix", "reports/");
        await program.stack.setConfig("storageClass", "STANDARD_IA");
        await program.stack.setConfig("replicationTimeControl", "true");
        expect(await program.changedSteps()).to.deep.equal([`update ${types.replication} my-source`]);
        await program.stack.mustUp();
        expect((await program.moto.stored()).replicationOf(out.sourceBucket)!.Rule)
            .to.deep.equal([storedRule("follower", 1, out.destinationBucket, "reports/", { StorageClass: "STANDARD_IA", ...rtc })]);
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("widens the role's policy in place when a follower is added: same ARN, the new destination's ARN in the policy", async () => {
        await program.stack.setConfig("extraFollowers", JSON.stringify({ "apac-follower": { zone: "us-east-1", priority: 2 } }));
        expect(await program.changedSteps()).to.have.members([
            `create ${types.bucket} follower-apac-follower`,
            `create ${types.versioning} follower-apac-follower`,
            `update ${types.role} replication-my-source-my-destination`,
            `update ${types.replication} my-source`,
        ]);
        await program.stack.mustUp();
        out = await program.stack.outputs();
        const [extra] = out.extraFollowerBuckets as string[];
        const role = (await program.moto.stored()).roleNamed(out.roleName)!;
        expect(role.arn).to.equal(out.roleArn);
        expect(role.policies["bucket-replication"]).to.deep.equal(documentedPolicy(out.sourceBucket, [out.destinationBucket, extra]));
        const rules = (await program.moto.stored()).replicationOf(out.sourceBucket)!.Rule;
        expect([...rules].sort((x, y) => x.ID.localeCompare(y.ID))).to.deep.equal([
            storedRule("apac-follower", 2, extra, "reports/"),
            storedRule("follower", 1, out.destinationBucket, "reports/", { StorageClass: "STANDARD_IA", ...rtc }),
        ]);
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("replaces the role when it is renamed: a new role and ARN, replication pointed at it, the old role deleted", async () => {
        const oldName = out.roleName as string;
        await program.stack.setConfig("roleName", "replication-reports-followers");
        const steps = await program.changedSteps();
        expect(steps).to.include(`replace ${types.role} replication-my-source-my-destination`);
        expect(steps.filter((step) => !step.includes(types.role))).to.deep.equal([`update ${types.replication} my-source`]);
        await program.stack.mustUp();
        out = await program.stack.outputs();
        expect(out.roleArn).to.equal(`arn:aws:iam::${motoAccount}:role/replication-reports-followers`);
        expect((await program.moto.stored()).replicationOf(out.sourceBucket)!.Role).to.equal(out.roleArn);
        const { iam } = independentClients(program.moto, "us-east-1");
        const { GetRoleCommand } = await import("@aws-sdk/client-iam");
        expect((await iam.send(new GetRoleCommand({ RoleName: "replication-reports-followers" }))).Role!.Arn).to.equal(out.roleArn);
        const gone = await iam.send(new GetRoleCommand({ RoleName: oldName })).then(() => "exists", (error) => error.name);
        expect(gone).to.equal("NoSuchEntityException");
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("finds a policy widened and a replication configuration deleted outside Pulumi on refresh, and restores both on up", async () => {
        const { iam, s3 } = independentClients(program.moto, "eu-west-1");
        const { PutRolePolicyCommand } = await import("@aws-sdk/client-iam");
        const { DeleteBucketReplicationCommand } = await import("@aws-sdk/client-s3");
        const everything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
        await iam.send(new PutRolePolicyCommand({ RoleName: out.roleName, PolicyName: "bucket-replication", PolicyDocument: JSON.stringify(everything) }));
        await s3.send(new DeleteBucketReplicationCommand({ Bucket: out.sourceBucket }));

        await program.stack.mustRefresh();
        const resources = await program.stateResources();
        expect(resources.find((r) => r.type === types.role)!.outputs!.policy).to.deep.equal(everything);
        expect(resources.filter((r) => r.type === types.replication)).to.deep.equal([]);
        expect(await program.changedSteps()).to.have.members([
            `update ${types.role} replication-my-source-my-destination`,
            `create ${types.replication} my-source`,
        ]);

        await program.stack.mustUp();
        const [extra] = out.extraFollowerBuckets as string[];
        expect((await program.moto.stored()).roleNamed(out.roleName)!.policies["bucket-replication"])
            .to.deep.equal(documentedPolicy(out.sourceBucket, [out.destinationBucket, extra]));
        expect((await program.moto.stored()).replicationOf(out.sourceBucket)!.Role).to.equal(out.roleArn);
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("finds a role deleted outside Pulumi on refresh, and recreates it under the same ARN", async () => {
        const { iam } = independentClients(program.moto, "us-east-1");
        const { DeleteRolePolicyCommand, DeleteRoleCommand } = await import("@aws-sdk/client-iam");
        await iam.send(new DeleteRolePolicyCommand({ RoleName: out.roleName, PolicyName: "bucket-replication" }));
        await iam.send(new DeleteRoleCommand({ RoleName: out.roleName }));

        await program.stack.mustRefresh();
        expect((await program.stateResources()).filter((r) => r.type === types.role)).to.deep.equal([]);
        // The role's ARN is made of its name, so the configuration that names it needs no update.
        const steps = await program.changedSteps();
        expect(steps).to.include(`create ${types.role} replication-my-source-my-destination`);
        expect(steps.filter((step) => !step.includes(types.role) && !step.includes(types.replication))).to.deep.equal([]);
        await program.stack.mustUp();
        const role = (await program.moto.stored()).roleNamed(out.roleName)!;
        expect(role.arn).to.equal(out.roleArn);
        expect(role.trust).to.deep.equal(s3Trust);
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("records on refresh what moto answers for the rules (it drops delete-marker replication), and the next up writes it again", async () => {
        await program.stack.mustRefresh();
        const rules = (await program.stateResources()).find((r) => r.type === types.replication)!.outputs!.rules;
        // moto's GetBucketReplication answers DeleteMarkerReplication Disabled and an empty prefix, whatever it stores.
        expect(rules.follower).to.deep.include({ deleteMarkerReplication: false, prefix: "" });
        expect(await program.changedSteps()).to.deep.equal([`update ${types.replication} my-source`]);
        await program.stack.mustUp();
        expect((await program.moto.stored()).replicationOf(out.sourceBucket)!.Rule.every((rule) => rule.DeleteMarkerReplication.Status === "Enabled")).to.equal(true);
        expect(await program.changedSteps()).to.deep.equal([]);
    });

    it("keeps a bucket that holds objects on destroy, and deletes it with every version once forceDestroy is set", async () => {
        const { s3 } = independentClients(program.moto, "eu-west-1");
        const { PutObjectCommand, HeadBucketCommand, ListObjectVersionsCommand } = await import("@aws-sdk/client-s3");
        await s3.send(new PutObjectCommand({ Bucket: out.sourceBucket, Key: "reports/q1.csv", Body: "one" }));
        await s3.send(new PutObjectCommand({ Bucket: out.sourceBucket, Key: "reports/q1.csv", Body: "two" }));

        const refused = await program.stack.destroy();
        expect(refused.code).to.not.equal(0);
        expect(refused.stdout + refused.stderr).to.contain(`Bucket '${out.sourceBucket}' in zone eu-west-1 still holds objects`).and.to.contain("forceDestroy");
        expect((await s3.send(new ListObjectVersionsCommand({ Bucket: out.sourceBucket }))).Versions).to.have.length(2);

        await program.stack.setConfig("forceDestroy", "true");
        await program.stack.mustUp();
        await program.stack.mustDestroy();
        program.destroyed = true;
        const missing = await s3.send(new HeadBucketCommand({ Bucket: out.sourceBucket })).then(() => "exists", (error) => error.$metadata?.httpStatusCode);
        expect(missing).to.equal(404);
        const { iam } = independentClients(program.moto, "us-east-1");
        const { ListRolesCommand } = await import("@aws-sdk/client-iam");
        expect((await iam.send(new ListRolesCommand({}))).Roles ?? []).to.deep.equal([]);
        const buckets = await (await import("@aws-sdk/client-s3")).ListBucketsCommand;
        expect((await s3.send(new buckets({}))).Buckets ?? []).to.deep.equal([]);
        expect((await program.stateResources()).filter((r) => r.type.includes("bucket-replication:"))).to.deep.equal([]);
    });
});
