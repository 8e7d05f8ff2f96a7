import { expect } from "chai";
import type { BucketRef, ReplicationRule, ReplicationSpec, RoleState } from "../../provider/backends/backend";
import { exo2Expiry, signExo2 } from "../../provider/backends/exoscale/exo2Signer";
import { ExoscaleIamClient } from "../../provider/backends/exoscale/iamClient";
import { ownerLabelKey, ownerLabelValue, replicationPolicy } from "../../provider/backends/exoscale";
import { ExoscaleBackend } from "../../provider/backends/exoscale/exoscaleBackend";
import { ServiceError } from "../../provider/transport/serviceError";
import { startExoscaleContractServer, type ExoscaleContractServer } from "./exoscaleServer";
import { guideReplication, uuid } from "./exoscaleGuide";
import {
    createRole, fastPolls, identityOf, independentS3, progressLog, rejectionOf, roleSpec, settingsFor, uniqueBucket, versionedBucket,
} from "./exoscaleHarness";

// These tests drive the Exoscale backend against the local contract server in test/contract/exoscaleServer.ts,
// not against Exoscale: they prove that the backend speaks the documented API, not that Exoscale behaves so.

function rule(id: string, destination: BucketRef, overrides: Partial<ReplicationRule> = {}): ReplicationRule {
    return {
        id,
        priority: 1,
        status: "Enabled",
        prefix: "",
        deleteMarkerReplication: true,
        deleteReplication: false,
        existingObjectReplication: false,
        replicaModifications: false,
        destination,
        ...overrides,
    };
}

describe("contract: Exoscale SOS buckets and versioning (local contract server)", () => {
    let server: ExoscaleContractServer;
    let backend: ExoscaleBackend;

    before(async () => {
        server = await startExoscaleContractServer();
        backend = new ExoscaleBackend(settingsFor(server), fastPolls);
    });
    after(() => server.close());

    it("creates a bucket in its zone only, and reports a second create as 'exists'", async () => {
        const ref = uniqueBucket("ch-dk-2", "plain");
        expect(await backend.bucketExists(ref)).to.equal(false);
        expect(await backend.createBucket(ref)).to.equal("created");
        expect(await backend.bucketExists(ref)).to.equal(true);
        expect(await backend.bucketExists({ zone: "at-vie-1", bucket: ref.bucket })).to.equal(false);
        expect(server.state.buckets.get(ref.bucket)?.zone).to.equal("ch-dk-2");
        expect(await backend.createBucket(ref)).to.equal("exists");
        expect(backend.endpointOf("ch-dk-2")).to.equal(server.zones["ch-dk-2"].endpoint);
    });

    it("writes, reads and clears bucket tags", async () => {
        const ref = uniqueBucket("ch-dk-2", "tags");
        await backend.createBucket(ref);
        expect(await backend.getBucketTags(ref)).to.deep.equal({});
        await backend.putBucketTags(ref, { team: "storage", env: "test" });
        expect(await backend.getBucketTags(ref)).to.deep.equal({ team: "storage", env: "test" });
        await backend.putBucketTags(ref, {});
        expect(await backend.getBucketTags(ref)).to.deep.equal({});
        expect(server.state.requestsFor("DeleteBucketTagging")).to.have.length.greaterThan(0);
    });

    it("reports and changes versioning", async () => {
        const ref = uniqueBucket("at-vie-1", "versioning");
        await backend.createBucket(ref);
        expect(await backend.getVersioning(ref)).to.equal("Unversioned");
        await backend.putVersioning(ref, "Enabled");
        expect(await backend.getVersioning(ref)).to.equal("Enabled");
        await backend.putVersioning(ref, "Suspended");
        expect(await backend.getVersioning(ref)).to.equal("Suspended");
    });

    it("keeps a bucket with versions on plain delete, and empties it first when asked", async () => {
        const ref = uniqueBucket("ch-dk-2", "full");
        await backend.createBucket(ref);
        await backend.putVersioning(ref, "Enabled");
        const { PutObjectCommand, DeleteObjectCommand } = await import("@aws-sdk/client-s3");
        const client = independentS3(server, "ch-dk-2");
        await client.send(new PutObjectCommand({ Bucket: ref.bucket, Key: "a.txt", Body: "one" }));
        await client.send(new PutObjectCommand({ Bucket: ref.bucket, Key: "a.txt", Body: "two" }));
        await client.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: "a.txt" }));
        expect(await backend.countVersions(ref, 100)).to.equal(3);
        expect(await backend.countVersions(ref, 2)).to.equal(2);

        expect((await rejectionOf(backend.deleteBucket(ref)) as ServiceError).code).to.equal("BucketNotEmpty");
        const { log, messages } = progressLog();
        await backend.emptyAndDeleteBucket(ref, log);
        expect(await backend.bucketExists(ref)).to.equal(false);
        expect(messages.join("\n")).to.contain("deleted 3 object versions");
        await backend.deleteBucket(ref); // already gone: nothing to do
    });

    it("names the zone and the fix when asked about an unconfigured zone", async () => {
        const error = await rejectionOf(backend.bucketExists({ zone: "de-fra-1", bucket: "whatever" }));
        expect(error.message).to.contain("'de-fra-1'").and.to.contain("bucket-replication:zones");
    });
});

