import { expect } from "chai";
import * as path from "path";
import { policyOnZone, writePolicy } from "../support/drift";
import { localZones, mc } from "../support/localZones";
import { repoRoot } from "../support/toolchain";
import { DriftedTopology } from "./driftedTopology";

// Issue 17's drift suite on the BiDirectional component (test/programs/drift-bidirectional: bucket a on
// local-a, bucket b on local-b, one role and one configuration per direction). Each case changes one
// thing on one direction with mc; the repair must put it back and leave both directions replicating.
describe("drift: BiDirectional changed outside Pulumi, found by refresh and put back by up", function () {
    let topology: DriftedTopology;
    let a: string;
    let b: string;
    let roleAToB: string;
    let roleBToA: string;

    before(async () => {
        topology = await DriftedTopology.deploy(path.join(repoRoot, "test", "programs", "drift-bidirectional"));
        ({ a, b, roleAToB, roleBToA } = topology.outputs);
    });

    afterEach(async function () {
        if (this.currentTest?.state === "failed") await topology?.restore();
    });

    after(async () => {
        await topology?.dispose();
    });

    const policyOf = (role: string) => topology.declared.roles.find((r) => r.name === role)!.policy;

    it("starts healthy: servers as declared, both directions replicating, nothing for preview --refresh to change or warn of", async () => {
        await topology.expectHealthy("deployed");
    });

    it("a-to-b's policy detached on its destination zone (local-b): refresh names it on IamRole bd-a-to-b alone", async () => {
        await topology.expectRepaired("a-to-b-detached", () => mc(["admin", "policy", "detach", "local-b", roleAToB, "--user", roleAToB]).then(() => undefined),
            [{ resource: "IamRole bd-a-to-b", found: { "zones.local-b.attachedPolicies": [] } }]);
    });

    it("b-to-a's user disabled on its destination zone (local-a): refresh names zones.local-a.user, up enables it", async () => {
        await topology.expectRepaired("b-to-a-disabled", () => mc(["admin", "user", "disable", "local-a", roleBToA]).then(() => undefined),
            [{ resource: "IamRole bd-b-to-a", found: { "zones.local-a.user": "disabled" } }]);
    });

    // local-a is also the first zone, whose copy the role's `policy` output is read from: the read-only
    // document shows there, and local-b's untouched copy is the one that "differs" from it.
    it("b-to-a's policy replaced by a read-only document on its destination zone (local-a, the first): refresh names policy, up writes the declared one", async () => {
        const readOnly = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${a}/*`] }] };
        await topology.expectRepaired("b-to-a-read-only", () => writePolicy("local-a", roleBToA, readOnly),
            [{ resource: "IamRole bd-b-to-a", found: { policy: readOnly, "zones.local-a.ownershipMarker": false, "zones.local-b.policy": "differs" } }]);
    });

    it("a-to-b's secret key reset on local-b: refresh names zones.local-b.credentials, up puts Pulumi's key back", async () => {
        await topology.expectRepaired("a-to-b-secret-reset", () => mc(["admin", "user", "add", "local-b", roleAToB, "drift-other-secret-0002"]).then(() => undefined),
            [{ resource: "IamRole bd-a-to-b", found: { "zones.local-b.credentials": "rejected" } }]);
    });

    it("a-to-b's policy on the first zone (local-a) without its ID: refresh names zones.local-a.ownershipMarker, up puts the ID back", async () => {
        const { ID: _marker, ...withoutId } = policyOf(roleAToB);
        await topology.expectRepaired("a-to-b-marker-lost", () => writePolicy("local-a", roleAToB, withoutId),
            [{ resource: "IamRole bd-a-to-b", found: { "zones.local-a.ownershipMarker": false } }],
            async () => {
                expect((await policyOnZone("local-a", roleAToB))?.ID, "mc admin policy info local-a").to.match(/^pulumi-bucket-replication:/);
            });
    });

    it("b-to-a's remote target (on local-b) switched to the root user's keys: refresh names ReplicationConfiguration bd-b-to-a's role", async () => {
        const local = localZones();
        const destination = new URL(local.zones["local-a"].endpoint);
        const rootKeys = `${destination.protocol}//${encodeURIComponent(local.accessKey)}:${encodeURIComponent(local.secretKey)}@${destination.host}/${a}`;
        await topology.expectRepaired("b-to-a-target-keys", () => mc(["replicate", "update", `local-b/${b}`, "--id", "to-a", "--remote-bucket", rootKeys]).then(() => undefined),
            [{ resource: "ReplicationConfiguration bd-b-to-a", found: { "role.id": local.accessKey } }]);
    });

    it("rule to-a's replicaModifications turned off: refresh names rules.to-a.replicaModifications, up turns it on", async () => {
        await topology.expectRepaired("to-a-replica-modifications-off",
            () => mc(["replicate", "update", `local-b/${b}`, "--id", "to-a", "--replicate", "delete-marker"]).then(() => undefined),
            [{ resource: "ReplicationConfiguration bd-b-to-a", found: { "rules.to-a.replicaModifications": false } }]);
    });

    it("a-to-b's replication removed with its remote target: refresh finds ReplicationConfiguration bd-a-to-b gone, up makes it again", async () => {
        await topology.expectRepaired("a-to-b-removed", () => mc(["replicate", "rm", "--all", "--force", `local-a/${a}`]).then(() => undefined),
            [{ resource: "ReplicationConfiguration bd-a-to-b", op: "create" }]);
    });
});
