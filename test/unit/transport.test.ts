import { expect } from "chai";
import * as http from "http";
import * as net from "net";
import type { AddressInfo } from "net";
import { MinioAdminClient } from "../../provider/backends/minio/adminClient";
import { ZoneS3 } from "../../provider/backends/s3/client";
import { cancelEverything, resetCancellation } from "../../provider/transport/cancellation";
import { backoffMs, defaultRequestPolicy, RequestPolicy, setFallbackProgressLog } from "../../provider/transport/retry";
import { ServiceError } from "../../provider/transport/serviceError";
import { rejectionOf as failureOf } from "../support/assertions";

/**
 * The shared transport against a scripted local HTTP server: every answer a user met in issue 7
 * (throttling, 5xx, resets, stalls, auth and TLS mistakes) ends as one error shape, bounded in time,
 * retried where safe, and stopped by cancellation.
 */
type Script = (request: http.IncomingMessage, response: http.ServerResponse, count: number) => void;

async function scriptedServer(script: Script): Promise<{ endpoint: string; requests: () => number; close: () => Promise<void> }> {
    let count = 0;
    const sockets = new Set<import("net").Socket>();
    const server = http.createServer((request, response) => {
        request.resume();
        request.on("end", () => script(request, response, ++count));
    });
    server.on("connection", (socket) => { sockets.add(socket); socket.on("close", () => sockets.delete(socket)); });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        requests: () => count,
        close: () => new Promise((resolve) => { sockets.forEach((s) => s.destroy()); server.close(() => resolve()); }),
    };
}

