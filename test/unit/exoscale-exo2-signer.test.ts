import { expect } from "chai";
import { exo2Expiry, exo2StringToSign, signExo2 } from "../../provider/backends/exoscale/exo2Signer";

// Vectors from the reference (exoscale-and-oss-api.md): egoscale v2/api/security_test.go,
// exoscale-sdk-ts test/signing.shared.ts, and two computed independently for the IAM calls we make.
const egoscale = { apiKey: "EXOxxxxxxxxxxxxxxxxxxxxxxxx", apiSecret: "X".repeat(43), expires: 3376684800 };
const sdkTs = { apiKey: "test-key", apiSecret: "0123456789abcdef", expires: 1750000000 };

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

    it("signs PUT /v2/iam-role/{id}:policy with the ':' literal in the path", () => {
        const header = signExo2({
            ...sdkTs,
            method: "PUT",
            path: "/v2/iam-role/0b12cb6b-7e3e-4c0e-9e10-1e5d8a7c4b2a:policy",
            body: '{"default-service-strategy":"deny","services":{"sos":{"type":"allow"}}}',
        });
        expect(header).to.equal("EXO2-HMAC-SHA256 credential=test-key,expires=1750000000,signature=OzhMN7eW2cfCUlR66eGhiYn51NOajZuTUPs8UpQZQTk=");
    });

    it("signs GET /v2/operation/{id}", () => {
        const header = signExo2({ ...sdkTs, method: "GET", path: "/v2/operation/0b12cb6b-7e3e-4c0e-9e10-1e5d8a7c4b2a" });
        expect(header).to.equal("EXO2-HMAC-SHA256 credential=test-key,expires=1750000000,signature=OIZsd9tFZd2LuuavKm6NmI1zio1h7gsiA/70fUaVh/o=");
    });

    it("leaves repeated query parameters out of the signature", () => {
        const header = signExo2({ ...egoscale, method: "GET", path: "/v2/zone", query: "k1=v1&k2=v2&k3=a&k3=b" });
        expect(header).to.contain("signed-query-args=k1;k2,").and.to.contain("signature=iqOBz13+44L5j0uJclE8hmUhQQcvtCSoPEOXYK6liqY=");
    });

    it("expires signatures ten minutes from now, in whole seconds", () => {
        expect(exo2Expiry(1_700_000_000_999)).to.equal(1_700_000_600);
    });
});
