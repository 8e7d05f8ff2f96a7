import { spawnSync } from "child_process";
import * as fs from "fs";
import { RecordedResource, topologyChangeDiagram, topologyDiagram, topologyOf } from "../sdk/diagram";
import { splitFlag } from "./arguments";

// `npx pulumi-bucket-replication diagram`: the Mermaid picture of a whole stack's replication, from
// its state (`pulumi stack export`) or from what a preview plans (`pulumi preview --json`), and the
// picture of a change between two of them, for a pull-request comment.

const usage = `Usage: pulumi-bucket-replication diagram [SOURCE | --before SOURCE --after SOURCE] [--markdown]

Prints a Mermaid flowchart of the stack's buckets (grouped by zone) and replication rules.

SOURCE is one of:
  --stack NAME         the state of stack NAME, read with 'pulumi stack export' in this folder
  --from-file FILE     a file written by 'pulumi stack export'
  --preview FILE       a file written by 'pulumi preview --json --show-sames': what the preview plans

  --before X --after Y draw both in one picture, marking added (+), removed (-) and changed (~)
                       buckets and rules; X and Y are each 'stack:NAME' or a file of either kind
                       (told apart by its content). When Y is a preview, it is applied to X, so
                       'pulumi preview --json' without --show-sames is enough there.
  --markdown           wrap the picture in a \`\`\`mermaid fence, for a pull-request comment

Without a SOURCE, the currently selected stack is read.`;

export interface DiagramIo {
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
}

/** Runs the command; returns the exit code (0 done, 1 a source could not be read, 2 wrong arguments). */
export async function run(argv: string[], io: DiagramIo = {
    cwd: process.cwd(),
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
}): Promise<number> {
    const parsed = parseArguments(argv);
    if ("help" in parsed) {
        io.out(`${usage}\n`);
        return 0;
    }
    if ("problem" in parsed) {
        io.err(`diagram: ${parsed.problem}\n\n${usage}\n`);
        return 2;
    }
    try {
        let text: string;
        if (parsed.before !== undefined && parsed.after !== undefined) {
            const before = load(parsed.before, io);
            const after = load(parsed.after, io);
            const beforeResources = before.kind === "preview" ? previewBefore(before.json) : before.resources;
            const afterResources = after.kind === "preview" ? previewAfter(after.json, beforeResources) : after.resources;
            text = topologyChangeDiagram(topologyOf(beforeResources), topologyOf(afterResources));
        } else {
            const source = load(parsed.source ?? { stack: undefined }, io);
            if (source.kind === "preview") warnMissingSames(source.json, io);
            text = topologyDiagram(topologyOf(source.kind === "preview" ? previewAfter(source.json, []) : source.resources));
        }
        io.out(parsed.markdown ? `\`\`\`mermaid\n${text}\`\`\`\n` : text);
        return 0;
    } catch (error) {
        io.err(`diagram: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }
}

type Source = { stack: string | undefined } | { file: string; expect?: "export" | "preview" };

type Parsed =
    | { help: true }
    | { problem: string }
    | { source?: Source; before?: Source; after?: Source; markdown: boolean };

function parseArguments(argv: readonly string[]): Parsed {
    let source: Source | undefined;
    let before: Source | undefined;
    let after: Source | undefined;
    let markdown = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = splitFlag(arg);
        const value = (): string | undefined => inline ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith("--") ? argv[++i] : undefined);
        const one = (next: Source): string | undefined => {
            if (source) return `give one of --stack, --from-file and --preview (or --before and --after), not two.`;
            source = next;
            return undefined;
        };
        let problem: string | undefined;
        switch (flag) {
            case "-h": case "--help": return { help: true };
            case "--markdown": markdown = true; break;
            case "--stack": case "-s": {
                const name = value();
                problem = name === undefined ? `--stack needs the stack's name, such as --stack dev.` : one({ stack: name });
                break;
            }
            case "--from-file": case "--preview": {
                const file = value();
                problem = file === undefined
                    ? `${flag} needs a file, such as ${flag} ${flag === "--preview" ? "preview.json (from 'pulumi preview --json --show-sames')" : "state.json (from 'pulumi stack export')"}.`
                    : one({ file, expect: flag === "--preview" ? "preview" : "export" });
                break;
            }
            case "--before": case "--after": {
                const spec = value();
                if (spec === undefined) problem = `${flag} needs 'stack:NAME' or a file from 'pulumi stack export' or 'pulumi preview --json'.`;
                else if (flag === "--before") before = sourceOf(spec);
                else after = sourceOf(spec);
                break;
            }
            default:
                problem = `'${arg}' is not an option of diagram.`;
        }
        if (problem) return { problem };
    }
    if ((before === undefined) !== (after === undefined)) return { problem: `--before and --after go together: give both, or neither.` };
    if (before && source) return { problem: `--before/--after replace --stack, --from-file and --preview: give one or the other.` };
    return { source, before, after, markdown };
}

function sourceOf(spec: string): Source {
    return spec.startsWith("stack:") ? { stack: spec.slice("stack:".length) } : { file: spec };
}

type Loaded =
    | { kind: "export"; resources: RecordedResource[] }
    | { kind: "preview"; json: PreviewJson };