function s3Error(response: http.ServerResponse, status: number, code: string, message: string): void {
    response.writeHead(status, { "content-type": "application/xml" });
    response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

const fastPolicy: RequestPolicy = { ...defaultRequestPolicy, requestTimeoutMs: 1500, connectTimeoutMs: 1000, maxRetries: 2, backoffBaseMs: 20, backoffMaxMs: 50 };

function zoneS3(endpoint: string, policy: RequestPolicy = fastPolicy): ZoneS3 {
    return new ZoneS3({
        zone: "zone-a", endpoint, region: "us-east-1", credentials: { accessKey: "unit-access", secretKey: "unit-secret-value" },
        requestPolicy: policy, serviceName: "MinIO S3",
        credentialHint: "'bucket-replication:accessKey' and 'bucket-replication:secretKey' in the stack configuration, or set MINIO_ACCESS_KEY and MINIO_SECRET_KEY in the environment.",
    });
}


function headBucket(): unknown {
    const { HeadBucketCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    return new HeadBucketCommand({ Bucket: "b" });
}

function putTags(): unknown {
    const { PutBucketTaggingCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    return new PutBucketTaggingCommand({ Bucket: "b", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } });
}

describe("transport: one error shape with zone, endpoint, operation, status and what to check (issue 7, finding 6)", () => {
    afterEach(() => resetCancellation());

    const cases: { name: string; code: string; status: number; message: string; expect: RegExp }[] = [
        { name: "a wrong secret key", status: 403, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided.", expect: /'bucket-replication:secretKey'.*MINIO_SECRET_KEY/ },
        { name: "an unknown access key", status: 403, code: "InvalidAccessKeyId", message: "The Access Key Id you provided does not exist in our records.", expect: /'bucket-replication:accessKey'.*MINIO_ACCESS_KEY/ },
        { name: "an endpoint with a path", status: 403, code: "AccessDenied", message: "All access to this resource has been disabled.", expect: /base URL, with no path/ },
    ];
    for (const c of cases) {
        it(`names the zone, endpoint, operation, status and the keys to check for ${c.name}`, async () => {
            const server = await scriptedServer((_req, res) => s3Error(res, c.status, c.code, c.message));
            try {
                const error = await failureOf(zoneS3(server.endpoint).send("PutBucketTagging of 'b'", putTags()));
                expect(error).to.be.instanceOf(ServiceError);
                expect(error.message).to.contain("MinIO S3 PutBucketTagging of 'b' on zone 'zone-a'")
                    .and.contain(`(${server.endpoint})`).and.contain(`HTTP ${c.status} ${c.code}`).and.contain(c.message.replace(/\.$/, ""));
                expect(error.message).to.match(c.expect);
                expect(error.message).to.not.contain("unit-secret-value");
                expect(server.requests(), "a refusal is not retried").to.equal(1);
            } finally {
                await server.close();
            }
        });
    }

    it("says to write http:// when the endpoint speaks plain HTTP but https was configured", async () => {
        const server = await scriptedServer((_req, res) => res.end("plain"));
        try {
            const httpsEndpoint = server.endpoint.replace("http://", "https://");
            const error = await failureOf(zoneS3(httpsEndpoint).send("HeadBucket of 'b'", headBucket()));
            expect(error.message).to.contain(`on zone 'zone-a' (${httpsEndpoint})`).and.contain("TLSMismatch").and.contain("write 'http://'");
        } finally {
            await server.close();
        }
    });

    it("names the endpoint nothing listens on", async () => {
        const server = await scriptedServer((_req, res) => res.end());
        const endpoint = server.endpoint;
        await server.close();
        const error = await failureOf(zoneS3(endpoint).send("HeadBucket of 'b'", headBucket()));
        expect(error.message).to.contain(`(${endpoint})`).and.contain("ECONNREFUSED").and.contain("Nothing accepts connections");
    });
});

describe("transport: retries, time limits and cancellation (issue 7, finding 5)", () => {
    afterEach(() => resetCancellation());

    it("retries throttling, 5xx and resets, then succeeds", async () => {
        const server = await scriptedServer((_req, res, n) => {
            if (n === 1) return s3Error(res, 503, "SlowDown", "Please reduce your request rate.");
            if (n === 2) return res.socket!.destroy();
            if (n === 3) return s3Error(res, 500, "InternalError", "We encountered an internal error.");
            res.writeHead(200);
            res.end();
        });
        try {
            const policy = { ...fastPolicy, maxRetries: 3 };
            await zoneS3(server.endpoint, policy).send("HeadBucket of 'b'", headBucket());
            expect(server.requests()).to.equal(4);
        } finally {
            await server.close();
        }
    });

    it("gives up after the configured retries with the service's own words", async () => {
        const server = await scriptedServer((_req, res) => s3Error(res, 503, "SlowDown", "Please reduce your request rate."));
        try {
            const error = await failureOf(zoneS3(server.endpoint).send("PutBucketTagging of 'b'", putTags()));
            expect(server.requests()).to.equal(1 + fastPolicy.maxRetries);
            expect(error.message).to.contain("HTTP 503 SlowDown: Please reduce your request rate").and.contain("'bucket-replication:maxRetries'");
        } finally {
            await server.close();
        }
    });

    it("does not repeat a call that is not safe to repeat", async () => {
        const server = await scriptedServer((_req, res) => s3Error(res, 500, "InternalError", "boom"));
        try {
            await failureOf(zoneS3(server.endpoint).send("CreateBucket of 'b'", headBucket(), { idempotent: false }));
            expect(server.requests()).to.equal(1);
        } finally {
            await server.close();
        }
    });

    it("bounds an S3 call to an endpoint that accepts and never answers", async () => {
        const server = await scriptedServer(() => undefined);
        try {
            const started = Date.now();
            const error = await failureOf(zoneS3(server.endpoint, { ...fastPolicy, maxRetries: 0, requestTimeoutMs: 800 }).send("HeadBucket of 'b'", headBucket()));
            expect(Date.now() - started).to.be.below(5000);
            expect(error.message).to.contain("Timeout").and.contain("'bucket-replication:requestTimeoutSeconds'");
        } finally {
            await server.close();
        }
    });

    it("stops an S3 call and a MinIO admin call within 2 s of cancellation", async () => {
        const server = await scriptedServer(() => undefined);
        try {
            const slow = { ...fastPolicy, requestTimeoutMs: 120_000 };
            const admin = new MinioAdminClient({ endpoint: server.endpoint, credentials: { accessKey: "a", secretKey: "b".repeat(8) }, requestPolicy: slow, zone: "zone-a" });
            const started = Date.now();
            const calls = [zoneS3(server.endpoint, slow).send("HeadBucket of 'b'", headBucket()), admin.getCannedPolicy("p")].map(failureOf);
            setTimeout(() => cancelEverything(), 300);
            const errors = await Promise.all(calls);
            expect(Date.now() - started).to.be.below(2300);
            for (const error of errors) expect(error.name).to.equal("CancelledError");
        } finally {
            await server.close();
        }
    });

    it("retries MinIO admin calls on 503 and resets (they were never retried before)", async () => {
        const server = await scriptedServer((_req, res, n) => {
            if (n === 1) { res.writeHead(503, { "content-type": "application/json" }); return res.end('{"Code":"XMinioServerNotInitialized","Message":"Server not initialized"}'); }
            if (n === 2) return res.socket!.destroy();
            res.writeHead(200, { "content-type": "application/json" });
            res.end('{"Version":"2012-10-17","Statement":[]}');
        });
        try {
            const admin = new MinioAdminClient({ endpoint: server.endpoint, credentials: { accessKey: "a", secretKey: "b".repeat(8) }, requestPolicy: fastPolicy, zone: "zone-a" });
            expect(await admin.getCannedPolicy("p")).to.deep.equal({ Version: "2012-10-17", Statement: [] });
            expect(server.requests()).to.equal(3);
        } finally {
            await server.close();
        }
    });

    it("draws growing, jittered pauses, capped", () => {
        const policy = { ...defaultRequestPolicy, backoffBaseMs: 100, backoffMaxMs: 1000 };
        expect(backoffMs(policy, 0, () => 0)).to.equal(50);
        expect(backoffMs(policy, 0, () => 1)).to.equal(100);
        expect(backoffMs(policy, 3, () => 1)).to.equal(800);
        expect(backoffMs(policy, 10, () => 1)).to.equal(1000);
    });
});

describe("transport: time limits survive garbage collection (Node 20 holds AbortSignal.any sources weakly)", () => {
    it("still times out a stalled call after a collection", async function () {
        require("v8").setFlagsFromString("--expose-gc");
        const gc = require("vm").runInNewContext("gc") as () => void;
        const server = await scriptedServer(() => undefined);
        try {
            const pending = failureOf(zoneS3(server.endpoint, { ...fastPolicy, maxRetries: 0, requestTimeoutMs: 800 }).send("HeadBucket of 'b'", headBucket()));
            for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 50)); }
            const error = await Promise.race([pending, new Promise<Error>((r) => setTimeout(() => r(new Error("still waiting after 5 s")), 5000))]);
            expect(error.message).to.contain("Timeout");
        } finally {
            await server.close();
        }
    });
});

