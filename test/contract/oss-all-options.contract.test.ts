import { expect } from "chai";
import { eventually } from "./ossHarness";
import { changedSteps, ossExampleUnderContract } from "./ossGuide";

// examples/oss-all-options under the real Pulumi CLI, against the local OSS + RAM contract server: every
// option of the OSS guide in one rule reaches OSS's rule document, and shows in preview.

describe("contract: examples/oss-all-options (every option of the OSS guide) under the Pulumi CLI against the OSS contract server", function () {
    const example = ossExampleUnderContract("oss-all-options", {}, { forceDestroy: "true" });
    const state = () => example.server.state;

    it("shows every option of the rule in preview", async () => {
        const preview = await example.stack.previewJson();
        const step = (preview.steps ?? []).find((s) => s.urn.endsWith("ReplicationConfiguration::srcexamplebucket"));
        const rule = step?.newState?.inputs?.rules?.["guide-rule"];
        expect(rule).to.deep.include({
            prefixes: ["aaa/", "bbb/"], deleteMarkerReplication: false, existingObjectReplication: false, transferType: "oss_acc",
            replicationTimeControl: true, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "c4d49f85-ee30-426b-a5ed-95e9139d0000" },
        });
    });

    it("converges on one pulumi up, sending the guide's rule field for field", async () => {
        await example.stack.mustUp();
        const [rule] = state().rulesOf("srcexamplebucket");
        expect(rule).to.deep.include({
            id: "guide-rule", prefixes: ["aaa/", "bbb/"], action: "PUT", historicalObjectReplication: "disabled",
            syncRole: "srcexamplebucket-guide-role", sseKmsEncryptedObjects: "Enabled", replicaKmsKeyId: "c4d49f85-ee30-426b-a5ed-95e9139d0000", rtc: "enabled",
        });
        expect(rule.destination).to.deep.equal({ bucket: "destexamplebucket", location: "oss-cn-beijing", transferType: "oss_acc" });
        const add = state().requestsFor("PutBucketReplication").find((r) => r.status === 200)!;
        expect(add.body).to.contain("<HistoricalObjectReplication>disabled</HistoricalObjectReplication>");
        expect(add.body).to.contain("<RTC><Status>enabled</Status></RTC>");
    });

    it("gives the sync role KMS permissions for the replica key, besides the least-privilege replication rights", () => {
        const policy = JSON.parse(state().policies.get("srcexamplebucket-guide-role-replication")!.versions[0].PolicyDocument);
        expect(policy.Statement.slice(2)).to.deep.equal([
            { Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["acs:kms:cn-hangzhou:*:key/*"] },
            { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Encrypt"], Resource: ["acs:kms:cn-beijing:*:key/c4d49f85-ee30-426b-a5ed-95e9139d0000"] },
        ]);
    });

    it("previews no changes right after: what OSS reports reads back as the program's rule", async () => {
        expect(await changedSteps(example.stack)).to.deep.equal([]);
    });

    it("replicates writes under the prefixes only, not deletes, and no historical objects", async () => {
        state().putObject("srcexamplebucket", "aaa/in.txt", "in");
        state().putObject("srcexamplebucket", "ccc/out.txt", "out");
        await eventually(() => state().latest("destexamplebucket", "aaa/in.txt") !== undefined, "aaa/in.txt to replicate");
        state().deleteObject("srcexamplebucket", "aaa/in.txt");
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect(state().latest("destexamplebucket", "aaa/in.txt")?.deleteMarker).to.equal(false);
        expect(state().latest("destexamplebucket", "ccc/out.txt")).to.equal(undefined);
        const out = await example.stack.outputs();
        expect(out.replicationProgress).to.deep.include({ ruleId: "guide-rule", historicalObjectReplication: false });
        expect(out.replicationProgress).to.not.have.property("historicalObjectsPercent");
    });

    it("destroys everything", async () => {
        await example.stack.mustDestroy();
        example.destroyed = true;
        expect([...state().buckets.keys()]).to.deep.equal([]);
        expect([...state().roles.keys()]).to.deep.equal([]);
    });
});
