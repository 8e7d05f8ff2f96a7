import { expect } from "chai";
import type { ReplicationRule, RoleState, StorageBackend } from "../../provider/backends/backend";
import { replicationUserPolicy } from "../../provider/backends/minio/policy";
import { openBackend } from "../../provider/backends/registry";
import { resolveSettings } from "../../provider/settings";
import { localZones, rawS3 } from "../support/localZones";

const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

// The rule option 'bandwidthLimit' (issue 18's proof that an option lands in the rule model and one
// backend folder): MinIO keeps it on the remote target, and a refresh reads it from there.

describe("engine: a MinIO rule's bandwidth limit is its remote target's", function () {
    const local = localZones();
    const be: StorageBackend = openBackend(resolveSettings((key) => ({
        zones: JSON.stringify(local.zones), accessKey: local.accessKey, secretKey: local.secretKey,
    } as Record<string, string>)[key]));
    const log = () => undefined;
    const stamp = Date.now().toString(36);
    const source = { zone: "local-a", bucket: `pbr-bw-src-${stamp}` };
    const destination = { zone: "local-b", bucket: `pbr-bw-dst-${stamp}` };
    let role: RoleState;
    const rule = (bandwidthLimit?: number): ReplicationRule => ({
        id: "to-b", priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: false, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination, ...(bandwidthLimit ? { bandwidthLimit } : {}),
    });
    const targetLimits = async () => {
        const { MinioAdminClient } = require("../../provider/backends/minio/adminClient") as typeof import("../../provider/backends/minio/adminClient");
        const admin = new MinioAdminClient({ endpoint: local.zones["local-a"].endpoint, credentials: local, zone: "local-a" });
        return (await admin.listRemoteTargets(source.bucket)).map((target) => target.bandwidthLimit);
    };

    before(async () => {
        for (const ref of [source, destination]) {
            await rawS3(ref.zone).send(new (s3().CreateBucketCommand)({ Bucket: ref.bucket }));
            await rawS3(ref.zone).send(new (s3().PutBucketVersioningCommand)({ Bucket: ref.bucket, VersioningConfiguration: { Status: "Enabled" } }));
        }
        role = await be.createRole({ name: `pbr-bw-role-${stamp}`, description: "", editable: true, labels: {}, policy: replicationUserPolicy(source, [destination]) }, undefined, log);
    });

    after(async () => {
        await be.deleteReplication({ source, role, rules: [rule()] }, log);
        await be.deleteRole(role, log);
        for (const ref of [source, destination]) await be.emptyAndDeleteBucket(ref, log);
    });

    it("sets the limit on the remote target and reads it back as the rule's", async () => {
        await be.putReplication({ source, role, rules: [rule(200_000_000)] }, undefined, log);
        expect(await targetLimits()).to.deep.equal([200_000_000]);
        const read = await be.getReplication(source, { source, role, rules: [rule(200_000_000)] });
        expect(read?.rules[0].bandwidthLimit).to.equal(200_000_000);
    });

    it("changes and removes it in place, and reads no limit as none", async () => {
        await be.putReplication({ source, role, rules: [rule(300_000_000)] }, undefined, log);
        expect(await targetLimits()).to.deep.equal([300_000_000]);
        await be.putReplication({ source, role, rules: [rule()] }, undefined, log);
        expect(await targetLimits()).to.deep.equal([undefined]);
        const read = await be.getReplication(source, { source, role, rules: [rule()] });
        expect(read?.rules[0]).to.not.have.property("bandwidthLimit");
    });
});
