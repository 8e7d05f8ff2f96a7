import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { healthyRoleZone, type RoleState, type StorageBackend } from "../../provider/backends/backend";
import { openBackend } from "../../provider/backends/registry";
import { replicationUserPolicy } from "../../provider/backends/minio/policy";
import { ownerPolicyIdPrefix } from "../../provider/identity";
import { resolveSettings } from "../../provider/settings";
import { localZones, mc, rawS3 } from "../support/localZones";

const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

// Issue 17, findings 1 to 3 and MinIO's part of 5, on the backend itself against the real pair: each
// case changes one thing about a role with mc, then reads (what refresh records), updates (what up does)
// and reads again. The drift suite (test/drift) shows the same through the Pulumi CLI.

function backend(): StorageBackend {
    const local = localZones();
    return openBackend(resolveSettings((key) => ({
        zones: JSON.stringify(local.zones), accessKey: local.accessKey, secretKey: local.secretKey,
    } as Record<string, string>)[key]));
}

const log = () => undefined;
const identity = "role-read-test";
const policy = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::pbr-role-read/*"] }],
};
const readOnly = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::pbr-role-read/*"] }],
};

/** Writes a policy document to a zone with mc, as somebody outside Pulumi would. */
async function replacePolicy(zone: string, name: string, document: object): Promise<void> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pbr-policy-")), "policy.json");
    fs.writeFileSync(file, JSON.stringify(document));
    await mc(["admin", "policy", "create", zone, name, file]);
}

describe("engine: a MinIO role is read on every zone and repaired there", function () {
    const be = backend();
    let role: RoleState;
    const name = `pbr-role-read-${Date.now().toString(36)}`;
    const spec = { name, identity, description: "", editable: true, labels: {}, policy };

    before(async () => { role = await be.createRole(spec, identity, log); });
    after(async () => { await be.deleteRole(role, log); });

    /** Reads the role, checks what the read found on `zone`, repairs it with an update and reads it healthy again. */
    async function readFindsAndUpRepairs(zone: string, found: Partial<ReturnType<typeof healthyRoleZone>>): Promise<RoleState> {
        const read = (await be.readRole(role.id, role))!;
        expect(read.zones?.[zone]).to.deep.equal({ ...healthyRoleZone(name), ...found });
        const updated = await be.updateRole(read, spec, log);
        const again = (await be.readRole(role.id, updated))!;
        expect(again.zones).to.deep.equal({ "local-a": healthyRoleZone(name), "local-b": healthyRoleZone(name) });
        expect(again.policy).to.deep.equal(policy);
        return read;
    }

    it("reads a healthy role as healthy on both zones", async () => {
        const read = (await be.readRole(role.id, role))!;
        expect(read.zones).to.deep.equal({ "local-a": healthyRoleZone(name), "local-b": healthyRoleZone(name) });
    });

    it("finds the policy detached on the destination zone, and attaches it again", async () => {
        await mc(["admin", "policy", "detach", "local-b", name, "--user", name]);
        await readFindsAndUpRepairs("local-b", { attachedPolicies: [] });
    });

    it("finds the user disabled on the destination zone, and enables it again with the same key", async () => {
        await mc(["admin", "user", "disable", "local-b", name]);
        await readFindsAndUpRepairs("local-b", { user: "disabled", credentials: "rejected" });
    });

    it("finds the user's secret key reset on a zone, and puts Pulumi's key back", async () => {
        await mc(["admin", "user", "add", "local-b", name, "another-secret-key-0001"]);
        await readFindsAndUpRepairs("local-b", { credentials: "rejected" });
    });

    it("finds the policy replaced by a read-only document on the destination zone, and writes it again", async () => {
        await replacePolicy("local-b", name, readOnly);
        const read = await readFindsAndUpRepairs("local-b", { policy: "differs", ownershipMarker: false });
        expect(read.policy).to.deep.equal(policy);
    });

    it("reads a replaced policy on the first zone as the role's policy, and puts the ownership marker back", async () => {
        await replacePolicy("local-a", name, readOnly);
        const read = await readFindsAndUpRepairs("local-a", { policy: "same", ownershipMarker: false });
        expect(read.policy).to.deep.equal(readOnly);
        expect(read.zones?.["local-b"].policy).to.equal("differs");
        const [info] = await mc(["admin", "policy", "info", "local-a", name]);
        expect(info.policyInfo.Policy.ID).to.equal(`${ownerPolicyIdPrefix}${identity}`);
    });

    it("finds an extra policy attached, and detaches it", async () => {
        await mc(["admin", "policy", "attach", "local-b", "readwrite", "--user", name]);
        await readFindsAndUpRepairs("local-b", { attachedPolicies: [name, "readwrite"].sort() });
    });

    it("finds the user removed from one zone, and makes it again with the same key", async () => {
        await mc(["admin", "user", "rm", "local-b", name]);
        await readFindsAndUpRepairs("local-b", { user: "missing", attachedPolicies: [], credentials: "rejected" });
    });

    it("reads the policy as empty when no zone has it any more (not the state's copy)", async () => {
        for (const zone of ["local-a", "local-b"]) await mc(["admin", "policy", "detach", zone, name, "--user", name]);
        for (const zone of ["local-a", "local-b"]) await mc(["admin", "policy", "rm", zone, name]);
        const read = (await be.readRole(role.id, role))!;
        expect(read.policy).to.deep.equal({});
        expect(read.zones?.["local-a"]).to.include({ policy: "missing", ownershipMarker: false });
        await be.updateRole(read, spec, log);
        expect((await be.readRole(role.id, role))!.policy).to.deep.equal(policy);
    });
});

