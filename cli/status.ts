import type { ReplicationRule } from "../provider/backends/backend";
import type { ReplicationRuleStatus, ReplicationStatusFigure, ReplicationStatusResult } from "../sdk/replicationStatus";
import { splitFlag } from "./arguments";

// `pulumi-bucket-replication status [--stack NAME] [--config-file FILE] [--sample-size N] [--json]`, run in a
// program's folder: the replication status of every ReplicationConfiguration of the stack. The resources
// come from `pulumi stack export`, the configuration and credentials from `pulumi config --show-secrets
// --json` (as the provider sees them; nothing of it is printed), the figures from the services.

const replicationType = "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration";
const usage = "usage: pulumi-bucket-replication status [--stack NAME] [--config-file FILE] [--sample-size N] [--json]";

export interface StatusOptions {
    readonly stack?: string;
    readonly configFile?: string;
    readonly sampleSize?: number;
    readonly json: boolean;
}

/** One ReplicationConfiguration of the stack and what its service says now. */
export interface ConfigurationStatus {
    /** The resource's name in the program. */
    readonly name: string;
    readonly zone: string;
    readonly bucket: string;
    readonly status?: ReplicationStatusResult;
    /** Why the status could not be read. */
    readonly error?: string;
}

export function parseStatusArgs(argv: readonly string[]): StatusOptions | string {
    let stack: string | undefined;
    let configFile: string | undefined;
    let sampleSize: number | undefined;
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = splitFlag(arg);
        const value = () => {
            const v = inline ?? argv[++i];
            if (v === undefined || v === "") throw new Error(`${flag} needs a value. ${usage}`);
            return v;
        };
        try {
            switch (flag) {
                case "--json": json = true; break;
                case "--stack": case "-s": stack = value(); break;
                case "--config-file": configFile = value(); break;
                case "--sample-size": {
                    const text = value();
                    sampleSize = Number(text);
                    if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > 1000) return `--sample-size must be a whole number from 1 to 1000, not '${text}'.`;
                    break;
                }
                case "--help": case "-h": return usage;
                default: return `Unknown argument '${arg}'. ${usage}`;
            }
        } catch (error) {
            return (error as Error).message;
        }
    }
    return { stack, configFile, sampleSize, json };
}

/** The ReplicationConfigurations of a `pulumi stack export`, with their rules as the state records them. */
export function replicationConfigurationsOf(exported: unknown): { name: string; zone: string; bucket: string; rules: ReplicationRule[] }[] {
    const resources = (exported as { deployment?: { resources?: unknown[] } })?.deployment?.resources ?? [];
    const found: { name: string; zone: string; bucket: string; rules: ReplicationRule[] }[] = [];
    for (const resource of resources as { type?: string; urn?: string; outputs?: Record<string, unknown>; delete?: boolean }[]) {
        if (resource.type !== replicationType || resource.delete || !resource.outputs) continue;
        const { zone, bucket, rules } = resource.outputs as { zone?: unknown; bucket?: unknown; rules?: Record<string, Partial<ReplicationRule>> };
        if (typeof zone !== "string" || typeof bucket !== "string") continue;
        found.push({
            name: (resource.urn ?? "").split("::").pop() ?? "",
            zone, bucket,
            rules: Object.entries(rules ?? {}).map(([id, rule]) => ({ ...rule, id }) as ReplicationRule),
        });
    }
    return found;
}

/** The stack's configuration as `pulumi config --json` gives it, as a lookup of our namespace's keys. */
export function configLookupOf(configJson: unknown): (key: string) => string | undefined {
    const entries = (configJson ?? {}) as Record<string, { value?: unknown }>;
    return (key) => {
        const entry = entries[`bucket-replication:${key}`];
        if (!entry || entry.value === undefined || entry.value === null) return undefined;
        return typeof entry.value === "string" ? entry.value : JSON.stringify(entry.value);
    };
}

function formatBytes(bytes: number): string {
    if (bytes < 1024) return `${bytes} B`;
    const units = ["KiB", "MiB", "GiB", "TiB"];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return `${value.toFixed(1)} ${units[unit]}`;
}

function figure(f: ReplicationStatusFigure | undefined): string {
    if (!f || (f.count === undefined && f.bytes === undefined)) return "-";
    if (f.count === undefined) return formatBytes(f.bytes!);
    return f.bytes ? `${f.count} (${formatBytes(f.bytes)})` : `${f.count}`;
}

function lag(rule: ReplicationRuleStatus): string {
    if (!rule.lag) return rule.historicalObjectsPercent !== undefined ? `history ${rule.historicalObjectsPercent}%` : "-";
    const parts: string[] = [];
    if (rule.lag.seconds !== undefined) parts.push(rule.lag.seconds < 10 ? `${rule.lag.seconds} s` : `${Math.round(rule.lag.seconds)} s`);
    if (rule.historicalObjectsPercent !== undefined) parts.push(`history ${rule.historicalObjectsPercent}%`);
    return parts.join(", ") || "-";
}

/** A figure's cell, with the sampled count beside it when the figure itself comes from the service. */
function withSample(rule: ReplicationRuleStatus, f: ReplicationStatusFigure | undefined, sampled: number | undefined): string {
    const cell = figure(f);
    if (!rule.sample || sampled === undefined || rule.source.startsWith("sampled")) return cell;
    return `${cell}; ${sampled}/${rule.sample.objects} sampled`;
}

