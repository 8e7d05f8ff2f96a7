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