describe("contract: Exoscale IAM roles with asynchronous operations (local contract server)", () => {
    let server: ExoscaleContractServer;
    let backend: ExoscaleBackend;

    before(async () => {
        server = await startExoscaleContractServer({ pendingPolls: 2 });
        backend = new ExoscaleBackend(settingsFor(server), fastPolls);
    });
    after(() => server.close());

    it("creates a role, waiting for its operation and logging while it is pending", async () => {
        const { log, messages } = progressLog();
        const polledBefore = server.state.requestsFor("get-operation").length;
        const spec = roleSpec("create-test");
        const role = await createRole(backend, spec, log);

        expect(role.id).to.match(uuid);
        expect(role).to.deep.equal({ ...spec, id: role.id });
        // On the server the role carries the owner label as well; the program's labels stay the program's.
        const labels = { ...spec.labels, [ownerLabelKey]: ownerLabelValue(identityOf("create-test")) };
        expect(server.state.roles.get(role.id)).to.deep.include({
            name: "create-test", description: spec.description, editable: true, labels, policy: spec.policy,
        });
        const sent = JSON.parse(server.state.requestsFor("create-iam-role").at(-1)!.body);
        expect(sent).to.deep.equal({ name: "create-test", description: spec.description, editable: true, labels, policy: spec.policy });
        expect(server.state.requestsFor("get-operation").length - polledBefore).to.equal(3);
        expect(messages).to.have.length(3);
        expect(messages[0]).to.contain("create-iam-role 'create-test'").and.to.contain("pending");
    });

    it("reads a role back as it was created, and lists it", async () => {
        const spec = roleSpec("read-test", { labels: { a: "one" } });
        const role = await createRole(backend, spec);
        expect(await backend.readRole(role.id, role)).to.deep.equal(role);

        const iam = new ExoscaleIamClient({ endpoint: server.iamEndpoint, apiKey: server.credentials.accessKey, apiSecret: server.credentials.secretKey, waitTimeoutMs: 300_000 });
        expect((await iam.listRoles()).map((r) => r.id)).to.include(role.id);
        expect(await iam.getRole("00000000-0000-4000-8000-000000000000")).to.equal(undefined);
    });

    it("updates description and labels in place, and the policy through :policy", async () => {
        const role = await createRole(backend, roleSpec("update-test"), () => undefined);
        const changed = roleSpec("update-test", {
            description: "a new description",
            labels: { team: "storage" },
            policy: replicationPolicy({ zone: "ch-dk-2", bucket: "src" }, [{ zone: "at-vie-1", bucket: "dst" }]),
        });
        const { log, messages } = progressLog();
        const updated = await backend.updateRole(role, changed, log);

        expect(updated).to.deep.equal({ ...changed, id: role.id });
        // The API replaces the whole label map, so the owner label is sent again with the new labels.
        const labels = { team: "storage", [ownerLabelKey]: ownerLabelValue(identityOf("update-test")) };
        expect(server.state.roles.get(role.id)).to.deep.include({ description: "a new description", labels, policy: changed.policy });
        const update = server.state.requestsFor("update-iam-role").at(-1)!;
        expect(update.path).to.equal(`/v2/iam-role/${role.id}`);
        expect(JSON.parse(update.body)).to.deep.equal({ description: "a new description", labels });
        const policyUpdate = server.state.requestsFor("update-iam-role-policy").at(-1)!;
        expect(policyUpdate.path).to.equal(`/v2/iam-role/${role.id}:policy`);
        expect(JSON.parse(policyUpdate.body)).to.deep.equal(changed.policy);
        expect(messages.some((m) => m.includes(`update-iam-role-policy ${role.id}`))).to.equal(true);
    });

    it("sends no policy update when only the labels change", async () => {
        const role = await createRole(backend, roleSpec("labels-only"), () => undefined);
        const policyUpdates = server.state.requestsFor("update-iam-role-policy").length;
        await backend.updateRole(role, { ...role, labels: { more: "labels" } }, () => undefined);
        expect(server.state.requestsFor("update-iam-role-policy").length).to.equal(policyUpdates);
        expect(server.state.roles.get(role.id)?.labels).to.deep.equal({ more: "labels", [ownerLabelKey]: ownerLabelValue(identityOf("labels-only")) });
        expect((await backend.readRole(role.id, role))?.labels).to.deep.equal({ more: "labels" });
    });

    it("refuses to change the policy of a role created with editable false, before calling the API", async () => {
        const role = await createRole(backend, roleSpec("frozen", { editable: false }), () => undefined);
        const policyUpdates = server.state.requestsFor("update-iam-role-policy").length;
        const error = await rejectionOf(backend.updateRole(role, { ...role, policy: { "default-service-strategy": "deny", services: {} } }, () => undefined));
        expect(error.message).to.contain("'frozen'").and.to.contain("editable: false").and.to.contain("Replace the role");
        expect(server.state.requestsFor("update-iam-role-policy").length).to.equal(policyUpdates);
    });

    it("deletes a role and then reads it as gone; deleting again is harmless", async () => {
        const role = await createRole(backend, roleSpec("delete-test"), () => undefined);
        const { log, messages } = progressLog();
        await backend.deleteRole(role, log);
        expect(server.state.roles.has(role.id)).to.equal(false);
        expect(messages.some((m) => m.includes(`delete-iam-role ${role.id}`))).to.equal(true);
        expect(await backend.readRole(role.id, role)).to.equal(undefined);
        await backend.deleteRole(role, () => undefined);
    });

    it("reads a role deleted out of band as undefined", async () => {
        const role = await createRole(backend, roleSpec("out-of-band"), () => undefined);
        expect(server.state.deleteRoleOutOfBand(role.id)).to.equal(true);
        expect(await backend.readRole(role.id, role)).to.equal(undefined);
    });

    it("surfaces the reason and message of a failed operation, and says nothing was left behind", async () => {
        server.state.failNextOperation = { reason: "conflict", message: "an IAM role with this name already exists" };
        const error = await rejectionOf(createRole(backend, roleSpec("doomed"), () => undefined));
        expect(error).to.be.instanceOf(ServiceError);
        expect(error.message).to.contain("Exoscale IAM create-iam-role 'doomed'").and.to.contain("'failure'").and.to.contain("OperationFailed")
            .and.to.contain("conflict").and.to.contain("an IAM role with this name already exists").and.to.contain("No role 'doomed' is left behind");
        expect([...server.state.roles.values()].filter((r) => r.name === "doomed")).to.deep.equal([]);
    });

    it("deletes again the role of a create whose operation failed after making it", async () => {
        server.state.failNextOperation = { reason: "internal", message: "the job failed after the role was stored", applyAnyway: true };
        const error = await rejectionOf(createRole(backend, roleSpec("half-made"), () => undefined));
        expect(error.message).to.contain("the job failed after the role was stored").and.to.contain("was deleted again");
        expect([...server.state.roles.values()].filter((r) => r.name === "half-made")).to.deep.equal([]);
    });

    it("stops waiting at the timeout and says what it waited for", async () => {
        const slowServer = await startExoscaleContractServer({ pendingPolls: 1_000_000 });
        try {
            const impatient = new ExoscaleBackend(settingsFor(slowServer, { waitTimeoutMs: 150 }), fastPolls);
            const started = Date.now();
            const error = await rejectionOf(createRole(impatient, roleSpec("slow")));
            expect(Date.now() - started).to.be.lessThan(2000);
            expect(error.message).to.contain("timed out").and.to.contain("create-iam-role 'slow'").and.to.contain("still pending")
                .and.to.contain("waitTimeoutSeconds").and.to.contain("adopts it");
        } finally {
            await slowServer.close();
        }
    });

    it("turns an error answer into an error naming the operation and the server's message", async () => {
        const error = await rejectionOf(createRole(backend, roleSpec("", { description: "d".repeat(256) }), () => undefined));
        expect(error.message).to.contain("Exoscale IAM create-iam-role ''").and.to.contain(`(${server.iamEndpoint})`).and.to.contain("HTTP 400 BadRequest")
            .and.to.contain("name must be a string of 1 to 191 characters").and.to.contain("description must be a string of 1 to 255 characters");
    });
});

