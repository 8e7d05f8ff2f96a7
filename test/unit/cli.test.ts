import { expect } from "chai";
import * as os from "os";
import { CommandIo, processIo, PulumiResult } from "../../cli/command";
import { main } from "../../cli/main";

// The command line's shared parts, in-process, with a Pulumi that answers from a table: one entry
// point, one style of help, refusal and failure for every command, and one reader of the stack.

const type = (kind: string) => `pulumi-nodejs:dynamic/bucket-replication:${kind}`;
const urn = (kind: string, name: string) => `urn:pulumi:dev::proj::${type(kind)}::${name}`;

/** A stack of one bucket, a copy of it waiting to be deleted, and no replication. */
const exported = {
    version: 3,
    deployment: {
        resources: [
            { urn: "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev", type: "pulumi:pulumi:Stack" },
            { urn: urn("Bucket", "logs"), type: type("Bucket"), outputs: { name: "logs-abcd1234", zone: "zone-a" } },
            { urn: urn("Bucket", "logs"), type: type("Bucket"), delete: true, outputs: { name: "logs-old", zone: "zone-a" } },
        ],
    },
};

interface Run { readonly code: number; readonly out: string; readonly err: string; readonly asked: string[][] }

/** Runs the command line with Pulumi answering `answer(args)`, and records what Pulumi was asked. */
async function invoke(argv: string[], answer: (args: readonly string[]) => PulumiResult = () => ({ code: 0, stdout: JSON.stringify(exported), stderr: "" })): Promise<Run> {
    let out = "";
    let err = "";
    const asked: string[][] = [];
    const io: CommandIo = processIo({
        cwd: os.tmpdir(),
        out: (t) => { out += t; },
        err: (t) => { err += t; },
        pulumi: async (args) => { asked.push([...args]); return answer(args); },
    });
    const code = await main(argv, io);
    return { code, out, err, asked };
}

describe("command line: one entry point, one style", () => {
    it("lists the commands on --help (exit code 0), and on stderr without a command or with an unknown one (exit code 2)", async () => {
        const help = await invoke(["--help"]);
        expect(help).to.include({ code: 0, err: "" });
        expect(help.out).to.match(/^Usage: pulumi-bucket-replication <command> \[options\]\n/).and.to.match(/\n  status /).and.to.match(/\n  diagram /);
        expect(await invoke([])).to.include({ code: 2, out: "", err: help.out });
        const unknown = await invoke(["staus"]);
        expect(unknown).to.include({ code: 2, out: "" });
        expect(unknown.err).to.equal(`pulumi-bucket-replication: 'staus' is not a command.\n\n${help.out}`);
    });

    for (const command of ["status", "diagram"]) {
        it(`${command}: help on stdout, wrong arguments refused on stderr with the help, in the same words as every command`, async () => {
            const help = await invoke([command, "--help"]);
            expect(help).to.include({ code: 0, err: "" });
            expect(help.out).to.match(new RegExp(`^Usage: pulumi-bucket-replication ${command} \\[--stack NAME`)).and.to.include("\nOptions:\n  --stack, -s NAME");
            expect(help.asked, "help asks Pulumi nothing").to.deep.equal([]);
            const aSwitch = command === "status" ? "--json" : "--markdown";
            const refusals: [string[], string][] = [
                [["--nope"], `'--nope' is not an option of ${command}.`],
                [["--stack"], "--stack needs the stack's name, such as --stack dev."],
                [["--stack", aSwitch], "--stack needs the stack's name, such as --stack dev."],
                [[`${aSwitch}=yes`], `${aSwitch} takes no value.`],
            ];
            for (const [argv, problem] of refusals) {
                const refused = await invoke([command, ...argv]);
                expect(refused, argv.join(" ")).to.include({ code: 2, out: "", err: `pulumi-bucket-replication ${command}: ${problem}\n\n${help.out}` });
            }
        });

        it(`${command}: a failed 'pulumi stack export' fails with exit code 1, saying the command, the folder and what to do`, async () => {
            const failed = await invoke([command, "--stack", "nope"], () => ({ code: 255, stdout: "", stderr: "error: no stack named 'nope' found" }));
            expect(failed).to.include({ code: 1, out: "" });
            expect(failed.err).to.equal(`pulumi-bucket-replication ${command}: 'pulumi stack export --stack nope --non-interactive' in ${os.tmpdir()} failed (exit code 255): ` +
                "error: no stack named 'nope' found\nRun the command in the Pulumi program's folder, and name the stack with --stack if none is selected there.\n");
        });

        it(`${command}: a missing Pulumi CLI says to install it`, async () => {
            const missing = await invoke([command], () => { throw new Error("spawn pulumi ENOENT"); });
            expect(missing).to.include({ code: 1 });
            expect(missing.err).to.match(new RegExp(`^pulumi-bucket-replication ${command}: could not run 'pulumi .*' \\(spawn pulumi ENOENT\\): install the Pulumi CLI and put it on PATH\\.\\n$`));
        });
    }
});

describe("command line: one reader of the stack", () => {
    it("status and diagram ask Pulumi for the same export of the same stack", async () => {
        const status = await invoke(["status", "--stack", "dev", "--config-file", "Pulumi.dev.yaml"], (args) =>
            ({ code: 0, stdout: args[0] === "config" ? "{}" : JSON.stringify(exported), stderr: "" }));
        const diagram = await invoke(["diagram", "--stack", "dev"]);
        const exportArgs = ["stack", "export", "--stack", "dev", "--non-interactive"];
        expect(status.asked).to.deep.equal([exportArgs, ["config", "--show-secrets", "--json", "--stack", "dev", "--non-interactive", "--config-file", "Pulumi.dev.yaml"]]);
        expect(diagram.asked).to.deep.equal([exportArgs]);
        expect(status).to.include({ code: 0, err: "" });
        expect(status.out).to.equal("This stack has no ReplicationConfiguration (run 'pulumi up' first, or pick the stack with --stack).\n");
    });

    it("leaves out a copy waiting to be deleted (a replacement's old resource), in every command", async () => {
        const diagram = await invoke(["diagram"]);
        expect(diagram).to.include({ code: 0, err: "" });
        expect(diagram.out).to.include(`b_logs["logs-abcd1234"]`).and.to.not.include("logs-old");
        expect(diagram.asked[0]).to.deep.equal(["stack", "export", "--non-interactive"]);
    });

    it("never shows --show-secrets in what it says about a failed 'pulumi config'", async () => {
        const failed = await invoke(["status", "--stack", "dev"], (args) =>
            (args[0] === "config" ? { code: 255, stdout: "", stderr: "error: could not decrypt" } : { code: 0, stdout: JSON.stringify(exported), stderr: "" }));
        expect(failed).to.include({ code: 1 });
        expect(failed.err).to.include("'pulumi config --json --stack dev --non-interactive' in").and.to.not.include("show-secrets");
    });
});
