import { expect } from "chai";
import { eventually } from "./ossHarness";
import { changedSteps, guidePolicy, markedDescription, ossExampleUnderContract, ossTrust } from "./ossGuide";

// examples/oss-leader-follower under the real Pulumi CLI, against the local OSS + RAM contract server
// (test/contract/ossServer.ts), not Alibaba Cloud: it proves the program sends what OSS and RAM document,
// every OSS request V4-signed for its region and every RAM request ACS3-signed.

describe("contract: examples/oss-leader-follower under the Pulumi CLI against the OSS contract server", function () {
    const example = ossExampleUnderContract("oss-leader-follower", {}, { forceDestroy: "true" });
    const state = () => example.server.state;

    it("converges on one pulumi up", async () => {
        await example.stack.mustUp();
        const out = await example.stack.outputs();
        expect(out).to.deep.include({
            sourceBucket: "srcexamplebucket", sourceZone: "cn-hangzhou",
            destinationBucket: "destexamplebucket", destinationZone: "cn-beijing",
            roleName: "srcexamplebucket-sync-role", ruleIds: ["srcexamplebucket-to-beijing"],
        });
    });

    it("creates srcexamplebucket in cn-hangzhou and destexamplebucket in cn-beijing, both versioned and marked as ours", () => {
        const buckets = [...state().buckets.values()].map(({ name, region, versioning }) => ({ name, region, versioning }));
        expect(buckets).to.have.deep.members([
            { name: "srcexamplebucket", region: "cn-hangzhou", versioning: "Enabled" },
            { name: "destexamplebucket", region: "cn-beijing", versioning: "Enabled" },
        ]);
        expect(Object.keys(state().buckets.get("srcexamplebucket")!.tags)).to.deep.equal(["pulumi-bucket-replication:owner"]);
    });

    it("creates a RAM sync role that only OSS may assume, with the least-privilege policy attached", () => {
        const role = state().roles.get("srcexamplebucket-sync-role")!;
        expect(JSON.parse(role.AssumeRolePolicyDocument)).to.deep.equal(ossTrust);
        expect(role.Description).to.match(markedDescription("OSS replication from srcexamplebucket to destexamplebucket"));
        expect(state().policyAttachedTo(role.RoleName)).to.deep.equal(["srcexamplebucket-sync-role-replication"]);
        const policy = state().policies.get("srcexamplebucket-sync-role-replication")!;
        expect(policy.versions).to.have.length(1);
        expect(JSON.parse(policy.versions[0].PolicyDocument)).to.deep.equal(guidePolicy("srcexamplebucket", "destexamplebucket"));
    });

    it("puts the guide's rule on srcexamplebucket with one PutBucketReplication: ALL, historical objects, into oss-cn-beijing as the sync role", () => {
        const rules = state().rulesOf("srcexamplebucket");
        expect(rules).to.have.length(1);
        expect(rules[0]).to.deep.include({
            id: "srcexamplebucket-to-beijing", prefixes: [], action: "ALL", historicalObjectReplication: "enabled", syncRole: "srcexamplebucket-sync-role",
        });
        expect(rules[0].destination).to.deep.equal({ bucket: "destexamplebucket", location: "oss-cn-beijing" });
        expect(state().requestsFor("PutBucketReplication").filter((r) => r.status === 200)).to.have.length(1);
        expect(state().rulesOf("destexamplebucket")).to.deep.equal([]);
    });

    it("shows the source's replication locations and the rule's progress as outputs", async () => {
        const out = await example.stack.outputs();
        expect(out.replicationLocations).to.deep.include({ location: "oss-cn-beijing", region: "cn-beijing", transferTypes: ["internal", "oss_acc"], rtc: true });
        expect(out.replicationProgress).to.deep.include({ ruleId: "srcexamplebucket-to-beijing", status: "doing", historicalObjectReplication: true,
            zone: "cn-hangzhou", bucket: "srcexamplebucket", destination: { bucket: "destexamplebucket", location: "oss-cn-beijing" } });
        expect(Number.isNaN(Date.parse(out.replicationProgress.newObjectsReplicatedUntil))).to.equal(false);
    });

    it("previews no changes right after, and keeps the AccessKey pair out of the state", async () => {
        expect(await changedSteps(example.stack)).to.deep.equal([]);
        const text = example.stack.stateText();
        expect(text).to.not.contain(example.server.credentials.secretKey);
        expect(text).to.not.contain(example.server.credentials.accessKey);
    });

    it("replicates an object written to the source into the destination, asynchronously", async () => {
        state().putObject("srcexamplebucket", "reports/2026.csv", "a,b\n1,2\n");
        await eventually(() => state().latest("destexamplebucket", "reports/2026.csv")?.body.toString() === "a,b\n1,2\n", "the object to reach destexamplebucket");
        expect(state().latest("destexamplebucket", "reports/2026.csv")!.replica).to.equal(true);
    });

    it("changes a rule by deleting it, waiting for OSS to close it, and adding it again, in one up", async () => {
        const addsBefore = state().requestsFor("PutBucketReplication").length;
        await example.stack.setConfig("historicalObjects", "false");
        expect(await changedSteps(example.stack)).to.deep.equal(["update ReplicationConfiguration srcexamplebucket"]);
        const result = await example.stack.mustUp();
        expect(result.stdout + result.stderr).to.match(/OSS to close rule 'srcexamplebucket-to-beijing'/);
        const deletes = state().requestsFor("DeleteBucketReplication").filter((r) => r.status === 200);
        expect(deletes).to.have.length(1);
        expect(deletes[0].body).to.contain("<ID>srcexamplebucket-to-beijing</ID>");
        expect(state().requestsFor("PutBucketReplication").slice(addsBefore).filter((r) => r.status === 200)).to.have.length(1);
        expect(state().rulesOf("srcexamplebucket")[0]).to.deep.include({ historicalObjectReplication: "disabled" });
        expect(await changedSteps(example.stack)).to.deep.equal([]);
    });

    it("finds a rule deleted outside Pulumi on refresh, and adds it again on up", async () => {
        state().rulesOf("srcexamplebucket")[0].closingSince = Date.now() - 10_000;
        expect(state().rulesOf("srcexamplebucket")).to.deep.equal([]);
        await example.stack.mustRefresh();
        expect(await changedSteps(example.stack)).to.deep.equal(["create ReplicationConfiguration srcexamplebucket"]);
        await example.stack.mustUp();
        expect(state().rulesOf("srcexamplebucket").map((r) => r.id)).to.deep.equal(["srcexamplebucket-to-beijing"]);
    });

    it("destroys everything: rules closed, role and policy deleted, buckets emptied and deleted", async () => {
        await example.stack.mustDestroy();
        example.destroyed = true;
        expect([...state().buckets.keys()]).to.deep.equal([]);
        expect([...state().roles.keys()]).to.deep.equal([]);
        expect([...state().policies.keys()]).to.deep.equal([]);
        expect([...state().attachments]).to.deep.equal([]);
    });
});
