import { expect } from "chai";
import * as http from "http";
import type { AddressInfo } from "net";
import { readReplicationXml } from "../../provider/backends/minio/replicationXml";
import { OssClient, ossAnswerRoot } from "../../provider/backends/oss/ossClient";
import { s3AnswerRoot, ZoneS3 } from "../../provider/backends/s3/client";
import { child, childrenNamed, parseXml, readAnswerXml, textOf, toXml, UnexpectedDocumentError } from "../../provider/backends/s3/xml";
import { defaultRequestPolicy, type RequestPolicy } from "../../provider/transport/retry";
import { ServiceError } from "../../provider/transport/serviceError";
import { rejectionOf } from "../support/assertions";

/**
 * Issue 17, finding 6: an answer that is not the document an operation expects (an HTML page or
 * plain text with 200, another document) fails with the zone, endpoint, operation, status and what
 * came back, instead of reading as "Unversioned", no tags or no rules.
 */
const htmlPage = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Sign in</title></head><body><p>Welcome to the portal</p></body></html>`;
const site = { service: "MinIO S3", zone: "local-a", endpoint: "http://127.0.0.1:9", credentialHint: "the keys" };

function documentError(source: string, root?: string): UnexpectedDocumentError {
    try {
        parseXml(source, root);
    } catch (error) {
        expect(error).to.be.instanceOf(UnexpectedDocumentError);
        return error as UnexpectedDocumentError;
    }
    throw new Error(`expected ${JSON.stringify(source)} to be refused`);
}

describe("XML answers are read with a parser and checked against the document expected (issue 17, finding 6)", () => {
    it("refuses an HTML page, plain text, an empty body and a broken document, saying what came back", () => {
        expect(documentError(htmlPage, "VersioningConfiguration").message)
            .to.contain("expected an XML document <VersioningConfiguration>, got an HTML page").and.contain("Welcome to the portal");
        expect(documentError("<html><body>ok</body></html>", "Tagging").message).to.contain("got an HTML page");
        expect(documentError("service is up", "Tagging").message).to.contain("got text that is not XML").and.contain("\"service is up\"");
        expect(documentError("", "Tagging").message).to.contain("got an empty body");
        expect(documentError("<Tagging><TagSet></Tagging>", "Tagging").message).to.contain("text that is not XML");
        expect(documentError("<Tagging/><Tagging/>").message).to.contain("2 root elements");
    });

    it("refuses a well-formed document whose root is not the one expected", () => {
        const error = documentError(`<?xml version="1.0"?><ListBucketResult><Name>b</Name></ListBucketResult>`, "VersioningConfiguration");
        expect(error.message).to.contain("got a document <ListBucketResult>");
    });

    it("reads valid documents: namespaces dropped, entities and CDATA decoded, values kept as text", () => {
        const root = parseXml(`<?xml version="1.0" encoding="UTF-8"?>\n<s3:Tagging xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">` +
            `<TagSet><Tag><Key>a &amp; b</Key><Value>&lt;x&gt; &quot;q&quot; &apos;s&apos; &#65;&#x42;</Value></Tag>` +
            `<Tag><Key><![CDATA[<raw & kept>]]></Key><Value>007</Value></Tag><Tag><Key>empty</Key><Value/></Tag></TagSet><!-- note --></s3:Tagging>`, "Tagging");
        expect(root.name).to.equal("Tagging");
        const tags = childrenNamed(child(root, "TagSet"), "Tag").map((tag) => [textOf(tag, "Key"), textOf(tag, "Value")]);
        expect(tags).to.deep.equal([["a & b", "<x> \"q\" 's' AB"], ["<raw & kept>", "007"], ["empty", ""]]);
    });

    it("writes what it reads: toXml's escaping round-trips through the parser", () => {
        const value = `a<b>&"c"'d'`;
        expect(textOf(parseXml(toXml("Tagging", { Key: value }), "Tagging"), "Key")).to.equal(value);
    });

    it("turns a wrong answer into the one error shape: zone, endpoint, operation, status and an excerpt", () => {
        let thrown: unknown;
        try {
            readAnswerXml(htmlPage, "ReplicationConfiguration", { where: site, operation: "GetBucketReplication of 'b'", httpStatus: 200 });
        } catch (error) {
            thrown = error;
        }
        expect(thrown).to.be.instanceOf(ServiceError);
        const error = thrown as ServiceError;
        expect(error).to.deep.include({ zone: "local-a", endpoint: "http://127.0.0.1:9", httpStatus: 200, code: "InvalidResponse", retryable: false });
        expect(error.message).to.contain("MinIO S3 GetBucketReplication of 'b' on zone 'local-a' (http://127.0.0.1:9) failed: HTTP 200 InvalidResponse")
            .and.contain("got an HTML page").and.contain("Sign in").and.contain("'bucket-replication:zones'");
    });

    it("MinIO's replication document is read only as a ReplicationConfiguration", () => {
        expect(() => readReplicationXml(htmlPage, () => ({ zone: "z", bucket: "b" }))).to.throw(UnexpectedDocumentError);
        const rules = readReplicationXml(`<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>r1</ID><Status>Enabled</Status>` +
            `<Priority>2</Priority><Filter><Prefix>p/</Prefix></Filter><Destination><Bucket>arn:minio:replication::x:dest</Bucket></Destination></Rule></ReplicationConfiguration>`,
            () => ({ zone: "local-b", bucket: "dest" }));
        expect(rules).to.have.length(1);
        expect(rules[0]).to.deep.include({ id: "r1", status: "Enabled", priority: 2, prefix: "p/", destination: { zone: "local-b", bucket: "dest", storageClass: undefined } });
    });

    it("every S3 and OSS read names the document it expects", () => {
        expect(s3AnswerRoot({ method: "GET", bucket: "b", query: { versioning: "" } })).to.equal("VersioningConfiguration");
        expect(s3AnswerRoot({ method: "GET", bucket: "b", query: { tagging: "" } })).to.equal("Tagging");
        expect(s3AnswerRoot({ method: "GET", bucket: "b", query: { replication: "" } })).to.equal("ReplicationConfiguration");
        expect(s3AnswerRoot({ method: "GET", bucket: "b", query: { versions: "", prefix: "x" } })).to.equal("ListVersionsResult");
        expect(s3AnswerRoot({ method: "POST", bucket: "b", query: { delete: "" } })).to.equal("DeleteResult");
        expect(s3AnswerRoot({ method: "GET", bucket: "" })).to.equal("ListAllMyBucketsResult");
        expect(s3AnswerRoot({ method: "GET", bucket: "b", query: { "replication-metrics": "2" } }), "MinIO's JSON metrics").to.equal(undefined);
        expect(s3AnswerRoot({ method: "GET", bucket: "b", key: "k", query: { versionId: "1" } }), "an object's bytes").to.equal(undefined);
        expect(s3AnswerRoot({ method: "PUT", bucket: "b", query: { versioning: "" } })).to.equal(undefined);
        expect(ossAnswerRoot({ method: "GET", query: { replicationProgress: "", "rule-id": "r" } })).to.equal("ReplicationProgress");
        expect(ossAnswerRoot({ method: "GET", query: { replicationLocation: "" } })).to.equal("ReplicationLocation");
        expect(ossAnswerRoot({ method: "GET", query: { bucketInfo: "" } })).to.equal("BucketInfo");
        expect(ossAnswerRoot({ method: "POST", query: { delete: "" } })).to.equal("DeleteResult");
        expect(ossAnswerRoot({ method: "POST", query: { replication: "", comp: "delete" } })).to.equal(undefined);
    });
});

