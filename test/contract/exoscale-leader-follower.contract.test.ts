import { expect } from "chai";
import * as path from "path";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";
import { type ContractRole, type ExoscaleContractServer, type SosReplicationDocument, stackConfigFor, startExoscaleContractServer } from "./exoscaleServer";

// examples/exoscale-leader-follower under the real Pulumi CLI, against the local Exoscale contract server
// (test/contract/exoscaleServer.ts), not Exoscale: it proves that the program sends what Exoscale documents,
// with every IAM request EXO2-signed and every SOS request SigV4-signed for its zone.

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Type tokens as the engine names dynamic resources.
const roleType = "pulumi-nodejs:dynamic/bucket-replication:IamRole";
const bucketType = "pulumi-nodejs:dynamic/bucket-replication:Bucket";
const versioningType = "pulumi-nodejs:dynamic/bucket-replication:BucketVersioning";
const replicationType = "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration";

/** policy.json of the guide's leader-follower setup, copied here rather than computed by the code under test. */
const guidePolicy = {
    "default-service-strategy": "deny",
    services: {
        sos: {
            type: "rules",
            rules: [
                { action: "allow", expression: "parameters.bucket == 'my-source' && operation == 'get-object'" },
                { action: "allow", expression: "parameters.bucket == 'my-destination' && operation.startsWith('put-object')" },
            ],
        },
    },
};

/**
 * The role that `exo iam role create --editable=true --description '...' --policy - replication-my-source-my-destination`
 * makes: no labels, no permissions.
 */
const guideRole: Omit<ContractRole, "id"> = {
    name: "replication-my-source-my-destination",
    description: "sos bucket replication between my-source and my-destination",
    editable: true,
    labels: {},
    permissions: [],
    policy: guidePolicy,
};

/** The guide's replication document for my-source, with the UUID of the role it runs as. */
function guideReplication(roleId: string): SosReplicationDocument {
    return {
        Role: roleId,
        Rules: [{
            ID: "vie1-follower",
            Priority: 1,
            Status: "Enabled",
            Filter: { Prefix: "" },
            DeleteMarkerReplication: { Status: "Enabled" },
            Destination: { Bucket: "my-destination" },
        }],
    };
}

function withRulesById(document: SosReplicationDocument | undefined): SosReplicationDocument | undefined {
    return document && { ...document, Rules: [...document.Rules].sort((a, b) => a.ID.localeCompare(b.ID)) };
}

/** A third bucket the tests add as a follower, to widen the role's policy. */
const extraFollower = { ruleId: "fra1-follower", bucket: "my-destination-fra", zone: "de-fra-1", priority: 2 };

