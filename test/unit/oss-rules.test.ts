import { expect } from "chai";
import type { ReplicationRule } from "../../provider/backends/backend";
import { bucketNameProblems, policyProblems, replicationPolicy } from "../../provider/backends/oss";
import { syncRoleOf } from "../../provider/backends/oss/replication";
import { splitRoleMarker, withRoleMarker } from "../../provider/backends/oss/roles";
import { requestUrl } from "../../provider/backends/oss/ossClient";
import { crossesMainlandBorder } from "../../provider/backends/oss/regions";
import { type OssRule, orFilterMarker, putRuleXml, readRules, sameRule, toModel } from "../../provider/backends/oss/rules";
import { ruleProblemsFor } from "../../provider/backends/registry";
import { parseXml } from "../../provider/backends/s3/xml";

// How the shared rule model maps onto OSS's rule document, and what OSS refuses at preview.

const destination = { bucket: "destexamplebucket", zone: "cn-beijing" };

function rule(overrides: Partial<ReplicationRule> = {}): ReplicationRule {
    return {
        id: "r1", priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: true, deleteReplication: false,
        existingObjectReplication: true, replicaModifications: false, destination, ...overrides,
    };
}

describe("OSS rules: what OSS cannot express fails at preview, naming field, backend and alternative", () => {
    // What preview says: the options OSS does not take (the registry, from oss/ruleOptions.ts), then OSS's own rules, in field order.
    const fieldOrder = ["tags", "status", "deleteReplication", "replicaModifications", "destination"];
    const messages = (rules: Record<string, object>, source?: { zone: string }) => ruleProblemsFor("oss", rules, source)
        .map((p) => `${p.path.join(".")}: ${p.message}`)
        .sort((a, b) => fieldOrder.indexOf(a.split(/[.:]/)[1]) - fieldOrder.indexOf(b.split(/[.:]/)[1]));

    it("is what the registry answers for the 'oss' backend", () => {
        expect(ruleProblemsFor("oss", { r1: { replicaModifications: true, destination } })).to.have.length(1);
        expect(ruleProblemsFor("oss", { r1: { tags: { a: "b" }, destination } })).to.deep.equal([]);
    });

    it("refuses a disabled rule, version-delete replication, replica modifications and a storage class", () => {
        const found = messages({ r1: { status: "Disabled", deleteReplication: true, replicaModifications: true, destination: { ...destination, storageClass: "IA" } } });
        expect(found).to.have.length(4);
        expect(found[0]).to.match(/^r1\.status: .*no disabled rules.*Remove the rule/);
        expect(found[1]).to.match(/^r1\.deleteReplication: .*never replicates the deletion of an object version.*'deleteMarkerReplication: true' \(OSS Action ALL\)/);
        expect(found[2]).to.match(/^r1\.replicaModifications: /);
        expect(found[3]).to.match(/^r1\.destination\.storageClass: /);
    });

    it("takes a tag filter within OSS's object tagging limits, except from the regions without one", () => {
        expect(messages({ r1: { tags: { team: "a", "project:x": "b c/d+e=f_g.h" }, prefixes: ["aaa/"], destination } }, { zone: "cn-hangzhou" })).to.deep.equal([]);
        expect(messages({ r1: { tags: { ["k".repeat(129)]: "v" }, destination } })[0]).to.match(/tag key of 129 bytes; .* 1 to 128 bytes/);
        expect(messages({ r1: { tags: { "": "v" }, destination } })[0]).to.match(/tag key of 0 bytes/);
        expect(messages({ r1: { tags: { k: "v".repeat(257) }, destination } })[0]).to.match(/value of 257 bytes; .* at most 256 bytes/);
        expect(messages({ r1: { tags: { "a&b": "v" }, destination } })[0]).to.match(/^r1\.tags\.a&b: .*only letters, digits, spaces and \+ - = \. _ : \//);
        expect(messages({ r1: { tags: { team: "a" }, destination } }, { zone: "cn-zhangjiakou" })[0]).to.match(/^r1\.tags: .*no tag filter for replication from cn-zhangjiakou/);
        // More than 10 tags is the shared validation's (every backend).
    });

    it("takes up to 10 prefixes, none empty", () => {
        expect(messages({ r1: { prefixes: Array.from({ length: 11 }, (_, i) => `p${i}/`), destination } })[0]).to.match(/at most 10 per rule/);
        expect(messages({ r1: { prefixes: ["a/", ""], destination } })[0]).to.match(/^r1\.prefixes\.1: .*empty prefix/);
        expect(messages({ r1: { prefixes: Array.from({ length: 10 }, (_, i) => `p${i}/`), destination } })).to.deep.equal([]);
    });

    it("wants a replica key exactly when SSE-KMS objects replicate", () => {
        expect(messages({ r1: { sseKms: { replicateEncryptedObjects: true }, destination } })[0]).to.match(/^r1\.sseKms\.replicaKmsKeyId: .*set 'sseKms\.replicaKmsKeyId'/);
        expect(messages({ r1: { sseKms: { replicateEncryptedObjects: false, replicaKmsKeyId: "k" }, destination } })[0]).to.match(/^r1\.sseKms\.replicateEncryptedObjects: /);
        expect(messages({ r1: { sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "k" }, destination } })).to.deep.equal([]);
    });

    it("refuses more than 100 rules", () => {
        const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`r${i}`, { prefix: `p${i}/`, destination }]));
        expect(messages(many)[0]).to.match(/101 rules are declared, but .* at most 100/);
    });

    it("has no priority: overlapping rules into one bucket are refused, disjoint ones accepted", () => {
        expect(messages({ a: { prefix: "logs/", destination }, b: { prefix: "logs/2026/", destination } })[0])
            .to.match(/^b\.priority: Rules 'a' and 'b' both replicate into 'destexamplebucket' and their prefixes overlap; .*no rule priority/);
        expect(messages({ a: { prefix: "logs/", destination }, b: { prefix: "images/", destination } })).to.deep.equal([]);
    });

    it("with the source's region: oss_acc and RTC are for cross-region replication, and the mainland border needs oss_acc", () => {
        expect(messages({ r1: { transferType: "oss_acc", destination: { ...destination, zone: "cn-hangzhou" } } }, { zone: "cn-hangzhou" })[0]).to.match(/same-region replication.*oss_acc/);
        expect(messages({ r1: { replicationTimeControl: true, destination: { ...destination, zone: "cn-hangzhou" } } }, { zone: "cn-hangzhou" })[0]).to.match(/RTC for cross-region replication only/);
        // RTC: only between two of hangzhou, shanghai, qingdao, beijing, zhangjiakou, shenzhen, or between us-west-1 and us-east-1 (Alibaba's RTC guide).
        const rtc = (from: string, to: string) => messages({ r1: { replicationTimeControl: true, transferType: crossesMainlandBorder(from, to) ? "oss_acc" : undefined,
            destination: { ...destination, zone: to } } }, { zone: from });
        for (const [from, to] of [["cn-hangzhou", "cn-beijing"], ["cn-qingdao", "cn-zhangjiakou"], ["cn-shenzhen", "cn-shanghai"], ["us-west-1", "us-east-1"], ["us-east-1", "us-west-1"]]) {
            expect(rtc(from, to), `${from} -> ${to}`).to.deep.equal([]);
        }
        for (const [from, to] of [["cn-chengdu", "cn-beijing"], ["cn-beijing", "cn-chengdu"], ["cn-hangzhou", "us-west-1"], ["us-west-1", "eu-central-1"], ["cn-hongkong", "cn-shanghai"]]) {
            expect(rtc(from, to).join("\n"), `${from} -> ${to}`).to.match(/^r1\.replicationTimeControl: .*offers RTC only between two of cn-hangzhou, cn-shanghai, cn-qingdao, cn-beijing, cn-zhangjiakou, cn-shenzhen, or between us-west-1 and us-east-1/m);
        }
        expect(messages({ r1: { destination: { ...destination, zone: "ap-southeast-1" } } }, { zone: "cn-hangzhou" })[0]).to.match(/across the border of the Chinese mainland.*'transferType: "oss_acc"'/);
        expect(messages({ r1: { transferType: "oss_acc", destination: { ...destination, zone: "ap-southeast-1" } } }, { zone: "cn-hangzhou" })).to.deep.equal([]);
        expect(crossesMainlandBorder("cn-hongkong", "cn-beijing")).to.equal(true);
    });
});

