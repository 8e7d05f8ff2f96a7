import { expect } from "chai";
import { parseBucketId, provider, bucketId } from "../../provider/bucket";
import { derivedName } from "../../provider/identity";
import { configureFrom } from "../../provider/context";
import { bucketNameProblems, unknownValue } from "../../provider/validation";

const zonesConfig = (zones: Record<string, string>) => ({
    config: {
        get: (key: string) => ({
            "bucket-replication:zones": JSON.stringify(Object.fromEntries(Object.entries(zones).map(([z, e]) => [z, { endpoint: e }]))),
            "bucket-replication:accessKey": "unit-test-access",
            "bucket-replication:secretKey": "unit-test-secret",
        } as Record<string, string>)[key],
    },
});

describe("Bucket validation", () => {
    before(() => configureFrom(zonesConfig({ "zone-a": "http://127.0.0.1:1", "zone-b": "http://127.0.0.1:2" })));

    it("accepts valid bucket names", () => {
        for (const name of ["abc", "my-bucket.logs", "a".repeat(63), "1bucket2"]) {
            expect(bucketNameProblems(name), name).to.deep.equal([]);
        }
    });

    it("names every rule a bucket name breaks", () => {
        expect(bucketNameProblems("ab")[0]).to.match(/3 to 63 characters/);
        expect(bucketNameProblems("a".repeat(64))[0]).to.match(/3 to 63 characters/);
        expect(bucketNameProblems("My_Bucket")[0]).to.match(/lowercase letters, digits, dots and hyphens/);
        expect(bucketNameProblems("-bucket")[0]).to.match(/start and end with a letter or digit/);
        expect(bucketNameProblems("bucket.")[0]).to.match(/start and end with a letter or digit/);
        expect(bucketNameProblems("my..bucket")[0]).to.match(/two dots in a row/);
        expect(bucketNameProblems("192.168.1.10")[0]).to.match(/IP address/);
    });

    it("reports every problem of the inputs at once, each naming its property", async () => {
        const result = await provider.check!({} as any, { namePrefix: "data", name: "Bad_Name", zone: "zone-x", tags: { a: 1 } } as any);
        const properties = result.failures!.map((f) => f.property).sort();
        expect(properties).to.deep.equal(["name", "tags.a", "zone"]);
        const zoneFailure = result.failures!.find((f) => f.property === "zone")!;
        expect(zoneFailure.reason).to.contain("Zone 'zone-x' is not configured").and.contain("zone-a, zone-b");
        expect(result.failures!.find((f) => f.property === "name")!.reason).to.contain("Change 'name'");
    });

    it("does not judge values that are unknown during preview", async () => {
        const result = await provider.check!({} as any, { namePrefix: "data", name: unknownValue, zone: unknownValue } as any);
        expect(result.failures).to.deep.equal([]);
    });

    it("gives an automatic name once and keeps it on later runs", async () => {
        const first = await provider.check!({} as any, { namePrefix: "My_Data", identity: "id-1", zone: "zone-a" } as any);
        expect(first.inputs!.name).to.match(/^my-data-[a-z0-9]{8}$/);
        const second = await provider.check!(first.inputs as any, { namePrefix: "My_Data", identity: "id-1", zone: "zone-a" } as any);
        expect(second.inputs!.name).to.equal(first.inputs!.name);
    });

    // Issue 7, finding 1: two previews of an empty stack drew two different random names.
    it("derives the same automatic name in every preview and up, from identity, zone and account alone", async () => {
        const news = { namePrefix: "p0-src", identity: "stack-resource-digest", zone: "zone-a" } as any;
        const names = await Promise.all([1, 2, 3].map(async () => (await provider.check!({} as any, news)).inputs!.name));
        expect(new Set(names).size).to.equal(1);
        const otherStack = (await provider.check!({} as any, { ...news, identity: "another-stack-digest" })).inputs!.name;
        const otherZone = (await provider.check!({} as any, { ...news, zone: "zone-b" })).inputs!.name;
        expect(otherStack).to.not.equal(names[0]);
        expect(otherZone, "a zone change replaces the bucket under a new name").to.not.equal(names[0]);
    });

    it("keeps a name made by an earlier release's random scheme", async () => {
        const olds = { namePrefix: "data", name: "data-x1y2z3", zone: "zone-a" } as any;
        const result = await provider.check!(olds, { namePrefix: "data", identity: "id", zone: "zone-a" } as any);
        expect(result.inputs!.name).to.equal("data-x1y2z3");
    });
});

describe("Bucket naming", () => {
    it("fits the logical name and a suffix into 63 valid characters", () => {
        const name = derivedName("x".repeat(100), "id", ["zone"]);
        expect(name.length).to.be.at.most(63);
        expect(bucketNameProblems(name)).to.deep.equal([]);
        expect(derivedName("--Weird__Name--", "id", ["zone"])).to.match(/^weird-name-[a-z0-9]{8}$/);
    });

    it("keeps the zone in the ID so that the same name in two zones stays apart", () => {
        expect(parseBucketId(bucketId({ zone: "local-a", bucket: "b1" }))).to.deep.equal({ zone: "local-a", bucket: "b1" });
    });
});

describe("Bucket diff", () => {
    const olds = { name: "b1", namePrefix: "data", zone: "zone-a", endpoint: "http://x", forceDestroy: false, tags: { a: "1" } };

    it("replaces on a new name or zone", async () => {
        expect((await provider.diff!("zone-a/b1", olds, { ...olds, name: "b2" })).replaces).to.deep.equal(["name"]);
        expect((await provider.diff!("zone-a/b1", olds, { ...olds, zone: "zone-b" })).replaces).to.deep.equal(["zone"]);
    });

    it("updates tags in place and sees no change when tags are merely reordered", async () => {
        const tagged = await provider.diff!("zone-a/b1", { ...olds, tags: { a: "1", b: "2" } }, { ...olds, tags: { b: "2", a: "1" } });
        expect(tagged).to.deep.include({ changes: false, replaces: [] });
        const changed = await provider.diff!("zone-a/b1", olds, { ...olds, tags: { a: "2" } });
        expect(changed).to.deep.include({ changes: true, replaces: [] });
    });
});
