import * as fs from "fs";
import * as path from "path";
import { RecordedResource, topologyChangeDiagram, topologyDiagram, topologyOf } from "../sdk/diagram";
import { Command, CommandIo, GivenOptions, Refusal, switchOf } from "./command";
import { exportStack, isStackExport, PackageResource, packageKindOf, packageResources, packageResourcesOf, parseJson, stackOption, StateResource } from "./stack";

// `pulumi-bucket-replication diagram`: the Mermaid picture of a whole stack's replication, from its
// state (`pulumi stack export`, read as cli/stack.ts reads it) or from what a preview plans (`pulumi
// preview --json`), and the picture of a change between two of them, for a pull-request comment.

type Source = { stack: string | undefined } | { file: string; expect?: "export" | "preview" };

export interface DiagramOptions {
    /** What to draw; the selected stack when neither this nor before/after is given. */
    readonly source?: Source;
    readonly before?: Source;
    readonly after?: Source;
    readonly markdown: boolean;
}

const sourceFlags = ["--stack", "--from-file", "--preview"];

export const diagramCommand: Command<DiagramOptions> = {
    name: "diagram",
    synopsis: "[--stack NAME | --from-file FILE | --preview FILE | --before X --after Y] [--markdown]",
    description: "Prints a Mermaid flowchart of the stack's buckets (grouped by zone) and replication rules.\n" +
        "Without --stack, --from-file, --preview or --before/--after, the currently selected stack is read.",
    options: [
        stackOption,
        { flag: "--from-file", value: "FILE", needs: "a file, such as --from-file state.json (from 'pulumi stack export')", help: "a file written by 'pulumi stack export'" },
        { flag: "--preview", value: "FILE", needs: "a file, such as --preview preview.json (from 'pulumi preview --json --show-sames')", help: "a file written by 'pulumi preview --json --show-sames': what the preview plans" },
        { flag: "--before", value: "X", needs: "'stack:NAME' or a file from 'pulumi stack export' or 'pulumi preview --json'", help: "with --after Y: both in one picture, marking added (+), removed (-) and changed (~)\n" +
            "buckets and rules; X and Y are each 'stack:NAME' or a file of either kind\n" +
            "(told apart by its content). When Y is a preview, it is applied to X, so\n" +
            "'pulumi preview --json' without --show-sames is enough there." },
        { flag: "--after", value: "Y", needs: "'stack:NAME' or a file from 'pulumi stack export' or 'pulumi preview --json'", help: "see --before" },
        { flag: "--markdown", help: "wrap the picture in a ```mermaid fence, for a pull-request comment" },
    ],
    optionsFrom(given: GivenOptions): DiagramOptions | Refusal {
        const sources = given.filter(([flag]) => sourceFlags.includes(flag));
        if (sources.length > 1) return { problem: "give one of --stack, --from-file and --preview (or --before and --after), not two." };
        const [before, after] = ["--before", "--after"].map((flag) => given.filter(([f]) => f === flag).map(([, spec]) => sourceOf(spec as string)).pop());
        if ((before === undefined) !== (after === undefined)) return { problem: "--before and --after go together: give both, or neither." };
        if (before && sources.length > 0) return { problem: "--before/--after replace --stack, --from-file and --preview: give one or the other." };
        const [flag, value] = sources[0] ?? [];
        const source: Source | undefined = flag === undefined ? undefined
            : flag === "--stack" ? { stack: value as string }
            : { file: value as string, expect: flag === "--preview" ? "preview" : "export" };
        return { source, before, after, markdown: switchOf(given, "--markdown") };
    },
    async run(options, io) {
        let text: string;
        if (options.before !== undefined && options.after !== undefined) {
            const before = await load(options.before, io);
            const after = await load(options.after, io);
            const beforeResources = before.kind === "preview" ? previewBefore(before.json) : before.resources;
            const afterResources = after.kind === "preview" ? previewAfter(after.json, beforeResources) : after.resources;
            text = topologyChangeDiagram(topologyOf(beforeResources), topologyOf(afterResources));
        } else {
            const source = await load(options.source ?? { stack: undefined }, io);
            if (source.kind === "preview") warnMissingSames(source.json, io);
            text = topologyDiagram(topologyOf(source.kind === "preview" ? previewAfter(source.json, []) : source.resources));
        }
        io.out(options.markdown ? `\`\`\`mermaid\n${text}\`\`\`\n` : text);
        return 0;
    },
};

