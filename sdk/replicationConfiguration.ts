import * as pulumi from "@pulumi/pulumi";
import type { ReplicationRuleFields, RuleDestination } from "../provider/common/rule";
import type { IamRole } from "./iamRole";
import { DynamicResource } from "./providerStub";

/** A value of the rule model, each part of it an Input: what a program may pass where it knows a value only later. */
type InputParts<T> = T extends string | number | boolean | undefined ? T
    : T extends readonly (infer E)[] ? pulumi.Input<InputParts<E>>[]
    : { readonly [K in keyof T]: pulumi.Input<InputParts<T[K]>> };

/** Where a rule replicates to: the destination bucket's name and zone, usually `destination.name` and `destination.zone`. */
export type ReplicationDestination = InputParts<RuleDestination>;

/**
 * One replication rule: the rule model (provider/common/rule.ts, where each field is documented) with
 * every part an Input.
 */
export type ReplicationRuleArgs = InputParts<ReplicationRuleFields>;

export interface ReplicationConfigurationArgs {
    /** The source bucket's name. Pass `versioning.bucket` to have versioning applied first. Changing it replaces this resource. */
    readonly bucket: pulumi.Input<string>;
    /** The source bucket's zone. Changing it replaces this resource. */
    readonly zone: pulumi.Input<string>;
    /** The role the service replicates as. */
    readonly role: IamRole;
    /**
     * The rules, keyed by rule ID: reordering them changes nothing, and a rule added outside
     * Pulumi shows as drift on refresh.
     */
    readonly rules: pulumi.Input<Record<string, pulumi.Input<ReplicationRuleArgs>>>;
}


/**
 * The replication configuration of one source bucket: every rule that copies its objects into other
 * buckets. Waits (bounded, with progress) for versioning at both ends. Deleting it leaves every
 * replicated object where it is.
 */
export class ReplicationConfiguration extends DynamicResource {
    declare readonly bucket: pulumi.Output<string>;
    declare readonly zone: pulumi.Output<string>;
    declare readonly rules: pulumi.Output<Record<string, ReplicationRuleFields>>;
    /**
     * As the last refresh found them: whether each destination of another owner still lets the role
     * replicate into it, keyed `<zone>/<bucket>` ("granted" or "missing"; OSS across accounts). The next
     * `up` puts a missing grant back.
     * @default undefined (no rule crosses owners, or no refresh yet)
     */
    declare readonly destinationGrants: pulumi.Output<Record<string, "granted" | "missing"> | undefined>;

    constructor(name: string, args: ReplicationConfigurationArgs, opts?: pulumi.CustomResourceOptions) {
        const problems = replicationConfigurationProblems(args);
        // Thrown before the resource is registered: a registration with unusable inputs would fail the
        // engine's check first, and the engine would end the run before this message could be shown.
        if (problems.length > 0) throw new pulumi.RunError(argumentError("ReplicationConfiguration", name, problems));
        // The role's name and ID stay readable in previews; only its secret key (MinIO) is a secret.
        const role = pulumi.all([args.role.id, args.role.name]).apply(([id, roleName]) => ({ id, name: roleName }));
        const roleSecretKey = pulumi.output(args.role.secretKey).apply((secretKey) => secretKey ?? null);
        super("replicationConfiguration", "ReplicationConfiguration", name, { bucket: args.bucket, zone: args.zone, role, roleSecretKey, rules: args.rules, destinationGrants: undefined }, opts);
    }
}

const exampleRules = `{ "to-b": { priority: 1, destination: { bucket: destination.name, zone: destination.zone } } }`;

/** What is wrong with a ReplicationConfiguration's arguments that the program can be told at once. */
export function replicationConfigurationProblems(args: unknown): string[] {
    if (!isPlainObject(args)) return [`its arguments are missing: pass { bucket, zone, role, rules }.`];
    const problems: string[] = [];
    for (const key of ["bucket", "zone"] as const) {
        const value = args[key];
        if (value === undefined || value === null || value === "") {
            problems.push(`'${key}' is required: the source bucket's ${key === "bucket" ? "name" : "zone"}, such as \`versioning.${key}\` of its BucketVersioning.`);
        } else if (!isInput(value, "string")) {
            problems.push(`'${key}' must be text, such as \`versioning.${key}\`, not ${describe(value)}.`);
        }
    }
    problems.push(...roleProblems(args.role));
    problems.push(...rulesProblems(args.rules));
    return problems;
}