describe("contract: Exoscale SOS replication (local contract server)", () => {
    let server: ExoscaleContractServer;
    let backend: ExoscaleBackend;
    let source: BucketRef;
    let destination: BucketRef;
    let role: RoleState;


    before(async () => {
        server = await startExoscaleContractServer();
        backend = new ExoscaleBackend(settingsFor(server, { waitTimeoutMs: 300 }), fastPolls);
        source = await versionedBucket(backend, "ch-dk-2", "source");
        destination = await versionedBucket(backend, "at-vie-1", "destination");
        role = await createRole(backend, roleSpec(`replication-${source.bucket}`, { policy: replicationPolicy(source, [destination]) }), () => undefined);
    });
    after(() => server.close());

    it("puts the SOS document: the role UUID and the plain destination bucket name", async () => {
        const spec: ReplicationSpec = { source, role, rules: [rule("vie1-follower", destination)] };
        await backend.putReplication(spec, undefined, () => undefined);

        expect(server.state.replicationOf(source.bucket)).to.deep.equal(guideReplication(role.id, "vie1-follower", destination.bucket));
        const sent = server.state.requestsFor("PutBucketReplication").at(-1)!;
        expect(sent.zone).to.equal("ch-dk-2");
        expect(sent.body).to.contain(`<Role>${role.id}</Role>`).and.to.contain(`<Bucket>${destination.bucket}</Bucket>`).and.not.to.contain("arn:");
    });

    it("reads the configuration back as the spec it came from, rules keyed by ID", async () => {
        const second = await versionedBucket(backend, "ch-dk-2", "second");
        const spec: ReplicationSpec = {
            source,
            role,
            rules: [
                rule("to-vienna", destination, { priority: 2, prefix: "logs/", deleteMarkerReplication: false }),
                rule("to-second", second, { priority: 1, status: "Disabled", destination: { ...second, storageClass: "STANDARD" } }),
            ],
        };
        await backend.putReplication(spec, undefined, () => undefined);
        expect(await backend.getReplication(source, spec)).to.deep.equal(spec);
        expect(server.state.replicationOf(source.bucket)?.Rules.map((r) => r.ID)).to.deep.equal(["to-vienna", "to-second"]);
    });

    it("reports a rule removed behind our back as drift; a prefix left unset reads as the empty prefix SOS holds", async () => {
        const spec: ReplicationSpec = { source, role, rules: [rule("kept", destination, { prefix: undefined }), rule("removed", destination, { priority: 5 })] };
        await backend.putReplication(spec, undefined, () => undefined);
        server.state.buckets.get(source.bucket)!.replication!.document.Rules.pop();
        const observed = await backend.getReplication(source, spec);
        expect(observed?.rules).to.deep.equal([{ ...spec.rules[0], prefix: "" }]);
    });

    it("deletes the configuration, after which there is none to read", async () => {
        const spec: ReplicationSpec = { source, role, rules: [rule("short-lived", destination)] };
        await backend.putReplication(spec, undefined, () => undefined);
        await backend.deleteReplication(spec, () => undefined);
        expect(server.state.replicationOf(source.bucket)).to.equal(undefined);
        expect(await backend.getReplication(source, spec)).to.equal(undefined);
        await backend.deleteReplication(spec, () => undefined);
    });

    it("waits for versioning that is on its way", async () => {
        const late = uniqueBucket("at-vie-1", "late");
        await backend.createBucket(late);
        const lateBackend = new ExoscaleBackend(settingsFor(server, { waitTimeoutMs: 3000 }), fastPolls);
        setTimeout(() => void lateBackend.putVersioning(late, "Enabled"), 100);
        const { log, messages } = progressLog();
        await lateBackend.putReplication({ source, role, rules: [rule("late", late)] }, undefined, log);
        expect(server.state.replicationOf(source.bucket)?.Rules[0].Destination.Bucket).to.equal(late.bucket);
        expect(messages[0]).to.contain(`'${late.bucket}'`).and.to.contain("Unversioned");
    });

    it("gives up on an unversioned destination with an error naming the bucket and the fix", async () => {
        const unversioned = uniqueBucket("at-vie-1", "unversioned");
        await backend.createBucket(unversioned);
        const puts = server.state.requestsFor("PutBucketReplication").length;
        const { log, messages } = progressLog();
        const error = await rejectionOf(backend.putReplication({ source, role, rules: [rule("never", unversioned)] }, undefined, log));
        expect(error.message).to.contain(`bucket '${unversioned.bucket}'`).and.to.contain("BucketVersioning")
            .and.to.contain('status "Enabled"').and.to.contain("has versioning 'Unversioned'");
        expect(messages.length).to.be.greaterThan(0);
        expect(server.state.requestsFor("PutBucketReplication").length).to.equal(puts);
    });

    it("gives up on a source whose versioning is suspended", async () => {
        const suspended = uniqueBucket("ch-dk-2", "suspended");
        await backend.createBucket(suspended);
        await backend.putVersioning(suspended, "Suspended");
        const error = await rejectionOf(backend.putReplication({ source: suspended, role, rules: [rule("never", destination)] }, undefined, () => undefined));
        expect(error.message).to.contain(`source bucket '${suspended.bucket}'`).and.to.contain("'Suspended'").and.to.contain("BucketVersioning");
    });

    it("refuses deleteReplication, which SOS cannot do, before calling the API", async () => {
        const puts = server.state.requestsFor("PutBucketReplication").length;
        const error = await rejectionOf(backend.putReplication(
            { source, role, rules: [rule("deletes", destination, { deleteReplication: true })] }, undefined, () => undefined));
        expect(error.message).to.contain("'deletes'").and.to.contain("deleteReplication: false");
        expect(server.state.requestsFor("PutBucketReplication").length).to.equal(puts);
    });

    it("holds documents to the SOS shape: an ARN destination or an unknown role is refused", async () => {
        const { PutBucketReplicationCommand } = await import("@aws-sdk/client-s3");
        const client = independentS3(server, "ch-dk-2");
        const document = (roleId: string, bucket: string) => new PutBucketReplicationCommand({
            Bucket: source.bucket,
            ReplicationConfiguration: {
                Role: roleId,
                Rules: [{ ID: "r", Priority: 1, Status: "Enabled", Filter: { Prefix: "" }, DeleteMarkerReplication: { Status: "Enabled" }, Destination: { Bucket: bucket } }],
            },
        });
        const arn = await rejectionOf(client.send(document(role.id, `arn:aws:s3:::${destination.bucket}`)));
        expect(arn.name).to.equal("InvalidArgument");
        expect(arn.message).to.contain("plain bucket name");
        const unknownRole = await rejectionOf(client.send(document("00000000-0000-4000-8000-000000000000", destination.bucket)));
        expect(unknownRole.name).to.equal("InvalidArgument");
        const arnRole = await rejectionOf(client.send(document(`arn:aws:iam::third-party:${role.id}`, destination.bucket)));
        expect(arnRole.message).to.contain("UUID");
    });
});

