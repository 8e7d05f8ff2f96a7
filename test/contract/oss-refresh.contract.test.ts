import { expect } from "chai";
import { changedSteps, guidePolicy, ossExampleUnderContract, ossTrust } from "./ossGuide";

// examples/oss-leader-follower under the real Pulumi CLI, against the local OSS + RAM contract server
// (test/contract/ossServer.ts), not Alibaba Cloud: changes made outside Pulumi to a rule's SyncRole, to
// each rule field OSS holds and to the role's policy are seen by `pulumi refresh` and put back by `up`.
// They are made in the server's state as the console would leave them (OSS cannot edit a rule in place).

const replicationType = "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration";
const roleType = "pulumi-nodejs:dynamic/bucket-replication:IamRole";

describe("contract: refresh of drift on examples/oss-leader-follower under the Pulumi CLI against the OSS contract server", function () {
    const example = ossExampleUnderContract("oss-leader-follower", {}, { forceDestroy: "true" });
    const state = () => example.server.state;
    const outputsOf = async (type: string): Promise<Record<string, any>> => {
        const resources = JSON.parse((await example.stack.run(["stack", "export", "--stack", example.stack.stackName])).stdout).deployment.resources ?? [];
        return resources.find((r: { type: string }) => r.type === type).outputs;
    };
    const readOnly = { Version: "1", Statement: [{ Effect: "Allow", Action: ["oss:GetObject"], Resource: ["acs:oss:*:*:*"] }] };

    before(async function () {
        this.timeout(600_000);
        await example.stack.mustUp();
    });

    it("refresh reads the rule's SyncRole, each rule field OSS holds and the role's policy as the server holds them", async () => {
        state().roles.set("made-in-the-console", { RoleName: "made-in-the-console", RoleId: "399999999999999999", Arn: "acs:ram::1234567890123456:role/made-in-the-console",
            Description: "", AssumeRolePolicyDocument: JSON.stringify(ossTrust), MaxSessionDuration: 3600, CreateDate: "" });
        Object.assign(state().rulesOf("srcexamplebucket")[0], {
            syncRole: "made-in-the-console", prefixes: ["other/"], action: "PUT", historicalObjectReplication: "disabled", rtc: "enabled",
            destination: { bucket: "destexamplebucket", location: "oss-cn-beijing", transferType: "oss_acc" },
        });
        const policy = state().policies.get("srcexamplebucket-sync-role-replication")!;
        policy.versions = [{ ...policy.versions[0], IsDefaultVersion: false }, { VersionId: "v2", PolicyDocument: JSON.stringify(readOnly), IsDefaultVersion: true }];

        await example.stack.mustRefresh();
        const configuration = await outputsOf(replicationType);
        expect(configuration.role).to.deep.include({ id: "made-in-the-console", name: "made-in-the-console" });
        expect(configuration.rules["srcexamplebucket-to-beijing"]).to.deep.include({
            // One prefix, where the program writes none: read as `prefix`, the program's way of writing one.
            prefix: "other/", deleteMarkerReplication: false, existingObjectReplication: false,
            replicationTimeControl: true, transferType: "oss_acc",
        });
        expect((await outputsOf(roleType)).policy).to.deep.equal(readOnly);
    });

    it("up puts back the program's rule, as the program's role, and its policy, and nothing is left to change", async () => {
        expect(await changedSteps(example.stack)).to.have.members(["update IamRole oss-replication-role", "update ReplicationConfiguration srcexamplebucket"]);
        await example.stack.mustUp();
        const live = state().rulesOf("srcexamplebucket").filter((rule) => rule.closingSince === undefined);
        expect(live).to.have.length(1);
        expect(live[0]).to.deep.include({ id: "srcexamplebucket-to-beijing", prefixes: [], action: "ALL", historicalObjectReplication: "enabled",
            syncRole: "srcexamplebucket-sync-role", rtc: undefined });
        expect(live[0].destination).to.deep.equal({ bucket: "destexamplebucket", location: "oss-cn-beijing" });
        const policy = state().policies.get("srcexamplebucket-sync-role-replication")!;
        expect(JSON.parse(policy.versions.find((v) => v.IsDefaultVersion)!.PolicyDocument)).to.deep.equal(guidePolicy("srcexamplebucket", "destexamplebucket"));
        expect(await changedSteps(example.stack)).to.deep.equal([]);
    });
});
