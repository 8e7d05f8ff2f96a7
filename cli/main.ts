import { Command, CommandIo, helpFlags, processIo, programName, runCommand } from "./command";

// `pulumi-bucket-replication <command>`: the package's command line, run in a Pulumi program's folder.
// bin/pulumi-bucket-replication only calls launch(). A new command is a file exporting a Command
// (see cli/command.ts; it reads a stack through cli/stack.ts) and one line below. Each command's file
// is loaded only when asked for, so the help costs nothing of the provider.

const commands: Record<string, { readonly summary: string; load(): Command<unknown> }> = {
    status: {
        summary: "replication status of every ReplicationConfiguration of the stack (a table, or --json)",
        load: () => (require("./status") as typeof import("./status")).statusCommand,
    },
    diagram: {
        summary: "a Mermaid graph of the stack's replication topology",
        load: () => (require("./diagram") as typeof import("./diagram")).diagramCommand,
    },
};

function help(): string {
    return `Usage: ${programName} <command> [options]\n\nCommands:\n` +
        Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`).join("\n") +
        `\n\n'${programName} <command> --help' shows a command's options.\n`;
}

/** Runs the command named first in argv; returns the exit code (0 done, 1 failed, 2 wrong arguments). */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined) {
        io.err(help());
        return 2;
    }
    if (helpFlags.includes(name) || name === "help") {
        io.out(help());
        return 0;
    }
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!command) {
        io.err(`${programName}: '${name}' is not a command.\n\n${help()}`);
        return 2;
    }
    return runCommand(command.load(), rest, io);
}

/** The program: this process's arguments, streams and exit code. */
export function launch(argv: readonly string[] = process.argv.slice(2)): void {
    // The AWS SDK inside warns on Node 20 on every run; a command's output is no place for it (set it to "false" to see it).
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    main(argv).then((code) => { process.exitCode = code; }, (error) => {
        // runCommand reports a command's own failures; this is for a fault outside any command.
        process.stderr.write(`${programName}: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    });
}
