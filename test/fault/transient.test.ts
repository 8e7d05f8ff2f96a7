import { expect } from "chai";
import { Fault, describeFault, internalError, lostAnswer, reset, restart, slowDown, stall } from "../support/faultProxy";
import { FaultRig, allStages } from "./rig";

/**
 * Transient faults: the first two attempts of each stage of a leader-follower `up` meet a fault each,
 * of two different kinds, and the first `up` must absorb them all (retries with backoff). Three rounds
 * rotate the six kinds of fault over the eight stages, so every stage meets every kind; each round is
 * one stack, checked like every fault cell.
 */
const transientKinds: ReadonlyArray<{ label: string; fault: Fault }> = [
    { label: "503 SlowDown", fault: slowDown() },
    { label: "500 InternalError", fault: internalError() },
    { label: "connection reset", fault: reset() },
    { label: "lost answer", fault: lostAnswer() },
    // Longer than the request time limit (5 s): the provider gives up on the attempt and repeats it.
    { label: "7 s stall", fault: stall(7) },
    // Shorter than the retries' patience (6 retries, backoff from 0.5 s).
    { label: "1.5 s restart", fault: restart(1.5) },
];

describe("fault: transient faults at every stage of a leader-follower up are absorbed by the first up", function () {
    for (let round = 0; round < transientKinds.length / 2; round++) {
        const plan = allStages.map((stage, i) => ({
            stage,
            first: transientKinds[(i + 2 * round) % transientKinds.length],
            second: transientKinds[(i + 2 * round + 1) % transientKinds.length],
        }));
        const title = plan.map((p) => `${p.first.label} then ${p.second.label} at ${p.stage.name}`).join("; ");

        it(`round ${round + 1}: ${title}`, async () => {
            const rig = await FaultRig.open(`t${round + 1}`, { maxRetries: 6, requestTimeoutSeconds: 5 });
            try {
                for (const { stage, first, second } of plan) {
                    rig.inject(stage, first.fault, { nth: 1 });
                    rig.inject(stage, second.fault, { nth: 2 });
                }
                const up = await rig.stack.up();
                const text = up.stdout + up.stderr;
                expect(up.code, `the first up should absorb every transient fault (${title}); its output:\n${text}`).to.equal(0);
                for (const { stage, first, second } of plan) {
                    const faults = rig.faultedAt(stage).filter((f) => !f.endsWith("(down)"));
                    expect(faults.slice(0, 2), `the faults planned at ${stage.name}`).to.deep.equal([describeFault(first.fault), describeFault(second.fault)]);
                }
                await rig.verifiedAndDestroyed();
            } finally {
                await rig.close();
            }
        });
    }
});
