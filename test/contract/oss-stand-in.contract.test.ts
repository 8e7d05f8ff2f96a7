import { expect } from "chai";
import type { BucketRef, ReplicationRule, RoleState } from "../../provider/backends/backend";
import { replicationPolicy } from "../../provider/backends/oss";
import { putRuleXml } from "../../provider/backends/oss/rules";
import { crossesMainlandBorder } from "../../provider/backends/oss/regions";
import { ruleProblemsFor } from "../../provider/backends/registry";
import { ServiceError } from "../../provider/transport/serviceError";
import { canaryRoot } from "../../provider/replicationVerification";
import { eventually, identityOf, ossBackendUnderContract, rejectionOf } from "./ossHarness";
import { contractAccountId, ossSecondContractAccount } from "./ossServer";

// The OSS stand-in held to Alibaba's documentation where it used to be looser (issue 20), and our backend
// held to the same rules. Each test here failed against the stand-in before this change:
//   - RTC: the old server checked only the destination, against four regions (Alibaba's RTC guide allows
//     RTC between two of six mainland regions, or between us-west-1 and us-east-1);
//   - listings: the old server ignored prefix and markers, and said IsTruncated without NextKeyMarker;
//     ListObjects with a parameter was not served at all;
//   - the tag filter: the old server refused UserTaggings;
//   - owners and bucket policies: the old server had one account and no `?policy` (oss-accounts.contract.test.ts
//     covers several accounts and cross-account replication).

const regions = ["cn-hangzhou", "cn-beijing", "cn-chengdu", "cn-zhangjiakou", "us-west-1", "us-east-1", "eu-central-1"];

