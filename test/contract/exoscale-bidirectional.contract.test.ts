import { expect } from "chai";
import { asTheProgramSeesIt, exampleUnderContract, guideReplication, guideRole, uuid } from "./exoscaleGuide";
import type { ContractRole } from "./exoscaleServer";

// examples/exoscale-bidirectional under the real Pulumi CLI, against the local Exoscale contract server
// (test/contract/exoscaleServer.ts), not Exoscale: it proves that the program sends what Exoscale documents.

describe("contract: examples/exoscale-bidirectional under the Pulumi CLI against the Exoscale contract server", function () {
    const example = exampleUnderContract("exoscale-bidirectional", ["ch-dk-2", "at-vie-1"]);

    const roleNamed = (name: string): ContractRole => {
        const found = [...example.server.state.roles.values()].filter((role) => role.name === name);
        expect(found, `roles named ${name}`).to.have.length(1);
        return found[0];
    };

    it("converges on one pulumi up: bucket-a in ch-dk-2 and bucket-b in at-vie-1, both versioned", async () => {
        await example.stack.mustUp();
        const out = await example.stack.outputs();
        expect(out).to.deep.include({
            bucketA: "bucket-a", zoneA: "ch-dk-2",
            bucketB: "bucket-b", zoneB: "at-vie-1",
            roleAToBName: "replication-bucket-a-bucket-b",
            roleBToAName: "replication-bucket-b-bucket-a",
        });
        const buckets = [...example.server.state.buckets.values()].map(({ name, zone, versioning }) => ({ name, zone, versioning }));
        expect(buckets).to.have.deep.members([
            { name: "bucket-a", zone: "ch-dk-2", versioning: "Enabled" },
            { name: "bucket-b", zone: "at-vie-1", versioning: "Enabled" },
        ]);
    });

    it("creates one least-privilege role per direction, field for field", () => {
        expect(example.server.state.roles.size).to.equal(2);
        for (const [from, to] of [["bucket-a", "bucket-b"], ["bucket-b", "bucket-a"]]) {
            const { id, ...document } = roleNamed(`replication-${from}-${to}`);
            expect(id).to.match(uuid);
            expect(asTheProgramSeesIt(document)).to.deep.equal(guideRole(from, to));
        }
    });

    it("puts rule to-bucket-b on bucket-a and rule to-bucket-a on bucket-b, each naming its own role's UUID", async () => {
        const aToB = roleNamed("replication-bucket-a-bucket-b").id;
        const bToA = roleNamed("replication-bucket-b-bucket-a").id;
        expect(aToB).to.not.equal(bToA);
        expect(example.server.state.replicationOf("bucket-a")).to.deep.equal(guideReplication(aToB, "to-bucket-b", "bucket-b"));
        expect(example.server.state.replicationOf("bucket-b")).to.deep.equal(guideReplication(bToA, "to-bucket-a", "bucket-a"));
        const out = await example.stack.outputs();
        expect([out.roleAToBId, out.roleBToAId]).to.deep.equal([aToB, bToA]);
    });

    it("previews no changes right after", async () => {
        const changed = (await example.stack.previewSteps()).filter((step) => step.op !== "same");
        expect(changed.map((step) => `${step.op} ${step.urn.split("::").pop()}`)).to.deep.equal([]);
    });

    it("keeps the API key and secret out of the state file", () => {
        const text = example.stack.stateText();
        expect(text).to.not.contain(example.server.credentials.secretKey);
        expect(text).to.not.contain(example.server.credentials.accessKey);
    });

    it("destroys everything: no role, no replication configuration, no bucket left on the server", async () => {
        await example.stack.mustDestroy();
        example.destroyed = true;
        expect([...example.server.state.roles.values()]).to.deep.equal([]);
        expect([...example.server.state.buckets.keys()]).to.deep.equal([]);
        const removedFrom = example.server.state.requestsFor("DeleteBucketReplication").filter((r) => r.status === 204).map((r) => r.path.replace(/\/$/, ""));
        expect(removedFrom).to.have.members(["/bucket-a", "/bucket-b"]);
    });
});
