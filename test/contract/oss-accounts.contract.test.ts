import { expect } from "chai";
import { OssClient } from "../../provider/backends/oss/ossClient";
import { RamClient } from "../../provider/backends/oss/ramClient";
import type { XmlElement } from "../../provider/backends/s3/xml";
import { ServiceError } from "../../provider/transport/serviceError";
import { eventually, quickRequests, rejectionOf, waitMs } from "./ossHarness";
import { guidePolicy, ossTrust } from "./ossGuide";
import {
    contractAccountId, type OssContractAccount, type OssContractServer, ossContractCredentials, ossFirstContractAccount, ossSecondContractAccount,
    startOssContractServer,
} from "./ossServer";

// The OSS stand-in serving several Alibaba Cloud accounts, for cross-account replication. Each test here fails
// against the stand-in before this change, which knew one key pair and one account: a second account's key was
// refused (InvalidAccessKeyId), every bucket and role was the one account's, and there were no bucket policies
// (`?policy` was answered InvalidArgument). What the stand-in enforces and where Alibaba documents it is written
// next to each rule in ossServer.ts (OssContractState.heldBackBy, checkBucketPolicy).

const a = ossFirstContractAccount;
const b = ossSecondContractAccount;

/** One account's clients: OSS (V4-signed) and RAM (ACS3-signed), as the provider's own classes send them. */
interface AccountClients {
    readonly account: OssContractAccount;
    readonly oss: OssClient;
    readonly ram: RamClient;
}

function clientsOf(server: OssContractServer, account: OssContractAccount): AccountClients {
    const credentials = { accessKey: account.accessKey, secretKey: account.secretKey };
    const credentialHint = `the key pair of account ${account.uid}`;
    return {
        account,
        oss: new OssClient({ zones: server.zones, credentials, requestPolicy: quickRequests, credentialHint }),
        ram: new RamClient({ endpoint: server.ramEndpoint, credentials, requestPolicy: quickRequests, credentialHint }),
    };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
    const error = await rejectionOf(promise);
    if (!(error instanceof ServiceError)) throw error;
    return error.code;
}

