import { expect } from "chai";
import { exo2Expiry, exo2StringToSign, signExo2 } from "../../provider/backends/exoscale/exo2Signer";

// Published vectors only:
// - egoscale: v2/api/security_test.go, TestSecurityProviderExoscale_SignRequest (github.com/exoscale/egoscale,
//   last changed in commit b70d4f9cca8c6cad210393e30dcf8652199d0ab7, unchanged at d767924d0525ec524c07d7a94caa96177b5d0565):
//   key EXOxxxxxxxxxxxxxxxxxxxxxxxx, secret 43 x 'X', expiry 2077-01-01T00:00:00Z.
// - exoscale-sdk-ts: test/signing.shared.ts, VECTORS (github.com/exoscale/exoscale-sdk-ts, commit
//   60f1838320663d789c61bfbb8f5bd4371f20f8d1), generated there by the Go reference in test/signing-vectors/:
//   key test-key, secret 0123456789abcdef, expiry 1750000000.
// No published vector has a ':' in its path (our PUT /v2/iam-role/{id}:policy) or the /v2/operation path:
// the closest published ones (a PUT with a body, a GET of /<resource>/<uuid>) stand for them, and the
// ':policy' path is checked against the message layout Exoscale documents (openapi-v2.exoscale.com,
// topic-api-request-signature), not against a vector of our own making.
const egoscale = { apiKey: "EXOxxxxxxxxxxxxxxxxxxxxxxxx", apiSecret: "X".repeat(43), expires: 3376684800 };
const sdkTs = { apiKey: "test-key", apiSecret: "0123456789abcdef", expires: 1750000000 };
const uuidPath = "0b12cb6b-7e3e-4c0e-9e10-1e5d8a7c4b2a";

