import * as path from "path";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";
import { type ContractRole, type ExoscaleContractServer, type SosReplicationDocument, stackConfigFor, startExoscaleContractServer } from "./exoscaleServer";

// The documents of Exoscale's replication guide, written out here rather than computed by the code
// under test, and the lifecycle every example's contract test shares.

export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The owner label's key, written out rather than imported from the code under test. */
export const ownerLabel = "pulumi-bucket-replication-owner";

/**
 * A role as the program sees it: without the owner label the provider adds. Asserts that the label is
 * there, naming a resource (the SDK's identity: 24 hex digits).
 */
export function asTheProgramSeesIt(role: Omit<ContractRole, "id">): Omit<ContractRole, "id"> {
    const { [ownerLabel]: owner, ...labels } = role.labels;
    if (!/^resource-[0-9a-f]{24}$/.test(owner ?? "")) {
        throw new Error(`role '${role.name}' should carry the label ${ownerLabel}=resource-<identity>, but its labels are ${JSON.stringify(role.labels)}`);
    }
    return { ...role, labels };
}

/** The role for one direction, as `exo iam role create --editable=true --description ... --policy -` makes it: no labels, no permissions. */
export function guideRole(from: string, to: string): Omit<ContractRole, "id"> {
    return {
        name: `replication-${from}-${to}`,
        description: `sos bucket replication between ${from} and ${to}`,
        editable: true,
        labels: {},
        permissions: [],
        policy: {
            "default-service-strategy": "deny",
            services: {
                sos: {
                    type: "rules",
                    rules: [
                        { action: "allow", expression: `parameters.bucket == '${from}' && operation == 'get-object'` },
                        { action: "allow", expression: `parameters.bucket == '${to}' && operation.startsWith('put-object')` },
                    ],
                },
            },
        },
    };
}

/** The replication document on a source bucket: one rule into bucket `to`, run as the role `roleId`. */
export function guideReplication(roleId: string, ruleId: string, to: string): SosReplicationDocument {
    return {
        Role: roleId,
        Rules: [{
            ID: ruleId,
            Priority: 1,
            Status: "Enabled",
            Filter: { Prefix: "" },
            DeleteMarkerReplication: { Status: "Enabled" },
            Destination: { Bucket: to },
        }],
    };
}

export interface ExampleUnderContract {
    readonly server: ExoscaleContractServer;
    readonly stack: PulumiStack;
    /** Set once a test has destroyed the stack, so that the after hook does not destroy it again. */
    destroyed: boolean;
}

/**
 * Registers the hooks that start a contract server for `zones`, point a fresh stack of `example` at it,
 * and tear both down. Operations stay pending for one poll, so every IAM mutation goes through the waiting path.
 */
export function exampleUnderContract(example: string, zones: readonly string[]): ExampleUnderContract {
    const context = { destroyed: false } as { server: ExoscaleContractServer; stack: PulumiStack; destroyed: boolean };
    before(async () => {
        context.server = await startExoscaleContractServer({ zones: [...zones], pendingPolls: 1 });
        context.stack = await PulumiStack.init(path.join(repoRoot, "examples", example));
        for (const { key, value, secret } of stackConfigFor(context.server)) await context.stack.setConfig(key, value, { secret });
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
