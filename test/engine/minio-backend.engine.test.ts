import { expect } from "chai";
import { openBackend } from "../../provider/backends/registry";
import { resolveSettings } from "../../provider/settings";
import { localZones, rawS3 } from "../support/localZones";

const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

/** The MinIO backend's waits, driven directly against the local zones. */
describe("engine: MinIO backend waits for versioning before replicating", function () {
    const source = `pbr-wait-src-${Date.now().toString(36)}`;
    const destination = `pbr-wait-dst-${Date.now().toString(36)}`;

    before(async () => {
        await rawS3("local-a").send(new (s3().CreateBucketCommand)({ Bucket: source }));
        await rawS3("local-b").send(new (s3().CreateBucketCommand)({ Bucket: destination }));
        await rawS3("local-a").send(new (s3().PutBucketVersioningCommand)({ Bucket: source, VersioningConfiguration: { Status: "Enabled" } }));
    });

    after(async () => {
        await rawS3("local-a").send(new (s3().DeleteBucketCommand)({ Bucket: source }));
        await rawS3("local-b").send(new (s3().DeleteBucketCommand)({ Bucket: destination }));
    });

    it("logs what it waits for, then fails naming the bucket and the fix", async () => {
        const local = localZones();
        const backend = openBackend(resolveSettings((key) => ({
            zones: JSON.stringify(local.zones), accessKey: local.accessKey, secretKey: local.secretKey, waitTimeoutSeconds: "3",
        } as Record<string, string>)[key]));
        const logged: string[] = [];
        const role = { id: "unused", name: "unused", secretKey: "unused-secret", description: "", editable: true, labels: {}, policy: {} };
        const error = await backend.putReplication({
            source: { zone: "local-a", bucket: source },
            role,
            rules: [{
                id: "r1", priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: false, deleteReplication: false,
                existingObjectReplication: false, replicaModifications: false, destination: { zone: "local-b", bucket: destination },
            }],
        }, undefined, (message) => logged.push(message)).then(() => undefined, (e: Error) => e);
        expect(error?.message).to.contain(`bucket '${destination}' in zone local-b`).and.contain('Declare a BucketVersioning with status "Enabled"');
        expect(error?.message).to.not.contain("source bucket");
        expect(logged.length).to.be.greaterThan(0);
        expect(logged[0]).to.match(new RegExp(`waiting .*versioning to be enabled on the destination bucket '${destination}' in zone local-b \\(it has versioning 'Unversioned'\\)`));
    });
});
