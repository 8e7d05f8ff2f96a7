import { expect } from "chai";
import { internalError, lostAnswer, slowDown } from "../support/faultProxy";
import { mc } from "../support/localZones";
import { FaultRig, stages } from "./rig";

/**
 * Updates under faults, on one stack in sequence (as a user would change a program): a tag change
 * whose write keeps failing, then a rule change whose PUT ?replication keeps failing while a remote
 * target update loses its first answer. Each failed `up` names the operation; the state keeps what
 * is really on the servers, so a plain re-run finishes both changes.
 */
describe("fault: updates under faults", function () {
    it("u1: a tag change and a rule change that fail, then converge on a plain re-run", async () => {
        const rig = await FaultRig.open("u1", { maxRetries: 1 });
        try {
            const first = await rig.stack.up();
            expect(first.code, `the first up, without faults; its output:\n${first.stdout}${first.stderr}`).to.equal(0);

            await rig.stack.setConfig("leaderTags", JSON.stringify({ stage: "second", owner: "fault-suite" }));
            rig.inject(stages.putBucketTagging, internalError(), { times: "every" });
            await rig.upFailingAt(stages.putBucketTagging, internalError());
            rig.clearFaults();

            await rig.stack.setConfig("deleteMarkers", "false");
            rig.inject(stages.putReplication, slowDown(), { times: "every" });
            // Transient, absorbed: the first credentials update of the remote target loses its answer.
            rig.proxies["local-a"].inject({ match: { op: "admin:set-remote-target", query: "update", accessKey: rig.adminAccessKey }, fault: lostAnswer() });
            await rig.upFailingAt(stages.putReplication, slowDown());

            await rig.convergesAndCleansUp({
                leaderTags: { stage: "second", owner: "fault-suite" },
                alsoCheck: async (out) => {
                    const [replication] = await mc(["replicate", "ls", `local-a/${out.leaderBucket}`]);
                    expect(replication?.rule?.DeleteMarkerReplication?.Status, `the rule on the server: ${JSON.stringify(replication)}`).to.equal("Disabled");
                },
            });
        } finally {
            await rig.close();
        }
    });
});
