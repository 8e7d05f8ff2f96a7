import { expect } from "chai";
import { acs3Authorization, acs3CanonicalQuery } from "../../provider/backends/oss/acs3Signer";
import { ossCanonicalQuery, ossDateTime, ossResourcePath, signOssV4 } from "../../provider/backends/oss/ossV4Signer";

// Alibaba's published vectors, re-computed by our signers. Every input is the vector's own.

/** The request of TestV4AuthHeader and its siblings (aliyun/alibabacloud-oss-python-sdk-v2, tests/unit/signer/test_v4.py). */
function vectorRequest(epochSeconds: number, additionalHeaders?: string[]) {
    const signingTime = new Date(epochSeconds * 1000);
    return {
        method: "PUT",
        bucket: "bucket",
        key: "1234+-/123/1.txt",
        query: { "param1": "value1", "+param1": "value3", "|param1": "value4", "+param2": "", "|param2": "", "param2": "" },
        headers: {
            "x-oss-head1": "value", "abc": "value", "ZAbc": "value", "XYZ": "value", "content-type": "text/plain",
            "x-oss-content-sha256": "UNSIGNED-PAYLOAD", "x-oss-date": ossDateTime(signingTime),
        },
        additionalHeaders,
        region: "cn-hangzhou",
        accessKeyId: "ak",
        accessKeySecret: "sk",
        signingTime,
    };
}

describe("OSS V4 signer (OSS4-HMAC-SHA256)", () => {
    it("matches Alibaba's published header vector", () => {
        expect(signOssV4(vectorRequest(1702743657))).to.equal(
            "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe");
    });

    it("matches the vector with additional headers, signing only those present", () => {
        const expected = "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc," +
            "Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f";
        expect(signOssV4(vectorRequest(1702747512, ["ZAbc", "abc"]))).to.equal(expected);
        // x-oss-head1 is signed by default and x-oss-no-exist is absent: neither is listed.
        expect(signOssV4(vectorRequest(1702747512, ["x-oss-no-exist", "ZAbc", "x-oss-head1", "abc"]))).to.equal(expected);
    });

    it("encodes the resource path with the bucket, keeping slashes, and sorts the query by encoded name", () => {
        expect(ossResourcePath(undefined, undefined)).to.equal("/");
        expect(ossResourcePath("srcexamplebucket", undefined)).to.equal("/srcexamplebucket/");
        expect(ossResourcePath("b", "a b/c+d")).to.equal("/b/a%20b/c%2Bd");
        expect(ossCanonicalQuery({ replication: "", comp: "add" })).to.equal("comp=add&replication");
        expect(ossCanonicalQuery({ "rule-id": "a b", replicationProgress: "" })).to.equal("replicationProgress&rule-id=a%20b");
    });
});

describe("Alibaba Cloud API signer (ACS3-HMAC-SHA256), used for RAM", () => {
    it("matches the fixed example of Alibaba's V3 signature documentation (ECS RunInstances)", () => {
        const authorization = acs3Authorization({
            method: "POST",
            host: "ecs.cn-shanghai.aliyuncs.com",
            path: "/",
            query: { ImageId: "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", RegionId: "cn-shanghai" },
            action: "RunInstances",
            version: "2014-05-26",
            body: "",
            accessKeyId: "YourAccessKeyId",
            accessKeySecret: "YourAccessKeySecret",
            date: new Date("2023-10-26T10:22:32Z"),
            nonce: "3156853299f313e23d1673dc12e1703d",
        }).headers.authorization;
        expect(authorization).to.equal("ACS3-HMAC-SHA256 Credential=YourAccessKeyId," +
            "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version," +
            "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
    });

    it("percent-encodes as RFC 3986 ('~' kept; space, '*', '/' encoded) and keeps empty values as 'name='", () => {
        expect(acs3CanonicalQuery({ b: "", a: "x y*/~" })).to.equal("a=x%20y%2A%2F~&b=");
    });
});
