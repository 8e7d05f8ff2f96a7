import { expect } from "chai";
import { healthyRoleZone, type ReplicationRuleStatus, type ReplicationSpec } from "../../provider/backends/backend";
import { zonesNeedingRepair } from "../../provider/iamRole";
import { failingRuleWarnings } from "../../provider/replicationHealth";

const spec = {
    source: { zone: "local-a", bucket: "src" },
    role: { id: "replicator", name: "replicator", description: "", editable: true, labels: {}, policy: {} },
    rules: [],
} as unknown as ReplicationSpec;

function status(overrides: Partial<ReplicationRuleStatus>): ReplicationRuleStatus {
    return { ruleId: "to-b", destination: { zone: "local-b", bucket: "dst" }, state: "Enabled", source: "test", ...overrides };
}

const sample = { objects: 5, pending: 0, failed: 0, completed: 5, replica: 0, none: 0 };

describe("replication health warnings", () => {
    it("says nothing of a healthy rule", () => {
        expect(failingRuleWarnings(spec, [status({ sample, failed: { count: 0, over: "last minute" } })])).to.deep.equal([]);
    });

    it("says nothing once the sampled versions replicated, although a counter still holds the failures they had", () => {
        expect(failingRuleWarnings(spec, [status({ sample, failed: { count: 3, over: "last minute" }, metrics: { failedLastHour: 3 } })])).to.deep.equal([]);
    });

    it("blames only the rule whose destination failed, where the service counts failures per destination", () => {
        const shared = { ...sample, failed: 1, completed: 4 };
        const warnings = failingRuleWarnings(spec, [
            status({ ruleId: "to-b", sample: shared, metrics: { failedLastHour: 1 } }),
            status({ ruleId: "to-c", destination: { zone: "local-c", bucket: "dst" }, sample: shared, metrics: { failedLastHour: 0 } }),
        ]);
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.contain("rule 'to-b'");
    });

    it("names the rule, both ends, the evidence and the likely cause of a failing rule", () => {
        const [warning, ...rest] = failingRuleWarnings(spec, [
            status({ sample: { ...sample, failed: 2, completed: 3 }, metrics: { failedLastHour: 4 } }),
            status({ ruleId: "healthy", sample }),
        ]);
        expect(rest).to.deep.equal([]);
        expect(warning).to.contain("rule 'to-b'").and.to.contain("from local-a/src to local-b/dst")
            .and.to.contain("2 of the latest 5 object versions are FAILED").and.to.contain("4 failed in the last hour")
            .and.to.contain("role 'replicator' has lost its access on local-b");
    });

    it("points at a missing remote target when the service reports one", () => {
        const [warning] = failingRuleWarnings(spec, [status({
            failed: { count: 1, over: "last minute (service metrics)" },
            notes: ["no remote target of 'src' points at local-b/dst: run 'pulumi refresh' and 'pulumi up'"],
        })]);
        expect(warning).to.contain("Likely cause: no remote target of 'src' points at local-b/dst");
    });
});

describe("IamRole zones that need repair", () => {
    const healthy = healthyRoleZone("replicator");

    it("finds none on a role as create leaves it, nor on a state from before zones were read", () => {
        expect(zonesNeedingRepair({ id: "replicator", identity: "x", zones: { "local-a": healthy, "local-b": healthy } })).to.deep.equal([]);
        expect(zonesNeedingRepair({ id: "replicator", identity: "x" })).to.deep.equal([]);
        expect(zonesNeedingRepair({ id: "replicator", zones: { "local-a": healthyRoleZone("replicator", false) } })).to.deep.equal([]);
    });

    it("names each zone and what is off there", () => {
        const found = zonesNeedingRepair({ id: "replicator", identity: "x", zones: {
            "local-a": { ...healthy, ownershipMarker: false },
            "local-b": { ...healthy, user: "disabled", attachedPolicies: [] },
        } });
        expect(found).to.deep.equal([
            "local-a (ownershipMarker: false)",
            "local-b (user: \"disabled\", attachedPolicies: [])",
        ]);
    });
});
