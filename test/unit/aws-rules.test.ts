import { expect } from "chai";
import type { ReplicationRule } from "../../provider/backends/backend";
import { roleNamedBy } from "../../provider/backends/aws/awsBackend";
import { fromS3Rule, toS3Rule } from "../../provider/backends/aws/rules";
import { type AwsRuleCheck } from "../../provider/backends/aws/ruleOptions";
import { ruleProblemsFor } from "../../provider/backends/registry";

const destination = { zone: "us-east-1", bucket: "replicas" };

function rule(overrides: Partial<ReplicationRule> = {}): ReplicationRule {
    return {
        id: "to-replicas", priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: false, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination, ...overrides,
    };
}

const noZone = () => "eu-west-1";

describe("AWS replication rules: the shared rule model as an S3 replication document", () => {
    it("writes the smallest V2 rule: an empty prefix filter, delete markers off, the destination as an ARN", () => {
        expect(toS3Rule(rule())).to.deep.equal({
            ID: "to-replicas", Priority: 1, Status: "Enabled", Filter: { Prefix: "" },
            DeleteMarkerReplication: { Status: "Disabled" }, Destination: { Bucket: "arn:aws:s3:::replicas" },
        });
    });

    it("filters by prefix, by one tag, and by prefix and tags together (tags sorted by key)", () => {
        expect(toS3Rule(rule({ prefix: "logs/" })).Filter).to.deep.equal({ Prefix: "logs/" });
        expect(toS3Rule(rule({ prefixes: ["logs/"] })).Filter).to.deep.equal({ Prefix: "logs/" });
        expect(toS3Rule(rule({ tags: { team: "a" } })).Filter).to.deep.equal({ Tag: { Key: "team", Value: "a" } });
        expect(toS3Rule(rule({ tags: { z: "1", a: "2" } })).Filter).to.deep.equal({ And: { Tags: [{ Key: "a", Value: "2" }, { Key: "z", Value: "1" }] } });
        expect(toS3Rule(rule({ prefix: "logs/", tags: { team: "a" } })).Filter)
            .to.deep.equal({ And: { Prefix: "logs/", Tags: [{ Key: "team", Value: "a" }] } });
    });

    it("maps every option: delete markers, existing objects, replica modifications, storage class, SSE-KMS, RTC with metrics", () => {
        const key = "arn:aws:kms:us-east-1:111122223333:key/abcd";
        expect(toS3Rule(rule({
            priority: 7, status: "Disabled", deleteMarkerReplication: true, existingObjectReplication: true, replicaModifications: true,
            sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: key }, replicationTimeControl: true,
            destination: { ...destination, storageClass: "GLACIER_IR" },
        }))).to.deep.equal({
            ID: "to-replicas", Priority: 7, Status: "Disabled", Filter: { Prefix: "" },
            DeleteMarkerReplication: { Status: "Enabled" },
            ExistingObjectReplication: { Status: "Enabled" },
            SourceSelectionCriteria: { ReplicaModifications: { Status: "Enabled" }, SseKmsEncryptedObjects: { Status: "Enabled" } },
            Destination: {
                Bucket: "arn:aws:s3:::replicas", StorageClass: "GLACIER_IR",
                EncryptionConfiguration: { ReplicaKmsKeyID: key },
                ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } },
                Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } },
            },
        });
    });

    it("names destinations in the partition of their region", () => {
        expect(toS3Rule(rule({ destination: { zone: "cn-north-1", bucket: "b" } })).Destination!.Bucket).to.equal("arn:aws-cn:s3:::b");
        expect(toS3Rule(rule({ destination: { zone: "us-gov-west-1", bucket: "b" } })).Destination!.Bucket).to.equal("arn:aws-us-gov:s3:::b");
    });

    it("reads every field from the service's answer, where it differs from the state in each", () => {
        const known = rule({
            prefixes: ["a/"], tags: { team: "x" }, deleteMarkerReplication: false, existingObjectReplication: true, replicaModifications: true,
            sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k" }, replicationTimeControl: true,
            destination: { ...destination, storageClass: "STANDARD_IA" },
        });
        // Another tool rewrote the rule: every field the document holds is something else now.
        const read = fromS3Rule({
            ID: "to-replicas", Priority: 7, Status: "Disabled",
            Filter: { And: { Prefix: "b/", Tags: [{ Key: "team", Value: "y" }, { Key: "env", Value: "prod" }] } },
            DeleteMarkerReplication: { Status: "Enabled" },
            Destination: { Bucket: "arn:aws:s3:::replicas", StorageClass: "GLACIER", EncryptionConfiguration: { ReplicaKmsKeyID: "arn:aws:kms:us-east-1:111122223333:key/other" } },
        }, known, noZone);
        expect(read).to.deep.equal({
            id: "to-replicas", priority: 7, status: "Disabled", prefix: "b/", tags: { team: "y", env: "prod" },
            deleteMarkerReplication: true, deleteReplication: false, existingObjectReplication: false, replicaModifications: false,
            destination: { ...destination, storageClass: "GLACIER" },
            sseKms: { replicateEncryptedObjects: false, replicaKmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/other" },
            replicationTimeControl: false,
        });
    });

    it("turns on what the state has off: existing objects, replica modifications, SSE-KMS, RTC", () => {
        const read = fromS3Rule({
            ID: "to-replicas", Priority: 1, Status: "Enabled", Filter: { Prefix: "" }, DeleteMarkerReplication: { Status: "Disabled" },
            ExistingObjectReplication: { Status: "Enabled" },
            SourceSelectionCriteria: { ReplicaModifications: { Status: "Enabled" }, SseKmsEncryptedObjects: { Status: "Enabled" } },
            Destination: {
                Bucket: "arn:aws:s3:::replicas", EncryptionConfiguration: { ReplicaKmsKeyID: "arn:aws:kms:us-east-1:111122223333:key/k" },
                ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } }, Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } },
            },
        }, rule(), noZone);
        expect(read).to.deep.include({
            existingObjectReplication: true, replicaModifications: true, replicationTimeControl: true,
            sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k" },
        });
    });

    it("spells an unchanged value as the state does, so a refresh invents no drift (one prefix as 'prefixes', KMS and RTC off)", () => {
        const known = rule({ prefix: "", prefixes: ["a/"], sseKms: { replicateEncryptedObjects: false }, replicationTimeControl: false });
        const answer = { ID: "to-replicas", Priority: 1, Status: "Enabled" as const, Filter: { Prefix: "a/" }, DeleteMarkerReplication: { Status: "Disabled" as const },
            Destination: { Bucket: "arn:aws:s3:::replicas" } };
        expect(fromS3Rule(answer, known, noZone)).to.deep.equal(known);
        const { sseKms: _k, replicationTimeControl: _r, prefixes: _p, ...plain } = known;
        expect(fromS3Rule({ ...answer, Filter: { Prefix: "" } }, { ...plain, prefix: "" }, noZone)).to.deep.equal({ ...plain, prefix: "" });
    });

    it("names the configuration's role by the ARN the service answers, and the role name the ARN ends with", () => {
        const known = { id: "arn:aws:iam::111122223333:role/replication-a", name: "replication-a", description: "d", editable: true, labels: {}, policy: {} };
        expect(roleNamedBy("arn:aws:iam::111122223333:role/replication-a", known)).to.equal(known);
        expect(roleNamedBy("arn:aws:iam::111122223333:role/team/other-role", known))
            .to.deep.equal({ ...known, id: "arn:aws:iam::111122223333:role/team/other-role", name: "other-role" });
    });

    it("shows what changed out of band, and places an unknown destination by the zone lookup", () => {
        const known = rule({ deleteMarkerReplication: true, prefix: "a/" });
        const read = fromS3Rule({
            ID: "to-replicas", Priority: 3, Status: "Disabled", Filter: { Prefix: "b/" }, DeleteMarkerReplication: { Status: "Disabled" },
            Destination: { Bucket: "arn:aws:s3:::elsewhere" },
        }, known, (bucket) => (bucket === "elsewhere" ? "ap-south-1" : "?"));
        expect(read).to.deep.include({ priority: 3, status: "Disabled", prefix: "b/", deleteMarkerReplication: false });
        expect(read.destination).to.deep.equal({ bucket: "elsewhere", zone: "ap-south-1" });
    });

    it("reads a V1 rule made elsewhere (prefix on the rule, no filter, no priority)", () => {
        const read = fromS3Rule({ ID: "old", Status: "Enabled", Prefix: "legacy/", Destination: { Bucket: "arn:aws:s3:::replicas" } }, undefined, noZone);
        expect(read).to.deep.include({ id: "old", priority: 0, prefix: "legacy/", deleteMarkerReplication: false });
        expect(read.destination).to.deep.equal({ bucket: "replicas", zone: "eu-west-1" });
    });
});