/** A TCP server that accepts every connection and never sends a byte: a mistyped port of another program. */
async function silentServer(): Promise<{ endpoint: string; connections: () => number; close: () => Promise<void> }> {
    const sockets = new Set<net.Socket>();
    let connections = 0;
    const server = net.createServer((socket) => {
        connections++;
        sockets.add(socket);
        socket.resume();
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        connections: () => connections,
        close: () => new Promise((resolve) => { sockets.forEach((s) => s.destroy()); server.close(() => resolve()); }),
    };
}

describe("transport: silence is not slowness (issue 17, finding 7)", () => {
    afterEach(() => resetCancellation());

    // The default policy's shape (answer start = half the attempt's limit, a notice at a third of it), scaled down.
    const silentPolicy: RequestPolicy = { ...defaultRequestPolicy, requestTimeoutMs: 1200, answerStartTimeoutMs: 600, silenceNoticeMs: 200, maxRetries: 4, backoffBaseMs: 20, backoffMaxMs: 50 };

    it("reports the first silence at once, tries once more, and fails saying the endpoint took the connection and never answered", async () => {
        const server = await silentServer();
        const lines: { at: number; message: string }[] = [];
        const started = Date.now();
        const previous = setFallbackProgressLog((message) => lines.push({ at: Date.now() - started, message }));
        try {
            const error = await failureOf(zoneS3(server.endpoint, silentPolicy).getBucketVersioning("photos"));
            const elapsed = Date.now() - started;
            expect(error).to.be.instanceOf(ServiceError);
            expect(error).to.deep.include({ zone: "zone-a", endpoint: server.endpoint, code: "Timeout", operation: "GetBucketVersioning of 'photos'" });
            expect(error.message).to.contain("Timeout: no answer within 600 ms, on each of 2 attempts: the endpoint accepted the connection but never answered")
                .and.contain("the endpoint of zone 'zone-a' in 'bucket-replication:zones'")
                .and.contain("host and port");
            expect(server.connections(), "one more try, not maxRetries").to.equal(2);
            expect(elapsed, "two answer-start limits and a pause, not five attempt limits").to.be.below(2 * 600 + 500);
            const notice = lines.find((line) => line.message.startsWith("no answer from zone zone-a at "));
            expect(notice, JSON.stringify(lines)).to.not.equal(undefined);
            expect(notice!.message).to.equal(`no answer from zone zone-a at ${server.endpoint} for GetBucketVersioning of 'photos' after 0.2 s; still waiting…`);
            expect(notice!.at, "during the first attempt").to.be.below(600);
            expect(lines.filter((line) => line.message.includes("still waiting")), "said once per call").to.have.length(1);
        } finally {
            setFallbackProgressLog(previous);
            await server.close();
        }
    });

    it("sends the notice to the call's own log when it has one, and a call not safe to repeat is not repeated", async () => {
        const server = await silentServer();
        const messages: string[] = [];
        try {
            const error = await failureOf(zoneS3(server.endpoint, silentPolicy).call("CreateBucket of 'photos'", { method: "PUT", bucket: "photos" },
                { idempotent: false, log: (message) => messages.push(message) }));
            expect(error.message).to.contain("no answer within 600 ms: the endpoint accepted the connection but never answered");
            expect(server.connections()).to.equal(1);
            expect(messages[0]).to.match(/^no answer from zone zone-a at .* for CreateBucket of 'photos' after 0.2 s; still waiting…$/);
        } finally {
            await server.close();
        }
    });

    it("a silent OSS endpoint is bounded the same way", async () => {
        const { OssClient } = require("../../provider/backends/oss/ossClient") as typeof import("../../provider/backends/oss/ossClient");
        const server = await silentServer();
        const messages: string[] = [];
        try {
            const oss = new OssClient({ zones: { "cn-beijing": { endpoint: server.endpoint, region: "cn-beijing" } }, credentials: { accessKey: "a", secretKey: "s" },
                requestPolicy: silentPolicy, credentialHint: "the keys" });
            const error = await failureOf(oss.send({ zone: "cn-beijing", bucket: "b", method: "GET", query: { versioning: "" }, operation: "GetBucketVersioning of 'b'", log: (m) => messages.push(m) }));
            expect(error.message).to.contain("Alibaba OSS GetBucketVersioning of 'b' on zone 'cn-beijing'").and.contain("accepted the connection but never answered");
            expect(server.connections()).to.equal(2);
            expect(messages[0]).to.contain(`no answer from zone cn-beijing at ${server.endpoint}`);
        } finally {
            await server.close();
        }
    });

    it("a silent IAM endpoint is named by its service and its own setting, not by a zone", async () => {
        const { ExoscaleIamClient } = require("../../provider/backends/exoscale/iamClient") as typeof import("../../provider/backends/exoscale/iamClient");
        const server = await silentServer();
        const messages: string[] = [];
        try {
            const iam = new ExoscaleIamClient({ endpoint: `${server.endpoint}/v2`, apiKey: "EXOkey", apiSecret: "secret", requestPolicy: silentPolicy, waitTimeoutMs: 1000 });
            const error = await failureOf(iam.listRoles((m) => messages.push(m)));
            expect(error.message).to.contain("'bucket-replication:iamEndpoint'").and.contain("accepted the connection but never answered");
            expect(messages[0]).to.match(/^no answer from Exoscale IAM at .* for .* after 0.2 s; still waiting…$/);
        } finally {
            await server.close();
        }
    });

    it("an answer that started and then stalled is still retried as a time-out", async () => {
        const server = await scriptedServer((_req, res, n) => {
            res.writeHead(200, { "content-type": "application/xml" });
            res.write("<VersioningConfiguration>");
            if (n >= 3) res.end("<Status>Enabled</Status></VersioningConfiguration>");
        });
        try {
            const policy = { ...silentPolicy, requestTimeoutMs: 400, answerStartTimeoutMs: 300 };
            expect(await zoneS3(server.endpoint, policy).getBucketVersioning("photos")).to.equal("Enabled");
            expect(server.requests()).to.equal(3);
        } finally {
            await server.close();
        }
    });
});