function roleProblems(role: unknown): string[] {
    const fix = "pass the IamRole resource itself, such as `role: replicationRole`";
    if (role === undefined || role === null) return [`'role' is required: the IamRole the service replicates as; ${fix}.`];
    if (typeof role === "string") return [`'role' is the text ${JSON.stringify(role)}; ${fix}, not its name or ID.`];
    if (pulumi.Output.isInstance(role) || role instanceof Promise) return [`'role' is an Output; ${fix}, not one of its outputs.`];
    if (!isIamRole(role)) return [`'role' is ${describe(role)}, not an IamRole; ${fix}.`];
    return [];
}

/** An IamRole of this package, recognised by its outputs so that two copies of the package agree. */
function isIamRole(value: unknown): boolean {
    if (!pulumi.CustomResource.isInstance(value)) return false;
    const role = value as unknown as Record<string, unknown>;
    return ["id", "name", "policy", "secretKey"].every((key) => pulumi.Output.isInstance(role[key]));
}

function rulesProblems(rules: unknown): string[] {
    if (rules === undefined || rules === null) return [`'rules' is required: the rules keyed by rule ID, such as ${exampleRules}.`];
    if (pulumi.Output.isInstance(rules) || rules instanceof Promise) return [];
    if (Array.isArray(rules)) return [`'rules' is a list; it must be an object keyed by rule ID, such as ${exampleRules}.`];
    if (!isPlainObject(rules)) return [`'rules' must be an object keyed by rule ID, such as ${exampleRules}, not ${describe(rules)}.`];
    const problems: string[] = [];
    if (Object.keys(rules).length === 0) problems.push(`'rules' is empty; add at least one rule, such as ${exampleRules}.`);
    for (const [id, rule] of Object.entries(rules)) {
        if (pulumi.Output.isInstance(rule) || rule instanceof Promise) continue;
        if (!isPlainObject(rule)) {
            problems.push(`'rules.${id}' must be a rule such as { priority: 1, destination: { bucket, zone } }, not ${describe(rule)}.`);
            continue;
        }
        if (rule.priority === undefined || rule.priority === null) {
            problems.push(`'rules.${id}.priority' is required: a whole number, unique among the rules; the highest wins where rules overlap.`);
        }
        if (rule.destination === undefined || rule.destination === null) {
            problems.push(`'rules.${id}.destination' is required: { bucket: destination.name, zone: destination.zone }.`);
        }
    }
    return problems;
}

// Argument checks shared with the components (LeaderFollower, BiDirectional), which build on this resource.

/** One error for all of a component's argument problems, in the words Pulumi shows without a stack trace. */
export function argumentError(kind: string, name: string, problems: readonly string[]): string {
    return problems.length === 1
        ? `${kind} '${name}': ${problems[0]}`
        : `${kind} '${name}' has ${problems.length} problems with its arguments:\n  - ${problems.join("\n  - ")}`;
}

/** A flag that is neither true, false, unset, nor a value known later. */
export function booleanProblems(path: string, value: unknown): string[] {
    return value === undefined || value === null || isInput(value, "boolean") ? [] : [`'${path}' must be true or false, not ${describe(value)}.`];
}

/** Arguments nobody reads are usually typos (`follower` for `followers`): they would be ignored silently. */
export function unknownKeyProblems(path: string, value: Record<string, unknown>, known: readonly string[]): string[] {
    return Object.keys(value).filter((key) => !known.includes(key)).map((key) =>
        `'${path ? `${path}.` : ""}${key}' is not an argument here; use ${known.map((k) => `'${k}'`).join(", ")}.`);
}

/** An object literal of arguments: not a list, a resource, or a value known only later. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value)
        && !pulumi.Output.isInstance(value) && !pulumi.Resource.isInstance(value) && !(value instanceof Promise);
}

/** A value of `type`, or one that becomes known later (an Output or a Promise), which only the provider can judge. */
export function isInput(value: unknown, type: "string" | "boolean" | "number"): boolean {
    return typeof value === type || pulumi.Output.isInstance(value) || value instanceof Promise;
}

/** A value as a message can name it: "the text \"x\"", "the number 2", "a list"... */
export function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (pulumi.Output.isInstance(value)) return "an Output";
    if (pulumi.Resource.isInstance(value)) return "a resource";
    if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    if (typeof value === "object") return "an object";
    return `${typeof value === "number" ? "the number" : typeof value === "boolean" ? "the value" : `a ${typeof value}`} ${String(value)}`;
}
