import { expect } from "chai";
import * as path from "path";
import {
    expectNewObjectsReplicate, expectServersAsDeclared, policyOnZone, previewWithRefresh, previewWithRefreshText, refreshPreviewDiffText, upWithRefresh, writePolicy,
} from "../support/drift";
import { localZones, mc, rawS3 } from "../support/localZones";
import { putObject, readObject, replicated } from "../support/objects";
import { repoRoot } from "../support/toolchain";
import { eventually } from "../support/wait";
import { DriftedTopology } from "./driftedTopology";

const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

// Issue 17's drift suite on the LeaderFollower component (test/programs/drift-leader-follower: a leader on
// local-a, follower-1 on local-b, follower-2 on local-a, one role, and a tagged bucket beside them). Each case changes one
// thing with mc or the admin API; the cases share one deployment, which each case's repair restores.
// The health case is last: the object it leaves FAILED until the repair must not meet another case.
describe("drift: LeaderFollower changed outside Pulumi, found by refresh and put back by up", function () {
    let topology: DriftedTopology;
    let leader: string;
    let followers: string[];
    let role: string;
    let tagged: string;
    const roleResource = "IamRole lf-replication";
    const replicationResource = "ReplicationConfiguration lf-leader";

    before(async () => {
        topology = await DriftedTopology.deploy(path.join(repoRoot, "test", "programs", "drift-leader-follower"));
        ({ leader, followers, role, taggedBucket: tagged } = topology.outputs);
    });

    afterEach(async function () {
        if (this.currentTest?.state === "failed") await topology?.restore();
    });

    after(async () => {
        await topology?.dispose();
    });

    const declaredPolicy = () => topology.declared.roles.find((r) => r.name === role)!.policy;

    it("starts healthy: servers as declared, objects replicating, nothing for preview --refresh to change or warn of", async () => {
        await topology.expectHealthy("deployed");
    });

    describe("the follower's role on the destination zone (local-b)", () => {
        it("its policy detached: refresh names zones.local-b.attachedPolicies, up attaches it again", async () => {
            await topology.expectRepaired("policy-detached", async () => {
                await mc(["admin", "policy", "detach", "local-b", role, "--user", role]);
                // What a user reads before accepting a refresh shows it too: the role's update, then the changed output.
                const text = await refreshPreviewDiffText(topology.stack);
                const roleDiff = text.slice(text.search(/IamRole::lf-replication\]/));
                expect(roleDiff, text).to.match(/~ zones\s*: \{[\s\S]*~ local-b: \{[\s\S]*~ attachedPolicies: \[\s*- \[0\]: "lf-replication-/);
            }, [{ resource: roleResource, found: { "zones.local-b.attachedPolicies": [] } }]);
        });

        it("its policy replaced by a read-only document: refresh names zones.local-b.policy, up writes the declared one with its marker", async () => {
            const readOnly = {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: followers.flatMap((f) => [`arn:aws:s3:::${f}`, `arn:aws:s3:::${f}/*`]) }],
            };
            await topology.expectRepaired("policy-read-only", () => writePolicy("local-b", role, readOnly),
                [{ resource: roleResource, found: { "zones.local-b.policy": "differs", "zones.local-b.ownershipMarker": false } }]);
        });

        it("its user disabled: refresh names zones.local-b.user, up enables it with the same key", async () => {
            await topology.expectRepaired("user-disabled", () => mc(["admin", "user", "disable", "local-b", role]).then(() => undefined),
                [{ resource: roleResource, found: { "zones.local-b.user": "disabled", "zones.local-b.credentials": "rejected" } }]);
        });

        it("its user removed: refresh names zones.local-b.user as missing, up makes it again", async () => {
            await topology.expectRepaired("user-removed", () => mc(["admin", "user", "rm", "local-b", role]).then(() => undefined),
                [{ resource: roleResource, found: { "zones.local-b.user": "missing", "zones.local-b.credentials": "rejected" } }]);
        });

        it("its secret key reset: refresh names zones.local-b.credentials, up puts Pulumi's key back", async () => {
            await topology.expectRepaired("secret-reset", () => mc(["admin", "user", "add", "local-b", role, "drift-other-secret-0001"]).then(() => undefined),
                [{ resource: roleResource, found: { "zones.local-b.credentials": "rejected" } }]);
        });

        it("an extra policy attached: refresh names zones.local-b.attachedPolicies, up detaches it", async () => {
            await topology.expectRepaired("extra-policy", () => mc(["admin", "policy", "attach", "local-b", "readwrite", "--user", role]).then(() => undefined),
                [{ resource: roleResource, found: { "zones.local-b.attachedPolicies": [role, "readwrite"].sort() } }]);
        });
    });

    describe("the role's policy on the first zone (local-a)", () => {
        it("replaced by the same statements without its ID: refresh names zones.local-a.ownershipMarker, up puts the ID back", async () => {
            const { ID: _marker, ...withoutId } = declaredPolicy();
            await topology.expectRepaired("marker-lost", () => writePolicy("local-a", role, withoutId),
                [{ resource: roleResource, found: { "zones.local-a.ownershipMarker": false } }],
                async () => {
                    const policy = await policyOnZone("local-a", role);
                    expect(policy?.ID, "the ownership ID on local-a after up (mc admin policy info)").to.match(/^pulumi-bucket-replication:/);
                });
        });
    });

    describe("remote targets and rules on the leader (local-a)", () => {
        it("a remote target switched to the root user's keys: refresh names the configuration's role, up signs with the role's key again", async () => {
            const local = localZones();
            const destination = new URL(local.zones["local-b"].endpoint);
            const rootKeys = `${destination.protocol}//${encodeURIComponent(local.accessKey)}:${encodeURIComponent(local.secretKey)}@${destination.host}/${followers[0]}`;
            await topology.expectRepaired("target-keys",
                () => mc(["replicate", "update", `local-a/${leader}`, "--id", "follower-1", "--remote-bucket", rootKeys]).then(() => undefined),
                [{ resource: replicationResource, found: { "role.id": local.accessKey } }]);
        });

        it("a rule removed: refresh names rules.follower-2, up puts the rule back", async () => {
            await topology.expectRepaired("rule-removed", () => mc(["replicate", "rm", "--id", "follower-2", `local-a/${leader}`]).then(() => undefined),
                [{ resource: replicationResource, properties: ["rules.follower-2"] }]);
        });

        it("a rule's deleteMarkerReplication turned off: refresh names rules.follower-1.deleteMarkerReplication, up turns it on", async () => {
            await topology.expectRepaired("delete-markers-off",
                () => mc(["replicate", "update", `local-a/${leader}`, "--id", "follower-1", "--replicate", ""]).then(() => undefined),
                [{ resource: replicationResource, found: { "rules.follower-1.deleteMarkerReplication": false } }]);
        });

        it("a rule's prefix edited (PutBucketReplication): refresh names rules.follower-1.prefix, up puts the declared prefix back", async () => {
            await topology.expectRepaired("prefix-edited", async () => {
                const client = rawS3("local-a");
                const current = await client.send(new (s3().GetBucketReplicationCommand)({ Bucket: leader }));
                const config = current.ReplicationConfiguration!;
                const rules = config.Rules!.map((rule) => (rule.ID === "follower-1" ? { ...rule, Filter: { Prefix: "elsewhere/" } } : rule));
                await client.send(new (s3().PutBucketReplicationCommand)({ Bucket: leader, ReplicationConfiguration: { ...config, Rules: rules } }));
            }, [{ resource: replicationResource, found: { "rules.follower-1.prefix": "elsewhere/" } }]);
        });

        it("the replication removed with its remote targets: refresh finds the configuration gone, up makes it again", async () => {
            await topology.expectRepaired("replication-removed", () => mc(["replicate", "rm", "--all", "--force", `local-a/${leader}`]).then(() => undefined),
                [{ resource: replicationResource, op: "create" }]);
        });
    });

    describe("versioning and buckets", () => {
        it("a follower's versioning suspended: refresh names its status, up enables it", async () => {
            await topology.expectRepaired("versioning-suspended", () => mc(["version", "suspend", `local-a/${followers[1]}`]).then(() => undefined),
                [{ resource: "BucketVersioning lf-follower-2", found: { status: "Suspended" } }]);
        });

        it("a bucket's tags changed (its ownership tag kept): refresh names tags.suite, up puts the declared tags back", async () => {
            const [listed] = await mc(["tag", "list", `local-a/${tagged}`]);
            const changed = { ...listed.tagset, suite: "changed-outside-pulumi" };
            const tagArgument = Object.entries(changed).map(([k, v]) => `${k}=${v}`).join("&");
            await topology.expectRepaired("tags-changed", () => mc(["tag", "set", `local-a/${tagged}`, tagArgument]).then(() => undefined),
                [{ resource: "Bucket lf-tagged", found: { "tags.suite": "changed-outside-pulumi" } }]);
        });

        it("a bucket outside the replication removed: refresh finds it gone, up makes it again with its tags", async () => {
            await topology.expectRepaired("tagged-bucket-removed", () => mc(["rb", "--force", `local-a/${tagged}`]).then(() => undefined),
                [{ resource: "Bucket lf-tagged", op: "create" }]);
        });

        it("a follower bucket removed: refresh finds it and its versioning gone, up makes both again and replication resumes", async () => {
            await topology.expectRepaired("follower-removed", () => mc(["rb", "--force", `local-a/${followers[1]}`]).then(() => undefined),
                [{ resource: "Bucket lf-follower-2", op: "create" }, { resource: "BucketVersioning lf-follower-2", op: "create" }]);
        });
    });

    describe("health", () => {
        it("a follower whose access on local-b was taken away: preview --refresh warns on the configuration's row, up --refresh repairs it", async () => {
            await mc(["admin", "policy", "detach", "local-b", role, "--user", role]);
            const key = `health-${Date.now().toString(36)}.txt`;
            const body = "written while the role had no access on local-b";
            await putObject("local-a", leader, key, body);
            await eventually(`${key} FAILED on local-a/${leader}`, async () => ((await readObject("local-a", leader, key))?.replicationStatus === "FAILED" ? true : undefined));
            // The same version reached follower-2 (on local-a, where the role kept its access): its rule is healthy.
            await replicated("local-a", followers[1], key, body, "REPLICA");

            const preview = await previewWithRefresh(topology.stack);
            topology.expectPlanned(preview, [{ resource: roleResource, properties: ["zones.local-b.attachedPolicies"] }]);
            expect(preview.warnings.map((w) => w.resource), JSON.stringify(preview.warnings)).to.deep.equal(preview.warnings.map(() => replicationResource));
            const warning = preview.warnings.find((w) => w.message.includes("rule 'follower-1'"));
            expect(warning, `a warning naming rule follower-1: ${JSON.stringify(preview.warnings)}`).to.not.equal(undefined);
            expect(warning!.message).to.include(`from local-a/${leader} to local-b/${followers[0]}`);
            expect(warning!.message).to.match(/FAILED/);
            expect(warning!.message).to.match(new RegExp(`Likely cause: the role '${role}' has lost its access on local-b`));
            const rows = (await previewWithRefreshText(topology.stack)).split("\n");
            expect(rows.some((row) => /ReplicationConfiguration lf-leader\s.*warning: replication rule 'follower-1'/.test(row)),
                "the text preview prints the warning on the configuration's row").to.equal(true);

            const warnedRules = preview.warnings.map((w) => /rule '([^']+)'/.exec(w.message)?.[1]);

            await upWithRefresh(topology.stack);
            await expectServersAsDeclared(topology.declared);
            await expectNewObjectsReplicate(topology.declared, "health-repaired");
            // Nothing left to repair. The version written while the role had no access stays FAILED until
            // MinIO retries it, whenever that is, so a warning may still name it: not checked here.
            expect((await previewWithRefresh(topology.stack)).planned, "preview --refresh after the repair plans nothing").to.deep.equal([]);
            // Checked last, so that the repair above is shown whatever this finds: an object FAILED for one
            // target is not a failure of the rule whose target has it.
            expect(warnedRules, `the rules warned of (follower-2's destination has the object): ${JSON.stringify(preview.warnings)}`).to.deep.equal(["follower-1"]);
        });
    });
});
