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

describe("replicationPolicy({ ownerOverride }) (issue 20)", () => {
    function policyOf(args: Parameters<typeof import("../../sdk").replicationPolicy>[0]): Promise<string> {
        const { replicationPolicy } = require("../../sdk") as typeof import("../../sdk");
        return new Promise((resolve) => replicationPolicy(args).apply((policy) => resolve(JSON.stringify(policy))));
    }

    it("lets the AWS role change the replicas' owner only when asked, on the destinations' objects", async () => {
        const buckets = { source: { name: "src", zone: "eu-west-1" }, destinations: [{ name: "dst", zone: "us-east-1" }], backend: "aws" };
        expect(await policyOf(buckets)).to.not.contain("ObjectOwnerOverrideToBucketOwner");
        const overridden = await policyOf({ ...buckets, ownerOverride: true });
        expect(overridden).to.contain("s3:ObjectOwnerOverrideToBucketOwner").and.contain("arn:aws:s3:::dst/*");
    });

    it("refuses an ownerOverride that is not true or false", () => {
        const { replicationPolicyProblems } = require("../../sdk/replicationPolicy") as typeof import("../../sdk/replicationPolicy");
        expect(replicationPolicyProblems({ source: { name: "a", zone: "z" }, destinations: [{ name: "b", zone: "z" }], ownerOverride: "yes" }, "aws"))
            .to.deep.equal(["'ownerOverride' must be true or false."]);
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
