import { expect } from "chai";
import type { BucketRef, ProgressLog, ReplicationRule, ReplicationSpec, RoleSpec, RoleState } from "../../provider/backends/backend";
import { AwsBackend } from "../../provider/backends/aws/awsBackend";
import { AwsIam, type AwsZoneS3 } from "../../provider/backends/aws/clients";
import { AwsRoles } from "../../provider/backends/aws/roles";
import { replicationPolicy, trustPolicy } from "../../provider/backends/aws/policy";
import { ownerTagKey } from "../../provider/identity";
import { cancelEverything, CancelledError, resetCancellation } from "../../provider/transport/cancellation";
import { ServiceError } from "../../provider/transport/serviceError";
import { independentClients, motoAccount, startMoto, type Moto } from "./aws-moto";
import { rejectionOf } from "../support/assertions";

// The AWS backend driven directly against moto (scripts/moto.sh), an independent implementation of the
// S3 and IAM APIs. moto stores what it is sent but never replicates an object: these tests prove that
// the backend sends what AWS documents and handles what comes back, not how AWS behaves.

const fastPolls = { pollInterval: { initialMs: 50, maxMs: 200 } };

let counter = 0;
function unique(prefix: string): string {
    return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

function logInto(lines: string[]): ProgressLog {
    return (message) => lines.push(message);
}


function roleSpec(name: string, policy: unknown, overrides: Partial<RoleSpec> = {}): RoleSpec {
    return { name, description: `replication role ${name}`, editable: true, labels: {}, policy, ...overrides };
}

function rule(id: string, destination: BucketRef, overrides: Partial<ReplicationRule> = {}): ReplicationRule {
    return {
        id, priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: false, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination, ...overrides,
    };
}

describe("contract: AWS backend against moto (moto stores buckets, roles and replication; it does not move objects)", function () {
    this.timeout(120_000);
    let moto: Moto;
    let backend: AwsBackend;

    before(async () => {
        moto = await startMoto();
        backend = new AwsBackend(moto.settings(), fastPolls);
    });
    after(async () => {
        await moto?.stop();
    });

    describe("buckets", () => {
        it("creates a bucket in its zone's region (LocationConstraint outside us-east-1) and reports a second create as 'exists'", async () => {
            const ref = { zone: "eu-west-1", bucket: unique("bucket") };
            expect(await backend.createBucket(ref)).to.equal("created");
            const { s3 } = independentClients(moto, "eu-west-1");
            const { GetBucketLocationCommand } = await import("@aws-sdk/client-s3");
            expect((await s3.send(new GetBucketLocationCommand({ Bucket: ref.bucket }))).LocationConstraint).to.equal("eu-west-1");
            expect(await backend.createBucket(ref)).to.equal("exists");
        });

        it("finds an existing us-east-1 bucket before creating, where AWS would answer a repeated create with success", async () => {
            const ref = { zone: "us-east-1", bucket: unique("east") };
            expect(await backend.createBucket(ref)).to.equal("created");
            expect(await backend.createBucket(ref)).to.equal("exists");
        });

        it("refuses a bucket of the same name that lives in another region, untouched", async () => {
            const ref = { zone: "eu-west-1", bucket: unique("moved") };
            await backend.createBucket(ref);
            await backend.putBucketTags(ref, { team: "a" });
            const error = await rejectionOf(backend.createBucket({ zone: "us-east-1", bucket: ref.bucket }));
            expect(error.message).to.contain(`in region eu-west-1, not in zone us-east-1`).and.to.contain("left untouched");
            expect(await backend.getBucketTags(ref)).to.deep.equal({ team: "a" });
        });

        it("refuses a name S3 redirects to another region (HTTP 301 on AWS; moto does not redirect, so the answer is staged)", async () => {
            const redirected = new StagedAnswerBackend(moto.settings(), { operation: "HeadBucket", status: 301, code: "PermanentRedirect" });
            const error = await rejectionOf(redirected.createBucket({ zone: "eu-west-1", bucket: unique("elsewhere") }));
            expect(error.message).to.contain("already used in another region than eu-west-1").and.to.contain("left untouched");
            const taken = new StagedAnswerBackend(moto.settings(), { operation: "HeadBucket", status: 403, code: "Forbidden" });
            expect((await rejectionOf(taken.createBucket({ zone: "eu-west-1", bucket: unique("theirs") }))).message).to.contain("taken by another AWS account");
        });
    });

    describe("roles", () => {
        const source = { zone: "eu-west-1", bucket: "role-source" };
        const destination = { zone: "us-east-1", bucket: "role-destination" };
        const policy = replicationPolicy(source, [destination]);

        it("creates a role trusted by s3.amazonaws.com, tagged with its owner, with the policy inline; its id is the ARN", async () => {
            const name = unique("role");
            const role = await backend.createRole(roleSpec(name, policy, { labels: { team: "storage" } }), "identity-1", () => undefined);
            expect(role.id).to.equal(`arn:aws:iam::${motoAccount}:role/${name}`);
            const stored = (await moto.stored()).roleNamed(name)!;
            expect(stored.arn).to.equal(role.id);
            expect(stored.trust).to.deep.equal(trustPolicy());
            expect(stored.tags).to.deep.equal({ [ownerTagKey]: "identity-1", team: "storage" });
            expect(stored.policies).to.deep.equal({ "bucket-replication": policy });
            expect(stored.description).to.equal(`replication role ${name}`);
        });

        it("adopts a role that carries its own owner tag and brings it to the program's policy", async () => {
            const name = unique("adopt");
            const first = await backend.createRole(roleSpec(name, policy), "identity-2", () => undefined);
            const wider = replicationPolicy(source, [destination, { zone: "us-east-1", bucket: "another" }]);
            const lines: string[] = [];
            const again = await backend.createRole(roleSpec(name, wider, { description: "changed" }), "identity-2", logInto(lines));
            expect(again.id).to.equal(first.id);
            expect(lines.join("\n")).to.contain("adopting it");
            const stored = (await moto.stored()).roleNamed(name)!;
            expect(stored.policies["bucket-replication"]).to.deep.equal(wider);
            expect(stored.description).to.equal("changed");
        });

        it("refuses a role of the same name made by another resource, or not by this package, and changes nothing", async () => {
            const ours = unique("theirs");
            await backend.createRole(roleSpec(ours, policy), "identity-3", () => undefined);
            const error = await rejectionOf(backend.createRole(roleSpec(ours, { Version: "2012-10-17", Statement: [] }), "identity-other", () => undefined));
            expect(error.message).to.contain("another Pulumi resource or stack").and.to.contain("Nothing was changed");
            expect((await moto.stored()).roleNamed(ours)!.policies["bucket-replication"]).to.deep.equal(policy);

            const foreign = unique("foreign");
            const { iam } = independentClients(moto, "us-east-1");
            const { CreateRoleCommand } = await import("@aws-sdk/client-iam");
            await iam.send(new CreateRoleCommand({ RoleName: foreign, AssumeRolePolicyDocument: JSON.stringify(trustPolicy()) }));
            const refused = await rejectionOf(backend.createRole(roleSpec(foreign, policy), "identity-4", () => undefined));
            expect(refused.message).to.contain(`without the tag ${ownerTagKey}`);
            expect((await moto.stored()).roleNamed(foreign)!.policies).to.deep.equal({});
        });

        it("takes over a role made outside Pulumi when 'adoptExisting' asks: tagged as its own, with the program's policy", async () => {
            const foreign = unique("adopted");
            const { iam } = independentClients(moto, "us-east-1");
            const { CreateRoleCommand } = await import("@aws-sdk/client-iam");
            await iam.send(new CreateRoleCommand({ RoleName: foreign, AssumeRolePolicyDocument: JSON.stringify(trustPolicy()) }));
            const role = await backend.createRole(roleSpec(foreign, policy, { adoptExisting: true }), "identity-5", () => undefined);
            const stored = (await moto.stored()).roleNamed(foreign)!;
            expect(role.id).to.match(new RegExp(`:role/${foreign}$`));
            expect(stored.tags[ownerTagKey]).to.equal("identity-5");
            expect(stored.policies["bucket-replication"]).to.deep.equal(policy);
        });

        it("deletes the role it just made when the policy cannot be put (moto refuses a malformed policy)", async () => {
            const name = unique("undo");
            const malformed = { Version: "2012-10-17", Statement: [{ Effect: "Allow" }] };
            const lines: string[] = [];
            const error = await rejectionOf(backend.createRole(roleSpec(name, malformed), "identity-5", logInto(lines)));
            expect(error).to.be.instanceOf(ServiceError);
            expect((error as ServiceError).operation).to.equal(`PutRolePolicy of '${name}'`);
            expect(error.message).to.contain("AWS IAM").and.to.contain("MalformedPolicyDocument").and.to.contain("Nothing was left behind");
            const { iam } = independentClients(moto, "us-east-1");
            const { GetRoleCommand } = await import("@aws-sdk/client-iam");
            const gone = await rejectionOf(iam.send(new GetRoleCommand({ RoleName: name })));
            expect(gone.name).to.equal("NoSuchEntityException");
        });

        it("reads a role back, finds a policy changed and a role deleted out of band, updates in place and deletes", async () => {
            const name = unique("drift");
            const spec = roleSpec(name, policy, { labels: { a: "1" } });
            const role = await backend.createRole(spec, "identity-6", () => undefined);
            const known: RoleState = { ...spec, id: role.id };
            expect(await backend.readRole(role.id, known)).to.deep.equal(known);

            const { iam } = independentClients(moto, "us-east-1");
            const { PutRolePolicyCommand, DeleteRolePolicyCommand, DeleteRoleCommand } = await import("@aws-sdk/client-iam");
            const outOfBand = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
            await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "bucket-replication", PolicyDocument: JSON.stringify(outOfBand) }));
            expect((await backend.readRole(role.id, known))!.policy).to.deep.equal(outOfBand);

            const updated = await backend.updateRole({ ...known, policy: outOfBand }, { ...spec, description: "new", labels: { b: "2" } }, () => undefined);
            expect(updated.id).to.equal(role.id);
            const stored = (await moto.stored()).roleNamed(name)!;
            expect(stored.policies["bucket-replication"]).to.deep.equal(policy);
            expect(stored.tags).to.deep.equal({ [ownerTagKey]: "identity-6", b: "2" });
            expect(stored.description).to.equal("new");

            await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: "bucket-replication" }));
            await iam.send(new DeleteRoleCommand({ RoleName: name }));
            expect(await backend.readRole(role.id, updated)).to.equal(undefined);
            await backend.deleteRole(updated, () => undefined);
        });

        it("waits, logging, while IAM does not find its own new role yet (NoSuchEntity on PutRolePolicy), then puts the policy", async () => {
            const settings = moto.settings();
            const real = new AwsIam({ endpoint: settings.iamEndpoint, region: "us-east-1", credentials: settings.credentials,
                requestPolicy: settings.requestPolicy, credentialHint: settings.credentialHint });
            let refusals = 0;
            const lagging = Object.create(real) as AwsIam;
            lagging.send = async <T>(operation: string, command: unknown, options?: object): Promise<T> => {
                if (operation.startsWith("PutRolePolicy") && refusals < 2) {
                    refusals++;
                    throw new ServiceError({ where: real.site, operation, httpStatus: 404, code: "NoSuchEntity", message: "The role cannot be found." });
                }
                return real.send<T>(operation, command, options);
            };
            const roles = new AwsRoles(lagging, { timeoutMs: 10_000, firstPauseMs: 50, maxPauseMs: 200 });
            const name = unique("lagging");
            const lines: string[] = [];
            const role = await roles.create(roleSpec(name, policy), "identity-l", logInto(lines));
            expect(refusals).to.equal(2);
            expect(lines.filter((line) => line.includes(`IAM to find the new role '${name}'`))).to.have.length(2);
            expect((await moto.stored()).roleNamed(name)!.policies["bucket-replication"]).to.deep.equal(policy);
            expect(role.id).to.equal(`arn:aws:iam::${motoAccount}:role/${name}`);
        });

        it("deletes a role with its inline policy, and a second delete finds nothing to do", async () => {
            const name = unique("delete");
            const role = await backend.createRole(roleSpec(name, policy), "identity-7", () => undefined);
            await backend.deleteRole(role, () => undefined);
            expect(await backend.readRole(role.id, role)).to.equal(undefined);
            await backend.deleteRole(role, () => undefined);
        });
    });

    describe("replication", () => {
        let source: BucketRef;
        let destination: BucketRef;
        let role: RoleState;

        before(async () => {
            source = { zone: "eu-west-1", bucket: unique("source") };
            destination = { zone: "us-east-1", bucket: unique("destination") };
            for (const ref of [source, destination]) {
                await backend.createBucket(ref);
                await backend.putVersioning(ref, "Enabled");
            }
            role = await backend.createRole(roleSpec(unique("replication"), replicationPolicy(source, [destination])), "identity-r", () => undefined);
        });

        it("sends the whole rule model with the role's ARN and the destination's ARN, as moto stores it", async () => {
            const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            const spec: ReplicationSpec = {
                source, role,
                rules: [
                    rule("logs", destination, {
                        priority: 2, prefix: "logs/", tags: { team: "storage", tier: "hot" }, existingObjectReplication: true, replicaModifications: true,
                        sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: keyArn }, replicationTimeControl: true,
                        destination: { ...destination, storageClass: "STANDARD_IA" },
                    }),
                    rule("all", destination, { priority: 1, deleteMarkerReplication: true }),
                ],
            };
            await backend.putReplication(spec, undefined, () => undefined);
            const stored = (await moto.stored()).replicationOf(source.bucket)!;
            expect(stored.Role).to.equal(role.id);
            const [logs, all] = stored.Rule;
            expect(logs).to.deep.include({
                ID: "logs", Priority: "2", Status: "Enabled",
                Filter: { And: { Prefix: "logs/", Tag: [{ Key: "team", Value: "storage" }, { Key: "tier", Value: "hot" }] } },
                DeleteMarkerReplication: { Status: "Disabled" },
                ExistingObjectReplication: { Status: "Enabled" },
                SourceSelectionCriteria: { ReplicaModifications: { Status: "Enabled" }, SseKmsEncryptedObjects: { Status: "Enabled" } },
            });
            expect(logs.Destination).to.deep.equal({
                Bucket: `arn:aws:s3:::${destination.bucket}`, StorageClass: "STANDARD_IA",
                EncryptionConfiguration: { ReplicaKmsKeyID: keyArn },
                ReplicationTime: { Status: "Enabled", Time: { Minutes: "15" } },
                Metrics: { Status: "Enabled", EventThreshold: { Minutes: "15" } },
            });
            expect(all).to.deep.equal({
                ID: "all", Priority: "1", Status: "Enabled", Filter: { Prefix: null },
                DeleteMarkerReplication: { Status: "Enabled" }, Destination: { Bucket: `arn:aws:s3:::${destination.bucket}` },
            });

            const read = (await backend.getReplication(source, spec))!;
            expect(read.role).to.equal(spec.role);
            expect(read.rules.map((r) => [r.id, r.priority, r.destination.bucket, r.destination.zone, r.destination.storageClass]))
                .to.deep.equal([["logs", 2, destination.bucket, "us-east-1", "STANDARD_IA"], ["all", 1, destination.bucket, "us-east-1", undefined]]);
            expect(read.rules[0].sseKms).to.deep.equal({ replicateEncryptedObjects: false, replicaKmsKeyId: keyArn });
            expect(read.rules[0].replicationTimeControl).to.equal(true);
        });

        it("proves moto's GetBucketReplication drops what it stored: delete markers read back Disabled, the filter as an empty prefix", async () => {
            const spec: ReplicationSpec = { source, role, rules: [rule("markers", destination, { prefix: "docs/", deleteMarkerReplication: true, replicaModifications: true })] };
            await backend.putReplication(spec, undefined, () => undefined);
            const stored = (await moto.stored()).replicationOf(source.bucket)!.Rule[0];
            expect(stored.DeleteMarkerReplication).to.deep.equal({ Status: "Enabled" });
            expect(stored.Filter).to.deep.equal({ Prefix: "docs/" });
            const { s3 } = independentClients(moto, "eu-west-1");
            const { GetBucketReplicationCommand } = await import("@aws-sdk/client-s3");
            const answered = (await s3.send(new GetBucketReplicationCommand({ Bucket: source.bucket }))).ReplicationConfiguration!.Rules![0];
            expect(answered.DeleteMarkerReplication).to.deep.equal({ Status: "Disabled" });
            expect(answered.Filter).to.deep.equal({ Prefix: "" });
            expect(answered.SourceSelectionCriteria).to.equal(undefined);
            // The backend reports what the service answered: on moto, that is moto's loss, shown as drift.
            const read = (await backend.getReplication(source, spec))!;
            expect(read.rules[0]).to.deep.include({ deleteMarkerReplication: false, replicaModifications: false, prefix: "" });
        });

        it("deletes the configuration, leaving buckets and role alone; a missing configuration reads as none", async () => {
            const spec: ReplicationSpec = { source, role, rules: [rule("gone", destination)] };
            await backend.putReplication(spec, undefined, () => undefined);
            await backend.deleteReplication(spec, () => undefined);
            expect((await moto.stored()).replicationOf(source.bucket)).to.equal(null);
            expect(await backend.getReplication(source, spec)).to.equal(undefined);
            expect(await backend.bucketExists(destination)).to.equal(true);
        });

        it("waits, logging, while S3 does not see a new role yet, then puts the configuration", async () => {
            const flaky = roleNotVisible(moto.settings(), 2);
            const lines: string[] = [];
            await flaky.putReplication({ source, role, rules: [rule("later", destination)] }, undefined, logInto(lines));
            expect(flaky.answered).to.equal(2);
            expect(lines.filter((line) => line.includes("S3 to accept the role"))).to.have.length(2);
            expect((await moto.stored()).replicationOf(source.bucket)!.Rule[0].ID).to.equal("later");
        });

        it("gives up after waitTimeoutSeconds with the service's answer and what to check", async () => {
            const flaky = roleNotVisible(moto.settings({ waitTimeoutSeconds: "1" }));
            const error = await rejectionOf(flaky.putReplication({ source, role, rules: [rule("never", destination)] }, undefined, () => undefined));
            expect(error).to.be.instanceOf(ServiceError);
            expect(error.message).to.contain("InvalidArgument").and.to.contain("iam:PassRole").and.to.contain("waitTimeoutSeconds");
        });

        it("stops waiting within 2 s when the engine cancels", async () => {
            const flaky = roleNotVisible(moto.settings());
            const started = Date.now();
            setTimeout(() => cancelEverything("test"), 300);
            try {
                const error = await rejectionOf(flaky.putReplication({ source, role, rules: [rule("cancelled", destination)] }, undefined, () => undefined));
                expect(error).to.be.instanceOf(CancelledError);
                expect(Date.now() - started).to.be.lessThan(2300);
            } finally {
                resetCancellation();
            }
        });

        it("refuses at put what AWS cannot do, naming the field", async () => {
            const error = await rejectionOf(backend.putReplication({ source, role, rules: [rule("deletes", destination, { deleteReplication: true })] }, undefined, () => undefined));
            expect(error.message).to.contain("deleteReplication").and.to.contain("delete markers");
        });
    });

    describe("errors", () => {
        it("fails an unreachable IAM endpoint as one ServiceError naming AWS IAM, the operation and the endpoint", async () => {
            const closed = new AwsBackend(moto.settings({ iamEndpoint: "http://127.0.0.1:9", maxRetries: "0" }), fastPolls);
            const error = await rejectionOf(closed.createRole(roleSpec(unique("unreachable"), {}), "identity-e", () => undefined));
            expect(error).to.be.instanceOf(ServiceError);
            expect(error.message).to.match(/^AWS IAM GetRole of '[^']+' on zone 'global' \(http:\/\/127\.0\.0\.1:9\) failed: ECONNREFUSED/);
        });

        it("with no keys configured and none in the credential chain, says where credentials come from", async () => {
            const saved = { ...process.env };
            for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"]) delete process.env[key];
            Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials", AWS_CONFIG_FILE: "/nonexistent/config", AWS_EC2_METADATA_DISABLED: "true" });
            try {
                const chain = new AwsBackend(moto.settings({ accessKey: undefined, secretKey: undefined }), fastPolls);
                const error = await rejectionOf(chain.bucketExists({ zone: "eu-west-1", bucket: "any" }));
                expect(error).to.be.instanceOf(ServiceError);
                expect((error as ServiceError).code).to.equal("NoCredentials");
                expect(error.message).to.contain("Amazon S3").and.to.contain("'bucket-replication:accessKey'")
                    .and.to.contain("AWS_ACCESS_KEY_ID").and.to.contain("AWS_PROFILE");
            } finally {
                for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
                Object.assign(process.env, saved);
            }
        });

        it("takes moto's keys from the AWS credential chain when the stack configuration has none", async () => {
            const saved = { ...process.env };
            Object.assign(process.env, moto.chainEnv);
            try {
                const chain = new AwsBackend(moto.settings({ accessKey: undefined, secretKey: undefined }), fastPolls);
                const ref = { zone: "eu-west-1", bucket: unique("chain") };
                expect(await chain.createBucket(ref)).to.equal("created");
                const role = await chain.createRole(roleSpec(unique("chain"), replicationPolicy(ref, [ref])), "identity-c", () => undefined);
                expect(role.id).to.match(/^arn:aws:iam::123456789012:role\//);
            } finally {
                for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
                Object.assign(process.env, saved);
            }
        });
    });
});