describe("OSS rules on the wire", () => {
    it("writes one rule per PutBucketReplication body, historical objects always explicit", () => {
        const xml = putRuleXml(rule({ prefixes: ["aaa/", "bbb/"], prefix: undefined, deleteMarkerReplication: false, existingObjectReplication: false,
            transferType: "oss_acc", replicationTimeControl: true, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "key-1" } }), "sync-role", "cn-beijing");
        expect(xml).to.equal(`<?xml version="1.0" encoding="UTF-8"?>\n<ReplicationConfiguration><Rule><ID>r1</ID><RTC><Status>enabled</Status></RTC>` +
            `<PrefixSet><Prefix>aaa/</Prefix><Prefix>bbb/</Prefix></PrefixSet><Action>PUT</Action>` +
            `<Destination><Bucket>destexamplebucket</Bucket><Location>oss-cn-beijing</Location><TransferType>oss_acc</TransferType></Destination>` +
            `<HistoricalObjectReplication>disabled</HistoricalObjectReplication><SyncRole>sync-role</SyncRole>` +
            `<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria>` +
            `<EncryptionConfiguration><ReplicaKmsKeyID>key-1</ReplicaKmsKeyID></EncryptionConfiguration></Rule></ReplicationConfiguration>`);
        expect(putRuleXml(rule(), "sync-role", "cn-beijing")).to.contain("<Action>ALL</Action>").and.contain("<HistoricalObjectReplication>enabled</HistoricalObjectReplication>")
            .and.not.contain("PrefixSet").and.not.contain("TransferType");
    });

    it("writes a tag filter as PutBucketReplication's UserTaggings, FilterType AND, tags by key", () => {
        const xml = putRuleXml(rule({ prefix: "aaa/", tags: { team: "ops", env: "prod" } }), "sync-role", "cn-beijing");
        // The request syntax of Alibaba's PutBucketReplication reference: UserTaggings after SyncRole, FilterType, then one UserTagging per tag.
        expect(xml).to.contain(`<SyncRole>sync-role</SyncRole><UserTaggings><FilterType>AND</FilterType>` +
            `<UserTagging><Key>env</Key><Value>prod</Value></UserTagging><UserTagging><Key>team</Key><Value>ops</Value></UserTagging></UserTaggings>`);
        expect(putRuleXml(rule({ tags: {} }), "sync-role", "cn-beijing")).to.not.contain("UserTaggings");
    });

    it("reads UserTaggings back: the model's tags, the same rule with AND in any order, another rule with OR", () => {
        const answer = (filterType: string) => parseXml(`<ReplicationConfiguration><Rule><ID>r1</ID><Action>ALL</Action>` +
            `<Destination><Bucket>destexamplebucket</Bucket><Location>oss-cn-beijing</Location></Destination><Status>doing</Status>` +
            `<HistoricalObjectReplication>enabled</HistoricalObjectReplication><SyncRole>sync-role</SyncRole>` +
            `<UserTaggings><FilterType>${filterType}</FilterType><UserTagging><Key>team</Key><Value>ops</Value></UserTagging>` +
            `<UserTagging><Key>env</Key><Value>prod</Value></UserTagging></UserTaggings></Rule></ReplicationConfiguration>`);
        const [and] = readRules(answer("AND"));
        expect(and).to.deep.include({ tagFilterType: "AND", tags: [{ key: "team", value: "ops" }, { key: "env", value: "prod" }] });
        const declared = rule({ tags: { env: "prod", team: "ops" } });
        expect(sameRule(and, declared, "sync-role", "cn-beijing")).to.equal(true);
        expect(sameRule(and, rule({ tags: { env: "prod" } }), "sync-role", "cn-beijing")).to.equal(false);
        expect(sameRule(and, rule(), "sync-role", "cn-beijing")).to.equal(false);
        expect(toModel(and, declared, "cn-beijing").tags).to.deep.equal({ team: "ops", env: "prod" });
        const [or] = readRules(answer("OR"));
        expect(sameRule(or, declared, "sync-role", "cn-beijing")).to.equal(false);
        expect(toModel(or, declared, "cn-beijing").tags).to.deep.equal({ team: "ops", env: "prod", [orFilterMarker]: "OR" });
        // A rule without a tag filter reads as none, whatever the state held: refresh shows tags removed outside Pulumi.
        const plain: OssRule = { id: "r1", status: "doing", prefixes: [], action: "ALL", destinationBucket: "destexamplebucket",
            destinationLocation: "oss-cn-beijing", historicalObjectReplication: "enabled", syncRole: "sync-role" };
        expect(toModel(plain, declared, "cn-beijing")).to.not.have.property("tags");
        expect(sameRule(plain, declared, "sync-role", "cn-beijing")).to.equal(false);
    });

    it("reads GetBucketReplication's elements into its rule record", () => {
        const answer = parseXml(`<ReplicationConfiguration><Rule><ID>r1</ID><PrefixSet><Prefix>aaa/</Prefix></PrefixSet><Action>ALL</Action>` +
            `<Destination><Bucket>destexamplebucket</Bucket><Location>oss-cn-beijing</Location></Destination><Status>doing</Status>` +
            `<HistoricalObjectReplication>enabled</HistoricalObjectReplication><SyncRole>sync-role</SyncRole></Rule></ReplicationConfiguration>`);
        const [actual] = readRules(answer);
        expect(actual).to.deep.include({ id: "r1", status: "doing", prefixes: ["aaa/"], action: "ALL", destinationLocation: "oss-cn-beijing", syncRole: "sync-role" });
        expect(sameRule(actual, rule({ prefix: "aaa/" }), "sync-role", "cn-beijing")).to.equal(true);
        expect(sameRule(actual, rule({ prefix: "aaa/", existingObjectReplication: false }), "sync-role", "cn-beijing")).to.equal(false);
        // A rule that replicates as another role, or as none, is added again by the next 'up'.
        expect(sameRule(actual, rule({ prefix: "aaa/" }), "other-role", "cn-beijing")).to.equal(false);
        expect(sameRule({ ...actual, syncRole: undefined }, rule({ prefix: "aaa/" }), "sync-role", "cn-beijing")).to.equal(false);
    });

    it("reads every field OSS holds from its answer, where it differs from the state in each", () => {
        const known = rule({ prefix: "", prefixes: ["aaa/"], tags: { team: "x" }, deleteMarkerReplication: true, existingObjectReplication: true,
            transferType: "oss_acc", replicationTimeControl: true, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "key-1" } });
        const actual: OssRule = {
            id: "r1", status: "doing", prefixes: ["bbb/", "ccc/"], action: "PUT", destinationBucket: "elsewhere", destinationLocation: "oss-cn-shanghai",
            historicalObjectReplication: "disabled", syncRole: "sync-role", replicaKmsKeyId: "key-2",
        };
        expect(toModel(actual, known, "cn-shanghai")).to.deep.equal({
            id: "r1", priority: 1, status: "Enabled", prefix: "", prefixes: ["bbb/", "ccc/"],
            deleteMarkerReplication: false, deleteReplication: false, existingObjectReplication: false, replicaModifications: false,
            destination: { bucket: "elsewhere", zone: "cn-shanghai" },
            sseKms: { replicateEncryptedObjects: false, replicaKmsKeyId: "key-2" }, replicationTimeControl: false, transferType: "internal",
        });
    });

    it("turns on what the state has off: RTC, transfer acceleration, SSE-KMS", () => {
        const actual: OssRule = {
            id: "r1", status: "doing", prefixes: [], action: "ALL", destinationBucket: "destexamplebucket", destinationLocation: "oss-cn-beijing",
            historicalObjectReplication: "enabled", syncRole: "sync-role", transferType: "oss_acc", rtc: "enabling",
            sseKmsEncryptedObjects: "Enabled", replicaKmsKeyId: "key-1",
        };
        expect(toModel(actual, rule(), "cn-beijing")).to.deep.include({
            prefix: "", transferType: "oss_acc", replicationTimeControl: true, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "key-1" },
        });
    });

    it("keeps only the priority from the state, which OSS does not hold, so a refresh invents no drift for it", () => {
        const actual: OssRule = {
            id: "r1", status: "doing", prefixes: ["aaa/"], action: "ALL", destinationBucket: "destexamplebucket", destinationLocation: "oss-cn-beijing",
            historicalObjectReplication: "enabled", syncRole: "sync-role",
        };
        const known = rule({ priority: 42, prefix: "aaa/", transferType: "internal", replicationTimeControl: false, sseKms: { replicateEncryptedObjects: false } });
        expect(toModel(actual, known, "cn-beijing")).to.deep.equal(known);
        expect(toModel(actual, undefined, "cn-beijing").priority).to.equal(0);
    });

    it("names the configuration's role by the rules' SyncRole, and shows a rule that names another role or none", () => {
        const known = { id: "sync-role", name: "sync-role", description: "d", editable: true, labels: {}, policy: {} };
        const named = (syncRole?: string) => ({ id: "r", status: "doing", prefixes: [], action: "ALL", destinationBucket: "b",
            destinationLocation: "oss-cn-beijing", historicalObjectReplication: "enabled", syncRole });
        expect(syncRoleOf([named("sync-role"), named("sync-role")], known)).to.equal(known);
        expect(syncRoleOf([named("sync-role"), named("other-role")], known)).to.deep.equal({ ...known, id: "other-role", name: "other-role" });
        expect(syncRoleOf([named(undefined)], known)).to.deep.equal({ ...known, id: "", name: "" });
    });
});