describe("engine: a MinIO replication configuration's role is the key its remote targets sign with", function () {
    const be = backend();
    const stamp = Date.now().toString(36);
    const source = { zone: "local-a", bucket: `pbr-target-src-${stamp}` };
    const destination = { zone: "local-b", bucket: `pbr-target-dst-${stamp}` };
    let role: RoleState;
    const rules = [{
        id: "to-b", priority: 1, status: "Enabled" as const, prefix: "", deleteMarkerReplication: false, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination,
    }];

    before(async () => {
        for (const ref of [source, destination]) {
            await rawS3(ref.zone).send(new (s3().CreateBucketCommand)({ Bucket: ref.bucket }));
            await rawS3(ref.zone).send(new (s3().PutBucketVersioningCommand)({ Bucket: ref.bucket, VersioningConfiguration: { Status: "Enabled" } }));
        }
        const access = replicationUserPolicy(source, [destination]);
        role = await be.createRole({ name: `pbr-target-role-${stamp}`, identity, description: "", editable: true, labels: {}, policy: access }, identity, log);
        await be.putReplication({ source, role, rules }, undefined, log);
    });

    after(async () => {
        await be.deleteReplication({ source, role, rules }, log);
        await be.deleteRole(role, log);
        for (const ref of [source, destination]) await be.emptyAndDeleteBucket(ref, log);
    });

    it("reads the role's key while nothing changed", async () => {
        const read = await be.getReplication(source, { source, role, rules });
        expect(read?.role.id).to.equal(role.id);
    });

    it("reads other keys put on the remote target, and the next put signs with the role's again", async () => {
        const admin = localZones();
        const { MinioAdminClient } = require("../../provider/backends/minio/adminClient") as typeof import("../../provider/backends/minio/adminClient");
        const client = new MinioAdminClient({ endpoint: admin.zones["local-a"].endpoint, credentials: admin, zone: "local-a" });
        const [target] = await client.listRemoteTargets(source.bucket);
        const endpoint = new URL(admin.zones["local-b"].endpoint);
        await client.updateRemoteTargetCredentials(source.bucket, target.arn, {
            endpoint: endpoint.host, secure: false, targetBucket: destination.bucket, accessKey: admin.accessKey, secretKey: admin.secretKey,
        });
        const read = await be.getReplication(source, { source, role, rules });
        expect(read?.role.id).to.equal(admin.accessKey);
        await be.putReplication({ source, role, rules }, read, log);
        expect((await be.getReplication(source, { source, role, rules }))?.role.id).to.equal(role.id);
        expect((await client.listRemoteTargets(source.bucket)).map((t) => t.accessKey)).to.deep.equal([role.id]);
    });
});
