import { expect } from "chai";
import { asTheProgramSeesIt, exampleUnderContract, guideReplication, guideRole, uuid } from "./exoscaleGuide";
import type { ContractRole, SosReplicationDocument } from "./exoscaleServer";

// examples/exoscale-leader-follower under the real Pulumi CLI, against the local Exoscale contract server
// (test/contract/exoscaleServer.ts), not Exoscale: it proves that the program sends what Exoscale documents,
// with every IAM request EXO2-signed and every SOS request SigV4-signed for its zone.

// Type tokens as the engine names dynamic resources.
const roleType = "pulumi-nodejs:dynamic/bucket-replication:IamRole";
const bucketType = "pulumi-nodejs:dynamic/bucket-replication:Bucket";
const versioningType = "pulumi-nodejs:dynamic/bucket-replication:BucketVersioning";
const replicationType = "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration";

/** The guide's leader-follower role and replication document for my-source. */
const guideRoleOfSetup = guideRole("my-source", "my-destination");
const guidePolicy = guideRoleOfSetup.policy as { services: { sos: { rules: object[] } } };
const guideReplicationOfSetup = (roleId: string) => guideReplication(roleId, "vie1-follower", "my-destination");

function withRulesById(document: SosReplicationDocument | undefined): SosReplicationDocument | undefined {
    return document && { ...document, Rules: [...document.Rules].sort((a, b) => a.ID.localeCompare(b.ID)) };
}

/** A third bucket the tests add as a follower, to widen the role's policy. */
const extraFollower = { ruleId: "fra1-follower", bucket: "my-destination-fra", zone: "de-fra-1", priority: 2 };

