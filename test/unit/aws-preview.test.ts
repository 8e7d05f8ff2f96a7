import { expect } from "chai";
import { configureFrom } from "../../provider/context";
import { provider as roleProvider } from "../../provider/iamRole";
import { provider as replicationProvider } from "../../provider/replicationConfiguration";
import { unknownValue } from "../../provider/validation";

// What the 'aws' backend refuses reaches `pulumi preview` through the providers' check, with the
// property named: the registry wires the backend's rule and policy checks in. check() sends nothing,
// so the default AWS zones are never contacted.

function configureAws(): void {
    const config: Record<string, string> = { backend: "aws" };
    configureFrom({ config: { get: (key: string) => config[key.replace(/^bucket-replication:/, "")] } });
}

const role = { id: "arn:aws:iam::123456789012:role/replicator", name: "replicator", secretKey: null };
const destination = { bucket: "replicas", zone: "us-east-1" };

describe("AWS at preview: rules and policies AWS refuses fail the check, naming the property", () => {
    before(configureAws);
    // Back to a stack with no configuration, as the other tests of this process expect.
    after(() => configureFrom({ config: { get: () => undefined } }));

    it("fails deleteReplication, a tag filter with delete markers and an unknown zone; accepts the AWS regions", async () => {
        const result = await replicationProvider.check!({} as any, {
            bucket: "source", zone: "eu-west-1", role,
            rules: {
                deletes: { priority: 1, deleteReplication: true, destination },
                tagged: { priority: 2, tags: { team: "a" }, deleteMarkerReplication: true, destination },
                nowhere: { priority: 3, destination: { bucket: "b", zone: "mars-north-1" } },
                fine: { priority: 4, prefix: "logs/", deleteMarkerReplication: true, replicaModifications: true, destination: { ...destination, storageClass: "GLACIER_IR" } },
            },
        } as any);
        const byProperty = Object.fromEntries(result.failures!.map((f) => [f.property, f.reason]));
        expect(Object.keys(byProperty)).to.have.members(["rules.deletes.deleteReplication", "rules.tagged.deleteMarkerReplication", "rules.nowhere.destination.zone"]);
        expect(byProperty["rules.deletes.deleteReplication"]).to.contain("'aws' backend").and.to.contain("Set 'deleteReplication: false'");
    });

    it("fails an IamRole whose policy is not an IAM policy document, and one with an unknown policy passes until it is known", async () => {
        const exoscalePolicy = { "default-service-strategy": "deny", services: { sos: { type: "rules", rules: [] } } };
        const result = await roleProvider.check!({} as any, { namePrefix: "replicator", name: "replicator", policy: exoscalePolicy } as any);
        expect(result.failures!.map((f) => [f.property, f.reason.split(",")[0]])).to.deep.equal([["policy", "'policy' is an Exoscale IAM policy"]]);
        const pending = await roleProvider.check!({} as any, { namePrefix: "replicator", name: "replicator", policy: unknownValue } as any);
        expect(pending.failures).to.deep.equal([]);
    });
});
