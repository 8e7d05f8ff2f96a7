import { expect } from "chai";
import { awsCredentialsOf, credentialChainMarker } from "../../provider/backends/aws/credentials";
import { defaults } from "../../provider/backends/aws";
import { decodePolicyDocument } from "../../provider/backends/aws/roles";
import { policyProblems, replicationPolicy, trustPolicy } from "../../provider/backends/aws/policy";
import { awsRegions, regionOfLocation } from "../../provider/backends/aws/regions";
import { resolveSettings } from "../../provider/settings";
import { unknownValue } from "../../provider/validation";

const source = { zone: "eu-west-1", bucket: "my-source" };
const destination = { zone: "us-east-1", bucket: "my-destination" };

describe("AWS IAM documents of a replication role", () => {
    it("trusts the S3 service only", () => {
        expect(trustPolicy()).to.deep.equal({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
    });

    it("grants the documented minimum: the source's configuration and object versions, replicate into each destination", () => {
        expect(replicationPolicy(source, [destination, destination, { zone: "us-east-1", bucket: "second" }])).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                { Sid: "ReadSourceReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                    Resource: ["arn:aws:s3:::my-source"] },
                { Sid: "ReadSourceObjectVersions", Effect: "Allow",
                    Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                    Resource: ["arn:aws:s3:::my-source/*"] },
                { Sid: "ReplicateIntoDestinations", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                    Resource: ["arn:aws:s3:::my-destination/*", "arn:aws:s3:::second/*"] },
            ],
        });
    });

    it("adds KMS permissions only when a rule replicates SSE-KMS objects, each bound to S3 in the bucket's region and to the bucket", () => {
        const plain = replicationPolicy(source, [destination], { rules: [{ destination, sseKms: { replicateEncryptedObjects: false } }] }) as { Statement: object[] };
        expect(plain.Statement).to.have.length(3);
        const key = "arn:aws:kms:us-east-1:111122223333:key/k";
        const kms = replicationPolicy(source, [destination], {
            rules: [{ destination, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: key } }],
            sourceKmsKeyArns: ["arn:aws:kms:eu-west-1:111122223333:key/s"],
        }) as { Statement: object[] };
        expect(kms.Statement.slice(3)).to.deep.equal([
            { Sid: "DecryptSourceObjects", Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["arn:aws:kms:eu-west-1:111122223333:key/s"],
                Condition: { StringLike: { "kms:ViaService": "s3.eu-west-1.amazonaws.com",
                    "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::my-source", "arn:aws:s3:::my-source/*"] } } },
            { Sid: "EncryptReplicas1", Effect: "Allow", Action: ["kms:Encrypt"], Resource: [key],
                Condition: { StringLike: { "kms:ViaService": "s3.us-east-1.amazonaws.com",
                    "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::my-destination", "arn:aws:s3:::my-destination/*"] } } },
        ]);
    });

    it("judges policy documents at preview: other backends' policies, missing parts, principals", () => {
        expect(policyProblems(replicationPolicy(source, [destination]) as Record<string, unknown>)).to.deep.equal([]);
        expect(policyProblems({ "default-service-strategy": "deny", services: {} })[0].message).to.contain("an Exoscale IAM policy");
        const problems = policyProblems({ Version: "2008-10-17", Statement: [{ Effect: "Permit", Principal: "*" }] });
        expect(problems.map((p) => p.path.join("."))).to.have.members(["Version", "Statement.0.Effect", "Statement.0.Action", "Statement.0.Resource", "Statement.0.Principal"]);
        expect(policyProblems({ Version: unknownValue, Statement: unknownValue })).to.deep.equal([]);
    });

    it("reads IAM's URL-encoded policy documents and plain ones alike", () => {
        const document = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::a b" }] };
        expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(document)))).to.deep.equal(document);
        expect(decodePolicyDocument(JSON.stringify(document))).to.deep.equal(document);
    });
});

describe("AWS backend settings", () => {
    it("knows every region S3 creates buckets in as a zone, with its regional endpoint", () => {
        const zones = defaults({}).zones!;
        expect(awsRegions()).to.include.members(["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1"]).and.not.include("EU");
        expect(zones["eu-west-1"]).to.deep.equal({ endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1" });
        expect(zones["cn-north-1"].endpoint).to.equal("https://s3.cn-north-1.amazonaws.com.cn");
        expect(regionOfLocation(undefined)).to.equal("us-east-1");
        expect(regionOfLocation("EU")).to.equal("eu-west-1");
    });

    it("uses the AWS credential chain without configured keys, configured keys when set, and refuses half a pair", () => {
        const chain = resolveSettings((key) => ({ backend: "aws" } as Record<string, string>)[key], { AWS_PROFILE: "prod" });
        expect(awsCredentialsOf(chain.credentials)).to.equal(undefined);
        expect(chain.credentialHint).to.contain("'bucket-replication:accessKey'").and.to.contain("AWS_ACCESS_KEY_ID")
            .and.to.contain("AWS_SECRET_ACCESS_KEY").and.to.contain("AWS_PROFILE");

        const keys = resolveSettings((key) => ({ backend: "aws", accessKey: "AKIA1", secretKey: "s" } as Record<string, string>)[key], {});
        expect(awsCredentialsOf(keys.credentials)).to.deep.equal({ accessKeyId: "AKIA1", secretAccessKey: "s" });

        const half = resolveSettings((key) => ({ backend: "aws", accessKey: "AKIA1" } as Record<string, string>)[key], {});
        expect(half.credentials.secretKey).to.equal(credentialChainMarker);
        expect(() => awsCredentialsOf(half.credentials)).to.throw(/Only one of 'bucket-replication:accessKey' and 'bucket-replication:secretKey'/);
    });

    it("gives automatic names an account digest that differs between profiles and keys, without asking AWS", () => {
        const digest = (env: NodeJS.ProcessEnv) => resolveSettings((key) => (key === "backend" ? "aws" : undefined), env).accountDigest;
        expect(digest({ AWS_PROFILE: "prod" })).to.not.equal(digest({ AWS_PROFILE: "dev" }));
        expect(digest({ AWS_ACCESS_KEY_ID: "AKIA1" })).to.not.equal(digest({ AWS_ACCESS_KEY_ID: "AKIA2" }));
        expect(digest({})).to.equal(digest({ AWS_PROFILE: "default" }));
    });
});
