import { expect } from "chai";
import { provider as bucket } from "../../provider/bucket";
import { ownerTagKey } from "../../provider/identity";
import { unknownValue } from "../../provider/validation";
import { configureStack, countingZones, expectFailure, Failure, minioStack, runToken } from "./support";

/**
 * Bucket inputs and stack configuration that `up` would fail on (or worse, half-do): each is refused
 * by the Bucket's check, which the engine runs in every preview, with the property or configuration
 * key named and the fix said, and without a single request to any server.
 */
describe("bad input: buckets, tags and stack configuration, refused at preview", () => {
    const counter = countingZones();
    let serial = 0;


    /** The check of one Bucket, as the engine calls it for a resource not created yet. */
    async function check(inputs: Record<string, unknown>): Promise<readonly Failure[]> {
        serial += 1;
        const news = { namePrefix: "bad", identity: `bad-input-${runToken}-${serial}`, zone: "zone-a", ...inputs };
        const result = await bucket.check!({} as any, news as any);
        return result.failures ?? [];
    }

    const changeName = "Change 'name', or leave it unset";
    const reservedNames: [string, string, string][] = [
        ["a reserved prefix of punycode names", "xn--bad-input", "must not start with 'xn--'"],
        ["S3's 'sthree-' prefix", "sthree-bad-input", "must not start with 'sthree-'"],
        ["S3's 'amzn-s3-demo-' prefix", "amzn-s3-demo-bad-input", "must not start with 'amzn-s3-demo-'"],
        ["an access point alias suffix", "bad-input-s3alias", "must not end with '-s3alias'"],
        ["an Object Lambda alias suffix", "bad-input--ol-s3", "must not end with '--ol-s3'"],
        ["a multi-region access point suffix", "bad-input.mrap", "must not end with '.mrap'"],
        ["a directory bucket suffix", "bad-input--x-s3", "must not end with '--x-s3'"],
        ["a table bucket suffix", "bad-input--table-s3", "must not end with '--table-s3'"],
        ["the name MinIO keeps for its own APIs", "minio", "reserved by MinIO"],
        ["a name too short", "ab", "must be 3 to 63 characters long"],
        ["a name too long", "b".repeat(64), "must be 3 to 63 characters long (it has 64)"],
        ["capital letters", "Bad-Input", "only lowercase letters, digits, dots and hyphens"],
        ["an underscore", "bad_input", "only lowercase letters, digits, dots and hyphens"],
        ["a leading hyphen", "-bad-input", "must start and end with a letter or digit"],
        ["two dots in a row", "bad..input", "must not contain two dots in a row"],
        ["the shape of an IP address", "192.168.10.20", "must not look like an IP address"],
    ];
    for (const [what, name, says] of reservedNames) {
        it(`bucket name with ${what} ('${name.length > 20 ? `${name.slice(0, 20)}…` : name}')`, async () => {
            expectFailure(await check({ name }), "name", says, changeName);
        });
    }

    it("51 tags: one more than the service keeps, with the ownership marker counted", async () => {
        const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`tag-${i}`, "x"]));
        expectFailure(await check({ tags }), "tags", "has 51 tags; at most 49 are allowed", "Remove 2");
    });

    it("an empty tag key", async () => {
        expectFailure(await check({ tags: { "": "x" } }), "tags.", "A tag key is empty", "1 to 128 characters");
    });

    it("a tag key over 128 characters", async () => {
        const key = "k".repeat(129);
        expectFailure(await check({ tags: { [key]: "x" } }), `tags.${key}`, "has 129 characters; tag keys have at most 128");
    });

    it("a tag value over 256 characters", async () => {
        expectFailure(await check({ tags: { note: "v".repeat(257) } }), "tags.note", "The value of tag 'note' has 257 characters", "at most 256");
    });

    it("a tag key with characters S3 refuses ('a<b>')", async () => {
        expectFailure(await check({ tags: { "a<b>": "x" } }), "tags.a<b>", "may contain only letters, digits, spaces and _ . : / = + - @");
    });

    it("a tag value with characters S3 refuses", async () => {
        expectFailure(await check({ tags: { team: "a;b" } }), "tags.team", "The value of tag 'team' may contain only");
    });

    it("a tag key in the 'aws:' namespace", async () => {
        expectFailure(await check({ tags: { "aws:team": "x" } }), "tags.aws:team", "starts with 'aws:', which is reserved; choose another key");
    });

    it("a tag key that is this package's ownership marker", async () => {
        expectFailure(await check({ tags: { [ownerTagKey]: "mine" } }), `tags.${ownerTagKey}`, "ownership marker; choose another key");
    });

    it("tags given as a list", async () => {
        expectFailure(await check({ tags: [{ key: "team", value: "x" }] }), "tags", "'tags' must map tag keys to string values");
    });

    it("a tag value that is a number", async () => {
        expectFailure(await check({ tags: { replicas: 3 } }), "tags.replicas", "Tag values must be strings");
    });

    it("a zone that is not configured", async () => {
        expectFailure(await check({ zone: "zone-c" }), "zone", "Zone 'zone-c' is not configured", "Use one of: zone-a, zone-b", "'bucket-replication:zones'");
    });

    it("no zone at all", async () => {
        expectFailure(await check({ zone: undefined }), "zone", "'zone' is required: name one of the configured zones");
    });

    it("forceDestroy given as text", async () => {
        expectFailure(await check({ forceDestroy: "yes" }), "forceDestroy", "'forceDestroy' must be true or false");
    });

    it("two Buckets of one program with the same explicit name in the same zone", async () => {
        const name = `bad-input-twice-${runToken}`;
        expect(await check({ name, namePrefix: "first" })).to.deep.equal([]);
        expectFailure(await check({ name, namePrefix: "second" }), "name", `Bucket '${name}' in zone zone-a is also declared by Bucket 'first'`, "give each Bucket its own 'name'");
    });

    describe("stack configuration that makes every zone unusable", () => {
        afterEach(() => configureStack(minioStack(counter.endpoint)));

        /** The Bucket's check reports a configuration problem on `zone`, quoting the configuration key. */
        async function configProblem(extra: Record<string, string>): Promise<readonly Failure[]> {
            configureStack(minioStack(counter.endpoint, extra));
            return check({});
        }

        it("a zone endpoint with a path", async () => {
            const zones = JSON.stringify({ "zone-a": { endpoint: `${counter.endpoint}/storage` }, "zone-b": { endpoint: counter.endpoint } });
            expectFailure(await configProblem({ zones }), "zone", "'bucket-replication:zones.zone-a.endpoint'", "with the path '/storage'", "give the service's base URL only");
        });

        it("a zone endpoint with a path leaves no unknown name, which `up` would report instead of the reason", async () => {
            const zones = JSON.stringify({ "zone-a": { endpoint: `${counter.endpoint}/storage` }, "zone-b": { endpoint: counter.endpoint } });
            configureStack(minioStack(counter.endpoint, { zones }));
            serial += 1;
            const result = await bucket.check!({} as any, { namePrefix: "bad", identity: `bad-input-${runToken}-${serial}`, zone: "zone-a" } as any);
            expectFailure(result.failures, "zone", "'bucket-replication:zones.zone-a.endpoint'");
            expect(result.inputs?.name, "the automatic name during `up`").to.not.equal(unknownValue);
        });

        it("a zone endpoint that is not an http(s) URL", async () => {
            const zones = JSON.stringify({ "zone-a": { endpoint: "ftp://127.0.0.1:21" } });
            expectFailure(await configProblem({ zones }), "zone", "'bucket-replication:zones.zone-a.endpoint' must be an http(s) URL");
        });

        it("zones that are not JSON", async () => {
            expectFailure(await configProblem({ zones: "zone-a=http://127.0.0.1" }), "zone", "'bucket-replication:zones' is not JSON", "pulumi config set --path");
        });

        it("a backend this package does not know", async () => {
            expectFailure(await configProblem({ backend: "swift" }), "zone", "'bucket-replication:backend' is 'swift'; set it to one of 'minio'");
        });

        it("a request time limit that is not a positive number", async () => {
            expectFailure(await configProblem({ requestTimeoutSeconds: "-5" }), "zone", "'bucket-replication:requestTimeoutSeconds' must be a positive number of seconds");
        });

        it("more retries than allowed", async () => {
            expectFailure(await configProblem({ maxRetries: "99" }), "zone", "'bucket-replication:maxRetries' must be a whole number from 0 to 20");
        });

        it("no credentials", async () => {
            const failures = await configProblem({ accessKey: "", secretKey: "" });
            expectFailure(failures, "zone", "No credentials for backend 'minio'", "'bucket-replication:accessKey'", "MINIO_ACCESS_KEY");
        });
    });
});
