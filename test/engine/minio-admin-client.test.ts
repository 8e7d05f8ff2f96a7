import { expect } from "chai";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    CreateBucketCommand,
    GetObjectCommand,
    PutBucketVersioningCommand,
    PutObjectCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { MinioAdminClient, MinioAdminError, RemoteTarget } from "../../provider/backends/minio/adminClient";
import { ZoneS3 } from "../../provider/backends/s3/client";
import { defaultRequestPolicy } from "../../provider/transport/retry";
import { ServiceError } from "../../provider/transport/serviceError";
import { toolBin } from "../support/toolchain";
import { rejectionOf } from "../support/assertions";

const minioBinary = path.join(toolBin(), "minio");
const rootUser = "engine-test-root";
const rootPassword = "engine-test-root-secret";

interface RunningMinio {
    readonly endpoint: string;
    readonly hostPort: string;
    readonly process: ChildProcess;
    readonly dataDir: string;
    output: string;
}

async function isAnswering(url: string): Promise<boolean> {
    try {
        await fetch(url, { signal: AbortSignal.timeout(1000) });
        return true;
    } catch {
        return false;
    }
}

async function startMinio(apiPort: number, consolePort: number): Promise<RunningMinio> {
    const endpoint = `http://127.0.0.1:${apiPort}`;
    if (await isAnswering(`${endpoint}/minio/health/live`)) {
        throw new Error(`Something already listens on 127.0.0.1:${apiPort}; stop it (a MinIO left over from an earlier run?) and rerun.`);
    }
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `minio-admin-client-${apiPort}-`));
    // Only what MinIO needs: an inherited MINIO_* variable could change its behaviour.
    const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: dataDir,
        MINIO_ROOT_USER: rootUser,
        MINIO_ROOT_PASSWORD: rootPassword,
        MINIO_BROWSER: "off",
        MINIO_UPDATE: "off",
    };
    const child = spawn(minioBinary, [
        "server", path.join(dataDir, "data"),
        "--address", `127.0.0.1:${apiPort}`,
        "--console-address", `127.0.0.1:${consolePort}`,
        "--certs-dir", path.join(dataDir, "certs"),
        "--quiet",
    ], { env, stdio: ["ignore", "pipe", "pipe"] });
    const server: RunningMinio = { endpoint, hostPort: `127.0.0.1:${apiPort}`, process: child, dataDir, output: "" };
    child.stdout!.on("data", (chunk: Buffer) => { server.output += chunk.toString(); });
    child.stderr!.on("data", (chunk: Buffer) => { server.output += chunk.toString(); });

    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(`MinIO on port ${apiPort} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${server.output}`);
        }
        try {
            const health = await fetch(`${endpoint}/minio/health/cluster`, { signal: AbortSignal.timeout(2000) });
            if (health.status === 200) {
                return server;
            }
        } catch {
            // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await stopMinio(server);
    throw new Error(`MinIO on port ${apiPort} was not ready within 60 s:\n${server.output}`);
}

async function stopMinio(server: RunningMinio | undefined): Promise<void> {
    if (!server) {
        return;
    }
    const child = server.process;
    if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
    }
    fs.rmSync(server.dataDir, { recursive: true, force: true });
}

function s3ClientFor(server: RunningMinio): S3Client {
    return new S3Client({
        endpoint: server.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: rootUser, secretAccessKey: rootPassword },
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
    });
}

async function createVersionedBucket(s3: S3Client, bucket: string): Promise<void> {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
}


/** The minimal policy a replication user needs on the target (MinIO docs/bucket/replication/README.md). */
function targetReplicationPolicy(bucket: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: [
                    "s3:ListBucket", "s3:GetBucketVersioning", "s3:GetBucketLocation", "s3:GetReplicationConfiguration",
                    "s3:ListBucketMultipartUploads", "s3:GetBucketObjectLockConfiguration",
                ],
                Resource: [`arn:aws:s3:::${bucket}`],
            },
            {
                Effect: "Allow",
                Action: [
                    "s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:GetObject", "s3:GetObjectVersion",
                    "s3:GetObjectVersionTagging", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                    "s3:GetReplicationConfiguration",
                ],
                Resource: [`arn:aws:s3:::${bucket}/*`],
            },
        ],
    };
}

