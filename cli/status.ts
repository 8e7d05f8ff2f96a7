import type { ReplicationRule } from "../provider/backends/backend";
import type { ReplicationRuleStatus, ReplicationStatusFigure, ReplicationStatusResult } from "../sdk/replicationStatus";
import { Command, CommandIo, GivenOptions, Refusal, switchOf, valueOf } from "./command";
import { exportStack, packageResourcesOf, selectedStackName, StackExport, stackConfig, stackOption } from "./stack";

// `pulumi-bucket-replication status`, run in a program's folder: the replication status of every
// ReplicationConfiguration of the stack. The resources come from the stack's state, the configuration
// and credentials from its configuration (as the provider sees them; nothing of it is printed), both
// read as cli/stack.ts reads them; the figures come from the services.

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

/** The ReplicationConfigurations of a stack's state, with their rules as the state records them. */
export function replicationConfigurationsOf(exported: StackExport): { name: string; zone: string; bucket: string; rules: ReplicationRule[] }[] {
    const found: { name: string; zone: string; bucket: string; rules: ReplicationRule[] }[] = [];
    for (const resource of packageResourcesOf(exported)) {
        if (resource.kind !== "ReplicationConfiguration") continue;
        const { zone, bucket, rules } = resource.outputs as { zone?: unknown; bucket?: unknown; rules?: Record<string, Partial<ReplicationRule>> };
        if (typeof zone !== "string" || typeof bucket !== "string") continue;
        found.push({
            name: resource.name, zone, bucket,
            rules: Object.entries(rules ?? {}).map(([id, rule]) => ({ ...rule, id }) as ReplicationRule),
        });
    }
    return found;
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

/** Reads the stack, then every configuration's status; never throws for one configuration's failure. */
export async function collectStatus(options: StatusOptions, io: CommandIo): Promise<{ stack?: string; backend: string; configurations: ConfigurationStatus[] }> {
    const stack = options.stack ?? await selectedStackName(io);
    const exported = await exportStack(io, options);
    const configLookup = await stackConfig(io, options);
    // Loaded here, not above: the help and a refusal of the arguments need none of the provider (nor the AWS SDK).
    const { resolveSettings } = require("../provider/settings") as typeof import("../provider/settings");
    const { replicationStatusWith } = require("../provider/replicationStatus") as typeof import("../provider/replicationStatus");
    const settings = resolveSettings(configLookup);
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

export const statusCommand: Command<StatusOptions> = {
    name: "status",
    synopsis: "[--stack NAME] [--config-file FILE] [--sample-size N] [--json]",
    description: "Prints, per replication rule of the stack, its destination, state, pending and failed objects and lag,\n" +
        "as the services report them now. Exit code 1 when a configuration's status could not be read.",
    options: [
        stackOption,
        { flag: "--config-file", value: "FILE", needs: "a file, such as --config-file Pulumi.dev.yaml", help: "the stack's configuration file, as 'pulumi --config-file' takes it" },
        { flag: "--sample-size", value: "N", needs: "a number of versions, such as --sample-size 50", help: "how many of the latest object versions to sample, 1 to 1000 (default 20)" },
        { flag: "--json", help: "everything, as JSON, for scripts" },
    ],
    optionsFrom(given: GivenOptions): StatusOptions | Refusal {
        const sampleText = valueOf(given, "--sample-size");
        const sampleSize = sampleText === undefined ? undefined : Number(sampleText);
        if (sampleSize !== undefined && (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > 1000)) {
            return { problem: `--sample-size must be a whole number from 1 to 1000, not '${sampleText}'.` };
        }
        return { stack: valueOf(given, "--stack"), configFile: valueOf(given, "--config-file"), sampleSize, json: switchOf(given, "--json") };
    },
    async run(options, io) {
        const collected = await collectStatus(options, io);
        if (options.json) {
            io.out(JSON.stringify(collected, undefined, 2) + "\n");
        } else if (collected.configurations.length === 0) {
            io.out("This stack has no ReplicationConfiguration (run 'pulumi up' first, or pick the stack with --stack).\n");
        } else {
            io.out(`stack: ${collected.stack ?? "?"}, backend: ${collected.backend}\n\n` + renderStatusTable(collected.configurations));
        }
        return collected.configurations.some((c) => c.error !== undefined) ? 1 : 0;
    },
};