async function createBucket(clients: AccountClients, zone: string, bucket: string, versioned = true): Promise<void> {
    await clients.oss.send({ zone, bucket, method: "PUT", operation: "PutBucket", idempotent: false });
    if (versioned) {
        await clients.oss.send({ zone, bucket, method: "PUT", query: { versioning: "" }, operation: "PutBucketVersioning",
            body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>" });
    }
}

function childText(element: XmlElement | undefined, ...path: string[]): string | undefined {
    let at = element;
    for (const name of path) at = at?.children.find((c) => c.name === name);
    return at?.text;
}

/** A bucket policy that lets `roleName` of account `from` replicate into `bucket` of account `to`, as the replication permissions page writes it. */
function replicationGrant(from: string, roleName: string, to: string, bucket: string, actions: readonly string[]): string {
    return JSON.stringify({
        Version: "1",
        Statement: [{ Effect: "Allow", Action: actions, Principal: [`arn:sts::${from}:assumed-role/${roleName}/*`], Resource: [`acs:oss:*:${to}:${bucket}`, `acs:oss:*:${to}:${bucket}/*`] }],
    });
}

const allReplicate = ["oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut", "oss:ReplicateDelete"];

describe("contract: the OSS stand-in serves several accounts (buckets and RAM of their own), bucket policies, and cross-account replication", function () {
    let server: OssContractServer;
    let ofA: AccountClients;
    let ofB: AccountClients;

    before(async () => {
        server = await startOssContractServer({ accounts: [a, b], timing: { startingMs: 0, closingMs: 0, tickMs: 20, newObjectDelayMs: 30 } });
        ofA = clientsOf(server, a);
        ofB = clientsOf(server, b);
    });
    after(() => server?.close());

    describe("accounts", () => {
        it("serves one account by default, the one every other test uses; with two, both, the first one's pair as `credentials`", async () => {
            const single = await startOssContractServer();
            try {
                expect(single.accounts).to.deep.equal([{ uid: contractAccountId, ...ossContractCredentials }]);
                expect(single.credentials).to.deep.equal({ ...ossContractCredentials });
            } finally {
                await single.close();
            }
            expect(server.accounts.map((account) => account.uid)).to.deep.equal([a.uid, b.uid]);
            expect(server.credentials).to.deep.equal({ accessKey: a.accessKey, secretKey: a.secretKey });
        });

        it("takes requests signed with either account's key pair; an unknown key or a wrong secret is refused as before", async () => {
            await createBucket(ofB, "cn-hangzhou", "b-signed-bucket", false);
            expect(server.state.buckets.get("b-signed-bucket")?.owner).to.equal(b.uid);
            const unknown = clientsOf(server, { uid: "0", accessKey: "LTAIunknown0123456789abc", secretKey: b.secretKey });
            expect(await codeOf(unknown.oss.send({ zone: "cn-hangzhou", bucket: "b-signed-bucket", method: "GET", query: { bucketInfo: "" }, operation: "GetBucketInfo" })))
                .to.equal("InvalidAccessKeyId");
            expect(await codeOf(unknown.ram.getRole("anything"))).to.equal("InvalidAccessKeyId.NotFound");
            // B's key with A's secret: the key is found, the signature is not B's.
            const crossed = clientsOf(server, { uid: b.uid, accessKey: b.accessKey, secretKey: a.secretKey });
            expect(await codeOf(crossed.oss.send({ zone: "cn-hangzhou", bucket: "b-signed-bucket", method: "GET", query: { bucketInfo: "" }, operation: "GetBucketInfo" })))
                .to.equal("SignatureDoesNotMatch");
            expect(await codeOf(crossed.ram.getRole("anything"))).to.equal("SignatureDoesNotMatch");
        });

        it("refuses account B's bucket to account A's key (AccessDenied), read or write; its name is taken for A (BucketAlreadyExists)", async () => {
            await createBucket(ofB, "cn-hangzhou", "b-private-bucket");
            const read = (clients: AccountClients) => clients.oss.send({ zone: "cn-hangzhou", bucket: "b-private-bucket", method: "GET", query: { versioning: "" }, operation: "GetBucketVersioning" });
            expect(childText((await read(ofB)).xml("VersioningConfiguration"), "Status")).to.equal("Enabled");
            expect(await codeOf(read(ofA))).to.equal("AccessDenied");
            expect(await codeOf(ofA.oss.send({ zone: "cn-hangzhou", bucket: "b-private-bucket", key: "x.txt", method: "PUT", body: "x", operation: "PutObject" }))).to.equal("AccessDenied");
            expect(await codeOf(ofA.oss.send({ zone: "cn-hangzhou", bucket: "b-private-bucket", method: "DELETE", operation: "DeleteBucket" }))).to.equal("AccessDenied");
            expect(await codeOf(ofA.oss.send({ zone: "cn-hangzhou", bucket: "b-private-bucket", method: "PUT", operation: "PutBucket", idempotent: false }))).to.equal("BucketAlreadyExists");
            expect(server.state.buckets.has("b-private-bucket")).to.equal(true);
            expect(server.state.buckets.get("b-private-bucket")!.versions).to.deep.equal([]);
        });

        it("answers GetBucketInfo with the owner's UID as Owner/ID", async () => {
            await createBucket(ofA, "cn-beijing", "a-info-bucket", false);
            const info = async (clients: AccountClients, bucket: string, zone: string) =>
                (await clients.oss.send({ zone, bucket, method: "GET", query: { bucketInfo: "" }, operation: "GetBucketInfo" })).xml("BucketInfo");
            expect(childText(await info(ofA, "a-info-bucket", "cn-beijing"), "Bucket", "Owner", "ID")).to.equal(a.uid);
            expect(childText(await info(ofB, "b-private-bucket", "cn-hangzhou"), "Bucket", "Owner", "ID")).to.equal(b.uid);
        });

        it("keeps RAM per account: a role of A is unknown to B, both may use one name, each ARN carries its account's UID", async () => {
            const created = await ofA.ram.createRole("Shared-Name", ossTrust, "A's role");
            expect(created.Arn).to.equal(`acs:ram::${a.uid}:role/shared-name`);
            expect(await ofB.ram.getRole("Shared-Name")).to.equal(undefined);
            const theirs = await ofB.ram.createRole("Shared-Name", ossTrust, "B's role");
            expect(theirs.Arn).to.equal(`acs:ram::${b.uid}:role/shared-name`);
            expect(theirs.RoleId).to.not.equal(created.RoleId);
            expect((await ofA.ram.getRole("Shared-Name"))?.Description).to.equal("A's role");
            await ofB.ram.createPolicy("b-only-policy", guidePolicy("x", "y"), "B's policy");
            expect(await ofA.ram.getPolicy("b-only-policy")).to.equal(undefined);
            expect(await codeOf(ofA.ram.attachPolicyToRole("b-only-policy", "Shared-Name"))).to.equal("EntityNotExist.Policy");
            await ofB.ram.attachPolicyToRole("b-only-policy", "Shared-Name");
            expect(server.state.policyAttachedTo("Shared-Name", b.uid)).to.deep.equal(["b-only-policy"]);
            expect(server.state.policyAttachedTo("Shared-Name")).to.deep.equal([]);
            // `state.roles` (and policies, attachments) stay the first account's, as the existing tests read them.
            expect(server.state.roles.get("Shared-Name")?.Description).to.equal("A's role");
            expect(server.state.ramOf(b.uid).roles.get("Shared-Name")?.Description).to.equal("B's role");
            expect(server.state.policies.has("b-only-policy")).to.equal(false);
        });
    });

    describe("bucket policies (PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy)", () => {
        const zone = "cn-beijing";
        const bucket = "b-policy-bucket";
        const put = (clients: AccountClients, body: string | Buffer) => clients.oss.send({ zone, bucket, method: "PUT", query: { policy: "" }, body, operation: "PutBucketPolicy" });
        const get = (clients: AccountClients) => clients.oss.send({ zone, bucket, method: "GET", query: { policy: "" }, operation: "GetBucketPolicy" });
        const remove = (clients: AccountClients) => clients.oss.send({ zone, bucket, method: "DELETE", query: { policy: "" }, operation: "DeleteBucketPolicy" });
        const document = replicationGrant(a.uid, "some-role", b.uid, bucket, allReplicate);

        before(() => createBucket(ofB, zone, bucket));

        it("answers 404 NoSuchBucketPolicy without one; keeps the document as put and answers it as JSON; deletes it with 204", async () => {
            const missing = await rejectionOf(get(ofB)) as ServiceError;
            expect({ code: missing.code, status: missing.httpStatus }).to.deep.equal({ code: "NoSuchBucketPolicy", status: 404 });
            expect((await put(ofB, document)).status).to.equal(200);
            expect(server.state.buckets.get(bucket)!.policy).to.equal(document);
            const answer = await get(ofB);
            expect(answer.headers.get("content-type")).to.equal("application/json");
            expect(answer.body.toString("utf8")).to.equal(document);
            const replaced = replicationGrant(a.uid, "other-role", b.uid, bucket, ["oss:ReplicatePut"]);
            await put(ofB, replaced);
            expect((await get(ofB)).body.toString("utf8")).to.equal(replaced);
            expect((await remove(ofB)).status).to.equal(204);
            expect(server.state.buckets.get(bucket)!.policy).to.equal(undefined);
            expect(await codeOf(get(ofB))).to.equal("NoSuchBucketPolicy");
            const recorded = server.state.requests.filter((r) => r.path.startsWith(`/${bucket}`) && /^policy=?$/.test(r.query));
            expect(recorded.map((r) => `${r.method} ${r.operation} ${r.status}`)).to.deep.equal([
                "GET GetBucketPolicy 404", "PUT PutBucketPolicy 200", "GET GetBucketPolicy 200", "PUT PutBucketPolicy 200", "GET GetBucketPolicy 200",
                "DELETE DeleteBucketPolicy 204", "GET GetBucketPolicy 404",
            ]);
        });

        it("lets only the bucket's owner put, read or delete its policy", async () => {
            expect(await codeOf(put(ofA, document))).to.equal("AccessDenied");
            await put(ofB, document);
            expect(await codeOf(get(ofA))).to.equal("AccessDenied");
            expect(await codeOf(remove(ofA))).to.equal("AccessDenied");
            expect(server.state.buckets.get(bucket)!.policy).to.equal(document);
        });

        it("refuses documents outside the policy syntax with the EC of Alibaba's error page, keeping the policy it had", async () => {
            const statement = { Effect: "Allow", Action: ["oss:GetObject"], Principal: ["*"], Resource: [`acs:oss:*:${b.uid}:${bucket}/*`] };
            const cases: [string, string | Buffer, string][] = [
                ["not JSON", "{ not json", "0030-00000005"],
                ["Version a number", JSON.stringify({ Version: 1, Statement: [statement] }), "0030-00000005"],
                ["Version 2", JSON.stringify({ Version: "2", Statement: [statement] }), "0030-00000002"],
                ["no Statement", JSON.stringify({ Version: "1" }), "0030-00000005"],
                ["an empty Statement list", JSON.stringify({ Version: "1", Statement: [] }), "0030-00000005"],
                ["Effect Permit", JSON.stringify({ Version: "1", Statement: [{ ...statement, Effect: "Permit" }] }), "0030-00000005"],
                ["no Principal", JSON.stringify({ Version: "1", Statement: [{ Effect: "Allow", Action: statement.Action, Resource: statement.Resource }] }), "0030-00000005"],
                ["no Action", JSON.stringify({ Version: "1", Statement: [{ Effect: "Allow", Principal: ["*"], Resource: statement.Resource }] }), "0030-00000005"],
                ["no Resource", JSON.stringify({ Version: "1", Statement: [{ Effect: "Allow", Principal: ["*"], Action: statement.Action }] }), "0030-00000005"],
                ["two wildcards in a row", JSON.stringify({ Version: "1", Statement: [{ ...statement, Resource: [`acs:oss:*:${b.uid}:${bucket}/**`] }] }), "0030-00000007"],
                ["a statement over 4095 bytes", JSON.stringify({ Version: "1", Statement: [{ ...statement, Resource: [`acs:oss:*:${b.uid}:${bucket}/${"k".repeat(4100)}`] }] }), "0030-00000003"],
                ["over 16 KB", JSON.stringify({ Version: "1", Statement: Array.from({ length: 6 }, (_, i) => ({ ...statement, Sid: `s${i}`, Resource: [`acs:oss:*:${b.uid}:${bucket}/${"k".repeat(3000)}`] })) }), "0030-00000001"],
                ["not UTF-8", Buffer.concat([Buffer.from('{"Version":"1","Statement":[{"Sid":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')]), "0030-00000004"],
            ];
            for (const [what, body, ec] of cases) {
                const error = await rejectionOf(put(ofB, body)) as ServiceError;
                expect({ what, code: error.code, status: error.httpStatus }).to.deep.equal({ what, code: "InvalidPolicyDocument", status: 400 });
                expect(server.state.requests.filter((r) => r.operation === "PutBucketPolicy").pop()?.code, what).to.equal("InvalidPolicyDocument");
                expect(error.message, what).to.include(ec);
            }
            expect(server.state.buckets.get(bucket)!.policy).to.equal(document);
            // An empty Principal list stands for "*", and is taken.
            await put(ofB, JSON.stringify({ Version: "1", Statement: [{ ...statement, Principal: [] }] }));
        });
    });

    describe("cross-account replication: a role in the source's account, a bucket policy on the destination", () => {
        const source = { zone: "cn-hangzhou", bucket: "xa-src-bucket" };
        const destination = { zone: "cn-beijing", bucket: "xb-dst-bucket" };
        const roleName = "xacct-sync-role";
        const ruleId = "to-b";
        const setPolicy = (body: string) => ofB.oss.send({ zone: destination.zone, bucket: destination.bucket, method: "PUT", query: { policy: "" }, body, operation: "PutBucketPolicy" });
        const dropPolicy = () => ofB.oss.send({ zone: destination.zone, bucket: destination.bucket, method: "DELETE", query: { policy: "" }, operation: "DeleteBucketPolicy" });
        const putObject = (key: string) => ofA.oss.send({ zone: source.zone, bucket: source.bucket, key, method: "PUT", body: `body of ${key}`, operation: "PutObject" });
        const replica = (key: string) => server.state.latest(destination.bucket, key);
        const addRule = (clients: AccountClients, syncRole: string, id = ruleId, historical = "enabled") => clients.oss.send({
            zone: source.zone, bucket: source.bucket, method: "POST", query: { replication: "", comp: "add" }, operation: "PutBucketReplication", idempotent: false,
            body: `<ReplicationConfiguration><Rule><ID>${id}</ID><Action>ALL</Action><Destination><Bucket>${destination.bucket}</Bucket><Location>oss-${destination.zone}</Location></Destination>` +
                `<HistoricalObjectReplication>${historical}</HistoricalObjectReplication><SyncRole>${syncRole}</SyncRole></Rule></ReplicationConfiguration>`,
        });
        const progress = async () => (await ofA.oss.send({ zone: source.zone, bucket: source.bucket, method: "GET", query: { replicationProgress: "", "rule-id": ruleId },
            operation: "GetBucketReplicationProgress" })).xml("ReplicationProgress");
        /** The role's RAM policy: the source bucket only, as the permissions page writes it for two accounts. */
        const sourceOnly = { Version: "1", Statement: [{ Effect: "Allow", Action: ["oss:ReplicateList", "oss:ReplicateGet"], Resource: [`acs:oss:*:*:${source.bucket}`, `acs:oss:*:*:${source.bucket}/*`] }] };

        before(async () => {
            await createBucket(ofA, source.zone, source.bucket);
            await createBucket(ofB, destination.zone, destination.bucket);
            await ofA.ram.createRole(roleName, ossTrust, "replicates into account B");
            await ofA.ram.createPolicy(`${roleName}-source`, sourceOnly, "read the source");
            await ofA.ram.attachPolicyToRole(`${roleName}-source`, roleName);
            await ofB.ram.createRole("only-in-b", ossTrust, "a role of account B");
            await putObject("historic.txt");
        });

        it("takes a SyncRole of the source bucket owner's account only, and a destination bucket of another account without a grant", async () => {
            expect(await codeOf(addRule(ofA, "only-in-b", "wrong-role"))).to.equal("InvalidArgument");
            // B cannot add a rule to A's bucket at all.
            expect(await codeOf(addRule(ofB, "only-in-b", "from-b"))).to.equal("AccessDenied");
            // PutBucketReplication does not look at the destination's bucket policy: there is none yet.
            expect(server.state.buckets.get(destination.bucket)!.policy).to.equal(undefined);
            expect((await addRule(ofA, roleName)).headers.get("x-oss-replication-rule-id")).to.equal(ruleId);
            expect(server.state.rulesOf(source.bucket).map((r) => r.id)).to.deep.equal([ruleId]);
        });

        it("without the destination's bucket policy copies nothing: historical and new objects stay queued, and the progress stays behind", async () => {
            const before = Date.now();
            await putObject("new-1.txt");
            await waitMs(400);
            expect(replica("historic.txt")).to.equal(undefined);
            expect(replica("new-1.txt")).to.equal(undefined);
            expect(server.state.queueOf(source.bucket, ruleId)).to.deep.equal([
                { key: "new-1.txt", versionId: server.state.latest(source.bucket, "new-1.txt")!.versionId, deleteMarker: false, heldBackBy: "bucket policy" },
            ]);
            const rule = childText(await progress(), "Rule", "Progress", "HistoricalObject");
            expect(rule).to.equal("0.00");
            const newObject = childText(await progress(), "Rule", "Progress", "NewObject")!;
            expect(Date.parse(newObject)).to.be.below(Date.now() - 300).and.at.most(before + 50);
        });

        it("a bucket policy for another role, or a same-named role of another account, or a read-only grant lets nothing through", async () => {
            for (const policy of [
                replicationGrant(a.uid, "some-other-role", b.uid, destination.bucket, allReplicate),
                replicationGrant(b.uid, roleName, b.uid, destination.bucket, allReplicate),
                replicationGrant(a.uid, roleName, b.uid, "another-bucket", allReplicate),
                replicationGrant(a.uid, roleName, b.uid, destination.bucket, ["oss:ReplicateList", "oss:ReplicateGet"]),
            ]) {
                await setPolicy(policy);
                await waitMs(150);
                expect(replica("new-1.txt"), policy).to.equal(undefined);
            }
            // A Deny for the role wins over an Allow.
            const allow = JSON.parse(replicationGrant(a.uid, roleName, b.uid, destination.bucket, allReplicate)) as { Statement: object[] };
            await setPolicy(JSON.stringify({ Version: "1", Statement: [...allow.Statement, { ...allow.Statement[0], Effect: "Deny", Action: ["oss:Replicate*"] }] }));
            await waitMs(150);
            expect(replica("new-1.txt")).to.equal(undefined);
        });

        it("once the bucket policy allows the role's sessions, the held-back objects go through, then new ones; progress reaches now", async () => {
            await setPolicy(replicationGrant(a.uid, roleName, b.uid, destination.bucket, allReplicate));
            await eventually(() => replica("new-1.txt") !== undefined && replica("historic.txt") !== undefined, "the held-back objects to replicate");
            expect(replica("new-1.txt")?.body.toString()).to.equal("body of new-1.txt");
            expect(replica("historic.txt")?.replica).to.equal(true);
            await putObject("new-2.txt");
            await eventually(() => replica("new-2.txt") !== undefined, "a new object to replicate");
            expect(server.state.queueOf(source.bucket, ruleId)).to.deep.equal([]);
            expect(childText(await progress(), "Rule", "Progress", "HistoricalObject")).to.equal("1.00");
            expect(Date.parse(childText(await progress(), "Rule", "Progress", "NewObject")!)).to.be.at.least(Date.now() - 1000);
        });

        it("needs the role's RAM policy too: with it detached, objects are held back even under the bucket policy", async () => {
            await ofA.ram.detachPolicyFromRole(`${roleName}-source`, roleName);
            await putObject("new-3.txt");
            await waitMs(300);
            expect(replica("new-3.txt")).to.equal(undefined);
            expect(server.state.queueOf(source.bucket, ruleId).map((q) => q.heldBackBy)).to.deep.equal(["role policy"]);
            await ofA.ram.attachPolicyToRole(`${roleName}-source`, roleName);
            await eventually(() => replica("new-3.txt") !== undefined, "new-3.txt to replicate once the policy is back");
        });

        it("replicates a delete marker only with oss:ReplicateDelete in the bucket policy; a put after it waits its turn", async () => {
            await setPolicy(replicationGrant(a.uid, roleName, b.uid, destination.bucket, ["oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut"]));
            await ofA.oss.send({ zone: source.zone, bucket: source.bucket, key: "new-1.txt", method: "DELETE", operation: "DeleteObject" });
            await putObject("new-4.txt");
            await waitMs(300);
            expect(replica("new-1.txt")?.deleteMarker).to.equal(false);
            expect(server.state.queueOf(source.bucket, ruleId).map((q) => [q.key, q.deleteMarker, q.heldBackBy])).to.deep.equal([
                ["new-1.txt", true, "bucket policy"], ["new-4.txt", false, undefined],
            ]);
            expect(replica("new-4.txt")).to.equal(undefined);
            await setPolicy(replicationGrant(a.uid, roleName, b.uid, destination.bucket, ["oss:Replicate*"]));
            await eventually(() => replica("new-1.txt")?.deleteMarker === true && replica("new-4.txt") !== undefined, "the delete marker, then new-4.txt");
        });

        it("stops again when the bucket policy is deleted", async () => {
            await dropPolicy();
            await putObject("new-5.txt");
            await waitMs(300);
            expect(replica("new-5.txt")).to.equal(undefined);
            await setPolicy(replicationGrant(a.uid, roleName, b.uid, destination.bucket, allReplicate));
            await eventually(() => replica("new-5.txt") !== undefined, "new-5.txt once the policy is back");
        });

        it("replicates within one account as before, with no bucket policy and no check of the role's policy", async () => {
            await createBucket(ofA, "cn-beijing", "xa-dst-bucket");
            await ofA.ram.createRole("same-account-role", ossTrust, "no policy attached");
            await ofA.oss.send({
                zone: source.zone, bucket: source.bucket, method: "POST", query: { replication: "", comp: "add" }, operation: "PutBucketReplication", idempotent: false,
                body: `<ReplicationConfiguration><Rule><ID>same</ID><Action>ALL</Action><Destination><Bucket>xa-dst-bucket</Bucket><Location>oss-cn-beijing</Location></Destination>` +
                    `<HistoricalObjectReplication>disabled</HistoricalObjectReplication><SyncRole>same-account-role</SyncRole></Rule></ReplicationConfiguration>`,
            });
            await putObject("same-account.txt");
            await eventually(() => server.state.latest("xa-dst-bucket", "same-account.txt") !== undefined, "same-account.txt to replicate");
        });
    });
});
