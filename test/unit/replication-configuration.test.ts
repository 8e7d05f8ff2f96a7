import { expect } from "chai";
import { provider } from "../../provider/replicationConfiguration";
import { unknownValue } from "../../provider/validation";
import { configureStack, minioStack } from "../bad-input/support";

const role = { id: "replicator", name: "replicator", secretKey: "s" };
const destination = { bucket: "dest", zone: "zone-b" };

describe("ReplicationConfiguration validation", () => {
    // Zones that are never contacted: check() makes no requests.
    before(() => configureStack(minioStack("http://127.0.0.1:1")));

    it("reports every problem with the rules at once, each naming its property", async () => {
        const result = await provider.check!({} as any, {
            bucket: "src", zone: "zone-a", role,
            rules: {
                "same-priority-1": { priority: 1, destination },
                "same-priority-2": { priority: 1, destination },
                "-bad id": { priority: 2, destination },
                "into-itself": { priority: 3, destination: { bucket: "src", zone: "zone-a" } },
                "tagged": { priority: 4, tags: { team: "a" }, deleteMarkerReplication: true, destination },
                "cold": { priority: 5, destination: { ...destination, storageClass: "GLACIER" } },
                "elsewhere": { priority: 6, destination: { bucket: "dest", zone: "zone-x" } },
                "second-bucket": { priority: 7, destination: { bucket: "other", zone: "zone-b" } },
            },
        } as any);
        const byProperty = Object.fromEntries(result.failures!.map((f) => [f.property, f.reason]));
        expect(byProperty["rules.same-priority-2.priority"]).to.contain("share priority 1");
        expect(byProperty["rules.-bad id"]).to.contain("Rule ID '-bad id'");
        expect(byProperty["rules.into-itself.destination"]).to.contain("into itself");
        expect(byProperty["rules.tagged.deleteMarkerReplication"]).to.contain("cannot replicate delete markers");
        expect(byProperty["rules.cold.destination.storageClass"]).to.contain("STANDARD or REDUCED_REDUNDANCY");
        expect(byProperty["rules.elsewhere.destination.zone"]).to.contain("Zone 'zone-x' is not configured");
        expect(byProperty["rules.second-bucket.destination.bucket"]).to.contain("one destination bucket per zone");
    });

    it("needs at least one rule", async () => {
        const result = await provider.check!({} as any, { bucket: "src", zone: "zone-a", role, rules: {} } as any);
        expect(result.failures!.map((f) => f.reason)).to.deep.equal(["'rules' must hold at least one rule."]);
    });

    it("accepts rules whose destination is not known yet during preview", async () => {
        const result = await provider.check!({} as any, {
            bucket: unknownValue, zone: "zone-a", role: unknownValue,
            rules: { r1: { priority: 1, destination: { bucket: unknownValue, zone: unknownValue } } },
        } as any);
        expect(result.failures).to.deep.equal([]);
    });

    it("fills rule defaults so that state and program compare field by field", async () => {
        const result = await provider.check!({} as any, { bucket: "src", zone: "zone-a", role, rules: { r1: { priority: 1, destination } } } as any);
        expect(result.inputs!.rules.r1).to.deep.equal({
            priority: 1, destination, status: "Enabled", prefix: "", tags: {},
            deleteMarkerReplication: false, deleteReplication: false, existingObjectReplication: false, replicaModifications: false,
        });
    });
});

describe("ReplicationConfiguration diff", () => {
    const rules = {
        a: { priority: 1, destination, status: "Enabled", prefix: "", tags: {}, deleteMarkerReplication: true, deleteReplication: false, existingObjectReplication: false, replicaModifications: false },
        b: { priority: 2, destination, status: "Enabled", prefix: "logs/", tags: {}, deleteMarkerReplication: false, deleteReplication: false, existingObjectReplication: false, replicaModifications: false },
    } as any;
    const olds = { bucket: "src", zone: "zone-a", role, rules };

    it("sees no change when rules are only reordered", async () => {
        const reordered = { ...olds, rules: { b: rules.b, a: rules.a } };
        expect(await provider.diff!("zone-a/src", olds, reordered)).to.deep.include({ changes: false, replaces: [] });
    });

    it("updates in place when a rule changes, and replaces when the source changes", async () => {
        const changed = { ...olds, rules: { ...rules, a: { ...rules.a, deleteMarkerReplication: false } } };
        expect(await provider.diff!("zone-a/src", olds, changed)).to.deep.include({ changes: true, replaces: [] });
        expect((await provider.diff!("zone-a/src", olds, { ...olds, bucket: "other" })).replaces).to.deep.equal(["bucket"]);
    });

    it("keeps the role's key while the role it names is only updated (a repair previews the key as unknown)", async () => {
        const oldsWithKey = { ...olds, role: { id: role.id, name: role.name }, roleSecretKey: "s" };
        const repaired = { ...oldsWithKey, roleSecretKey: unknownValue };
        expect(await provider.diff!("zone-a/src", oldsWithKey, repaired)).to.deep.include({ changes: false });
        const replaced = { ...oldsWithKey, role: { id: unknownValue, name: unknownValue }, roleSecretKey: unknownValue };
        expect(await provider.diff!("zone-a/src", oldsWithKey, replaced)).to.deep.include({ changes: true });
        expect(await provider.diff!("zone-a/src", oldsWithKey, { ...oldsWithKey, roleSecretKey: "other" })).to.deep.include({ changes: true });
    });

    it("updates when the service replicates as another role than the program names", async () => {
        const refreshed = { ...olds, role: { id: "root", name: "root" } };
        expect(await provider.diff!("zone-a/src", refreshed, olds)).to.deep.include({ changes: true });
    });
});
