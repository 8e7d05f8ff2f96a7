import { expect } from "chai";
import { createHash } from "crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";
import { formatQuery, s3Path, signV4 } from "../../provider/transport/sigv4";

// Our SigV4 signer against the AWS SigV4 test suite's "get-vanilla" case and against the AWS SDK's own
// signer (@smithy/signature-v4, S3 mode: the path signed as sent) on the requests our clients make.
describe("SigV4 signer (provider/transport/sigv4.ts)", () => {
    const at = new Date("2015-08-30T12:36:00Z");
    const exampleKey = { accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "service" };
    const sha256 = (body: string) => createHash("sha256").update(body).digest("hex");

    it("matches the AWS test suite's get-vanilla signature", () => {
        const headers = signV4({ method: "GET", path: "/", query: {}, headers: { host: "example.amazonaws.com" }, payloadHash: sha256("") }, exampleKey, at);
        expect(headers["x-amz-date"]).to.equal("20150830T123600Z");
        expect(headers.authorization).to.equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
            "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    });

    const cases: { name: string; method: string; path: string; query: Record<string, string>; body: string }[] = [
        { name: "a bucket sub-resource with an empty value", method: "GET", path: s3Path("my-bucket"), query: { versioning: "" }, body: "" },
        { name: "a listing with markers and a prefix that need escaping", method: "GET", path: s3Path("my-bucket"),
            query: { versions: "", prefix: "a b/c+d*", "key-marker": "k~1!", "max-keys": "1000" }, body: "" },
        { name: "an object key with slashes, spaces and unicode", method: "PUT", path: s3Path("my-bucket", "dir/sub dir/änder(1).txt"), query: {}, body: "hello" },
        { name: "a MinIO admin call with a JSON query", method: "PUT", path: "/minio/admin/v3/set-remote-target",
            query: { bucket: "source-bucket" }, body: "{\"x\":1}" },
        { name: "a POST with a body and Content-MD5", method: "POST", path: s3Path("my-bucket"), query: { delete: "" }, body: "<Delete/>" },
    ];
    for (const c of cases) {
        it(`signs ${c.name} as the AWS SDK's signer does`, async () => {
            const key = { accessKey: "pbr-admin", secretKey: "a/secret+key", region: "ch-gva-2", service: "s3" };
            const payloadHash = sha256(c.body);
            const given = { host: "127.0.0.1:9100", "x-amz-content-sha256": payloadHash, "content-md5": createHash("md5").update(c.body).digest("base64") };
            const ours = signV4({ method: c.method, path: c.path, query: c.query, headers: given, payloadHash }, key, at);
            const smithy = new SignatureV4({ service: "s3", region: key.region, credentials: { accessKeyId: key.accessKey, secretAccessKey: key.secretKey },
                sha256: Hash.bind(null, "sha256"), uriEscapePath: false });
            const theirs = await smithy.sign({ method: c.method, protocol: "http:", hostname: "127.0.0.1", port: 9100, path: c.path, query: c.query,
                headers: given, body: c.body }, { signingDate: at });
            expect(ours.authorization).to.equal(theirs.headers.authorization);
        });
    }

    it("sends the query as it signs it: sorted, RFC 3986 escaped, empty values kept", () => {
        expect(formatQuery({ versions: "", prefix: "a b*", "key-marker": "x" })).to.equal("?key-marker=x&prefix=a%20b%2A&versions=");
        expect(formatQuery({})).to.equal("");
        expect(s3Path("b", "a/b c")).to.equal("/b/a/b%20c");
    });

    it("adds the session token, and signs it, when the key has one", () => {
        const headers = signV4({ method: "GET", path: "/", query: {}, headers: { host: "h" }, payloadHash: sha256("") }, { ...exampleKey, sessionToken: "token" }, at);
        expect(headers["x-amz-security-token"]).to.equal("token");
        expect(headers.authorization).to.include("SignedHeaders=host;x-amz-date;x-amz-security-token,");
    });
});
