import { spawn } from "child_process";

// What every command of `pulumi-bucket-replication` shares: the IO it is given (so tests can run it
// in-process, in any folder, with their own Pulumi), how its options are declared and parsed, and one
// style for its help, its refusals and its failures. A command declares its options and its run;
// cli/main.ts picks it by name and runCommand does the rest.

export const programName = "pulumi-bucket-replication";

/** What one run of the Pulumi CLI gave back. */
export interface PulumiResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Everything a command touches outside itself. */
export interface CommandIo {
    /** The Pulumi program's folder: where `pulumi` runs and relative file names start. */
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
    /** Runs the Pulumi CLI with these arguments in `cwd` and `env`. */
    readonly pulumi: (args: readonly string[]) => Promise<PulumiResult>;
}

/** The IO of a real run (this process's folder, environment and streams, `pulumi` from PATH), with any part replaced. */
export function processIo(overrides: Partial<CommandIo> = {}): CommandIo {
    const cwd = overrides.cwd ?? process.cwd();
    const env = overrides.env ?? process.env;
    return {
        cwd, env,
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
        pulumi: (args) => spawnPulumi(args, cwd, env),
        ...overrides,
    };
}

function spawnPulumi(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<PulumiResult> {
    return new Promise((resolve, reject) => {
        const child = spawn("pulumi", [...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        // Whole buffers, decoded once: a character split between two chunks stays whole.
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }));
    });
}

/** One option of a command, as its help shows it and its parser reads it. */
export interface OptionSpec {
    readonly flag: `--${string}`;
    readonly alias?: string;
    /** The value it takes, as the help names it (NAME, FILE); none for a switch. */
    readonly value?: string;
    /** What to give when the value is missing: "--stack needs <this>." */
    readonly needs?: string;
    readonly help: string;
}

/** The options given, in order, each with its value (true for a switch). */
export type GivenOptions = readonly (readonly [flag: string, value: string | true])[];

/** A command's refusal of its arguments: what is wrong and how to put it right. */
export interface Refusal {
    readonly problem: string;
}

export interface Command<Options> {
    readonly name: string;
    /** What follows the command's name on the help's first line. */
    readonly synopsis: string;
    readonly description: string;
    readonly options: readonly OptionSpec[];
    /** The command's options from those given, or what is wrong with them. */
    optionsFrom(given: GivenOptions): Options | Refusal;
    /** Does the work and returns the exit code; a thrown error is a failure (exit code 1). */
    run(options: Options, io: CommandIo): Promise<number>;
}

export function isRefusal(value: unknown): value is Refusal {
    return typeof value === "object" && value !== null && typeof (value as Refusal).problem === "string";
}

export const helpFlags: readonly string[] = ["--help", "-h"];

/** What parseCommandArgs gives when help was asked for (compared by identity: no command's options can be it). */
export const helpAsked: { readonly help: true } = Object.freeze({ help: true });

function isHelpAsked(parsed: unknown): parsed is typeof helpAsked {
    return parsed === helpAsked;
}

/** The command's options from argv, helpAsked when help was asked for, or a refusal. */
export function parseCommandArgs<Options>(command: Command<Options>, argv: readonly string[]): Options | Refusal | typeof helpAsked {
    const given: [string, string | true][] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (helpFlags.includes(arg)) return helpAsked;
        // `--flag=value` as well as `--flag value`.
        const equals = arg.indexOf("=");
        const [flag, inline] = arg.startsWith("--") && equals > 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, undefined];
        const spec = command.options.find((o) => o.flag === flag || o.alias === flag);
        if (!spec) return { problem: `'${arg}' is not an option of ${command.name}.` };
        if (spec.value === undefined) {
            if (inline !== undefined) return { problem: `${spec.flag} takes no value.` };
            given.push([spec.flag, true]);
            continue;
        }
        // The next argument is the value unless it is an option itself (`--stack --json` forgot the name).
        const value = inline ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith("--") ? argv[++i] : undefined);
        if (value === undefined || value === "") return { problem: `${spec.flag} needs ${spec.needs ?? spec.value}.` };
        given.push([spec.flag, value]);
    }
    return command.optionsFrom(given);
}

/** The value of the last `flag` given, if any. */
export function valueOf(given: GivenOptions, flag: string): string | undefined {
    const found = given.filter(([f]) => f === flag).pop();
    return typeof found?.[1] === "string" ? found[1] : undefined;
}

export function switchOf(given: GivenOptions, flag: string): boolean {
    return given.some(([f]) => f === flag);
}

export function helpOf(command: Command<unknown>): string {
    const names = command.options.map((o) => [o.flag, ...(o.alias ? [o.alias] : [])].join(", ") + (o.value ? ` ${o.value}` : ""));
    const width = Math.max(...names.map((n) => n.length));
    const lines = command.options.map((o, i) => `  ${names[i].padEnd(width)}  ${o.help.split("\n").join(`\n  ${"".padEnd(width)}  `)}`);
    return `Usage: ${programName} ${command.name} ${command.synopsis}\n\n${command.description}\n\nOptions:\n${lines.join("\n")}\n`;
}

/**
 * Runs one command the way every command runs: help on stdout (exit code 0); wrong arguments refused on
 * stderr with the help (2); a failure said on stderr as `pulumi-bucket-replication <command>: <what>` (1).
 */
export async function runCommand<Options>(command: Command<Options>, argv: readonly string[], io: CommandIo): Promise<number> {
    const parsed = parseCommandArgs(command, argv);
    if (isHelpAsked(parsed)) {
        io.out(helpOf(command));
        return 0;
    }
    if (isRefusal(parsed)) {
        io.err(`${programName} ${command.name}: ${parsed.problem}\n\n${helpOf(command)}`);
        return 2;
    }
    try {
        return await command.run(parsed, io);
    } catch (error) {
        io.err(`${programName} ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }
}
