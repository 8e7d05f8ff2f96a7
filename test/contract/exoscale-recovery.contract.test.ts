import { expect } from "chai";
import { asTheProgramSeesIt, exampleUnderContract, guideRole, ownerLabel } from "./exoscaleGuide";
import type { ContractRole } from "./exoscaleServer";

// examples/exoscale-leader-follower under the real Pulumi CLI against the local Exoscale contract server
// (test/contract/exoscaleServer.ts), with a role of the program's name already there and with IAM faults
// mid-create: a failed `up` says what it left and why, and a plain re-run converges without a second role.

const roleName = "replication-my-source-my-destination";

describe("contract: examples/exoscale-leader-follower recovers from IAM failures under the Pulumi CLI (Exoscale contract server)", function () {
    const example = exampleUnderContract("exoscale-leader-follower", ["ch-dk-2", "at-vie-1"]);
    const rolesNamed = (): ContractRole[] => [...example.server.state.roles.values()].filter((role) => role.name === roleName);
    const creates = () => example.server.state.requestsFor("create-iam-role").filter((r) => JSON.parse(r.body).name === roleName);

    before(async () => {
        // One retry, so that a persistent fault gives up within seconds.
        await example.stack.setConfig("bucket-replication:maxRetries", "1");
    });

    it("refuses a role of the program's name made outside Pulumi: up fails naming it and the fix, without a stack trace, and leaves it untouched", async () => {
        const foreign: ContractRole = {
            id: "0b12cb6b-7e3e-4c0e-9e10-1e5d8a7c4b2a", name: roleName, description: "someone else's", editable: true,
            labels: { team: "someone-else" }, permissions: [], policy: { "default-service-strategy": "allow", services: {} },
        };
        example.server.state.roles.set(foreign.id, foreign);
        const before = JSON.stringify(foreign);

        const result = await example.stack.up();
        const output = result.stdout + result.stderr;
        expect(result.code).to.not.equal(0);
        expect(output).to.contain(`IAM role '${roleName}' cannot be created`).and.to.contain(foreign.id)
            .and.to.contain("Nothing was changed").and.to.contain(`exo iam role delete ${foreign.id}`);
        expect(output).to.not.match(/\n\s+at .*\.(js|ts):\d+/);
        expect(JSON.stringify(example.server.state.roles.get(foreign.id))).to.equal(before);
        expect(creates()).to.deep.equal([]);
        expect(example.server.state.replicationOf("my-source")).to.equal(undefined);
        example.server.state.roles.delete(foreign.id);
    });

    it("a create whose answer is lost while IAM then fails: up fails saying the role is adopted next time; a plain re-run adopts it", async () => {
        example.server.state.injectFault({ kind: "lost-answer", operation: "create-iam-role" });
        // The first listing (the ownership check before the create) passes; the listings after the lost answer fail.
        example.server.state.injectFault({ kind: "503", operation: "list-iam-roles", skip: 1, times: 2 });

        const failed = await example.stack.up();
        expect(failed.code).to.not.equal(0);
        expect(failed.stdout + failed.stderr).to.contain("Exoscale IAM list-iam-roles on zone 'iam'").and.to.contain("HTTP 503")
            .and.to.contain("create-iam-role").and.to.contain("the next 'pulumi up' adopts it");
        const leftBehind = rolesNamed();
        expect(leftBehind, "the role the lost create made").to.have.length(1);
        expect(leftBehind[0].labels[ownerLabel]).to.match(/^resource-[0-9a-f]{24}$/);
        expect(creates()).to.have.length(1);

        await example.stack.mustUp();
        const adopted = rolesNamed();
        expect(adopted.map((role) => role.id)).to.deep.equal([leftBehind[0].id]);
        expect(creates()).to.have.length(1);
        const { id, ...document } = adopted[0];
        expect(asTheProgramSeesIt(document)).to.deep.equal(guideRole("my-source", "my-destination"));
        expect(example.server.state.replicationOf("my-source")?.Role).to.equal(id);
        expect((await example.stack.outputs()).roleId).to.equal(id);
        const changed = (await example.stack.previewSteps()).filter((step) => step.op !== "same");
        expect(changed.map((step) => `${step.op} ${step.urn.split("::").pop()}`)).to.deep.equal([]);
    });

    it("destroys everything, the adopted role included", async () => {
        await example.stack.mustDestroy();
        example.destroyed = true;
        expect([...example.server.state.roles.values()]).to.deep.equal([]);
        expect([...example.server.state.buckets.keys()]).to.deep.equal([]);
    });
});