function sourceOf(spec: string): Source {
    return spec.startsWith("stack:") ? { stack: spec.slice("stack:".length) } : { file: spec };
}

type Loaded =
    | { kind: "export"; resources: RecordedResource[] }
    | { kind: "preview"; json: PreviewJson };

interface PreviewStep { readonly op: string; readonly urn: string; readonly oldState?: StateResource; readonly newState?: StateResource }
interface PreviewJson { readonly steps?: readonly PreviewStep[] }

async function load(source: Source, io: CommandIo): Promise<Loaded> {
    if ("stack" in source) return { kind: "export", resources: recorded(packageResourcesOf(await exportStack(io, source)), "outputs") };
    let content: string;
    try {
        content = fs.readFileSync(path.resolve(io.cwd, source.file), "utf8");
    } catch (error) {
        throw new Error(`cannot read ${source.file}: ${(error as Error).message}`);
    }
    return classify(parseJson(content, source.file), source.file, source.expect);
}

function classify(json: unknown, what: string, expect: "export" | "preview" | undefined): Loaded {
    if (isStackExport(json)) {
        if (expect === "preview") throw new Error(`${what} is a stack export, not a preview; use --from-file for it, or write the preview with 'pulumi preview --json --show-sames'.`);
        return { kind: "export", resources: recorded(packageResourcesOf(json), "outputs") };
    }
    const document = json as { steps?: unknown };
    if (document && typeof document === "object" && Array.isArray(document.steps)) {
        if (expect === "export") throw new Error(`${what} is a preview's JSON, not a stack export; use --preview for it.`);
        return { kind: "preview", json: document as PreviewJson };
    }
    throw new Error(`${what} is neither a stack export (no 'deployment') nor a preview's JSON (no 'steps'); write it with 'pulumi stack export' or 'pulumi preview --json --show-sames'.`);
}

/** The diagram's view of this package's resources: what the service reported (outputs) for a state, what is planned (inputs) for a preview's new state. */
function recorded(resources: readonly PackageResource[], prefer: "outputs" | "inputs"): RecordedResource[] {
    return resources.map((resource) => {
        const first = resource[prefer];
        const properties = Object.keys(first).length > 0 ? first : resource[prefer === "outputs" ? "inputs" : "outputs"];
        return { kind: resource.kind, urn: resource.urn, properties };
    });
}

/** Steps that take a resource away for good (a replacement's delete of the old copy is not one). */
const removing = new Set(["delete", "discard", "read-discard", "remove-pending-replace"]);
const replacementHalves = new Set(["delete-replaced", "discard-replaced"]);

/** The state a preview started from: the old state of each step. */
function previewBefore(preview: PreviewJson): RecordedResource[] {
    return recorded(packageResources((preview.steps ?? []).flatMap((step) => (step.oldState ? [step.oldState] : []))), "outputs");
}

/** What a preview plans, applied over the state it started from (`base`; unchanged resources are in a preview only with --show-sames). */
function previewAfter(preview: PreviewJson, base: readonly RecordedResource[]): RecordedResource[] {
    const byUrn = new Map(base.map((r) => [r.urn, r]));
    for (const step of preview.steps ?? []) {
        if (removing.has(step.op)) {
            byUrn.delete(step.urn);
        } else if (!replacementHalves.has(step.op) && step.newState) {
            const [planned] = recorded(packageResources([step.newState]), "inputs");
            if (planned) byUrn.set(step.urn, planned);
        }
    }
    return [...byUrn.values()];
}

function warnMissingSames(preview: PreviewJson, io: CommandIo): void {
    const steps = preview.steps ?? [];
    const existing = steps.some((s) => s.oldState && packageKindOf(s.oldState.type ?? ""));
    const sames = steps.some((s) => s.op === "same" && packageKindOf(s.newState?.type ?? ""));
    if (existing && !sames) {
        io.err("pulumi-bucket-replication diagram: this preview lists no unchanged resource of the stack, so unchanged buckets and rules may be missing; "
            + "write it with 'pulumi preview --json --show-sames', or pass --before stack:NAME --after the preview.\n");
    }
}