/** A server that answers every request with 200 and `body` (content type `type`). */
async function answeringServer(body: string, type: string): Promise<{ endpoint: string; close: () => Promise<void> }> {
    const server = http.createServer((request, response) => {
        request.resume();
        request.on("end", () => {
            response.writeHead(200, { "content-type": type });
            response.end(body);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const quickPolicy: RequestPolicy = { ...defaultRequestPolicy, requestTimeoutMs: 3000, connectTimeoutMs: 1000, maxRetries: 1, backoffBaseMs: 10, backoffMaxMs: 20 };

describe("a real call whose endpoint answers 200 with something else (issue 17, finding 6)", () => {
    it("ZoneS3 GetBucketVersioning against an HTML page with 200 fails, naming the zone, endpoint, operation, status and the page", async () => {
        const server = await answeringServer(htmlPage, "text/html");
        try {
            const s3 = new ZoneS3({
                zone: "local-a", endpoint: server.endpoint, region: "us-east-1", credentials: { accessKey: "unit-access", secretKey: "unit-secret-value" },
                requestPolicy: quickPolicy, serviceName: "MinIO S3", credentialHint: "the keys",
            });
            const error = await rejectionOf(s3.getBucketVersioning("photos"));
            expect(error).to.be.instanceOf(ServiceError);
            expect(error).to.deep.include({ zone: "local-a", endpoint: server.endpoint, httpStatus: 200, code: "InvalidResponse" });
            expect(error.message).to.contain(`GetBucketVersioning of 'photos' on zone 'local-a' (${server.endpoint}) failed: HTTP 200 InvalidResponse`)
                .and.contain("expected an XML document <VersioningConfiguration>, got an HTML page").and.contain("Welcome to the portal");
        } finally {
            await server.close();
        }
    });

    it("ZoneS3 GetBucketTagging against plain text with 200 fails instead of reading no tags", async () => {
        const server = await answeringServer("OK", "text/plain");
        try {
            const s3 = new ZoneS3({
                zone: "local-a", endpoint: server.endpoint, region: "us-east-1", credentials: { accessKey: "unit-access", secretKey: "unit-secret-value" },
                requestPolicy: quickPolicy, serviceName: "MinIO S3", credentialHint: "the keys",
            });
            const error = await rejectionOf(s3.getBucketTagging("photos"));
            expect(error).to.deep.include({ code: "InvalidResponse", httpStatus: 200 });
            expect(error.message).to.contain("got text that is not XML");
        } finally {
            await server.close();
        }
    });

    it("OSS GetBucketVersioning against another document with 200 fails, naming the document found", async () => {
        const server = await answeringServer(`<?xml version="1.0"?><ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>`, "application/xml");
        try {
            const oss = new OssClient({ zones: { "cn-beijing": { endpoint: server.endpoint, region: "cn-beijing" } }, credentials: { accessKey: "a", secretKey: "s" },
                requestPolicy: quickPolicy, credentialHint: "the keys" });
            const answer = await oss.send({ zone: "cn-beijing", bucket: "photos", method: "GET", query: { versioning: "" }, operation: "GetBucketVersioning of 'photos'" });
            let thrown: unknown;
            try {
                answer.xml();
            } catch (error) {
                thrown = error;
            }
            expect(thrown).to.be.instanceOf(ServiceError);
            expect((thrown as Error).message).to.contain("Alibaba OSS GetBucketVersioning of 'photos' on zone 'cn-beijing'")
                .and.contain("expected an XML document <VersioningConfiguration>, got a document <ListAllMyBucketsResult>");
        } finally {
            await server.close();
        }
    });
});
