// `pulumi-bucket-replication <command>`: the package's command line, run in a Pulumi program's folder
// (bin/pulumi-bucket-replication). Each command lives in its own file and is loaded only when asked for.

const commands: Record<string, { readonly summary: string; load(): { run(argv: string[]): Promise<number> } }> = {
    status: { summary: "replication status of every ReplicationConfiguration of the stack (a table, or --json)", load: () => require("./status") },
    diagram: { summary: "a Mermaid graph of the stack's replication topology", load: () => require("./diagram") },
};

function help(): string {
    return "usage: pulumi-bucket-replication <command> [options]\n\ncommands:\n" +
        Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`).join("\n") +
        "\n\n'pulumi-bucket-replication <command> --help' shows a command's options.\n";
}

export async function main(argv: string[]): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
        process.stdout.write(help());
        return name === undefined ? 2 : 0;
    }
    const command = commands[name];
    if (!command) {
        process.stderr.write(`Unknown command '${name}'.\n${help()}`);
        return 2;
    }
    return command.load().run(rest);
}

if (require.main === module) {
    // The AWS SDK inside warns on Node 20 on every run; a command's output is no place for it (set it to "false" to see it).
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error) => {
        process.stderr.write(`pulumi-bucket-replication: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    });
}
