import { expect } from "chai";
import * as path from "node:path";
import { replicationPolicy } from "../../provider/backends/oss";
import { identityOf, ossBackendUnderContract, runPython, sdkPython } from "./ossHarness";
import { guidePolicy, ossTrust } from "./ossGuide";
import { ossFirstContractAccount, ossSecondContractAccount } from "./ossServer";

// The contract server checked by Alibaba's own OSS Python SDK (alibabacloud-oss-v2 from PyPI, installed
// by scripts/oss-sdk.sh into a cached venv): the SDK signs requests that the server must accept, and
// parses the server's GetBucketReplication / Location / Progress answers. What the SDK read is then
// compared with what our backend reads from the same server, so that server and backend agree with
// Alibaba's client, not only with each other. The RAM part does the same with Alibaba's RAM Python SDK
// (alibabacloud-ram20150501): the SDK sends every RAM operation the provider uses, in the query string and
// as a form body, and re-signs each request our RamClient sent with its own ACS3 signer. The server serves two
// accounts here: the SDK puts, reads and deletes bucket policies, and signs calls with the second account's pair.

describe("contract: the OSS contract server against Alibaba's Python SDK (alibabacloud-oss-v2)", function () {
    const suite = ossBackendUnderContract({ timing: { startingMs: 0 }, accounts: [ossFirstContractAccount, ossSecondContractAccount] });
    const source = { zone: "cn-hangzhou", bucket: "pysrc-bucket" };
    const destination = { zone: "cn-beijing", bucket: "pydst-bucket" };
    const secondBucket = "py-second-bucket";
    /** The destination's bucket policy of the replication permissions page: the sync role's sessions of another account may replicate into it. */
    const bucketPolicy = {
        Version: "1",
        Statement: [{ Effect: "Allow", Action: ["oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut", "oss:ReplicateDelete"],
            Principal: [`arn:sts::${ossSecondContractAccount.uid}:assumed-role/py-sync-role/*`],
            Resource: [`acs:oss:*:${ossFirstContractAccount.uid}:${destination.bucket}`, `acs:oss:*:${ossFirstContractAccount.uid}:${destination.bucket}/*`] }],
    };
    let sdk: Record<string, any>;

    before(async function () {
        const python = sdkPython();
        await suite.backend.createRole({ name: "py-sync-role", description: "sync role for the SDK check", editable: true, labels: {},
            policy: replicationPolicy(source, [destination]) }, identityOf("py-sync-role"), () => undefined);
        const job = {
            zones: suite.server.zones, accessKey: suite.server.credentials.accessKey, secretKey: suite.server.credentials.secretKey,
            source, destination, syncRole: "py-sync-role", ruleId: "py-rule", bucketPolicy,
            second: { accessKey: ossSecondContractAccount.accessKey, secretKey: ossSecondContractAccount.secretKey, bucket: secondBucket },
        };
        // Asynchronously: the contract server answers from this very process.
        sdk = JSON.parse(await runPython(python, path.join(__dirname, "oss_sdk_check.py"), JSON.stringify(job)));
    });

    it("accepts the SDK's V4-signed bucket, versioning and object calls", () => {
        expect(suite.server.state.buckets.get(source.bucket)).to.deep.include({ region: "cn-hangzhou", versioning: "Enabled" });
        expect(suite.server.state.buckets.get(destination.bucket)).to.deep.include({ region: "cn-beijing", versioning: "Enabled" });
        expect(sdk.versioning).to.equal("Enabled");
        expect(sdk.putObjectVersionId).to.be.a("string").and.not.equal("");
        // Refused on purpose: the wrong secret, the missing rule and policy, the malformed policy, the other account's bucket.
        const meant = new Set(["SignatureDoesNotMatch", "NoSuchReplicationRule", "NoSuchBucketPolicy", "InvalidPolicyDocument", "AccessDenied"]);
        const refused = suite.server.state.requests.filter((r) => r.service === "oss" && r.status >= 300 && !meant.has(r.code!));
        expect(refused, "SDK requests the server refused").to.deep.equal([]);
        expect(suite.server.state.requests.filter((r) => r.code === "AccessDenied").map((r) => `${r.operation} ${r.path}`))
            .to.deep.equal([`GetBucketVersioning /${destination.bucket}/`, `GetBucketPolicy /${secondBucket}/`]);
    });

    it("accepts the SDK's PutBucketReplication and keeps the rule as sent, answering its ID in x-oss-replication-rule-id", () => {
        expect(sdk.addedRuleId).to.equal("py-rule");
        const [rule] = suite.server.state.rulesOf(source.bucket);
        expect(rule).to.deep.include({ id: "py-rule", prefixes: ["docs/", "images/"], action: "ALL", historicalObjectReplication: "enabled", syncRole: "py-sync-role", rtc: "enabled" });
        expect(rule.destination).to.deep.equal({ bucket: destination.bucket, location: "oss-cn-beijing", transferType: "internal" });
    });

    it("answers GetBucketReplication in a shape the SDK parses, field for field what our backend reads", async () => {
        expect(sdk.rules).to.have.length(1);
        expect(sdk.rules[0]).to.deep.include({
            id: "py-rule", action: "ALL", prefixes: ["docs/", "images/"], historicalObjectReplication: "enabled", syncRole: "py-sync-role", rtc: "enabled",
        });
        expect(sdk.rules[0].destination).to.deep.include({ bucket: destination.bucket, location: "oss-cn-beijing" });
        expect(["starting", "doing"]).to.include(sdk.rules[0].status);
        const ours = await suite.backend.rulesOf(source);
        expect(ours.map((r) => ({ id: r.id, action: r.action, prefixes: r.prefixes, historicalObjectReplication: r.historicalObjectReplication, syncRole: r.syncRole, rtc: r.rtc })))
            .to.deep.equal(sdk.rules.map((r: any) => ({ id: r.id, action: r.action, prefixes: r.prefixes, historicalObjectReplication: r.historicalObjectReplication, syncRole: r.syncRole, rtc: r.rtc })));
    });

    it("answers GetBucketReplicationLocation in a shape the SDK parses, the same locations and constraints our backend reads", async () => {
        const ours = await suite.backend.replicationLocations(source);
        expect(sdk.locations).to.deep.equal(ours.map((l) => l.location));
        expect(sdk.locations).to.include("oss-cn-beijing");
        const accelerated = ours.filter((l) => l.transferTypes.length === 1).map((l) => [l.location, [...l.transferTypes]]);
        expect(Object.entries(sdk.transferTypeConstraints)).to.deep.equal(accelerated);
        expect(sdk.rtcLocations).to.deep.equal(ours.filter((l) => l.rtc).map((l) => l.location));
    });

    it("answers GetBucketReplicationProgress in a shape the SDK parses: a fraction of historical objects and an ISO new-object time", async () => {
        expect(sdk.progress).to.deep.include({ id: "py-rule", status: "doing" });
        expect(sdk.progress.historicalObject).to.match(/^[01]\.\d\d$/);
        expect(Number.isNaN(Date.parse(sdk.progress.newObject))).to.equal(false);
        const ours = await suite.backend.replicationProgress(source, "py-rule");
        expect(ours.historicalObjectsPercent).to.be.within(0, 100);
        expect(Date.parse(ours.newObjectsReplicatedUntil!)).to.be.at.least(Date.parse(sdk.progress.newObject));
    });

    it("takes the SDK's PutBucketPolicy, answers GetBucketPolicy with the document as put, and DeleteBucketPolicy; the SDK reads the errors", () => {
        expect(sdk.policy.missing).to.deep.include({ code: "NoSuchBucketPolicy", status: 404, ec: "0030-00000006" });
        expect(sdk.policy.putStatus).to.equal(200);
        expect(JSON.parse(sdk.policy.read)).to.deep.equal(bucketPolicy);
        expect(sdk.policy.malformed).to.deep.include({ code: "InvalidPolicyDocument", status: 400, ec: "0030-00000005" });
        expect(sdk.policy.readAfterMalformed).to.equal(sdk.policy.read);
        expect(sdk.policy.deleteStatus).to.equal(204);
        expect(sdk.policy.afterDelete).to.deep.include({ code: "NoSuchBucketPolicy", status: 404 });
        expect(suite.server.state.buckets.get(destination.bucket)?.policy).to.equal(undefined);
        expect(suite.server.state.requestsFor("PutBucketPolicy").length).to.equal(3);
    });

    it("takes calls signed with the second account's key pair: its bucket (owner: its UID) and policy; the accounts' buckets stay apart", () => {
        expect(suite.server.state.buckets.get(secondBucket)?.owner).to.equal(ossSecondContractAccount.uid);
        expect(sdk.second.owner).to.equal(ossSecondContractAccount.uid);
        expect(sdk.second.policyRead).to.equal(sdk.second.policyPut);
        expect(suite.server.state.buckets.get(secondBucket)?.policy).to.equal(sdk.second.policyPut);
        expect(sdk.second.firstAccountsBucket).to.deep.include({ code: "AccessDenied", status: 403 });
        expect(sdk.second.firstReadsSecondsPolicy).to.deep.include({ code: "AccessDenied", status: 403 });
    });

    it("answers errors in OSS's XML shape, whose code and EC the SDK reads", () => {
        expect(sdk.wrongSecret).to.deep.include({ code: "SignatureDoesNotMatch", status: 403, ec: "0002-00000040" });
        expect(sdk.missingRule).to.deep.include({ code: "NoSuchReplicationRule", status: 404 });
    });
});