interface StateResource { readonly urn: string; readonly type: string; readonly inputs?: Record<string, unknown>; readonly outputs?: Record<string, unknown> }
interface PreviewStep { readonly op: string; readonly urn: string; readonly oldState?: StateResource; readonly newState?: StateResource }
interface PreviewJson { readonly steps?: readonly PreviewStep[] }

function load(source: Source, io: DiagramIo): Loaded {
    if ("stack" in source) {
        const args = ["stack", "export", ...(source.stack ? ["--stack", source.stack] : [])];
        const result = spawnSync("pulumi", args, { cwd: io.cwd, env: io.env, encoding: "utf8", maxBuffer: 256 << 20 });
        if (result.error) throw new Error(`could not run 'pulumi ${args.join(" ")}': ${result.error.message}. Is the Pulumi CLI on PATH?`);
        if (result.status !== 0) {
            throw new Error(`'pulumi ${args.join(" ")}' in ${io.cwd} failed (exit code ${result.status}): ${result.stderr.trim() || result.stdout.trim()}`);
        }
        return classify(parseJson(result.stdout, `the output of 'pulumi ${args.join(" ")}'`), `stack ${source.stack ?? "(selected)"}`, "export");
    }
    let content: string;
    try {
        content = fs.readFileSync(source.file, "utf8");
    } catch (error) {
        throw new Error(`cannot read ${source.file}: ${(error as Error).message}`);
    }
    return classify(parseJson(content, source.file), source.file, source.expect);
}

function parseJson(text: string, what: string): unknown {
    // A program's own console output can come before the JSON document of `pulumi preview --json`.
    const start = text.indexOf("{");
    try {
        return JSON.parse(start > 0 ? text.slice(start) : text);
    } catch (error) {
        throw new Error(`${what} is not JSON (${(error as Error).message}); give a file written by 'pulumi stack export' or 'pulumi preview --json'.`);
    }
}

function classify(json: unknown, what: string, expect: "export" | "preview" | undefined): Loaded {
    const document = json as { deployment?: { resources?: StateResource[] }; steps?: unknown };
    if (document && typeof document === "object" && document.deployment && typeof document.deployment === "object") {
        if (expect === "preview") throw new Error(`${what} is a stack export, not a preview; use --from-file for it, or write the preview with 'pulumi preview --json --show-sames'.`);
        return { kind: "export", resources: recorded(document.deployment.resources ?? [], "outputs") };
    }
    if (document && typeof document === "object" && Array.isArray(document.steps)) {
        if (expect === "export") throw new Error(`${what} is a preview's JSON, not a stack export; use --preview for it.`);
        return { kind: "preview", json: document as PreviewJson };
    }
    throw new Error(`${what} is neither a stack export (no 'deployment') nor a preview's JSON (no 'steps'); write it with 'pulumi stack export' or 'pulumi preview --json --show-sames'.`);
}

/** The kind of one of this package's resources from its type token (`pulumi-nodejs:dynamic/bucket-replication:Bucket`). */
function kindOf(type: string): string | undefined {
    const match = /^pulumi-nodejs:dynamic\/bucket-replication:([A-Za-z]+)$/.exec(type);
    return match?.[1];
}

function recorded(resources: readonly StateResource[], prefer: "outputs" | "inputs"): RecordedResource[] {
    const found: RecordedResource[] = [];
    for (const resource of resources) {
        const kind = kindOf(resource.type ?? "");
        if (!kind) continue;
        // State records what the service reported (outputs); a preview's planned state has only inputs.
        const first = prefer === "outputs" ? resource.outputs : resource.inputs;
        const properties = first && Object.keys(first).length > 0 ? first : (prefer === "outputs" ? resource.inputs : resource.outputs) ?? {};
        found.push({ kind, urn: resource.urn, properties });
    }
    return found;
}

/** Steps that take a resource away for good (a replacement's delete of the old copy is not one). */
const removing = new Set(["delete", "discard", "read-discard", "remove-pending-replace"]);
const replacementHalves = new Set(["delete-replaced", "discard-replaced"]);

/** The state a preview started from: the old state of each step. */
function previewBefore(preview: PreviewJson): RecordedResource[] {
    return recorded((preview.steps ?? []).flatMap((step) => (step.oldState ? [step.oldState] : [])), "outputs");
}

/** What a preview plans, applied over the state it started from (`base`; unchanged resources are in a preview only with --show-sames). */
function previewAfter(preview: PreviewJson, base: readonly RecordedResource[]): RecordedResource[] {
    const byUrn = new Map(base.map((r) => [r.urn, r]));
    for (const step of preview.steps ?? []) {
        if (removing.has(step.op)) {
            byUrn.delete(step.urn);
        } else if (!replacementHalves.has(step.op) && step.newState) {
            const [planned] = recorded([step.newState], "inputs");
            if (planned) byUrn.set(step.urn, planned);
        }
    }
    return [...byUrn.values()];
}

function warnMissingSames(preview: PreviewJson, io: DiagramIo): void {
    const steps = preview.steps ?? [];
    const existing = steps.some((s) => s.oldState && kindOf(s.oldState.type ?? ""));
    const sames = steps.some((s) => s.op === "same" && kindOf(s.newState?.type ?? ""));
    if (existing && !sames) {
        io.err("diagram: this preview lists no unchanged resource of the stack, so unchanged buckets and rules may be missing; "
            + "write it with 'pulumi preview --json --show-sames', or pass --before stack:NAME --after the preview.\n");
    }
}
