import { expect } from "chai";
import { type Grant, grantPrincipal, grantStatement, holdsGrant, sourceBucketOfPolicy, withGrant } from "../../provider/backends/oss/crossAccount";
import { replicationPolicy } from "../../provider/backends/oss/policy";
import { missingGrants } from "../../provider/replicationConfiguration";

// OSS replication across accounts: the statement a destination's owner puts into its bucket policy
// (Alibaba's "Required permissions for data replication"), kept beside the owner's own statements.

const grant: Grant = { roleName: "Leader-Sync-Role", sourceAccount: "1111111111111111", destination: { zone: "bj-b", bucket: "replicas" }, destinationAccount: "2222222222222222" };

describe("OSS cross-account grants (provider/backends/oss/crossAccount.ts)", () => {
    it("grants the source account's role, as OSS assumes it, the four replicate actions on the destination bucket and its objects", () => {
        expect(grantPrincipal(grant)).to.equal("arn:sts::1111111111111111:assumed-role/leader-sync-role/*");
        expect(grantStatement(grant)).to.deep.equal({
            Effect: "Allow",
            Action: ["oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut", "oss:ReplicateDelete"],
            Principal: ["arn:sts::1111111111111111:assumed-role/leader-sync-role/*"],
            Resource: ["acs:oss:*:2222222222222222:replicas", "acs:oss:*:2222222222222222:replicas/*"],
        });
    });

    it("puts the statement into a policy beside the owner's own, once, and takes only it out again", () => {
        const own = { Effect: "Allow", Action: ["oss:GetObject"], Principal: ["*"], Resource: ["acs:oss:*:2222222222222222:replicas/public/*"] };
        const withOwn = { Version: "1", Statement: [own] };
        const granted = withGrant(withOwn, grant, true)!;
        expect(granted.Statement).to.deep.equal([own, grantStatement(grant)]);
        expect(withGrant(granted, grant, true)!.Statement).to.deep.equal([own, grantStatement(grant)]);
        expect(holdsGrant(granted, grant)).to.equal(true);
        expect(withGrant(granted, grant, false)).to.deep.equal(withOwn);
        // Nothing else left: the policy is deleted rather than written empty.
        expect(withGrant(withGrant(undefined, grant, true), grant, false)).to.equal(undefined);
    });

    it("does not count a statement of the same principal and resources with fewer actions as the grant, and replaces it", () => {
        const narrowed = { Version: "1", Statement: [{ ...grantStatement(grant), Action: ["oss:ReplicateList"] }] };
        expect(holdsGrant(narrowed, grant)).to.equal(false);
        expect(withGrant(narrowed, grant, true)!.Statement).to.deep.equal([grantStatement(grant)]);
        expect(holdsGrant(undefined, grant)).to.equal(false);
        expect(holdsGrant({ Version: "1", Statement: [{ ...grantStatement(grant), Effect: "Deny" }] }, grant)).to.equal(false);
    });

    it("finds the source bucket in a sync role's policy, which decides the account the role lives in", () => {
        expect(sourceBucketOfPolicy(replicationPolicy({ zone: "hz-a", bucket: "leader" }, [{ zone: "bj-b", bucket: "replicas" }]))).to.equal("leader");
        expect(sourceBucketOfPolicy({ Version: "1", Statement: [{ Effect: "Allow", Action: ["oss:*"], Resource: ["*"] }] })).to.equal(undefined);
        expect(sourceBucketOfPolicy(undefined)).to.equal(undefined);
    });

    it("a refreshed configuration needs an up exactly when some destination's grant is missing", () => {
        expect(missingGrants({})).to.deep.equal([]);
        expect(missingGrants({ destinationGrants: { "bj-b/replicas": "granted" } })).to.deep.equal([]);
        expect(missingGrants({ destinationGrants: { "bj-b/replicas": "missing", "bj-b/other": "granted" } })).to.deep.equal(["bj-b/replicas"]);
    });
});