/** A listing call that never ends (a server that says "truncated" without a marker) fails here instead of hanging. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
    return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms).unref())]);
}

describe("contract: the OSS stand-in as Alibaba documents it (RTC pairs, listings, the tag filter), and our backend with it", function () {
    const suite = ossBackendUnderContract({ regions, timing: { startingMs: 0, closingMs: 0 } });
    let role: RoleState;
    const bucketIn = (zone: string) => ({ zone, bucket: `rtc-${zone}` });

    before(async () => {
        for (const zone of regions) await suite.backend.createBucket(bucketIn(zone));
        role = await suite.backend.createRole({ name: "stand-in-sync-role", description: "sync role", editable: true, labels: {},
            policy: replicationPolicy(bucketIn("cn-hangzhou"), [bucketIn("cn-beijing")]) }, identityOf("stand-in-sync-role"), () => undefined);
    });

    function rule(id: string, destination: BucketRef, overrides: Partial<ReplicationRule> = {}): ReplicationRule {
        return {
            id, priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: true, deleteReplication: false,
            existingObjectReplication: false, replicaModifications: false, destination, ...overrides,
        };
    }

    /** A PutBucketReplication with RTC from one region to another, as our backend writes it: "accepted" or the server's error code. */
    async function addRtcRule(from: string, to: string): Promise<string> {
        const r = rule(`rtc-${from}-${to}`, bucketIn(to), { replicationTimeControl: true, ...(crossesMainlandBorder(from, to) ? { transferType: "oss_acc" } : {}) });
        try {
            await suite.backend.oss.send({ zone: from, bucket: bucketIn(from).bucket, method: "POST", query: { replication: "", comp: "add" },
                body: putRuleXml(r, role.id, to), operation: "PutBucketReplication", idempotent: false });
            return "accepted";
        } catch (error) {
            if (error instanceof ServiceError) return error.code;
            throw error;
        }
    }

    describe("RTC only between the regions of one of Alibaba's RTC groups", () => {
        const pairs: [string, string, boolean][] = [
            ["cn-hangzhou", "cn-beijing", true],
            ["cn-zhangjiakou", "cn-hangzhou", true],
            ["us-west-1", "us-east-1", true],
            ["us-east-1", "us-west-1", true],
            // The old stand-in accepted these: it looked only at the destination (beijing, hangzhou are RTC regions).
            ["cn-chengdu", "cn-beijing", false],
            ["us-west-1", "cn-hangzhou", false],
            // And refused these: us-east-1 and zhangjiakou were not in its list.
            ["cn-beijing", "cn-chengdu", false],
            ["eu-central-1", "us-east-1", false],
        ];
        for (const [from, to, allowed] of pairs) {
            it(`${allowed ? "accepts" : "refuses"} RTC from ${from} to ${to}, and our preview agrees`, async () => {
                expect(await addRtcRule(from, to)).to.equal(allowed ? "accepted" : "InvalidArgument");
                const preview = ruleProblemsFor("oss", { r1: { priority: 1, replicationTimeControl: true, destination: { bucket: bucketIn(to).bucket, zone: to },
                    ...(crossesMainlandBorder(from, to) ? { transferType: "oss_acc" } : {}) } }, { zone: from });
                expect(preview.map((p) => p.path.join(".")), "our preview's refusal").to.deep.equal(allowed ? [] : ["r1.replicationTimeControl"]);
                const located = await suite.backend.destinationProblems(bucketIn(from), [rule("r1", bucketIn(to), { replicationTimeControl: true,
                    ...(crossesMainlandBorder(from, to) ? { transferType: "oss_acc" } : {}) })]);
                expect(located.map((p) => p.path.join(".")), "GetBucketReplicationLocation's RTC constraint").to.deep.equal(allowed ? [] : ["r1.replicationTimeControl"]);
            });
        }
    });

    describe("listings: prefix, markers, max-keys and the Next* markers", () => {
        const bucket = { zone: "cn-hangzhou", bucket: "listing-bucket" };

        before(async () => {
            await suite.backend.createBucket(bucket);
            await suite.backend.putVersioning(bucket, "Enabled");
            // 70 canary keys with 3 versions each (210 entries: more than two pages of 100, a page boundary inside a key's versions),
            // a delete marker on some, and user objects before and after the canary prefix in key order.
            for (let i = 0; i < 70; i += 1) {
                for (let v = 0; v < 3; v += 1) suite.server.state.putObject(bucket.bucket, `${canaryRoot}c${String(i).padStart(3, "0")}`, `v${v}`);
                if (i % 10 === 0) suite.server.state.deleteObject(bucket.bucket, `${canaryRoot}c${String(i).padStart(3, "0")}`);
            }
            for (let i = 0; i < 30; i += 1) {
                suite.server.state.putObject(bucket.bucket, `.aaa/user-${i}`, "mine");
                suite.server.state.putObject(bucket.bucket, `zzz/user-${i}`, "mine");
            }
        });

        it("lists every version under a prefix across pages (verify's canary sweep), nothing outside it, each once", async () => {
            const found = await within(10_000, "listObjectVersions", suite.backend.listObjectVersions(bucket, canaryRoot));
            expect(found).to.have.length(217);
            expect(found.every((v) => v.key.startsWith(canaryRoot))).to.equal(true);
            expect(new Set(found.map((v) => `${v.key}\0${v.versionId}`)).size).to.equal(217);
            expect(found.filter((v) => v.deleteMarker)).to.have.length(7);
            const listings = suite.server.state.requestsFor("ListObjectVersions").filter((r) => r.query.includes("prefix="));
            expect(listings.length).to.be.at.least(3);
        });

        it("answers the documented page: keys in order, each key's versions newest first, IsLatest, NextKeyMarker and NextVersionIdMarker", async () => {
            const answer = await suite.backend.oss.send({ zone: bucket.zone, bucket: bucket.bucket, method: "GET",
                query: { versions: "", prefix: canaryRoot, "max-keys": "4" }, operation: "ListObjectVersions" });
            const document = answer.xml();
            const text = (name: string) => document.children.find((c) => c.name === name)?.text;
            expect(text("IsTruncated")).to.equal("true");
            const entries = document.children.filter((c) => c.name === "Version" || c.name === "DeleteMarker")
                .map((e) => `${e.name} ${e.children.find((c) => c.name === "Key")!.text} ${e.children.find((c) => c.name === "IsLatest")!.text}`);
            expect(entries).to.deep.equal([
                `DeleteMarker ${canaryRoot}c000 true`, `Version ${canaryRoot}c000 false`, `Version ${canaryRoot}c000 false`, `Version ${canaryRoot}c000 false`,
            ]);
            const versions = suite.server.state.buckets.get(bucket.bucket)!.versions.filter((v) => v.key === `${canaryRoot}c000`);
            expect(text("NextKeyMarker")).to.equal(`${canaryRoot}c000`);
            expect(text("NextVersionIdMarker")).to.equal(versions[0].versionId);
            const next = (await suite.backend.oss.send({ zone: bucket.zone, bucket: bucket.bucket, method: "GET",
                query: { versions: "", prefix: canaryRoot, "max-keys": "2", "key-marker": `${canaryRoot}c000`, "version-id-marker": versions[1].versionId },
                operation: "ListObjectVersions" })).xml();
            const nextEntries = next.children.filter((c) => c.name === "Version").map((e) => [e.children.find((c) => c.name === "Key")!.text, e.children.find((c) => c.name === "VersionId")!.text]);
            expect(nextEntries).to.deep.equal([[`${canaryRoot}c000`, versions[0].versionId], [`${canaryRoot}c001`, suite.server.state.latest(bucket.bucket, `${canaryRoot}c001`)!.versionId]]);
        });

        it("refuses max-keys above 1000 and a version-id-marker without key-marker, as documented", async () => {
            const tooMany = await rejectionOf(suite.backend.oss.send({ zone: bucket.zone, bucket: bucket.bucket, method: "GET", query: { versions: "", "max-keys": "1001" }, operation: "ListObjectVersions" }));
            expect((tooMany as ServiceError).code).to.equal("InvalidArgument");
            const alone = await rejectionOf(suite.backend.oss.send({ zone: bucket.zone, bucket: bucket.bucket, method: "GET", query: { versions: "", "version-id-marker": "x" }, operation: "ListObjectVersions" }));
            expect((alone as ServiceError).code).to.equal("InvalidArgument");
        });

        it("serves ListObjects with prefix, marker and max-keys: current versions only, NextMarker to go on", async () => {
            const keys: string[] = [];
            let marker = "";
            for (let page = 0; page < 20; page += 1) {
                const document = (await suite.backend.oss.send({ zone: bucket.zone, bucket: bucket.bucket, method: "GET",
                    query: { prefix: canaryRoot, "max-keys": "25", ...(marker ? { marker } : {}) }, operation: "ListObjects" })).xml("ListBucketResult");
                keys.push(...document.children.filter((c) => c.name === "Contents").map((c) => c.children.find((k) => k.name === "Key")!.text));
                if (document.children.find((c) => c.name === "IsTruncated")?.text !== "true") break;
                marker = document.children.find((c) => c.name === "NextMarker")!.text;
            }
            // 70 canary keys, 7 of them deleted (a delete marker is their current version).
            expect(keys).to.have.length(63);
            expect([...keys].sort()).to.deep.equal(keys);
            expect(keys.every((k) => k.startsWith(canaryRoot))).to.equal(true);
        });

        it("empties a bucket of more than one page of versions and deletes it", async () => {
            const big = { zone: "cn-beijing", bucket: "listing-big-bucket" };
            await suite.backend.createBucket(big);
            await suite.backend.putVersioning(big, "Enabled");
            for (let i = 0; i < 1100; i += 1) suite.server.state.putObject(big.bucket, `k${i % 400}`, `v${i}`);
            expect(await suite.backend.countVersions(big, 10)).to.equal(10);
            await within(20_000, "emptyAndDeleteBucket", suite.backend.emptyAndDeleteBucket(big, () => undefined));
            expect(suite.server.state.buckets.has(big.bucket)).to.equal(false);
        });
    });

    describe("the rule tag filter (PutBucketReplication's UserTaggings)", () => {
        const src = { zone: "cn-hangzhou", bucket: "tagged-src" };
        const dst = { zone: "cn-beijing", bucket: "tagged-dst" };

        before(async () => {
            for (const ref of [src, dst]) {
                await suite.backend.createBucket(ref);
                await suite.backend.putVersioning(ref, "Enabled");
            }
        });

        it("is written by our backend, kept and answered as documented, and read back as the same rule", async () => {
            const tagged = rule("by-tag", dst, { prefix: "docs/", tags: { team: "ops", env: "prod" } });
            await suite.backend.putReplication({ source: src, role, rules: [tagged] }, undefined, () => undefined);
            const [onServer] = suite.server.state.rulesOf(src.bucket);
            expect(onServer).to.deep.include({ tagFilterType: "AND", tags: [{ key: "env", value: "prod" }, { key: "team", value: "ops" }] });
            const read = await suite.backend.getReplication(src, { source: src, role, rules: [tagged] });
            expect(read?.rules[0].tags).to.deep.equal({ env: "prod", team: "ops" });
            expect(read?.rules[0]).to.deep.include({ prefix: "docs/" });
        });

        it("replicates only the objects that carry every tag, with their tags", async () => {
            const put = (key: string, tagging?: string) => suite.backend.oss.send({ zone: src.zone, bucket: src.bucket, key, method: "PUT", body: key,
                headers: tagging ? { "x-oss-tagging": tagging } : {}, operation: "PutObject" });
            await put("docs/both.txt", "team=ops&env=prod&extra=1");
            await put("docs/one.txt", "team=ops");
            await put("docs/none.txt");
            await put("other/both.txt", "team=ops&env=prod");
            await eventually(() => suite.server.state.latest(dst.bucket, "docs/both.txt") !== undefined, "docs/both.txt to replicate");
            await new Promise((resolve) => setTimeout(resolve, 500));
            // (read as a plain record: the old stand-in's versions had no tags at all)
            expect((suite.server.state.latest(dst.bucket, "docs/both.txt") as { tags?: Record<string, string> } | undefined)?.tags).to.deep.equal({ team: "ops", env: "prod", extra: "1" });
            for (const key of ["docs/one.txt", "docs/none.txt", "other/both.txt"]) expect(suite.server.state.latest(dst.bucket, key), key).to.equal(undefined);
        });

        it("refuses what the documentation refuses: a FilterType other than AND or OR, more than 10 tags, a tag filter from cn-zhangjiakou", async () => {
            const send = (zone: string, bucket: string, userTaggings: string) => suite.backend.oss.send({ zone, bucket, method: "POST", query: { replication: "", comp: "add" },
                body: `<ReplicationConfiguration><Rule><ID>t</ID><Action>ALL</Action><Destination><Bucket>${dst.bucket}</Bucket><Location>oss-cn-beijing</Location></Destination>` +
                    `<HistoricalObjectReplication>disabled</HistoricalObjectReplication><SyncRole>${role.id}</SyncRole>${userTaggings}</Rule></ReplicationConfiguration>`,
                operation: "PutBucketReplication", idempotent: false });
            const tags = (n: number) => Array.from({ length: n }, (_, i) => `<UserTagging><Key>k${i}</Key><Value>v</Value></UserTagging>`).join("");
            expect(((await rejectionOf(send(src.zone, src.bucket, `<UserTaggings><FilterType>XOR</FilterType>${tags(1)}</UserTaggings>`))) as ServiceError).code).to.equal("InvalidArgument");
            expect(((await rejectionOf(send(src.zone, src.bucket, `<UserTaggings><FilterType>AND</FilterType>${tags(11)}</UserTaggings>`))) as ServiceError).code).to.equal("InvalidArgument");
            const zjk = { zone: "cn-zhangjiakou", bucket: "tagged-zjk" };
            await suite.backend.createBucket(zjk);
            await suite.backend.putVersioning(zjk, "Enabled");
            expect(((await rejectionOf(send(zjk.zone, zjk.bucket, `<UserTaggings><FilterType>AND</FilterType>${tags(1)}</UserTaggings>`))) as ServiceError).code).to.equal("InvalidArgument");
        });
    });
    describe("bucket owners and bucket policies, with the one account of the default server", () => {
        const bucket = { zone: "cn-hangzhou", bucket: "owned-bucket" };

        before(() => suite.backend.createBucket(bucket));

        it("names the account of our key pair as the owner of the buckets it creates, and refuses a bucket of another account", async () => {
            const info = (await suite.backend.oss.send({ zone: bucket.zone, bucket: bucket.bucket, method: "GET", query: { bucketInfo: "" }, operation: "GetBucketInfo" })).xml("BucketInfo");
            const owner = info.children.find((c) => c.name === "Bucket")?.children.find((c) => c.name === "Owner")?.children.find((c) => c.name === "ID")?.text;
            expect(owner).to.equal(contractAccountId);
            expect(suite.server.state.buckets.get(bucket.bucket)?.owner).to.equal(contractAccountId);
            // A bucket of an account this server does not give us a key of, put in place by hand.
            suite.server.state.buckets.set("theirs-bucket", { name: "theirs-bucket", region: "cn-hangzhou", owner: ossSecondContractAccount.uid, versioning: "Enabled",
                tags: {}, versions: [], rules: [], createdAt: new Date() });
            const refused = await rejectionOf(suite.backend.oss.send({ zone: "cn-hangzhou", bucket: "theirs-bucket", method: "GET", query: { versioning: "" }, operation: "GetBucketVersioning" }));
            expect((refused as ServiceError).code).to.equal("AccessDenied");
        });

        it("serves the bucket policy calls to our client: put, read back as sent, delete", async () => {
            const document = JSON.stringify({ Version: "1", Statement: [{ Effect: "Allow", Action: ["oss:ReplicatePut"], Principal: [`arn:sts::${ossSecondContractAccount.uid}:assumed-role/r/*`],
                Resource: [`acs:oss:*:${contractAccountId}:${bucket.bucket}/*`] }] });
            await suite.backend.oss.send({ zone: bucket.zone, bucket: bucket.bucket, method: "PUT", query: { policy: "" }, body: document, operation: "PutBucketPolicy" });
            const read = await suite.backend.oss.send({ zone: bucket.zone, bucket: bucket.bucket, method: "GET", query: { policy: "" }, operation: "GetBucketPolicy" });
            expect(read.body.toString("utf8")).to.equal(document);
            await suite.backend.oss.send({ zone: bucket.zone, bucket: bucket.bucket, method: "DELETE", query: { policy: "" }, operation: "DeleteBucketPolicy" });
            const gone = await rejectionOf(suite.backend.oss.send({ zone: bucket.zone, bucket: bucket.bucket, method: "GET", query: { policy: "" }, operation: "GetBucketPolicy" }));
            expect((gone as ServiceError).code).to.equal("NoSuchBucketPolicy");
        });
    });
});
