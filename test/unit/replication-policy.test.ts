import { expect } from "chai";
import { replicationPolicyFor } from "../../provider/backends/registry";

describe("replicationPolicy per backend", () => {
    const source = { zone: "eu-west-1", bucket: "src" };
    const destination = { zone: "us-east-1", bucket: "dst" };
    const replicaKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    it("gives the AWS role KMS permissions only when replicas are encrypted with a KMS key", () => {
        const plain = JSON.stringify(replicationPolicyFor("aws", source, [destination]));
        expect(plain).to.not.contain("kms:");
        const withKms = JSON.stringify(replicationPolicyFor("aws", source, [destination], {
            rules: [{ destination, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: replicaKey } }],
        }));
        expect(withKms).to.contain("kms:Decrypt").and.contain("kms:Encrypt").and.contain(replicaKey);
    });

    it("leaves the policy of backends without KMS unchanged by KMS options", () => {
        const options = { rules: [{ destination: { zone: "local-b", bucket: "dst" }, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "k" } }] };
        const ref = { zone: "local-a", bucket: "src" };
        expect(replicationPolicyFor("minio", ref, [options.rules[0].destination], options))
            .to.deep.equal(replicationPolicyFor("minio", ref, [options.rules[0].destination]));
    });
});

describe("components' defaults per backend", () => {
    // BiDirectional replicates replica changes back only where the backend has that setting.
    it("knows which backends take replicaModifications", () => {
        const { acceptsRuleOption } = require("../../provider/backends/registry") as typeof import("../../provider/backends/registry");
        expect(["minio", "aws", "exoscale", "oss"].map((backend) => acceptsRuleOption(backend, "replicaModifications", true)))
            .to.deep.equal([true, true, false, false]);
    });
});
