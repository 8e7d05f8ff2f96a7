import { expect } from "chai";
import { openBackend } from "../../provider/backends/registry";
import type { RoleState } from "../../provider/backends/backend";
import { resolveSettings } from "../../provider/settings";
import { localZones, mc, rawS3 } from "../support/localZones";

const adminCrypto = require("../../provider/backends/minio/adminCrypto") as typeof import("../../provider/backends/minio/adminCrypto");
const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

/**
 * Issue 11: the admin bodies one process sends carry one salt (one PBKDF2 key per secret) and a fresh
 * nonce each. The real MinIO servers of the local pair must decrypt every one of them: two roles made
 * one after the other are read back from the servers, and each role's secret key, sent inside an
 * encrypted add-user body, signs S3 requests.
 */
describe("engine: MinIO decrypts admin bodies that share one key and differ in their nonces", function () {
    const suffix = Date.now().toString(36);
    const names = [`pbr-key-a-${suffix}`, `pbr-key-b-${suffix}`];
    const made: RoleState[] = [];
    const sent: Buffer[] = [];
    let backend: ReturnType<typeof openBackend>;
    let original: typeof adminCrypto.encryptAdminBody;

    before(() => {
        const local = localZones();
        backend = openBackend(resolveSettings((key) => ({
            zones: JSON.stringify(local.zones), accessKey: local.accessKey, secretKey: local.secretKey,
        } as Record<string, string>)[key]));
        // Every encrypted body the admin client sends, as it leaves adminCrypto.
        original = adminCrypto.encryptAdminBody;
        (adminCrypto as { encryptAdminBody: typeof original }).encryptAdminBody = async (...args) => {
            const body = await original(...args);
            sent.push(body);
            return body;
        };
    });

    after(async () => {
        (adminCrypto as { encryptAdminBody: typeof original }).encryptAdminBody = original;
        for (const role of made) await backend.deleteRole(role, () => undefined);
    });

    it("creates two roles one after the other, and the servers hold both with the secret keys sent", async () => {
        const policy = (bucket: string) => ({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:ListBucket"], Resource: [`arn:aws:s3:::${bucket}`] }],
        });
        for (const name of names) {
            made.push(await backend.createRole({ name, description: "", editable: true, labels: {}, policy: policy(name) }, undefined, () => undefined));
        }

        // Both zones, two roles: an add-user and an attach body each, at least.
        expect(sent.length, "encrypted bodies sent").to.be.at.least(2 * names.length * 2);
        expect(new Set(sent.map((body) => body[32])), "algorithm ids").to.deep.equal(new Set([adminCrypto.pbkdf2AesGcm]));
        expect(new Set(sent.map((body) => body.subarray(0, 32).toString("hex"))).size, "salts").to.equal(1);
        expect(new Set(sent.map((body) => body.subarray(33, 41).toString("hex"))).size, "nonces").to.equal(sent.length);

        for (const role of made) {
            const read = await backend.readRole(role.id, role);
            expect(read?.name, `readRole ${role.name}`).to.equal(role.name);
            for (const zone of ["local-a", "local-b"]) {
                // Read independently: MinIO's own client, then S3 signed with the secret key the body carried.
                const [info] = await mc(["admin", "user", "info", zone, role.name]);
                expect(info.userStatus ?? info.status, `${role.name} on ${zone}`).to.equal("enabled");
                expect(String(info.policyName), `${role.name}'s policy on ${zone}`).to.contain(role.name);
                const asRole = rawS3(zone, { accessKey: role.name, secretKey: role.secretKey! });
                const answer = await asRole.send(new (s3().ListObjectsV2Command)({ Bucket: role.name })).then(() => "ok", (error: Error) => error.name);
                // The bucket does not exist: NoSuchBucket means the server took the signature, so the secret key is the one sent.
                expect(answer, `S3 as ${role.name} on ${zone}`).to.be.oneOf(["ok", "NoSuchBucket"]);
            }
        }
    });
});
