import { expect } from "chai";
import type { ReplicationRule, ReplicationSpec, RoleState } from "../../provider/backends/backend";
import { replicationPolicy } from "../../provider/backends/oss";
import { ServiceError } from "../../provider/transport/serviceError";
import { collectLog, eventually, identityOf, ossBackendUnderContract, rejectionOf } from "./ossHarness";

// The OSS backend driven directly against the local OSS + RAM contract server (test/contract/ossServer.ts),
// not Alibaba Cloud: every OSS request is V4-signed and every RAM request ACS3-signed, checked by the server.

describe("contract: OSS backend against the OSS + RAM contract server", function () {
    const suite = ossBackendUnderContract();
    const src = { zone: "cn-hangzhou", bucket: "srcexamplebucket" };
    const dst = { zone: "cn-beijing", bucket: "destexamplebucket" };
    let role: RoleState;

    function rule(overrides: Partial<ReplicationRule> = {}): ReplicationRule {
        return {
            id: "to-beijing", priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: true, deleteReplication: false,
            existingObjectReplication: true, replicaModifications: false, destination: dst, ...overrides,
        };
    }
    const spec = (rules: ReplicationRule[]): ReplicationSpec => ({ source: src, role, rules });

    it("creates buckets with V4-signed requests; a second create of our own bucket answers 'exists'", async () => {
        expect(await suite.backend.createBucket(src)).to.equal("created");
        expect(await suite.backend.createBucket(dst)).to.equal("created");
        expect(await suite.backend.createBucket(src)).to.equal("exists");
        expect(suite.server.state.buckets.get("srcexamplebucket")?.region).to.equal("cn-hangzhou");
        expect(suite.server.state.buckets.get("destexamplebucket")?.region).to.equal("cn-beijing");
        expect(await suite.backend.bucketExists(src)).to.equal(true);
        expect(await suite.backend.bucketExists({ zone: "cn-hangzhou", bucket: "nosuchbucket" })).to.equal(false);
    });

    it("refuses a bucket name another account owns, naming the fix", async () => {
        suite.server.state.foreignBuckets.add("someone-elses");
        const error = await rejectionOf(suite.backend.createBucket({ zone: "cn-hangzhou", bucket: "someone-elses" }));
        expect(error.message).to.match(/taken by another Alibaba Cloud account.*Choose another 'name'/);
    });

    it("writes and reads tags, the ownership marker with its usual spelling", async () => {
        await suite.backend.putBucketTags(src, { "pulumi-bucket-replication:owner": "abc", team: "storage" });
        expect(suite.server.state.buckets.get("srcexamplebucket")?.tags).to.deep.equal({ "pulumi-bucket-replication:owner": "abc", team: "storage" });
        expect(await suite.backend.getBucketTags(src)).to.deep.equal({ "pulumi-bucket-replication:owner": "abc", team: "storage" });
        await suite.backend.putBucketTags(src, {});
        expect(await suite.backend.getBucketTags(src)).to.deep.equal({});
    });

    it("reads versioning back as OSS reports it", async () => {
        expect(await suite.backend.getVersioning(src)).to.equal("Unversioned");
        await suite.backend.putVersioning(src, "Enabled");
        await suite.backend.putVersioning(dst, "Enabled");
        expect(await suite.backend.getVersioning(src)).to.equal("Enabled");
    });

    it("creates a RAM role OSS may assume, with its least-privilege policy attached and the owner marker in its description", async () => {
        const { log } = collectLog();
        role = await suite.backend.createRole({ name: "oss-sync-role", description: "sync role", editable: true, labels: {},
            policy: replicationPolicy(src, [dst]) }, identityOf("oss-sync-role"), log);
        expect(role.id).to.equal("oss-sync-role");
        const stored = suite.server.state.roles.get("oss-sync-role")!;
        expect(JSON.parse(stored.AssumeRolePolicyDocument).Statement[0].Principal.Service).to.deep.equal(["oss.aliyuncs.com"]);
        expect(stored.Description).to.equal(`sync role [pulumi-bucket-replication:owner=${identityOf("oss-sync-role")}]`);
        expect(suite.server.state.policyAttachedTo("oss-sync-role")).to.deep.equal(["oss-sync-role-replication"]);
        const read = await suite.backend.readRole(role.id, role);
        expect(read?.description).to.equal("sync role");
        expect(read?.policy).to.deep.equal(role.policy);
    });

    it("adopts its own half-made role and refuses a foreign one untouched", async () => {
        const identity = identityOf("half-made");
        suite.server.state.roles.set("half-made", { RoleName: "half-made", RoleId: "1", Arn: "acs:ram::1:role/half-made",
            Description: `x [pulumi-bucket-replication:owner=${identity}]`, AssumeRolePolicyDocument: "{}", MaxSessionDuration: 3600, CreateDate: "" });
        const adopted = await suite.backend.createRole({ name: "half-made", description: "x", editable: true, labels: {}, policy: replicationPolicy(src, [dst]) }, identity, () => undefined);
        expect(adopted.id).to.equal("half-made");
        expect(suite.server.state.policyAttachedTo("half-made")).to.deep.equal(["half-made-replication"]);

        suite.server.state.roles.set("foreign", { RoleName: "foreign", RoleId: "2", Arn: "acs:ram::1:role/foreign",
            Description: "made by hand", AssumeRolePolicyDocument: "{}", MaxSessionDuration: 3600, CreateDate: "" });
        const error = await rejectionOf(suite.backend.createRole({ name: "foreign", description: "", editable: true, labels: {}, policy: replicationPolicy(src, [dst]) }, identityOf("foreign"), () => undefined));
        expect(error.message).to.match(/already has a role of that name, not made by this package\. Nothing was changed/);
        expect(suite.server.state.roles.get("foreign")?.Description).to.equal("made by hand");
        expect(suite.server.state.policies.has("foreign-replication")).to.equal(false);
    });

    it("undoes a half-made role when its policy is refused", async () => {
        const error = await rejectionOf(suite.backend.createRole({ name: "bad-policy", description: "", editable: true, labels: {}, policy: { Version: "2" } },
            identityOf("bad-policy"), () => undefined));
        expect(error).to.be.instanceOf(ServiceError);
        expect(error.message).to.match(/Alibaba RAM CreatePolicy of policy 'bad-policy-replication' on zone 'global' \(http:\/\/127\.0\.0\.1:\d+\) failed: HTTP 400 InvalidParameter\.PolicyDocument/);
        expect(error.message).to.match(/Nothing was left behind/);
        expect(suite.server.state.roles.has("bad-policy")).to.equal(false);
    });

    it("adds one rule per PutBucketReplication, waits while it is starting, and reads it back", async () => {
        const { log, messages } = collectLog();
        await suite.backend.putReplication(spec([rule()]), undefined, log);
        expect(suite.server.state.requestsFor("PutBucketReplication").filter((r) => r.status === 200)).to.have.length(1);
        expect(messages.some((m) => /waiting .*OSS to start rule 'to-beijing'/.test(m))).to.equal(true);
        const read = await suite.backend.getReplication(src, spec([rule()]));
        expect(read?.rules).to.deep.equal([{ ...rule(), prefix: "" }]);
        expect(read?.role.id).to.equal("oss-sync-role");
    });

    it("replicates historical and new objects asynchronously: progress moves to 100 % and the new-object time advances", async () => {
        suite.server.state.putObject("srcexamplebucket", "later/one.txt", "one");
        await eventually(() => suite.server.state.latest("destexamplebucket", "later/one.txt") !== undefined, "the object to replicate");
        const progress = await suite.backend.replicationProgress(src, "to-beijing");
        expect(progress.status).to.equal("doing");
        expect(progress.historicalObjectsPercent).to.equal(100);
        expect(Date.parse(progress.newObjectsReplicatedUntil!)).to.be.greaterThan(Date.now() - 5000);
    });

    it("deletes and re-adds a changed rule (OSS cannot edit one), waiting for it to close", async () => {
        const { log, messages } = collectLog();
        const changed = rule({ prefixes: ["logs/", "images/"], prefix: undefined, deleteMarkerReplication: false, existingObjectReplication: false });
        await suite.backend.putReplication(spec([changed]), spec([rule()]), log);
        expect(messages.some((m) => /deleting rule 'to-beijing'.*changed/.test(m))).to.equal(true);
        expect(messages.some((m) => /OSS to close rule 'to-beijing' \(closing\)/.test(m))).to.equal(true);
        const [onServer] = suite.server.state.rulesOf("srcexamplebucket");
        expect(onServer).to.deep.include({ id: "to-beijing", prefixes: ["logs/", "images/"], action: "PUT", historicalObjectReplication: "disabled" });
    });

    it("refuses, before writing, what OSS cannot do, naming field and alternative", async () => {
        const error = await rejectionOf(suite.backend.putReplication(spec([rule({ replicaModifications: true })]), undefined, () => undefined));
        expect(error.message).to.match(/'replicaModifications: true'.*add a rule in the other direction/);
    });

    it("an add that got no answer, whose rules then cannot be read either, fails saying both (not as if the rule were missing)", async () => {
        const current = rule({ prefixes: ["logs/", "images/"], prefix: undefined, deleteMarkerReplication: false, existingObjectReplication: false });
        const added = rule({ id: "to-beijing-other", priority: 2, prefix: "other/" });
        suite.server.state.injectFault({ kind: "reset", operation: "PutBucketReplication" });
        const log = (message: string) => {
            // From the add on, the rules cannot be read: the look after the dropped add fails too.
            if (message.startsWith("adding rule 'to-beijing-other'")) suite.server.state.injectFault({ kind: "503", operation: "GetBucketReplication", times: Infinity });
        };
        try {
            const error = await rejectionOf(suite.backend.putReplication(spec([current, added]), spec([current]), log));
            expect(error).to.be.instanceOf(ServiceError);
            expect(error.message).to.contain("PutBucketReplication (rule 'to-beijing-other')")
                .and.to.contain("Whether rule 'to-beijing-other' was added anyway could not be read either")
                .and.to.contain("ServiceUnavailable");
        } finally {
            suite.server.state.clearFaults();
        }
        expect(suite.server.state.rulesOf("srcexamplebucket").map((r) => r.id)).to.deep.equal(["to-beijing"]);
    });

    it("deletes every rule and waits until OSS has closed them, so that versioning can change again", async () => {
        await suite.backend.deleteReplication(spec([rule()]), () => undefined);
        expect(suite.server.state.rulesOf("srcexamplebucket")).to.deep.equal([]);
        expect(await suite.backend.getReplication(src, spec([rule()]))).to.equal(undefined);
        await suite.backend.putVersioning(src, "Suspended");
    });

    it("answers the locations query with transfer-type and RTC constraints", async () => {
        const locations = await suite.backend.replicationLocations(src);
        expect(locations.find((l) => l.region === "cn-beijing")).to.deep.equal({ location: "oss-cn-beijing", region: "cn-beijing", transferTypes: ["internal", "oss_acc"], rtc: true });
        expect(locations.find((l) => l.region === "ap-southeast-1")?.transferTypes).to.deep.equal(["oss_acc"]);
    });

    it("empties a versioned bucket and deletes it; deletes its role and policy", async () => {
        suite.server.state.putObject("destexamplebucket", "x", "1");
        suite.server.state.deleteObject("destexamplebucket", "x");
        expect(await suite.backend.countVersions(dst, 10)).to.be.greaterThan(1);
        await suite.backend.emptyAndDeleteBucket(dst, () => undefined);
        expect(suite.server.state.buckets.has("destexamplebucket")).to.equal(false);
        await suite.backend.deleteRole(role, () => undefined);
        expect(suite.server.state.roles.has("oss-sync-role")).to.equal(false);
        expect(suite.server.state.policies.has("oss-sync-role-replication")).to.equal(false);
        expect(await suite.backend.readRole(role.id, role)).to.equal(undefined);
    });

    it("fails with the shared error shape, naming OSS, zone, endpoint, operation, status, code and the credential variables", async () => {
        const { OssBackend } = require("../../provider/backends/oss/ossBackend") as typeof import("../../provider/backends/oss/ossBackend");
        const { ossSettingsFor } = require("./ossHarness") as typeof import("./ossHarness");
        const settings = ossSettingsFor(suite.server);
        const wrong = new OssBackend({ ...settings, credentials: { accessKey: settings.credentials.accessKey, secretKey: "wrong" },
            credentialHint: "'bucket-replication:accessKey' and 'bucket-replication:secretKey' in the stack configuration, or set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET" });
        const error = await rejectionOf(wrong.getVersioning(src));
        expect(error).to.be.instanceOf(ServiceError);
        expect(error.message).to.match(/^Alibaba OSS GetBucketVersioning of 'srcexamplebucket' on zone 'cn-hangzhou' \(http:\/\/127\.0\.0\.1:\d+\) failed: HTTP 403 SignatureDoesNotMatch: .*EC 0002-00000040.*OSS_ACCESS_KEY_ID/);
    });
});

describe("contract: OSS destination checks that a preview hook can run against GetBucketReplicationLocation", function () {
    const suite = ossBackendUnderContract({ regions: ["cn-hangzhou", "cn-beijing", "ap-southeast-1"] });

    it("names the rule field for an accelerated-only location, RTC where OSS has none, and nothing for a source that does not exist yet", async () => {
        const source = { zone: "cn-hangzhou", bucket: "preview-src" };
        expect(await suite.backend.destinationProblems(source, [{ id: "r", destination: { zone: "ap-southeast-1", bucket: "x" } }])).to.deep.equal([]);
        await suite.backend.createBucket(source);
        const problems = await suite.backend.destinationProblems(source, [
            { id: "to-sg", destination: { zone: "ap-southeast-1", bucket: "x" }, replicationTimeControl: true },
            { id: "to-bj", destination: { zone: "cn-beijing", bucket: "y" }, transferType: "oss_acc", replicationTimeControl: true },
        ]);
        expect(problems.map((p) => p.path.join("."))).to.deep.equal(["to-sg.transferType", "to-sg.replicationTimeControl"]);
        expect(problems[0].message).to.match(/only with transfer type "oss_acc"; set 'transferType: "oss_acc"'/);
    });
});
