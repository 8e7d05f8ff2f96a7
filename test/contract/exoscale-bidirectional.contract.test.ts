import { expect } from "chai";
import * as path from "path";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";
import { type ContractRole, type ExoscaleContractServer, type SosReplicationDocument, stackConfigFor, startExoscaleContractServer } from "./exoscaleServer";

// examples/exoscale-bidirectional under the real Pulumi CLI, against the local Exoscale contract server
// (test/contract/exoscaleServer.ts), not Exoscale: it proves that the program sends what Exoscale documents.

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The role for one direction, as `exo iam role create --editable=true --description ... --policy -` makes it. */
function guideRole(from: string, to: string): Omit<ContractRole, "id"> {
    return {
        name: `replication-${from}-${to}`,
        description: `sos bucket replication between ${from} and ${to}`,
        editable: true,
        labels: {},
        permissions: [],
        policy: {
            "default-service-strategy": "deny",
            services: {
                sos: {
                    type: "rules",
                    rules: [
                        { action: "allow", expression: `parameters.bucket == '${from}' && operation == 'get-object'` },
                        { action: "allow", expression: `parameters.bucket == '${to}' && operation.startsWith('put-object')` },
                    ],
                },
            },
        },
    };
}

/** The replication document on a source bucket: one rule, named after the bucket `to` it feeds. */
function guideReplication(roleId: string, ruleId: string, to: string): SosReplicationDocument {
    return {
        Role: roleId,
        Rules: [{
            ID: ruleId,
            Priority: 1,
            Status: "Enabled",
            Filter: { Prefix: "" },
            DeleteMarkerReplication: { Status: "Enabled" },
            Destination: { Bucket: to },
        }],
    };
}

describe("contract: examples/exoscale-bidirectional under the Pulumi CLI against the Exoscale contract server", function () {
    let server: ExoscaleContractServer;
    let stack: PulumiStack;
    let destroyed = false;

    const roleNamed = (name: string): ContractRole => {
        const found = [...server.state.roles.values()].filter((role) => role.name === name);
        expect(found, `roles named ${name}`).to.have.length(1);
        return found[0];
    };

    before(async () => {
        server = await startExoscaleContractServer({ zones: ["ch-dk-2", "at-vie-1"], pendingPolls: 1 });
        stack = await PulumiStack.init(path.join(repoRoot, "examples", "exoscale-bidirectional"));
        for (const { key, value, secret } of stackConfigFor(server)) await stack.setConfig(key, value, { secret });
    });

    after(async () => {
        if (stack) {
            if (!destroyed) await stack.destroy();
            await stack.dispose();
        }
        if (server) await server.close();
    });

    it("converges on one pulumi up: bucket-a in ch-dk-2 and bucket-b in at-vie-1, both versioned", async () => {
        await stack.mustUp();
        const out = await stack.outputs();
        expect(out).to.deep.include({
            bucketA: "bucket-a", zoneA: "ch-dk-2",
            bucketB: "bucket-b", zoneB: "at-vie-1",
            roleAToBName: "replication-bucket-a-bucket-b",
            roleBToAName: "replication-bucket-b-bucket-a",
        });
        const buckets = [...server.state.buckets.values()].map(({ name, zone, versioning }) => ({ name, zone, versioning }));
        expect(buckets).to.have.deep.members([
            { name: "bucket-a", zone: "ch-dk-2", versioning: "Enabled" },
            { name: "bucket-b", zone: "at-vie-1", versioning: "Enabled" },
        ]);
    });

    it("creates one least-privilege role per direction, field for field", () => {
        expect(server.state.roles.size).to.equal(2);
        for (const [from, to] of [["bucket-a", "bucket-b"], ["bucket-b", "bucket-a"]]) {
            const { id, ...document } = roleNamed(`replication-${from}-${to}`);
            expect(id).to.match(uuid);
            expect(document).to.deep.equal(guideRole(from, to));
        }
    });

    it("puts rule to-bucket-b on bucket-a and rule to-bucket-a on bucket-b, each naming its own role's UUID", async () => {
        const aToB = roleNamed("replication-bucket-a-bucket-b").id;
        const bToA = roleNamed("replication-bucket-b-bucket-a").id;
        expect(aToB).to.not.equal(bToA);
        expect(server.state.replicationOf("bucket-a")).to.deep.equal(guideReplication(aToB, "to-bucket-b", "bucket-b"));
        expect(server.state.replicationOf("bucket-b")).to.deep.equal(guideReplication(bToA, "to-bucket-a", "bucket-a"));
        const out = await stack.outputs();
        expect([out.roleAToBId, out.roleBToAId]).to.deep.equal([aToB, bToA]);
    });

    it("previews no changes right after", async () => {
        const changed = (await stack.previewSteps()).filter((step) => step.op !== "same");
        expect(changed.map((step) => `${step.op} ${step.urn.split("::").pop()}`)).to.deep.equal([]);
    });

    it("keeps the API key and secret out of the state file", () => {
        const text = stack.stateText();
        expect(text).to.not.contain(server.credentials.secretKey);
        expect(text).to.not.contain(server.credentials.accessKey);
    });

    it("destroys everything: no role, no replication configuration, no bucket left on the server", async () => {
        await stack.mustDestroy();
        destroyed = true;
        expect([...server.state.roles.values()]).to.deep.equal([]);
        expect([...server.state.buckets.keys()]).to.deep.equal([]);
        const removedFrom = server.state.requestsFor("DeleteBucketReplication").filter((r) => r.status === 204).map((r) => r.path.replace(/\/$/, ""));
        expect(removedFrom).to.have.members(["/bucket-a", "/bucket-b"]);
    });
});