describe("contract: examples/exoscale-leader-follower under the Pulumi CLI against the Exoscale contract server", function () {
    let server: ExoscaleContractServer;
    let stack: PulumiStack;
    let destroyed = false;

    const roles = (): ContractRole[] => [...server.state.roles.values()];
    const onlyRole = (): ContractRole => {
        expect(roles(), "roles held by the server").to.have.length(1);
        return roles()[0];
    };
    const changedSteps = async (): Promise<string[]> =>
        (await stack.previewSteps()).filter((step) => step.op !== "same").map((step) => `${step.op} ${step.type} ${step.urn.split("::").pop()}`);
    const stateResources = async (): Promise<{ type: string; id?: string; outputs?: Record<string, unknown> }[]> =>
        JSON.parse((await stack.run(["stack", "export", "--stack", stack.stackName])).stdout).deployment.resources ?? [];

    before(async () => {
        // Operations stay pending for one poll, so that every IAM mutation goes through the waiting path.
        server = await startExoscaleContractServer({ zones: ["ch-dk-2", "at-vie-1", extraFollower.zone], pendingPolls: 1 });
        stack = await PulumiStack.init(path.join(repoRoot, "examples", "exoscale-leader-follower"));
        for (const { key, value, secret } of stackConfigFor(server)) await stack.setConfig(key, value, { secret });
    });

    after(async () => {
        if (stack) {
            if (!destroyed) await stack.destroy();
            await stack.dispose();
        }
        if (server) await server.close();
    });

    it("converges on one pulumi up", async () => {
        await stack.mustUp();
        const out = await stack.outputs();
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

    it("creates the guide's IAM role, field for field, with the guide's two-rule policy", () => {
        const { id, ...document } = onlyRole();
        expect(id).to.match(uuid);
        expect(document).to.deep.equal(guideRole);
    });

    it("creates my-source in ch-dk-2 and my-destination in at-vie-1, both versioned", () => {
        const buckets = [...server.state.buckets.values()].map(({ name, zone, versioning }) => ({ name, zone, versioning }));
        expect(buckets).to.have.deep.members([
            { name: "my-source", zone: "ch-dk-2", versioning: "Enabled" },
            { name: "my-destination", zone: "at-vie-1", versioning: "Enabled" },
        ]);
    });

    it("puts the guide's replication document on my-source: role UUID, plain destination bucket, rule vie1-follower", () => {
        expect(server.state.replicationOf("my-source")).to.deep.equal(guideReplication(onlyRole().id));
        expect(server.state.replicationOf("my-destination")).to.equal(undefined);
    });

    it("previews no changes right after", async () => {
        expect(await changedSteps()).to.deep.equal([]);
    });

    it("keeps the API key and secret out of the state file, serialized providers included", () => {
        const text = stack.stateText();
        expect(text).to.not.contain(server.credentials.secretKey);
        expect(text).to.not.contain(server.credentials.accessKey);
    });

    it("widens the role's policy in place when a follower is added: same UUID, one policy update", async () => {
        const before = onlyRole();
        const policyUpdatesBefore = server.state.requestsFor("update-iam-role-policy").length;
        const rolesCreatedBefore = server.state.requestsFor("create-iam-role").length;
        const roleUpdatesBefore = server.state.requestsFor("update-iam-role").length;
        await stack.setConfig("extraFollowers", JSON.stringify({
            [extraFollower.ruleId]: { bucket: extraFollower.bucket, zone: extraFollower.zone, priority: extraFollower.priority },
        }));

        expect(await changedSteps()).to.have.members([
            `create ${bucketType} follower-${extraFollower.ruleId}`,
            `create ${versioningType} follower-${extraFollower.ruleId}`,
            `update ${roleType} replication-my-source-my-destination`,
            `update ${replicationType} my-source`,
        ]);
        await stack.mustUp();

        const after = onlyRole();
        expect(after.id).to.equal(before.id);
        expect(server.state.requestsFor("create-iam-role")).to.have.length(rolesCreatedBefore);
        // The description did not change, so only the policy endpoint is called.
        expect(server.state.requestsFor("update-iam-role")).to.have.length(roleUpdatesBefore);
        expect(server.state.requestsFor("update-iam-role-policy").filter((r) => r.status === 200)).to.have.length(policyUpdatesBefore + 1);
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
        const guide = guideReplication(before.id);
        expect(withRulesById(server.state.replicationOf("my-source"))).to.deep.equal({
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
        await stack.setConfig("roleName", "replication-my-source-followers");

        const steps = await changedSteps();
        expect(steps).to.include(`replace ${roleType} replication-my-source-my-destination`);
        expect(steps).to.include(`update ${replicationType} my-source`);
        expect(steps.filter((step) => !step.includes(roleType))).to.deep.equal([`update ${replicationType} my-source`]);
        await stack.mustUp();

        const renamed = onlyRole();
        expect(renamed.name).to.equal("replication-my-source-followers");
        expect(renamed.id).to.not.equal(old.id);
        expect(renamed.policy).to.deep.equal(old.policy);
        expect(server.state.replicationOf("my-source")?.Role).to.equal(renamed.id);
        // Replication must never name a role that no longer exists: new role, then the rules, then the old role goes.
        const position = (operation: string, matches: (body: string, path: string) => boolean = () => true) =>
            server.state.requests.findIndex((r) => r.operation === operation && r.status === 200 && matches(r.body, r.path));
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
        expect(server.state.deleteRoleOutOfBand(gone.id)).to.equal(true);

        await stack.mustRefresh();
        const resources = await stateResources();
        expect(resources.filter((r) => r.type === roleType)).to.deep.equal([]);
        expect(resources.filter((r) => r.type === replicationType)).to.have.length(1);

        expect(await changedSteps()).to.have.members([
            `create ${roleType} replication-my-source-my-destination`,
            `update ${replicationType} my-source`,
        ]);
        await stack.mustUp();
        const recreated = onlyRole();
        expect(recreated.id).to.not.equal(gone.id);
        expect(recreated.name).to.equal(gone.name);
        expect(recreated.policy).to.deep.equal(gone.policy);
        expect(server.state.replicationOf("my-source")?.Role).to.equal(recreated.id);
        expect(await changedSteps()).to.deep.equal([]);
    });

    it("destroys everything: no role, no replication configuration, no bucket left on the server", async () => {
        await stack.mustDestroy();
        destroyed = true;
        expect(roles()).to.deep.equal([]);
        expect([...server.state.buckets.keys()]).to.deep.equal([]);
        expect(server.state.requestsFor("DeleteBucketReplication").filter((r) => r.status === 204).map((r) => r.path.replace(/\/$/, ""))).to.deep.equal(["/my-source"]);
        expect((await stateResources()).filter((r) => r.type.includes("bucket-replication:"))).to.deep.equal([]);
    });
});
