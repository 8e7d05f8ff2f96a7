import { expect } from "chai";
import type { ReplicationRule, ReplicationSpec } from "../../provider/backends/backend";
import { AwsBackend } from "../../provider/backends/aws/awsBackend";
import { independentClients, startMoto, type Moto } from "./aws-moto";

// The sampled replication status on the AWS backend, against moto (scripts/moto.sh). moto never replicates
// and sets no x-amz-replication-status, so this proves the wire (ListObjectVersions with the rule's prefix, a
// versioned HEAD per sampled version) and that versions without a status are counted as such, not how AWS
// reports PENDING or FAILED. Which versions are the latest is unit-tested (test/unit/replication-status.test.ts).

describe("contract: AWS replication status sampled against moto (moto sets no replication status)", function () {
    this.timeout(120_000);
    let moto: Moto;
    let backend: AwsBackend;
    const source = { zone: "eu-west-1", bucket: `status-src-${process.pid}-${Date.now().toString(36)}` };
    const destination = { zone: "us-east-1", bucket: `status-dst-${process.pid}-${Date.now().toString(36)}` };

    const rule = (overrides: Partial<ReplicationRule> = {}): ReplicationRule => ({
        id: "follower", priority: 1, status: "Enabled", prefix: "docs/", deleteMarkerReplication: false, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination, ...overrides,
    });
    const spec = (rules: ReplicationRule[]): ReplicationSpec => ({
        source, role: { name: "r", id: "arn:aws:iam::123456789012:role/r", description: "", editable: true, labels: {}, policy: {} }, rules,
    });

    before(async () => {
        moto = await startMoto();
        backend = new AwsBackend(moto.settings(), { pollInterval: { initialMs: 50, maxMs: 200 } });
        await backend.createBucket(source);
        await backend.putVersioning(source, "Enabled");
        const { s3 } = independentClients(moto, "eu-west-1");
        const { PutObjectCommand } = await import("@aws-sdk/client-s3");
        // Three versions of one key and two other keys under the prefix, one outside it.
        for (const [key, body] of [["docs/a.txt", "1"], ["docs/a.txt", "2"], ["docs/z.txt", "3"], ["docs/a.txt", "4"], ["other/b.txt", "5"], ["docs/m.txt", "6"]]) {
            await s3.send(new PutObjectCommand({ Bucket: source.bucket, Key: key, Body: body }));
            await new Promise((resolve) => setTimeout(resolve, 1100)); // distinct LastModified seconds
        }
    });
    after(async () => {
        await moto?.stop();
    });

    it("samples the latest versions under the rule's prefix and says it is a sample", async () => {
        const [status] = await backend.replicationStatus(spec([rule()]), { sampleSize: 3 });
        expect(status).to.deep.include({ ruleId: "follower", destination, state: "Enabled", source: "sampled object status (3 objects)" });
        expect(status.sample).to.deep.equal({ objects: 3, pending: 0, failed: 0, completed: 0, replica: 0, none: 3 });
        expect(status.pending).to.deep.equal({ count: 0, over: "of the 3 latest versions" });
    });

    it("samples at most what the prefix holds", async () => {
        const [status] = await backend.replicationStatus(spec([rule({ prefix: "other/" })]), { sampleSize: 20 });
        expect(status.sample?.objects).to.equal(1);
        const [everything] = await backend.replicationStatus(spec([rule({ prefix: "" })]), { sampleSize: 20 });
        expect(everything.sample?.objects).to.equal(6);
    });
});