describe("contract: Exoscale request signatures (local contract server)", () => {
    let server: ExoscaleContractServer;

    before(async () => {
        server = await startExoscaleContractServer();
    });
    after(() => server.close());

    it("IAM rejects a request signed with the wrong secret, and the error names the call and where the credentials come from", async () => {
        const backend = new ExoscaleBackend(settingsFor(server, { credentials: { accessKey: server.credentials.accessKey, secretKey: "not-the-secret" } }), fastPolls);
        const error = await rejectionOf(createRole(backend, roleSpec("never")));
        expect(error.message).to.contain("Exoscale IAM list-iam-roles on zone 'iam'").and.to.contain("HTTP 403 Forbidden")
            .and.to.contain("Invalid request signature").and.to.contain("EXOSCALE_API_KEY").and.to.contain("EXOSCALE_API_SECRET")
            .and.to.contain("'bucket-replication:accessKey'").and.to.contain("'bucket-replication:secretKey'");
        expect(error.message).not.to.contain("not-the-secret");
        expect(server.state.requestsFor("create-iam-role")).to.deep.equal([]);
    });

    it("IAM rejects an expired signature", async () => {
        const url = new URL(`${server.iamEndpoint}/iam-role`);
        const authorization = signExo2({
            method: "GET", path: url.pathname, apiKey: server.credentials.accessKey, apiSecret: server.credentials.secretKey,
            expires: exo2Expiry(Date.now() - 3_600_000),
        });
        const response = await fetch(url, { headers: { authorization } });
        expect(response.status).to.equal(403);
        expect(((await response.json()) as { message: string }).message).to.contain("expired");
    });

    it("IAM accepts a correctly signed request with query parameters", async () => {
        const url = new URL(`${server.iamEndpoint}/iam-role?visibility=private&labels=a%20b`);
        const authorization = signExo2({
            method: "GET", path: url.pathname, query: url.searchParams,
            apiKey: server.credentials.accessKey, apiSecret: server.credentials.secretKey, expires: exo2Expiry(),
        });
        const response = await fetch(url, { headers: { authorization } });
        expect(response.status).to.equal(200);
    });

    it("SOS rejects a request signed with the wrong secret", async () => {
        const backend = new ExoscaleBackend(settingsFor(server, { credentials: { accessKey: server.credentials.accessKey, secretKey: "wrong" } }), fastPolls);
        const error = await rejectionOf(backend.getBucketTags({ zone: "ch-dk-2", bucket: "any-bucket" }));
        expect((error as ServiceError).code).to.equal("SignatureDoesNotMatch");
        expect(error.message).to.contain("Exoscale SOS GetBucketTagging of 'any-bucket' on zone 'ch-dk-2'").and.to.contain("EXOSCALE_API_SECRET");
    });

    it("SOS rejects a signature whose region is not the zone", async () => {
        const zones = { ...server.zones, "ch-dk-2": { ...server.zones["ch-dk-2"], region: "us-east-1" } };
        const backend = new ExoscaleBackend(settingsFor(server, { zones }), fastPolls);
        const error = await rejectionOf(backend.getBucketTags({ zone: "ch-dk-2", bucket: "any-bucket" }));
        expect((error as ServiceError).code).to.equal("AuthorizationHeaderMalformed");
        expect(error.message).to.contain("expecting 'ch-dk-2'");
    });
});
