import { expect } from "chai";
import { Fault, describeFault, internalError, lostAnswer, reset, restart, slowDown, stall } from "../support/faultProxy";
import { FaultRig, Stage, leftovers, stages } from "./rig";

/**
 * Persistent faults: one stage of a leader-follower `up` fails for as long as the fault lasts, so the
 * `up` fails and must say where (zone, endpoint, operation). What a failed create made must be undone
 * or adoptable: with the fault removed, a plain re-run converges and leaves no orphans. One cell per
 * stage; the kinds of fault rotate so that each kind fails some stage.
 */
const cells: ReadonlyArray<{ cell: string; stage: Stage; fault: Fault; afterFailure?: (rig: FaultRig) => Promise<void> }> = [
    { cell: "p1", stage: stages.createBucket, fault: slowDown() },
    {
        cell: "p2", stage: stages.putBucketTagging, fault: internalError(),
        // The bucket whose tags could not be written is deleted again: nothing outside the state.
        afterFailure: async (rig) => {
            expect((await leftovers(rig.prefix))["local-a"].buckets, "leader buckets left on local-a").to.deep.equal([]);
        },
    },
    { cell: "p3", stage: stages.putBucketVersioning, fault: reset() },
    { cell: "p4", stage: stages.addCannedPolicy, fault: stall(), afterFailure: firstZoneUndone },
    { cell: "p5", stage: stages.addUser, fault: slowDown(), afterFailure: firstZoneUndone },
    // The second zone stays away longer than the provider retries, its undo included.
    { cell: "p6", stage: stages.attachPolicy, fault: restart(30), afterFailure: firstZoneUndone },
    { cell: "p7", stage: stages.setRemoteTarget, fault: internalError() },
    { cell: "p8", stage: stages.putReplication, fault: lostAnswer() },
];

/** A role that failed on the second zone is removed again from the first (the half-created role of issue 7). */
async function firstZoneUndone(rig: FaultRig): Promise<void> {
    const first = (await leftovers(rig.prefix))["local-a"];
    expect({ users: first.users, policies: first.policies }, "users and policies left on local-a after the role failed on local-b")
        .to.deep.equal({ users: [], policies: [] });
}

describe("fault: a persistent fault fails the up where it happens, and a plain re-run converges without orphans", function () {
    for (const { cell, stage, fault, afterFailure } of cells) {
        it(`${cell}: ${describeFault(fault)} at every ${stage.name}`, async () => {
            const rig = await FaultRig.open(cell, { maxRetries: 1, requestTimeoutSeconds: 5 });
            try {
                rig.inject(stage, fault, { times: "every" });
                await rig.upFailingAt(stage, fault);
                await afterFailure?.(rig);
                await rig.convergesAndCleansUp();
            } finally {
                await rig.close();
            }
        });
    }
});
