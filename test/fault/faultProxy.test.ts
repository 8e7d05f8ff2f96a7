import { expect } from "chai";
import * as crypto from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { FaultProxy, internalError, lostAnswer, operationOf, reset, restart, slowDown, stall } from "../support/faultProxy";

/**
 * The proxy itself, against a small HTTP server that echoes what it got: if it changed a byte or a
 * header, the fault cells would test the proxy instead of the provider.
 */
describe("fault: the fault proxy passes requests through exactly and injects what it is told", function () {
    this.timeout(30_000);
    let upstream: http.Server;
    let upstreamUrl: string;
    let received: Array<{ method: string; url: string; host: string; sha256: string; length: number }>;
    let proxy: FaultProxy;

    before(async () => {
        received = [];
        upstream = http.createServer((request, response) => {
            const hash = crypto.createHash("sha256");
            let length = 0;
            request.on("data", (chunk: Buffer) => { hash.update(chunk); length += chunk.length; });
            request.on("end", () => {
                received.push({ method: request.method!, url: request.url!, host: request.headers.host!, sha256: hash.digest("hex"), length });
                if (request.url?.startsWith("/stream/")) {
                    // A chunked answer in pieces, as object downloads come.
                    response.writeHead(200, { "content-type": "application/octet-stream", "x-upstream": "yes" });
                    const pieces = [...Array(8)].map((_, i) => crypto.createHash("sha256").update(String(i)).digest());
                    let i = 0;
                    const next = () => { if (i < pieces.length) { response.write(pieces[i++]); setTimeout(next, 5); } else response.end(); };
                    next();
                    return;
                }
                response.writeHead(201, { "content-type": "text/plain", "x-upstream": "yes" });
                response.end(String(length));
            });
        });
        await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
        upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    });

    beforeEach(async () => {
        received = [];
        proxy = await FaultProxy.start(upstreamUrl, "self-test");
    });

    afterEach(async () => {
        await proxy.close();
    });

    after(async () => {
        await new Promise<void>((resolve) => upstream.close(() => resolve()));
    });

    it("keeps the client's Host header and a binary body byte for byte, and streams the answer unchanged", async () => {
        const body = crypto.randomBytes(3 << 20);
        const answer = await send(proxy.endpoint, "PUT", "/bucket/key?x-id=PutObject", body);
        expect(answer.status).to.equal(201);
        expect(answer.headers["x-upstream"]).to.equal("yes");
        expect(received).to.have.length(1);
        expect(received[0].host).to.equal(new URL(proxy.endpoint).host);
        expect(received[0].length).to.equal(body.length);
        expect(received[0].sha256).to.equal(crypto.createHash("sha256").update(body).digest("hex"));
        expect(received[0].url).to.equal("/bucket/key?x-id=PutObject");

        const streamed = await send(proxy.endpoint, "GET", "/stream/object");
        const expected = Buffer.concat([...Array(8)].map((_, i) => crypto.createHash("sha256").update(String(i)).digest()));
        expect(streamed.body.equals(expected)).to.equal(true);
        expect(proxy.requests().map((r) => `${r.method} ${r.op} ${r.status}`)).to.deep.equal(["PUT PutObject 201", "GET GetObject 200"]);
    });

    it("answers 503 SlowDown and 500 InternalError as S3 does, to the selected requests only", async () => {
        proxy.inject({ match: { method: "PUT", query: "tagging" }, fault: slowDown(), nth: 2, times: 2 });
        proxy.inject({ match: { op: "admin:add-user" }, fault: internalError(), times: "every" });
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await send(proxy.endpoint, "PUT", "/bucket?tagging", "<Tagging/>")).status);
        expect(statuses).to.deep.equal([201, 503, 503, 201]);
        const slow = await send(proxy.endpoint, "PUT", "/bucket?tagging=", "x");
        expect(slow.status).to.equal(201);
        for (let i = 0; i < 2; i++) {
            const failed = await send(proxy.endpoint, "PUT", "/minio/admin/v3/add-user?accessKey=someone", "x");
            expect(failed.status).to.equal(500);
            expect(failed.body.toString()).to.contain("<Code>InternalError</Code>");
        }
        expect(proxy.faulted().map((r) => r.fault)).to.deep.equal(["503 SlowDown", "503 SlowDown", "500 InternalError", "500 InternalError"]);
        expect(proxy.firedCounts()).to.deep.equal([2, 2]);
    });

    it("counts the nth request of every rule, so that rules on one operation follow each other", async () => {
        proxy.inject({ match: { op: "PutBucketVersioning" }, fault: slowDown(), nth: 1 });
        proxy.inject({ match: { op: "PutBucketVersioning" }, fault: internalError(), nth: 2 });
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) statuses.push((await send(proxy.endpoint, "PUT", "/bucket?versioning", "<V/>")).status);
        expect(statuses).to.deep.equal([503, 500, 201]);
        expect(received.filter((r) => r.url.includes("add-user"))).to.deep.equal([]);
    });

    it("resets the connection before the server sees it, or after the server acted (a lost answer)", async () => {
        proxy.inject({ match: { op: "CreateBucket" }, fault: reset() });
        proxy.inject({ match: { op: "PutBucketVersioning" }, fault: lostAnswer() });
        expect(await send(proxy.endpoint, "PUT", "/bucket").then(() => "answered", (e: NodeJS.ErrnoException) => e.code)).to.equal("ECONNRESET");
        expect(received).to.deep.equal([]);
        expect(await send(proxy.endpoint, "PUT", "/bucket?versioning", "<V/>").then(() => "answered", (e: NodeJS.ErrnoException) => e.code)).to.equal("ECONNRESET");
        expect(received.map((r) => r.url)).to.deep.equal(["/bucket?versioning"]);
        expect((await send(proxy.endpoint, "PUT", "/bucket")).status).to.equal(201);
    });

    it("holds a stalled request until the client gives up, or answers it late", async () => {
        proxy.inject({ match: { op: "HeadBucket" }, fault: stall() });
        proxy.inject({ match: { op: "GetBucketVersioning" }, fault: stall(1) });
        const started = Date.now();
        const held = await send(proxy.endpoint, "HEAD", "/bucket", undefined, 800).then(() => "answered", (e: Error) => e.message);
        expect(held).to.equal("client timeout");
        expect(Date.now() - started).to.be.within(700, 2000);
        const late = await send(proxy.endpoint, "GET", "/bucket?versioning");
        expect(late.status).to.equal(201);
        expect(Date.now() - started).to.be.greaterThan(1700);
        expect(received.map((r) => r.url)).to.deep.equal(["/bucket?versioning"]);
    });

    it("refuses connections while the server 'restarts', then serves again on the same port", async () => {
        const seen = proxy.when({ op: "admin:set-remote-target" });
        proxy.inject({ match: { op: "admin:set-remote-target" }, fault: restart(1) });
        const first = await send(proxy.endpoint, "PUT", "/minio/admin/v3/set-remote-target?bucket=b", "x").then(() => "answered", (e: NodeJS.ErrnoException) => e.code);
        expect(first).to.be.oneOf(["ECONNRESET", "EPIPE"]);
        expect((await seen).fault).to.contain("restart");
        const during = await send(proxy.endpoint, "GET", "/").then(() => "answered", (e: NodeJS.ErrnoException) => e.code);
        expect(during).to.equal("ECONNREFUSED");
        await new Promise((resolve) => setTimeout(resolve, 1300));
        expect((await send(proxy.endpoint, "GET", "/")).status).to.equal(201);
    });

    it("names S3 and MinIO admin operations", () => {
        const op = (method: string, url: string) => operationOf(method, new URL(url, "http://x"));
        expect(op("PUT", "/b")).to.equal("CreateBucket");
        expect(op("PUT", "/b?x-id=CreateBucket")).to.equal("CreateBucket");
        expect(op("PUT", "/b?tagging")).to.equal("PutBucketTagging");
        expect(op("GET", "/b?versioning")).to.equal("GetBucketVersioning");
        expect(op("PUT", "/b?replication=")).to.equal("PutBucketReplication");
        expect(op("HEAD", "/b")).to.equal("HeadBucket");
        expect(op("POST", "/b?delete")).to.equal("DeleteObjects");
        expect(op("GET", "/b?versions&max-keys=1")).to.equal("ListObjectVersions");
        expect(op("PUT", "/b/k/l")).to.equal("PutObject");
        expect(op("PUT", "/minio/admin/v3/add-canned-policy?name=p")).to.equal("admin:add-canned-policy");
        expect(op("POST", "/minio/admin/v3/idp/builtin/policy/attach")).to.equal("admin:idp/builtin/policy/attach");
        expect(op("GET", "/minio/health/live")).to.equal("health");
    });
});

function send(base: string, method: string, path: string, body?: string | Buffer, timeoutMs = 10_000):
    Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
        const request = http.request(base + path, { method, agent: false }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
            response.on("error", reject);
        });
        request.setTimeout(timeoutMs, () => request.destroy(new Error("client timeout")));
        request.on("error", reject);
        request.end(body);
    });
}
