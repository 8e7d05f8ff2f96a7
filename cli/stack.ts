import type { CommandIo, OptionSpec } from "./command";

// How a command reads a stack: its state from `pulumi stack export`, its configuration from `pulumi
// config --show-secrets --json`, both through the IO's Pulumi, and this package's resources out of the
// state. The one reader every command uses, so they agree on which resources a stack holds.

/** A resource as a stack export records it (and as a preview's steps carry its old and new state). */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
    /** A copy waiting to be deleted (a replacement's old resource whose delete has not finished): no longer part of the stack. */
    readonly delete?: boolean;
}

/** The document `pulumi stack export` writes. */
export interface StackExport {
    readonly deployment: { readonly resources?: readonly StateResource[] };
}

/** One of this package's resources in a stack. */
export interface PackageResource {
    /** Bucket, BucketVersioning, IamRole, ReplicationConfiguration, ... */
    readonly kind: string;
    readonly urn: string;
    /** The resource's name in the program (the URN's last part). */
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly outputs: Record<string, unknown>;
}

export interface StackChoice {
    /** The stack to read; the selected one when not given. */
    readonly stack?: string;
}

/** How every command that reads a stack is told which one. */
export const stackOption: OptionSpec = {
    flag: "--stack", alias: "-s", value: "NAME", needs: "the stack's name, such as --stack dev",
    help: "the stack to read, with 'pulumi stack export' in this folder (default: the selected stack)",
};

function stackArgs(choice: StackChoice): string[] {
    return [...(choice.stack ? ["--stack", choice.stack] : []), "--non-interactive"];
}

/** The stack's state, from `pulumi stack export` in the program's folder. */
export async function exportStack(io: CommandIo, choice: StackChoice): Promise<StackExport> {
    const exported = await pulumiJson(io, ["stack", "export", ...stackArgs(choice)]);
    if (!isStackExport(exported)) throw new Error(`what 'pulumi stack export' wrote holds no 'deployment': is the 'pulumi' on PATH the Pulumi CLI?`);
    return exported;
}

/** The stack's configuration with secrets in clear, as a lookup of this package's keys (what the provider sees). */
export async function stackConfig(io: CommandIo, choice: StackChoice & { readonly configFile?: string }): Promise<(key: string) => string | undefined> {
    const configFile = choice.configFile ? ["--config-file", choice.configFile] : [];
    return configLookupOf(await pulumiJson(io, ["config", "--show-secrets", "--json", ...stackArgs(choice), ...configFile]));
}

/** The selected stack's name; undefined when Pulumi cannot say (reading the stack then fails and says why). */
export async function selectedStackName(io: CommandIo): Promise<string | undefined> {
    const result = await runPulumi(io, ["stack", "--show-name", "--non-interactive"]);
    return result.code === 0 ? result.stdout.trim() || undefined : undefined;
}

/** The configuration as `pulumi config --json` gives it, as a lookup of the `bucket-replication` namespace's keys. */
export function configLookupOf(configJson: unknown): (key: string) => string | undefined {
    const entries = (configJson ?? {}) as Record<string, { value?: unknown }>;
    return (key) => {
        const entry = entries[`bucket-replication:${key}`];
        if (!entry || entry.value === undefined || entry.value === null) return undefined;
        return typeof entry.value === "string" ? entry.value : JSON.stringify(entry.value);
    };
}

export function isStackExport(json: unknown): json is StackExport {
    const deployment = (json as { deployment?: unknown } | null)?.deployment;
    return typeof json === "object" && json !== null && typeof deployment === "object" && deployment !== null;
}

/** The kind of one of this package's resources from its type token (`pulumi-nodejs:dynamic/bucket-replication:Bucket`). */
export function packageKindOf(type: string): string | undefined {
    return /^pulumi-nodejs:dynamic\/bucket-replication:([A-Za-z]+)$/.exec(type)?.[1];
}

/** This package's resources among `resources`, leaving out copies waiting to be deleted. */
export function packageResources(resources: readonly StateResource[]): PackageResource[] {
    const found: PackageResource[] = [];
    for (const resource of resources) {
        const kind = packageKindOf(resource.type ?? "");
        if (!kind || resource.delete) continue;
        const urn = resource.urn ?? "";
        found.push({ kind, urn, name: urn.split("::").pop() ?? "", inputs: resource.inputs ?? {}, outputs: resource.outputs ?? {} });
    }
    return found;
}

/** This package's resources in a stack's state. */
export function packageResourcesOf(exported: StackExport): PackageResource[] {
    return packageResources(exported.deployment.resources ?? []);
}

/** Parses JSON that Pulumi or a user's file holds; `what` names it in the error. */
export function parseJson(text: string, what: string): unknown {
    // A program's own console output can come before the JSON document of `pulumi preview --json`.
    const start = text.indexOf("{");
    try {
        return JSON.parse(start > 0 ? text.slice(start) : text);
    } catch (error) {
        throw new Error(`${what} is not JSON (${(error as Error).message}); give a file written by 'pulumi stack export' or 'pulumi preview --json'.`);
    }
}

/** The command line as it may be shown: never `--show-secrets`, which says nothing about what failed. */
function shown(args: readonly string[]): string {
    return `pulumi ${args.filter((a) => a !== "--show-secrets").join(" ")}`;
}

async function runPulumi(io: CommandIo, args: readonly string[]) {
    try {
        return await io.pulumi(args);
    } catch (error) {
        throw new Error(`could not run '${shown(args)}' (${(error as Error).message}): install the Pulumi CLI and put it on PATH.`);
    }
}

async function pulumiJson(io: CommandIo, args: readonly string[]): Promise<unknown> {
    const result = await runPulumi(io, args);
    if (result.code !== 0) {
        // stderr of `pulumi config --show-secrets` carries no values, only what went wrong.
        throw new Error(`'${shown(args)}' in ${io.cwd} failed (exit code ${result.code}): ${result.stderr.trim() || result.stdout.trim()}` +
            "\nRun the command in the Pulumi program's folder, and name the stack with --stack if none is selected there.");
    }
    return parseJson(result.stdout, `the output of '${shown(args)}'`);
}
