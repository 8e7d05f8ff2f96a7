import { expect } from "chai";
import { provider } from "../../provider/iamRole";
import { configureStack, minioStack } from "../bad-input/support";

describe("IamRole diff", () => {
    // Zones that are never contacted: check() and diff() make no requests.
    before(() => configureStack(minioStack("http://127.0.0.1:1")));
    const olds = { id: "r", name: "r", namePrefix: "r", description: "d", editable: true, labels: { a: "1" }, policy: { Version: "2012-10-17", Statement: [] } };

    it("updates description, labels and policy in place, and ignores key order in the policy", async () => {
        expect(await provider.diff!("r", olds, { ...olds, policy: { Statement: [], Version: "2012-10-17" } })).to.deep.include({ changes: false, replaces: [] });
        expect(await provider.diff!("r", olds, { ...olds, description: "new" })).to.deep.include({ changes: true, replaces: [] });
        expect(await provider.diff!("r", olds, { ...olds, policy: { Version: "2012-10-17", Statement: [{}] } })).to.deep.include({ changes: true, replaces: [] });
    });

    it("replaces on a new name or editable flag, and a non-editable role's new policy", async () => {
        expect((await provider.diff!("r", olds, { ...olds, name: "r2" })).replaces).to.deep.equal(["name"]);
        const locked = { ...olds, editable: false };
        expect((await provider.diff!("r", olds, locked)).replaces).to.deep.equal(["editable"]);
        expect((await provider.diff!("r", locked, { ...locked, policy: {} })).replaces).to.deep.equal(["policy"]);
    });

    it("reports a missing policy and a bad name together", async () => {
        const result = await provider.check!({} as any, { namePrefix: "x", name: "a b" } as any);
        expect(result.failures!.map((f) => f.property).sort()).to.deep.equal(["name", "policy"]);
    });
});

describe("IamRole check on Exoscale", () => {
    // Issue 17, finding 6: Exoscale IAM cannot clear a description; up refused it, and the preview showed
    // the change again on every run. Now the preview refuses it, naming the property and the fixes.
    before(() => configureStack({ backend: "exoscale", accessKey: "EXOkey", secretKey: "secret" }));
    after(() => configureStack(minioStack("http://127.0.0.1:1")));
    const policy = { default_service_strategy: "deny", services: {} };
    const olds = { namePrefix: "r", name: "r-role", identity: "i", description: "replicates a to b", editable: true, labels: {}, policy };

    it("refuses clearing the description at preview", async () => {
        const result = await provider.check!(olds as any, { ...olds, description: undefined } as any);
        const failure = result.failures!.find((f) => f.property === "description");
        expect(failure?.reason).to.contain("Exoscale IAM cannot clear a role's description").and.to.contain("Give the IamRole a 'description' again");
    });

    it("accepts a new description, and none on a role that never had one", async () => {
        expect((await provider.check!(olds as any, { ...olds, description: "other" } as any)).failures!.map((f) => f.property)).to.not.include("description");
        const bare = { ...olds, description: "" };
        expect((await provider.check!(bare as any, { ...bare, description: undefined } as any)).failures!.map((f) => f.property)).to.not.include("description");
    });
});