describe("OSS names, markers and addressing", () => {
    it("builds the least-privilege RAM policy of a sync role", () => {
        expect(replicationPolicy({ zone: "cn-hangzhou", bucket: "src" }, [{ zone: "cn-beijing", bucket: "dst" }])).to.deep.equal({
            Version: "1",
            Statement: [
                { Effect: "Allow", Action: ["oss:ReplicateList", "oss:ReplicateGet"], Resource: ["acs:oss:*:*:src", "acs:oss:*:*:src/*"] },
                { Effect: "Allow", Action: ["oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut", "oss:ReplicateDelete"], Resource: ["acs:oss:*:*:dst", "acs:oss:*:*:dst/*"] },
            ],
        });
    });

    it("adds KMS permissions for SSE-KMS replication: the source region's keys to decrypt, the replica key to encrypt", () => {
        const policy = replicationPolicy({ zone: "cn-hangzhou", bucket: "src" }, [{ zone: "cn-beijing", bucket: "dst" }],
            { rules: [{ destination: { zone: "cn-beijing", bucket: "dst" }, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "key-1" } }] }) as { Statement: object[] };
        expect(policy.Statement.slice(2)).to.deep.equal([
            { Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["acs:kms:cn-hangzhou:*:key/*"] },
            { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Encrypt"], Resource: ["acs:kms:cn-beijing:*:key/key-1"] },
        ]);
    });

    it("marks a role's description and reads the marker back off it", () => {
        expect(withRoleMarker("sync", "abc")).to.equal("sync [pulumi-bucket-replication:owner=abc]");
        expect(splitRoleMarker("sync [pulumi-bucket-replication:owner=abc]")).to.deep.equal({ description: "sync", identity: "abc" });
        expect(splitRoleMarker(withRoleMarker("", "abc"))).to.deep.equal({ description: "", identity: "abc" });
        expect(splitRoleMarker("by hand")).to.deep.equal({ description: "by hand" });
    });

    it("judges a role's policy as a RAM policy at preview, pointing at replicationPolicy for another backend's document", () => {
        expect(policyProblems(replicationPolicy({ zone: "cn-hangzhou", bucket: "src" }, [{ zone: "cn-beijing", bucket: "dst" }]) as Record<string, unknown>)).to.deep.equal([]);
        const exoscale = { "default-service-strategy": "deny", services: {} };
        expect(policyProblems(exoscale).map((p) => p.path.join("."))).to.deep.equal(["Version", "Statement"]);
        expect(policyProblems(exoscale)[0].message).to.match(/Is it another backend's policy\? build it with replicationPolicy/);
    });

    it("refuses bucket names OSS does not take", () => {
        expect(bucketNameProblems("a.b")).to.have.length(1);
        expect(bucketNameProblems("srcexamplebucket")).to.deep.equal([]);
    });

    it("addresses buckets by host name on OSS and by path on a local address", () => {
        expect(requestUrl("https://oss-cn-hangzhou.aliyuncs.com", "srcexamplebucket", undefined, { replication: "", comp: "add" }))
            .to.equal("https://srcexamplebucket.oss-cn-hangzhou.aliyuncs.com/?replication&comp=add");
        expect(requestUrl("http://127.0.0.1:9000", "b", "a b.txt", { "rule-id": "x y" })).to.equal("http://127.0.0.1:9000/b/a%20b.txt?rule-id=x%20y");
    });
});