describe("contract: examples/exoscale-leader-follower under the Pulumi CLI against the Exoscale contract server", function () {
    const example = exampleUnderContract("exoscale-leader-follower", ["ch-dk-2", "at-vie-1", extraFollower.zone]);

    const roles = (): ContractRole[] => [...example.server.state.roles.values()];
    const onlyRole = (): ContractRole => {
        expect(roles(), "roles held by the server").to.have.length(1);
        return roles()[0];
    };
    const changedSteps = async (): Promise<string[]> =>
        (await example.stack.previewSteps()).filter((step) => step.op !== "same").map((step) => `${step.op} ${step.type} ${step.urn.split("::").pop()}`);
    const stateResources = async (): Promise<{ type: string; id?: string; outputs?: Record<string, unknown> }[]> =>
        JSON.parse((await example.stack.run(["stack", "export", "--stack", example.stack.stackName])).stdout).deployment.resources ?? [];

    it("converges on one pulumi up", async () => {
        await example.stack.mustUp();
        const out = await example.stack.outputs();
        expect(out).to.deep.include({
            sourceBucket: "my-source",
            sourceZone: "ch-dk-2",
            destinationBucket: "my-destination",
            destinationZone: "at-vie-1",
            roleName: "replication-my-source-my-destination",
            ruleIds: ["vie1-follower"],
        });
        expect(out.roleId).to.equal(onlyRole().id);
    });

    it("creates the guide's IAM role, field for field (plus the owner label), with the guide's two-rule policy", () => {
        const { id, ...document } = onlyRole();
        expect(id).to.match(uuid);
        expect(asTheProgramSeesIt(document)).to.deep.equal(guideRoleOfSetup);
    });

    it("creates my-source in ch-dk-2 and my-destination in at-vie-1, both versioned", () => {
        const buckets = [...example.server.state.buckets.values()].map(({ name, zone, versioning }) => ({ name, zone, versioning }));
        expect(buckets).to.have.deep.members([
            { name: "my-source", zone: "ch-dk-2", versioning: "Enabled" },
            { name: "my-destination", zone: "at-vie-1", versioning: "Enabled" },
        ]);
    });

    it("puts the guide's replication document on my-source: role UUID, plain destination bucket, rule vie1-follower", () => {
        expect(example.server.state.replicationOf("my-source")).to.deep.equal(guideReplicationOfSetup(onlyRole().id));
        expect(example.server.state.replicationOf("my-destination")).to.equal(undefined);
    });

    it("previews no changes right after", async () => {
        expect(await changedSteps()).to.deep.equal([]);
    });

    it("keeps the API key and secret out of the state file, serialized providers included", () => {
        const text = example.stack.stateText();
        expect(text).to.not.contain(example.server.credentials.secretKey);
        expect(text).to.not.contain(example.server.credentials.accessKey);
    });

    it("widens the role's policy in place when a follower is added: same UUID, one policy update", async () => {
        const before = onlyRole();
        const policyUpdatesBefore = example.server.state.requestsFor("update-iam-role-policy").length;
        const rolesCreatedBefore = example.server.state.requestsFor("create-iam-role").length;
        const roleUpdatesBefore = example.server.state.requestsFor("update-iam-role").length;
        await example.stack.setConfig("extraFollowers", JSON.stringify({
            [extraFollower.ruleId]: { bucket: extraFollower.bucket, zone: extraFollower.zone, priority: extraFollower.priority },
        }));

        expect(await changedSteps()).to.have.members([
            `create ${bucketType} follower-${extraFollower.ruleId}`,
            `create ${versioningType} follower-${extraFollower.ruleId}`,
            `update ${roleType} replication-my-source-my-destination`,
            `update ${replicationType} my-source`,
        ]);
        await example.stack.mustUp();

        const after = onlyRole();
        expect(after.id).to.equal(before.id);
        expect(example.server.state.requestsFor("create-iam-role")).to.have.length(rolesCreatedBefore);
        // The description did not change, so only the policy endpoint is called.
        expect(example.server.state.requestsFor("update-iam-role")).to.have.length(roleUpdatesBefore);
        expect(example.server.state.requestsFor("update-iam-role-policy").filter((r) => r.status === 200)).to.have.length(policyUpdatesBefore + 1);
        expect(after.policy).to.deep.equal({
            "default-service-strategy": "deny",
            services: {
                sos: {
                    type: "rules",
                    rules: [
                        ...guidePolicy.services.sos.rules,
                        { action: "allow", expression: `parameters.bucket == '${extraFollower.bucket}' && operation.startsWith('put-object')` },
                    ],
                },
            },
        });
        // Rules are keyed by ID in the program, so their order on the wire carries no meaning.
        const guide = guideReplicationOfSetup(before.id);
        expect(withRulesById(example.server.state.replicationOf("my-source"))).to.deep.equal({
            Role: before.id,
            Rules: [{
                ID: extraFollower.ruleId,
                Priority: extraFollower.priority,
                Status: "Enabled",
                Filter: { Prefix: "" },
                DeleteMarkerReplication: { Status: "Enabled" },
                Destination: { Bucket: extraFollower.bucket },
            }, ...guide.Rules],
        });
        expect(await changedSteps()).to.deep.equal([]);
    });

    it("replaces the role when it is renamed, creating the new one first, and points replication at it", async () => {
        const old = onlyRole();
        await example.stack.setConfig("roleName", "replication-my-source-followers");

        const steps = await changedSteps();
        expect(steps).to.include(`replace ${roleType} replication-my-source-my-destination`);
        expect(steps).to.include(`update ${replicationType} my-source`);
        expect(steps.filter((step) => !step.includes(roleType))).to.deep.equal([`update ${replicationType} my-source`]);
        await example.stack.mustUp();

        const renamed = onlyRole();
        expect(renamed.name).to.equal("replication-my-source-followers");
        expect(renamed.id).to.not.equal(old.id);
        expect(renamed.policy).to.deep.equal(old.policy);
        expect(example.server.state.replicationOf("my-source")?.Role).to.equal(renamed.id);
        // Replication must never name a role that no longer exists: new role, then the rules, then the old role goes.
        const position = (operation: string, matches: (body: string, path: string) => boolean = () => true) =>
            example.server.state.requests.findIndex((r) => r.operation === operation && r.status === 200 && matches(r.body, r.path));
        const created = position("create-iam-role", (body) => JSON.parse(body).name === renamed.name);
        const repointed = position("PutBucketReplication", (body) => body.includes(renamed.id));
        const deleted = position("delete-iam-role", (_body, path) => path.endsWith(old.id));
        expect(created).to.be.at.least(0);
        expect(repointed).to.be.greaterThan(created);
        expect(deleted).to.be.greaterThan(repointed);
        expect(await changedSteps()).to.deep.equal([]);
    });

    it("finds a role deleted outside Pulumi on refresh, and recreates it on up", async () => {
        const gone = onlyRole();
        expect(example.server.state.deleteRoleOutOfBand(gone.id)).to.equal(true);

        await example.stack.mustRefresh();
        const resources = await stateResources();
        expect(resources.filter((r) => r.type === roleType)).to.deep.equal([]);
        expect(resources.filter((r) => r.type === replicationType)).to.have.length(1);

        expect(await changedSteps()).to.have.members([
            `create ${roleType} replication-my-source-my-destination`,
            `update ${replicationType} my-source`,
        ]);
        await example.stack.mustUp();
        const recreated = onlyRole();
        expect(recreated.id).to.not.equal(gone.id);
        expect(recreated.name).to.equal(gone.name);
        expect(recreated.policy).to.deep.equal(gone.policy);
        expect(example.server.state.replicationOf("my-source")?.Role).to.equal(recreated.id);
        expect(await changedSteps()).to.deep.equal([]);
    });

    it("destroys everything: no role, no replication configuration, no bucket left on the server", async () => {
        await example.stack.mustDestroy();
        example.destroyed = true;
        expect(roles()).to.deep.equal([]);
        expect([...example.server.state.buckets.keys()]).to.deep.equal([]);
        expect(example.server.state.requestsFor("DeleteBucketReplication").filter((r) => r.status === 204).map((r) => r.path.replace(/\/$/, ""))).to.deep.equal(["/my-source"]);
        expect((await stateResources()).filter((r) => r.type.includes("bucket-replication:"))).to.deep.equal([]);
    });
});