describe("AWS replication rules: what AWS refuses, at preview", () => {
    // What preview says: the options AWS does not take (the registry, from aws/ruleOptions.ts), then AWS's own rules.
    const check = (rules: Record<string, AwsRuleCheck>) => ruleProblemsFor("aws", rules);
    const fine: AwsRuleCheck = { priority: 1, destination: { zone: "us-east-1", bucket: "b" } };

    it("accepts the whole rule model that AWS can express", () => {
        expect(check({
            a: { ...fine, prefix: "x/", tags: { t: "1" }, existingObjectReplication: true, replicaModifications: true, replicationTimeControl: true,
                sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k" },
                destination: { zone: "us-east-1", bucket: "b", storageClass: "DEEP_ARCHIVE" } },
            b: { ...fine, priority: 2, deleteMarkerReplication: true, prefixes: ["y/"] },
        })).to.deep.equal([]);
    });

    it("refuses version-delete replication, transfer type, several prefixes and delete markers with tag filters, naming field and fix", () => {
        const problems = check({
            deletes: { ...fine, deleteReplication: true },
            fast: { ...fine, transferType: "oss_acc" },
            many: { ...fine, prefixes: ["a/", "b/"] },
            tagged: { ...fine, tags: { t: "1" }, deleteMarkerReplication: true },
        });
        const byPath = Object.fromEntries(problems.map((p) => [p.path.join("."), p.message]));
        expect(Object.keys(byPath)).to.have.members(["deletes.deleteReplication", "fast.transferType", "many.prefixes", "tagged.deleteMarkerReplication"]);
        expect(byPath["deletes.deleteReplication"]).to.contain("Set 'deleteReplication: false'");
        expect(byPath["fast.transferType"]).to.contain("Remove 'transferType'");
        expect(byPath["many.prefixes"]).to.contain("one rule per prefix");
        expect(byPath["tagged.deleteMarkerReplication"]).to.contain("tag filter");
    });

    it("asks for the replica key as an ARN in the destination's region, together with replicateEncryptedObjects", () => {
        const problems = check({
            nokey: { ...fine, sseKms: { replicateEncryptedObjects: true } },
            nobool: { ...fine, sseKms: { replicaKmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k" } },
            alias: { ...fine, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "alias/replicas" } },
            region: { ...fine, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "arn:aws:kms:eu-west-1:111122223333:key/k" } },
        });
        const byPath = Object.fromEntries(problems.map((p) => [p.path.join("."), p.message]));
        expect(byPath["nokey.sseKms.replicaKmsKeyId"]).to.contain("set 'sseKms.replicaKmsKeyId'");
        expect(byPath["nobool.sseKms.replicateEncryptedObjects"]).to.contain("Set 'sseKms.replicateEncryptedObjects: true'");
        expect(byPath["alias.sseKms.replicaKmsKeyId"]).to.contain("not a key ID or alias");
        expect(byPath["region.sseKms.replicaKmsKeyId"]).to.contain("use a key of us-east-1");
    });

    it("refuses storage classes replicas cannot be written in, and more than 1000 rules", () => {
        expect(check({ a: { ...fine, destination: { zone: "us-east-1", bucket: "b", storageClass: "EXPRESS_ONEZONE" } } })[0].path)
            .to.deep.equal(["a", "destination", "storageClass"]);
        const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`r${i}`, { ...fine, priority: i }]));
        expect(check(many)[0].message).to.contain("at most 1000 rules");
    });
});
