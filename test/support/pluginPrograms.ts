// What the engine tests of the plugin's example programs (YAML, Python: examples/<language>-replication)
// check alike, on the main pair: the same topology, declared in each language.
import { expect } from "chai";
import { putObject, replicated } from "./objects";
import { PulumiStack } from "./pulumiStack";

/** The example programs' outputs these checks read. */
export interface ReplicationProgramOutputs {
    readonly leader: string;
    readonly follower: string;
    readonly pairA: string;
    readonly pairB: string;
}

/** The long-form pair replicates: COMPLETED on the leader, REPLICA on the follower. */
export async function expectLongFormReplicates(out: ReplicationProgramOutputs, label: string): Promise<void> {
    const body = `${label} ${Date.now()}`;
    await putObject("local-a", out.leader, "docs/one.txt", body);
    await replicated("local-a", out.leader, "docs/one.txt", body, "COMPLETED");
    await replicated("local-b", out.follower, "docs/one.txt", body, "REPLICA");
}

/** The BiDirectional component replicates both ways. */
export async function expectBothWaysReplicate(out: ReplicationProgramOutputs): Promise<void> {
    await putObject("local-a", out.pairA, "from-a.txt", "a");
    await putObject("local-b", out.pairB, "from-b.txt", "b");
    await replicated("local-b", out.pairB, "from-a.txt", "a", "REPLICA");
    await replicated("local-a", out.pairA, "from-b.txt", "b", "REPLICA");
}

/** After the config `team` changes, `preview --json` plans one update of `leader`, whose detailed diff is `tags` alone. */
export async function expectTeamChangePreviewsAsTagUpdate(stack: PulumiStack): Promise<void> {
    await stack.setConfig("team", "platform");
    const preview = JSON.parse((await stack.runOnStack(["preview", "--json"])).stdout);
    const changed = preview.steps.filter((s: { op: string }) => s.op !== "same");
    expect(changed.map((s: { op: string; urn: string }) => `${s.op} ${s.urn.split("::").pop()}`)).to.deep.equal(["update leader"]);
    expect(changed[0].detailedDiff).to.deep.equal({ tags: { kind: "update", inputDiff: true } });
}
