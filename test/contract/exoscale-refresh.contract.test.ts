import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { exampleUnderContract, guideReplication, guideRole } from "./exoscaleGuide";
import type { ContractRole } from "./exoscaleServer";

// examples/exoscale-leader-follower under the real Pulumi CLI, against the local Exoscale contract server
// (test/contract/exoscaleServer.ts), not Exoscale: changes made outside Pulumi to the role a configuration
// names, the role's policy and each rule field SOS holds are seen by `pulumi refresh` and put back by `up`.

const roleType = "pulumi-nodejs:dynamic/bucket-replication:IamRole";
const replicationType = "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration";

describe("contract: refresh of drift on examples/exoscale-leader-follower under the Pulumi CLI against the Exoscale contract server", function () {
    const example = exampleUnderContract("exoscale-leader-follower", ["ch-dk-2", "at-vie-1"]);
    let ours: ContractRole;

    const changedSteps = async (): Promise<string[]> =>
        (await example.stack.previewSteps()).filter((step) => step.op !== "same").map((step) => `${step.op} ${step.type} ${step.urn.split("::").pop()}`);
    const outputsOf = async (type: string): Promise<Record<string, any>> => {
        const resources = JSON.parse((await example.stack.run(["stack", "export", "--stack", example.stack.stackName])).stdout).deployment.resources ?? [];
        return resources.find((r: { type: string }) => r.type === type).outputs;
    };

    before(async function () {
        this.timeout(600_000);
        await example.stack.mustUp();
        ours = [...example.server.state.roles.values()][0];
    });

    it("refresh reads the role the configuration names, the role's policy and each rule field as the server holds them", async () => {
        // Another role, as someone made it in the portal, and the configuration pointed at it with `exo storage bucket replication set`.
        const other: ContractRole = { ...guideRole("my-source", "my-destination"), id: randomUUID(), name: "made-in-the-portal" };
        example.server.state.roles.set(other.id, other);
        const replication = example.server.state.buckets.get("my-source")!.replication!;
        replication.document = {
            Role: other.id,
            Rules: [{ ID: "vie1-follower", Priority: 4, Status: "Disabled", Filter: { Prefix: "other/" }, DeleteMarkerReplication: { Status: "Disabled" },
                Destination: { Bucket: "my-destination", StorageClass: "STANDARD" } }],
        };
        const readOnly = { "default-service-strategy": "deny", services: { sos: { type: "rules", rules: [{ action: "allow", expression: "operation == 'list-objects'" }] } } };
        ours.policy = readOnly;

        await example.stack.mustRefresh();
        const configuration = await outputsOf(replicationType);
        expect(configuration.role).to.deep.include({ id: other.id, name: "made-in-the-portal" });
        expect(configuration.rules["vie1-follower"]).to.deep.include({
            priority: 4, status: "Disabled", prefix: "other/", deleteMarkerReplication: false,
            destination: { bucket: "my-destination", zone: "at-vie-1", storageClass: "STANDARD" },
        });
        expect((await outputsOf(roleType)).policy).to.deep.equal(readOnly);
    });

    it("up puts back the program's role, policy and rule, and nothing is left to change", async () => {
        expect(await changedSteps()).to.have.members([
            `update ${roleType} replication-my-source-my-destination`,
            `update ${replicationType} my-source`,
        ]);
        await example.stack.mustUp();
        expect(example.server.state.replicationOf("my-source")).to.deep.equal(guideReplication(ours.id, "vie1-follower", "my-destination"));
        expect(example.server.state.roles.get(ours.id)!.policy).to.deep.equal(guideRole("my-source", "my-destination").policy);
        expect(await changedSteps()).to.deep.equal([]);
    });

    it("refuses at preview to clear the role's description, which Exoscale IAM cannot do, and sends nothing", async () => {
        const description = example.server.state.roles.get(ours.id)!.description;
        const updatesBefore = example.server.state.requestsFor("update-iam-role").length;
        await example.stack.setConfig("roleDescription", "");
        const preview = await example.stack.preview();
        expect(preview.code, "exit code of preview").to.not.equal(0);
        expect(preview.stdout + preview.stderr).to.contain("Exoscale IAM cannot clear a role's description").and.to.contain("Give the IamRole a 'description' again");
        const result = await example.stack.up();
        expect(result.code, "exit code of up").to.not.equal(0);
        expect(result.stdout + result.stderr).to.contain("Exoscale IAM cannot clear a role's description");
        expect(example.server.state.requestsFor("update-iam-role")).to.have.length(updatesBefore);
        expect(example.server.state.roles.get(ours.id)!.description).to.equal(description);

        await example.stack.removeConfig("roleDescription");
        expect(await changedSteps()).to.deep.equal([]);
    });
});