function replicationXml(ruleId: string, destinationArn: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>
<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Role></Role>
  <Rule>
    <ID>${ruleId}</ID>
    <Status>Enabled</Status>
    <Priority>1</Priority>
    <DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>
    <DeleteReplication><Status>Disabled</Status></DeleteReplication>
    <Filter><Prefix></Prefix></Filter>
    <Destination><Bucket>${destinationArn}</Bucket></Destination>
  </Rule>
</ReplicationConfiguration>`;
}

describe("MinioAdminClient against real MinIO servers", function () {
    this.timeout(180_000);

    let source: RunningMinio | undefined;
    let target: RunningMinio | undefined;
    let sourceAdmin: MinioAdminClient;
    let targetAdmin: MinioAdminClient;
    /** The source server's S3 API, for the replication document beside the admin API's remote targets. */
    let sourceS3: ZoneS3;
    const replicationDocument = (method: "GET" | "PUT" | "DELETE", bucket: string, body?: string) =>
        sourceS3.call(`${method} replication`, { method, bucket, query: { replication: "" }, body });

    before(async function () {
        if (!fs.existsSync(minioBinary)) {
            throw new Error(`The MinIO server binary is missing at ${minioBinary}. Build it first ` +
                "with `npm run setup` (it installs github.com/minio/minio at the MINIO_VERSION pinned in scripts/toolchain.env).");
        }
        [source, target] = await Promise.all([startMinio(9350, 9351), startMinio(9360, 9361)]);
        sourceAdmin = new MinioAdminClient({ endpoint: source.endpoint, credentials: { accessKey: rootUser, secretKey: rootPassword } });
        targetAdmin = new MinioAdminClient({ endpoint: target.endpoint, credentials: { accessKey: rootUser, secretKey: rootPassword } });
        sourceS3 = new ZoneS3({
            zone: "source", endpoint: source.endpoint, region: "us-east-1", credentials: { accessKey: rootUser, secretKey: rootPassword },
            requestPolicy: defaultRequestPolicy, credentialHint: "the test's root user", serviceName: "MinIO S3",
        });
    });

    after(async function () {
        await Promise.all([stopMinio(source), stopMinio(target)]);
    });

    describe("canned policies", () => {
        it("adds, reads back and removes a policy", async () => {
            const name = "engine-test-policy";
            await sourceAdmin.addCannedPolicy(name, targetReplicationPolicy("some-bucket"));
            const stored = (await sourceAdmin.getCannedPolicy(name)) as { Version?: string; Statement?: Array<{ Action?: string[] }> };
            expect(stored.Version).to.equal("2012-10-17");
            expect(stored.Statement).to.have.length(2);
            expect(stored.Statement![1].Action).to.include("s3:ReplicateObject");

            await sourceAdmin.removeCannedPolicy(name);
            expect(await sourceAdmin.getCannedPolicy(name)).to.equal(undefined);
        });

        it("returns undefined for a policy that never existed", async () => {
            expect(await sourceAdmin.getCannedPolicy("no-such-policy")).to.equal(undefined);
        });

        it("reports MinIO's error code and the operation when a policy is invalid", async () => {
            const error = await rejectionOf(sourceAdmin.addCannedPolicy("bad-policy", { Statement: "not a list" }));
            expect(error).to.be.instanceOf(MinioAdminError);
            expect(error.message).to.include("add-canned-policy").and.include("XMinioMalformedIAMPolicy");
        });
    });

    describe("users", () => {
        const accessKey = "engine-test-user";
        const policyName = "engine-test-user-policy";

        it("adds a user, attaches a policy (twice), reads it back and removes the user", async () => {
            await sourceAdmin.addCannedPolicy(policyName, targetReplicationPolicy("some-bucket"));
            await sourceAdmin.addUser(accessKey, "engine-test-user-secret");

            const fresh = await sourceAdmin.userInfo(accessKey);
            expect(fresh).to.deep.equal({ status: "enabled" });

            await sourceAdmin.attachPolicy(accessKey, [policyName]);
            await sourceAdmin.attachPolicy(accessKey, [policyName]); // PolicyChangeAlreadyApplied counts as success
            const attached = await sourceAdmin.userInfo(accessKey);
            expect(attached).to.deep.equal({ status: "enabled", policyName });

            await sourceAdmin.removeUser(accessKey);
            expect(await sourceAdmin.userInfo(accessKey)).to.equal(undefined);
            await sourceAdmin.removeCannedPolicy(policyName);
        });

        it("returns undefined for a user that never existed", async () => {
            expect(await sourceAdmin.userInfo("no-such-user")).to.equal(undefined);
        });

        it("fails with MinIO's code when the user's secret key is too short", async () => {
            const error = await rejectionOf(sourceAdmin.addUser("short-secret-user", "short"));
            expect(error.message).to.include("add-user").and.include("8 to 40 characters");
            expect((error as MinioAdminError).code).to.equal("XMinioAdminInvalidSecretKey");
        });

        it("fails with a signature error when the client has the wrong secret key", async () => {
            const wrong = new MinioAdminClient({ endpoint: source!.endpoint, credentials: { accessKey: rootUser, secretKey: "not-the-root-secret" } });
            const error = await rejectionOf(wrong.userInfo("anyone"));
            expect(error).to.be.instanceOf(MinioAdminError);
            expect((error as MinioAdminError).code).to.equal("SignatureDoesNotMatch");
            expect(error.message).to.include("user-info").and.not.include("not-the-root-secret");
        });

        it("says the server is unreachable when nothing listens", async () => {
            const nowhere = new MinioAdminClient({
                endpoint: "http://127.0.0.1:9359", credentials: { accessKey: "a", secretKey: "b" }, zone: "zone-x",
                requestPolicy: { ...defaultRequestPolicy, maxRetries: 0 },
            });
            const error = await rejectionOf(nowhere.userInfo("anyone"));
            expect(error.message).to.contain("MinIO admin user-info on zone 'zone-x' (http://127.0.0.1:9359) failed: ECONNREFUSED")
                .and.contain("Nothing accepts connections at http://127.0.0.1:9359");
        });
    });

    describe("remote targets and the replication configuration", () => {
        const sourceBucket = "engine-source";
        const targetBucket = "engine-target";
        const secondTargetBucket = "engine-target-2";
        const replicationUser = "engine-replicator";
        const replicationSecret = "engine-replicator-secret";
        const secondUser = "engine-replicator-2";
        const secondSecret = "engine-replicator-2-secret";
        let remote: RemoteTarget;
        let arn: string;

        before(async () => {
            await createVersionedBucket(s3ClientFor(source!), sourceBucket);
            await createVersionedBucket(s3ClientFor(target!), targetBucket);
            await createVersionedBucket(s3ClientFor(target!), secondTargetBucket);
            await s3ClientFor(source!).send(new CreateBucketCommand({ Bucket: "engine-unversioned" }));
            await targetAdmin.addCannedPolicy("engine-replication", targetReplicationPolicy("engine-target*"));
            for (const [user, secret] of [[replicationUser, replicationSecret], [secondUser, secondSecret]]) {
                await targetAdmin.addUser(user, secret);
                await targetAdmin.attachPolicy(user, ["engine-replication"]);
            }
            remote = { endpoint: target!.hostPort, secure: false, targetBucket, accessKey: replicationUser, secretKey: replicationSecret };
        });

        it("lists no targets for a bucket without any", async () => {
            expect(await sourceAdmin.listRemoteTargets(sourceBucket)).to.deep.equal([]);
        });

        it("refuses an unversioned source bucket with a readable error", async () => {
            const error = await rejectionOf(sourceAdmin.setRemoteTarget("engine-unversioned", remote));
            expect(error.message).to.include("set-remote-target").and.include("Enable versioning on the source bucket");
            expect((error as MinioAdminError).code).to.equal("ReplicationSourceNotVersionedError");
        });

        it("registers a target and returns its ARN; registering it again returns the same ARN and keeps the old credentials", async () => {
            arn = await sourceAdmin.setRemoteTarget(sourceBucket, remote);
            // The region part is empty because the target was registered without a region.
            expect(arn).to.match(new RegExp(`^arn:minio:replication::[0-9a-f-]{36}:${targetBucket}$`));
            const again = await sourceAdmin.setRemoteTarget(sourceBucket, { ...remote, secretKey: "ignored-secret-key" });
            expect(again).to.equal(arn);
        });

        it("refuses a second target on the same endpoint, whether another access key or another bucket", async () => {
            const otherUser = await rejectionOf(sourceAdmin.setRemoteTarget(sourceBucket, { ...remote, accessKey: secondUser, secretKey: secondSecret }));
            expect((otherUser as MinioAdminError).code).to.equal("XMinioAdminBucketRemoteAlreadyExists");
            const otherBucket = await rejectionOf(sourceAdmin.setRemoteTarget(sourceBucket, { ...remote, targetBucket: secondTargetBucket }));
            expect((otherBucket as MinioAdminError).code).to.equal("XMinioAdminBucketRemoteAlreadyExists");
            expect(otherBucket.message).to.include("updateRemoteTargetCredentials");
        });

        it("lists the target with its access key but without its secret", async () => {
            const listed = await sourceAdmin.listRemoteTargets(sourceBucket);
            expect(listed).to.deep.equal([{ arn, endpoint: target!.hostPort, targetBucket, accessKey: replicationUser }]);
        });

        it("updates the target's credentials in place", async () => {
            await sourceAdmin.updateRemoteTargetCredentials(sourceBucket, arn, { ...remote, accessKey: secondUser, secretKey: secondSecret });
            const listed = await sourceAdmin.listRemoteTargets(sourceBucket);
            expect(listed).to.deep.equal([{ arn, endpoint: target!.hostPort, targetBucket, accessKey: secondUser }]);
        });

        it("puts and gets a replication configuration with MinIO's DeleteReplication element", async () => {
            const put = await replicationDocument("PUT", sourceBucket, replicationXml("engine-rule", arn));
            expect(put.status, put.text).to.equal(200);
            const got = await replicationDocument("GET", sourceBucket);
            expect(got.status, got.text).to.equal(200);
            expect(got.text).to.include(`<Bucket>${arn}</Bucket>`).and.include("<DeleteReplication><Status>Disabled</Status></DeleteReplication>");
        });

        it("replicates a new object to the target bucket", async () => {
            await s3ClientFor(source!).send(new PutObjectCommand({ Bucket: sourceBucket, Key: "hello.txt", Body: "hello" }));
            const deadline = Date.now() + 60_000;
            let lastError: unknown;
            while (Date.now() < deadline) {
                try {
                    const copy = await s3ClientFor(target!).send(new GetObjectCommand({ Bucket: targetBucket, Key: "hello.txt" }));
                    expect(await copy.Body!.transformToString()).to.equal("hello");
                    expect(copy.ReplicationStatus).to.equal("REPLICA");
                    return;
                } catch (error) {
                    lastError = error;
                    await new Promise((resolve) => setTimeout(resolve, 500));
                }
            }
            throw new Error(`the object did not reach the target within 60 s: ${String(lastError)}`);
        });

        it("rejects an invalid replication configuration with MalformedXML", async () => {
            const withoutDeleteMarkerReplication = replicationXml("bad-rule", arn)
                .replace("<DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>", "");
            const put = await rejectionOf(replicationDocument("PUT", sourceBucket, withoutDeleteMarkerReplication));
            expect((put as ServiceError).httpStatus).to.equal(400);
            expect((put as ServiceError).code).to.equal("MalformedXML");
        });

        it("refuses to remove a target that a rule still uses", async () => {
            const error = await rejectionOf(sourceAdmin.removeRemoteTarget(sourceBucket, arn));
            expect((error as MinioAdminError).code).to.equal("XMinioAdminRemoteRemoveDisallowed");
            expect(error.message).to.include("remove-remote-target").and.include("replication configuration first");
        });

        it("deletes the replication configuration, which on MinIO also removes every remote target of the bucket", async () => {
            const deleted = await replicationDocument("DELETE", sourceBucket);
            // MinIO answers 200 where AWS answers 204.
            expect(deleted.status, deleted.text).to.be.oneOf([200, 204]);
            const gone = await rejectionOf(replicationDocument("GET", sourceBucket));
            expect((gone as ServiceError).httpStatus).to.equal(404);
            expect((gone as ServiceError).code).to.equal("ReplicationConfigurationNotFoundError");

            expect(await sourceAdmin.listRemoteTargets(sourceBucket)).to.deep.equal([]);
            const error = await rejectionOf(sourceAdmin.removeRemoteTarget(sourceBucket, arn));
            expect((error as MinioAdminError).code).to.equal("XMinioAdminRemoteTargetNotFoundError");
        });

        it("removes a target that no rule uses", async () => {
            const unusedArn = await sourceAdmin.setRemoteTarget(sourceBucket, remote);
            expect(await sourceAdmin.listRemoteTargets(sourceBucket)).to.have.length(1);
            await sourceAdmin.removeRemoteTarget(sourceBucket, unusedArn);
            expect(await sourceAdmin.listRemoteTargets(sourceBucket)).to.deep.equal([]);
        });
    });
});
