import * as pulumi from "@pulumi/pulumi";
import { DynamicResource } from "./providerStub";
import { describe, isInput, isPlainObject, unknownKeyProblems } from "./replicationConfiguration";

/** One replication rule to verify. */
export interface VerifiedRuleArgs {
    /** The rule's source bucket: its zone and name. */
    readonly source: pulumi.Input<{ readonly zone: pulumi.Input<string>; readonly bucket: pulumi.Input<string> }>;
    /** The rule's destination bucket: its zone and name. */
    readonly destination: pulumi.Input<{ readonly zone: pulumi.Input<string>; readonly bucket: pulumi.Input<string> }>;
    /**
     * The rule's key prefix: the canary's key starts with it, so that the rule applies to the canary.
     * @default "" (the rule replicates every key)
     */
    readonly prefix?: pulumi.Input<string>;
}

export interface ReplicationVerificationArgs {
    /** The rules to verify, keyed by rule ID as in the ReplicationConfiguration that holds them. */
    readonly rules: pulumi.Input<Record<string, pulumi.Input<VerifiedRuleArgs>>>;
    /**
     * How long each run waits for every canary to arrive before `up` fails, in seconds (at most 3600).
     * @default 300
     */
    readonly timeoutSeconds?: pulumi.Input<number>;
    /**
     * Any text that changes when the topology does (rule options, roles): the verification runs again
     * whenever it or `rules` change, and never on an unchanged `up`.
     * @default "" (only a change of `rules` runs it again)
     */
    readonly fingerprint?: pulumi.Input<string>;
}

/** Settings of the verification a topology component runs on `up`. */
export interface VerifyArgs {
    /**
     * How long `up` waits for every canary to arrive before it fails, in seconds (at most 3600).
     * @default 300
     */
    readonly timeoutSeconds?: pulumi.Input<number>;
}

/**
 * Proof that replication works: on create, and again whenever the rules or the fingerprint change, it
 * writes a canary object into each rule's source, waits until the canary is at the rule's destination
 * with the same bytes (and marked REPLICA where the service marks replicas), records the lag per rule,
 * and removes every canary version and delete marker from every bucket. `up` fails, naming the rule,
 * zone and bucket, when a canary does not arrive within `timeoutSeconds`. Refresh never re-runs it.
 * Declare it after the ReplicationConfiguration it checks (`dependsOn`).
 */
export class ReplicationVerification extends DynamicResource {
    /** Seconds from a canary's write at the source to its arrival at the destination, per rule ID. */
    declare readonly lagSeconds: pulumi.Output<Record<string, number>>;
    /** When the last verification passed (ISO 8601). */
    declare readonly verifiedAt: pulumi.Output<string>;
    /** The last run's ID, part of its canaries' keys (under `.pulumi-bucket-replication/canary/`). */
    declare readonly runId: pulumi.Output<string>;

    constructor(name: string, args: ReplicationVerificationArgs, opts?: pulumi.CustomResourceOptions) {
        super("replicationVerification", "ReplicationVerification", name, {
            rules: args.rules,
            timeoutSeconds: args.timeoutSeconds,
            fingerprint: args.fingerprint,
            lagSeconds: undefined,
            verifiedAt: undefined,
            runId: undefined,
        }, opts);
    }
}

/** What is wrong with a component's `verify` argument, each naming the argument and the fix. */
export function verifyProblems(path: string, value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (!isPlainObject(value)) return [`'${path}' must be an object such as { timeoutSeconds: 120 } (or {} for the defaults), not ${describe(value)}.`];
    const problems = unknownKeyProblems(path, value, ["timeoutSeconds"]);
    const timeout = value.timeoutSeconds;
    if (timeout === undefined || timeout === null) return problems;
    if (!isInput(timeout, "number")) {
        problems.push(`'${path}.timeoutSeconds' must be a number of seconds, such as 120, not ${describe(timeout)}.`);
    } else if (typeof timeout === "number" && !(timeout > 0 && timeout <= 3600)) {
        problems.push(`'${path}.timeoutSeconds' must be more than 0 and at most 3600 (one hour), not ${timeout}.`);
    }
    return problems;
}