/** The table the command prints: one row per rule, then what each column's figures cover and every note. */
export function renderStatusTable(configurations: readonly ConfigurationStatus[]): string {
    const header = ["RESOURCE", "RULE", "SOURCE", "DESTINATION", "STATE", "PENDING", "FAILED", "LAG", "FROM"];
    const rows: string[][] = [];
    const legend = new Set<string>();
    const notes: string[] = [];
    for (const c of configurations) {
        const source = `${c.zone}/${c.bucket}`;
        if (c.error !== undefined) {
            rows.push([c.name, "-", source, "-", "unreadable", "-", "-", "-", "-"]);
            notes.push(`${c.name}: ${c.error}`);
            continue;
        }
        if (!c.status || c.status.rules.length === 0) {
            rows.push([c.name, "-", source, "-", "no rules", "-", "-", "-", "the service"]);
            continue;
        }
        for (const rule of c.status.rules) {
            rows.push([
                c.name, rule.ruleId, source, `${rule.destination.zone}/${rule.destination.bucket}`, rule.state,
                withSample(rule, rule.pending, rule.sample?.pending), withSample(rule, rule.failed, rule.sample?.failed), lag(rule), rule.source,
            ]);
            if (rule.pending) legend.add(`pending: ${rule.pending.over}`);
            if (rule.failed) legend.add(`failed: ${rule.failed.over}`);
            if (rule.lag) legend.add(`lag: ${rule.lag.over}`);
            if (rule.sample && !rule.source.startsWith("sampled")) legend.add(`n/m sampled: of the m latest object versions, n have that replication status`);
            for (const note of rule.notes ?? []) notes.push(`${c.name}/${rule.ruleId}: ${note}`);
        }
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd();
    const out = [line(header), ...rows.map(line)];
    if (legend.size > 0) out.push("", ...[...legend].map((l) => `  ${l}`));
    if (notes.length > 0) out.push("", ...[...new Set(notes)].map((n) => `  note: ${n}`));
    return out.join("\n") + "\n";
}

interface Pulumi {
    run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

function pulumiCli(): Pulumi {
    const { spawn } = require("child_process") as typeof import("child_process");
    return {
        run: (args) => new Promise((resolve, reject) => {
            const child = spawn("pulumi", [...args], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk) => { stdout += chunk; });
            child.stderr.on("data", (chunk) => { stderr += chunk; });
            child.on("error", (error) => reject(new Error(`Could not run 'pulumi' (${error.message}): install the Pulumi CLI and put it on PATH.`)));
            child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
        }),
    };
}

async function pulumiJson(pulumi: Pulumi, args: readonly string[]): Promise<unknown> {
    const result = await pulumi.run(args);
    if (result.code !== 0) {
        // stderr of `pulumi config --show-secrets` carries no values, only what went wrong.
        throw new Error(`'pulumi ${args.filter((a) => a !== "--show-secrets").join(" ")}' failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return JSON.parse(result.stdout);
}

/** Reads the stack, then every configuration's status; never throws for one configuration's failure. */
export async function collectStatus(options: StatusOptions, pulumi: Pulumi = pulumiCli()): Promise<{ stack?: string; backend: string; configurations: ConfigurationStatus[] }> {
    const stackArgs = [...(options.stack ? ["--stack", options.stack] : []), "--non-interactive"];
    const stack = options.stack ?? await stackName(pulumi);
    const exported = await pulumiJson(pulumi, ["stack", "export", ...stackArgs]);
    const configJson = await pulumiJson(pulumi, ["config", "--show-secrets", "--json", ...stackArgs, ...(options.configFile ? ["--config-file", options.configFile] : [])]);
    const { resolveSettings } = require("../provider/settings") as typeof import("../provider/settings");
    const { replicationStatusWith } = require("../provider/replicationStatus") as typeof import("../provider/replicationStatus");
    const settings = resolveSettings(configLookupOf(configJson));
    const configurations: ConfigurationStatus[] = [];
    for (const found of replicationConfigurationsOf(exported)) {
        try {
            const status = await replicationStatusWith(settings, { zone: found.zone, bucket: found.bucket, sampleSize: options.sampleSize }, { knownRules: found.rules });
            configurations.push({ name: found.name, zone: found.zone, bucket: found.bucket, status });
        } catch (error) {
            configurations.push({ name: found.name, zone: found.zone, bucket: found.bucket, error: (error as Error).message });
        }
    }
    return { stack, backend: settings.backend, configurations };
}

/** The selected stack's name, for --json; undefined when Pulumi cannot say (no stack selected fails the export anyway). */
async function stackName(pulumi: Pulumi): Promise<string | undefined> {
    const result = await pulumi.run(["stack", "--show-name", "--non-interactive"]);
    return result.code === 0 ? result.stdout.trim() || undefined : undefined;
}

export async function run(argv: string[]): Promise<number> {
    const options = parseStatusArgs(argv);
    if (typeof options === "string") {
        (options === usage ? process.stdout : process.stderr).write(options + "\n");
        return options === usage ? 0 : 2;
    }
    let collected: Awaited<ReturnType<typeof collectStatus>>;
    try {
        collected = await collectStatus(options);
    } catch (error) {
        process.stderr.write(`pulumi-bucket-replication status: ${(error as Error).message}\n`);
        return 1;
    }
    if (options.json) {
        process.stdout.write(JSON.stringify(collected, undefined, 2) + "\n");
    } else if (collected.configurations.length === 0) {
        process.stdout.write("This stack has no ReplicationConfiguration (run 'pulumi up' first, or pick the stack with --stack).\n");
    } else {
        process.stdout.write(`stack: ${collected.stack ?? "?"}, backend: ${collected.backend}\n\n` + renderStatusTable(collected.configurations));
    }
    return collected.configurations.some((c) => c.error !== undefined) ? 1 : 0;
}
