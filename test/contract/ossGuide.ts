import * as path from "path";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";
import { type OssContractServer, type OssContractServerOptions, ossStackConfigFor, startOssContractServer } from "./ossServer";

// What the example contract tests share: the guide's documents written out (not computed by the code
// under test), and the lifecycle of an example stack pointed at a fresh contract server.

/** The trust policy of a sync role: OSS may assume it. */
export const ossTrust = { Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: ["oss.aliyuncs.com"] } }], Version: "1" };

/** The least-privilege permissions of a role that replicates `from` into `to`. */
export function guidePolicy(from: string, to: string): object {
    return {
        Version: "1",
        Statement: [
            { Effect: "Allow", Action: ["oss:ReplicateList", "oss:ReplicateGet"], Resource: [`acs:oss:*:*:${from}`, `acs:oss:*:*:${from}/*`] },
            { Effect: "Allow", Action: ["oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut", "oss:ReplicateDelete"], Resource: [`acs:oss:*:*:${to}`, `acs:oss:*:*:${to}/*`] },
        ],
    };
}

/** A role's description on RAM: the program's, then the owner marker (the SDK's identity: 24 hex digits). */
export const markedDescription = (description: string) => new RegExp(`^${description.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\[pulumi-bucket-replication:owner=[0-9a-f]{24}\\]$`);

export interface OssExampleUnderContract {
    readonly server: OssContractServer;
    readonly stack: PulumiStack;
    destroyed: boolean;
}

/**
 * Registers the hooks that start a contract server, point a fresh stack of `example` at it, and tear both
 * down. `example` names a folder of examples/, or a path from the repository's root (`test/programs/...`).
 */
export function ossExampleUnderContract(example: string, options: OssContractServerOptions = {}, config: Record<string, string> = {}): OssExampleUnderContract {
    const context = { destroyed: false } as { server: OssContractServer; stack: PulumiStack; destroyed: boolean };
    before(async () => {
        context.server = await startOssContractServer(options);
        context.stack = await PulumiStack.init(example.includes("/") ? path.join(repoRoot, example) : path.join(repoRoot, "examples", example));
        for (const { key, value, secret } of ossStackConfigFor(context.server)) await context.stack.setConfig(key, value, { secret });
        for (const [key, value] of Object.entries(config)) await context.stack.setConfig(key, value);
    });
    after(async () => {
        if (context.stack) {
            if (!context.destroyed) await context.stack.destroy();
            await context.stack.dispose();
        }
        if (context.server) await context.server.close();
    });
    return context;
}

/** The steps a preview plans that change something, as "op type name". */
export async function changedSteps(stack: PulumiStack): Promise<string[]> {
    return (await stack.previewSteps()).filter((step) => step.op !== "same").map((step) => `${step.op} ${step.type.split(":").pop()} ${step.urn.split("::").pop()}`);
}
