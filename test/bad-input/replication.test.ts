import { expect } from "chai";
import { provider as replication } from "../../provider/replicationConfiguration";
import { countingZones, expectFailure, Failure } from "./support";

/**
 * Replication configurations that MinIO would refuse half-way through `up` (after remote targets
 * were set), or accept and never act on: each refused by the check at preview, naming the rule and
 * the key (`rules.<id>.priority`), with no request to any server.
 */
describe("bad input: replication rules, refused at preview", () => {
    countingZones();
    const role = { id: "replicator", name: "replicator", secretKey: "s" };
    const destination = { bucket: "dst", zone: "zone-b" };


    async function check(inputs: Record<string, unknown>): Promise<readonly Failure[]> {
        const news = { bucket: "src", zone: "zone-a", role, rules: { "to-b": { priority: 1, destination } }, ...inputs };
        return (await replication.check!({} as any, news as any)).failures ?? [];
    }
    const oneRule = (rule: Record<string, unknown>) => check({ rules: { "to-b": { priority: 1, destination, ...rule } } });

    it("accepts a correct configuration (the control case)", async () => {
        expect(await check({})).to.deep.equal([]);
    });

    it("rules given as a list", async () => {
        expectFailure(await check({ rules: [{ priority: 1, destination }] }), "rules", "'rules' is a list; it must be an object keyed by rule ID");
    });

    it("no rules", async () => {
        expectFailure(await check({ rules: undefined }), "rules", "'rules' is required: an object keyed by rule ID");
    });

    it("an empty set of rules", async () => {
        expectFailure(await check({ rules: {} }), "rules", "'rules' must hold at least one rule");
    });

    it("a rule that is text", async () => {
        expectFailure(await check({ rules: { "to-b": "dst" } }), "rules.to-b", "Each rule must be an object such as { priority: 1, destination:");
    });

    it("a rule that is null", async () => {
        expectFailure(await check({ rules: { "to-b": null } }), "rules.to-b", "Each rule must be an object");
    });

    it("a rule without priority", async () => {
        expectFailure(await oneRule({ priority: undefined }), "rules.to-b.priority", "'priority' is required: a whole number");
    });

    it("a negative priority", async () => {
        expectFailure(await oneRule({ priority: -1 }), "rules.to-b.priority", "'priority' must not be negative");
    });

    it("a priority that is not whole", async () => {
        expectFailure(await oneRule({ priority: 1.5 }), "rules.to-b.priority", "'priority' must be a whole number");
    });

    it("two rules with the same priority", async () => {
        const failures = await check({ rules: { first: { priority: 3, destination }, second: { priority: 3, destination } } });
        expectFailure(failures, "rules.second.priority", "Rules 'first' and 'second' share priority 3; give each rule its own 'priority'");
    });

    it("a rule ID with a space", async () => {
        expectFailure(await check({ rules: { "to b": { priority: 1, destination } } }), "rules.to b", "Rule ID 'to b' must be 1 to 255 letters, digits");
    });

    it("a rule without destination", async () => {
        expectFailure(await oneRule({ destination: undefined }), "rules.to-b.destination", "'destination' is required: { bucket: destination.name, zone: destination.zone }");
    });

    it("a destination without bucket", async () => {
        expectFailure(await oneRule({ destination: { zone: "zone-b" } }), "rules.to-b.destination.bucket", "'bucket' is required: the destination bucket's name");
    });

    it("a rule that replicates the bucket into itself", async () => {
        expectFailure(await oneRule({ destination: { bucket: "src", zone: "zone-a" } }), "rules.to-b.destination", "replicates bucket 'src' into itself; name another bucket");
    });

    it("a destination zone that is not configured", async () => {
        expectFailure(await oneRule({ destination: { bucket: "dst", zone: "zone-x" } }), "rules.to-b.destination.zone", "Zone 'zone-x' is not configured. Use one of: zone-a, zone-b");
    });

    it("a status other than Enabled or Disabled", async () => {
        expectFailure(await oneRule({ status: "On" }), "rules.to-b.status", "'status' must be \"Enabled\" or \"Disabled\"");
    });

    it("a prefix longer than any object key", async () => {
        expectFailure(await oneRule({ prefix: "p".repeat(1025) }), "rules.to-b.prefix", "'prefix' must be at most 1024 characters");
    });

    it("a tag filter key over 128 characters", async () => {
        const key = "k".repeat(129);
        expectFailure(await oneRule({ tags: { [key]: "x" } }), `rules.to-b.tags.${key}`, "Rule 'to-b': Tag key", "tag keys have at most 128");
    });

    it("a tag filter on more tags than an object can carry", async () => {
        const tags = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, "x"]));
        expectFailure(await oneRule({ tags }), "rules.to-b.tags", "filters on 11 tags, but an object carries at most 10", "keep at most 10 tags");
    });

    it("deleteMarkerReplication given as text", async () => {
        expectFailure(await oneRule({ deleteMarkerReplication: "yes" }), "rules.to-b.deleteMarkerReplication", "must be true or false");
    });

    it("MinIO: delete markers replicated by a rule that filters on tags", async () => {
        expectFailure(await oneRule({ tags: { team: "a" }, deleteMarkerReplication: true }), "rules.to-b.deleteMarkerReplication", "MinIO cannot replicate delete markers for a rule that filters by 'tags'");
    });

    it("MinIO: a storage class MinIO does not know", async () => {
        expectFailure(await oneRule({ destination: { ...destination, storageClass: "GLACIER" } }), "rules.to-b.destination.storageClass", "use STANDARD or REDUCED_REDUNDANCY");
    });

    it("MinIO: two destination buckets in one zone", async () => {
        const failures = await check({ rules: { first: { priority: 1, destination }, second: { priority: 2, destination: { bucket: "other", zone: "zone-b" } } } });
        expectFailure(failures, "rules.second.destination.bucket", "MinIO allows one destination bucket per zone", "with prefixes to separate the rules");
    });

    it("no role", async () => {
        expectFailure(await check({ role: undefined }), "role", "'role' is required: pass the IamRole resource");
    });

    it("a role without its ID", async () => {
        expectFailure(await check({ role: { name: "replicator" } }), "role.id", "'role' has no ID: pass the IamRole resource itself");
    });

    it("a source zone that is not configured", async () => {
        expectFailure(await check({ zone: "zone-x" }), "zone", "Zone 'zone-x' is not configured");
    });
});