/**
 * The AWS backend, with S3 answering calls of `operation` with a staged failure (the first `times`
 * calls; every call by default), as AWS answers where moto does not; every other call goes to moto.
 */
class StagedAnswerBackend extends AwsBackend {
    answered = 0;

    constructor(settings: ConstructorParameters<typeof AwsBackend>[0], private readonly staged: {
        readonly operation: string; readonly status: number; readonly code: string; readonly message?: string; readonly times?: number;
    }) {
        super(settings, fastPolls);
    }

    protected override s3(zone: string): AwsZoneS3 {
        const real = super.s3(zone);
        const staged = Object.create(real) as AwsZoneS3;
        staged.send = async <T>(operation: string, command: unknown, options?: object): Promise<T> => {
            if (operation.startsWith(this.staged.operation) && this.answered < (this.staged.times ?? Infinity)) {
                this.answered++;
                throw new ServiceError({ where: real.site, operation, httpStatus: this.staged.status, code: this.staged.code, message: this.staged.message ?? "" });
            }
            return real.send<T>(operation, command, options);
        };
        return staged;
    }
}

/** S3's answer while IAM has not propagated a new role to it. */
function roleNotVisible(settings: ConstructorParameters<typeof AwsBackend>[0], times = Infinity): StagedAnswerBackend {
    return new StagedAnswerBackend(settings, {
        operation: "PutBucketReplication", status: 400, code: "InvalidArgument", message: "Invalid IAM role: the role cannot be assumed", times,
    });
}