describe("contract: RAM requests, ours and the stand-in's checks, against Alibaba's RAM Python SDK (alibabacloud-ram20150501)", function () {
    const suite = ossBackendUnderContract();
    const source = { zone: "cn-hangzhou", bucket: "ramsrc-bucket" };
    const destination = { zone: "cn-beijing", bucket: "ramdst-bucket" };
    /** Every RAM operation our client sends, in the order a role's life sends them. */
    const ourOperations = ["GetRole", "CreateRole", "UpdateRole", "GetPolicy", "CreatePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
        "AttachPolicyToRole", "ListPoliciesForRole", "DetachPolicyFromRole", "DeletePolicy", "DeleteRole"];
    let sdk: { typed: Record<string, any>; form: Record<string, any>; ours: Record<string, any>[] };
    let ours: ReturnType<typeof suite.server.state.requestsFor>;

    before(async function () {
        const python = sdkPython();
        // A role's whole life through our backend: create, a new description and policy, delete.
        const spec = { name: "our-ram-role", description: "our client: spaces, slashes / and colons :", editable: true, labels: {},
            policy: replicationPolicy(source, [destination]) };
        const role = await suite.backend.createRole(spec, identityOf("our-ram-role"), () => undefined);
        await suite.backend.updateRole(role, { ...spec, description: "changed + renamed & more", policy: replicationPolicy(source, [destination, source]) }, () => undefined);
        await suite.backend.readRole(role.id, role);
        await suite.backend.deleteRole(role, () => undefined);
        ours = suite.server.state.requests.filter((r) => r.service === "ram");
        const job = {
            mode: "ram", ramEndpoint: new URL(suite.server.ramEndpoint).host, accessKey: suite.server.credentials.accessKey,
            secretKey: suite.server.credentials.secretKey, trust: ossTrust, policy: guidePolicy(source.bucket, destination.bucket),
            ours: ours.map((r) => ({ method: r.method, path: r.path, query: r.query, headers: r.headers, body: r.body })),
        };
        sdk = JSON.parse(await runPython(python, path.join(__dirname, "oss_sdk_check.py"), JSON.stringify(job)));
    });

    it("our client sent every RAM operation the provider uses, each as a form body", () => {
        expect([...new Set(ours.map((r) => r.operation))]).to.have.members(ourOperations);
        for (const request of ours) {
            expect(request.headers?.["content-type"], request.operation).to.equal("application/x-www-form-urlencoded");
            expect(request.query, request.operation).to.equal("");
        }
    });

    it("the SDK's own ACS3 signer computes, for each of our requests, the signature we sent; the payload hash is the body's", () => {
        expect(sdk.ours).to.have.length(ours.length);
        const wrong = sdk.ours.filter((r) => !r.signatureMatches || !r.payloadHashMatches || !r.formRoundTrip);
        expect(wrong, "our requests the SDK signs otherwise").to.deep.equal([]);
    });

    it("the stand-in accepts the SDK's typed calls (parameters in the query string) and the SDK parses every answer", () => {
        expect(sdk.typed["GetRole.missing"]).to.deep.include({ ok: false, code: "EntityNotExist.Role", status: 404 });
        for (const operation of ourOperations.filter((o) => o !== "GetRole")) expect(sdk.typed[operation], `${operation}: ${JSON.stringify(sdk.typed[operation])}`).to.deep.include({ ok: true });
        expect(sdk.typed.CreateRole.value).to.equal("acs:ram::1234567890123456:role/py-ram-role");
        expect(sdk.typed.GetRole.value).to.equal("made by the RAM SDK");
        expect(sdk.typed.GetPolicy.value).to.deep.equal(guidePolicy(source.bucket, destination.bucket));
        expect(sdk.typed.CreatePolicyVersion.value).to.equal("v2");
        expect(sdk.typed.ListPoliciesForRole.value).to.deep.equal(["py-ram-policy"]);
    });

    it("the stand-in accepts the SDK's form-body requests, signed by the SDK, as our client sends them", () => {
        for (const operation of ourOperations) expect(sdk.form[operation], operation).to.deep.include({ ok: true });
        expect(sdk.form.CreateRole.value).to.equal("a form body: spaces, /:+&=");
        expect(sdk.form.ListPoliciesForRole.value).to.deep.equal(["py-form-policy"]);
        expect(sdk.form["GetRole.missing"]).to.deep.include({ ok: false, code: "EntityNotExist.Role" });
        const formRequests = suite.server.state.requests.filter((r) => r.service === "ram" && r.headers?.["content-type"]?.startsWith("application/x-www-form-urlencoded") && !ours.includes(r));
        expect(formRequests.length).to.be.at.least(ourOperations.length);
    });

    it("our parameters for each operation are the ones the SDK sends for it", () => {
        const sdkRequests = suite.server.state.requests.filter((r) => r.service === "ram" && r.query !== "" && r.headers?.["user-agent"]?.includes("AlibabaCloud"));
        const namesOf = (query: string) => [...new URLSearchParams(query).keys()].sort();
        for (const operation of ourOperations) {
            const theirs = sdkRequests.find((r) => r.operation === operation);
            const mine = sdk.ours.find((r) => r.action === operation);
            expect(theirs, `the SDK's ${operation}`).to.not.equal(undefined);
            // The SDK's typed CreateRole sends no Description when none is given, and ours always gives one here.
            expect(mine!.parameters, operation).to.deep.equal(namesOf(theirs!.query));
        }
    });
});