describe("unit: EXO2-HMAC-SHA256 signer", () => {
    it("signs egoscale's GET /v2/zone", () => {
        expect(signExo2({ ...egoscale, method: "GET", path: "/v2/zone" })).to.equal(
            "EXO2-HMAC-SHA256 credential=EXOxxxxxxxxxxxxxxxxxxxxxxxx,expires=3376684800," +
            "signature=Ntbq/p0HVmA3Zg1HHY+Lq1vjFGi7HeMrrgXDS5jRNlY=");
    });

    it("signs egoscale's GET /v2/zone?k1=v1&k2=v2, listing the signed query names", () => {
        expect(signExo2({ ...egoscale, method: "GET", path: "/v2/zone", query: "k1=v1&k2=v2" })).to.equal(
            "EXO2-HMAC-SHA256 credential=EXOxxxxxxxxxxxxxxxxxxxxxxxx,signed-query-args=k1;k2,expires=3376684800," +
            "signature=iqOBz13+44L5j0uJclE8hmUhQQcvtCSoPEOXYK6liqY=");
    });

    it("signs query parameters by name order, whatever order they are sent in", () => {
        const reordered = signExo2({ ...egoscale, method: "GET", path: "/v2/zone", query: new URLSearchParams([["k2", "v2"], ["k1", "v1"]]) });
        expect(reordered).to.contain("signed-query-args=k1;k2,").and.to.contain("signature=iqOBz13+44L5j0uJclE8hmUhQQcvtCSoPEOXYK6liqY=");
    });

    it("signs exoscale-sdk-ts's POST /instance with a JSON body", () => {
        const header = signExo2({ ...sdkTs, method: "POST", path: "/instance", body: '{"disk-size":10,"name":"foo"}' });
        expect(header).to.equal("EXO2-HMAC-SHA256 credential=test-key,expires=1750000000,signature=ZqEE7tXE57UIydqAXHsqZgGA/UzTft1t9PFFVKvNGtA=");
    });

    it("signs exoscale-sdk-ts's GET /instance?labels=a%20b with the decoded value", () => {
        const header = signExo2({ ...sdkTs, method: "GET", path: "/instance", query: "?labels=a%20b" });
        expect(header).to.equal(
            "EXO2-HMAC-SHA256 credential=test-key,signed-query-args=labels,expires=1750000000,signature=c52iAK8YkX82SvWfz2L0NB3ifLH+B4tVwMAhdczd+hA=");
        expect(exo2StringToSign({ method: "GET", path: "/instance", query: "labels=a%20b", expires: 1750000000 }))
            .to.equal("GET /instance\n\na b\n\n1750000000");
    });

    it("signs exoscale-sdk-ts's GET /instance/{uuid} (get-no-body-no-query), as our GET /v2/operation/{id} and GET /v2/iam-role/{id}", () => {
        expect(signExo2({ ...sdkTs, method: "GET", path: `/instance/${uuidPath}` })).to.equal(
            "EXO2-HMAC-SHA256 credential=test-key,expires=1750000000,signature=xdOhvE746GnETaaYoflEK4ucguvSsVJW1fnXZAboV54=");
    });

    it("signs exoscale-sdk-ts's GET /instance?labels=web&manager-type=instance-pool (get-query)", () => {
        expect(signExo2({ ...sdkTs, method: "GET", path: "/instance", query: "labels=web&manager-type=instance-pool" })).to.equal(
            "EXO2-HMAC-SHA256 credential=test-key,signed-query-args=labels;manager-type,expires=1750000000,signature=gVbvdwVNMPtM6KFi0aNOcMfJ6P4kJhgUX/r6KT+mt9k=");
    });

    it("signs exoscale-sdk-ts's PUT /instance/{uuid} with a JSON body and a query (put-body-query), as our PUT of a role or its policy", () => {
        expect(signExo2({ ...sdkTs, method: "PUT", path: `/instance/${uuidPath}`, body: '{"tags":["a"]}', query: "include-deprecated=true" })).to.equal(
            "EXO2-HMAC-SHA256 credential=test-key,signed-query-args=include-deprecated,expires=1750000000,signature=X8y11+VpWDTXeX7V88MtwWBn33rCh4d+d6nLtDkzC3g=");
    });

    it("signs exoscale-sdk-ts's DELETE /vpc/{uuid} without a body (delete-no-body), as our DELETE /v2/iam-role/{id}", () => {
        expect(signExo2({ ...sdkTs, method: "DELETE", path: `/vpc/${uuidPath}` })).to.equal(
            "EXO2-HMAC-SHA256 credential=test-key,expires=1750000000,signature=7ZZ1cRu5alwvGdq5CVMcme5fbWCinBUfxeQmyb3IDoA=");
    });

    it("signs PUT /v2/iam-role/{id}:policy over the path as sent, ':' literal (no published vector: the documented message layout)", () => {
        // Exoscale documents the message as "<METHOD> <path>", the body, the signed query values, the signed
        // header values (none) and the expiry, joined by "\n"; no published vector covers a ':' in the path.
        const body = '{"default-service-strategy":"deny","services":{"sos":{"type":"allow"}}}';
        expect(exo2StringToSign({ method: "PUT", path: `/v2/iam-role/${uuidPath}:policy`, body, expires: 1750000000 }))
            .to.equal(`PUT /v2/iam-role/${uuidPath}:policy\n${body}\n\n\n1750000000`);
        expect(signExo2({ ...sdkTs, method: "PUT", path: `/v2/iam-role/${uuidPath}:policy`, body }))
            .to.match(/^EXO2-HMAC-SHA256 credential=test-key,expires=1750000000,signature=[A-Za-z0-9+/]{43}=$/);
    });

    it("leaves repeated query parameters out of the signature", () => {
        const header = signExo2({ ...egoscale, method: "GET", path: "/v2/zone", query: "k1=v1&k2=v2&k3=a&k3=b" });
        expect(header).to.contain("signed-query-args=k1;k2,").and.to.contain("signature=iqOBz13+44L5j0uJclE8hmUhQQcvtCSoPEOXYK6liqY=");
    });

    it("expires signatures ten minutes from now, in whole seconds", () => {
        expect(exo2Expiry(1_700_000_000_999)).to.equal(1_700_000_600);
    });
});
