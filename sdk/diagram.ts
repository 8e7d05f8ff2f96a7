import * as pulumi from "@pulumi/pulumi";
import type { ReplicationRuleFields } from "../provider/common/rule";
import { isUnknown } from "../provider/common/unknown";

// A Mermaid picture of a replication topology: zones as subgraphs, buckets as nodes, one edge per rule.
// The rendering is a pure function of a Topology, with a stable order, so that its text can be
// checked in, diffed, and pasted into a pull-request comment. The components and the `diagram`
// command build the Topology from the same thing: the resources' recorded properties.

/** One bucket of a topology. */
export interface TopologyBucket {
    /** The bucket resource's name in the program (the last part of its URN), such as `my-source`. */
    readonly resource: string;
    /** The zone it lives in; undefined while not known (a preview). */
    readonly zone?: string;
    /** The bucket's name; undefined while not known (a preview). */
    readonly name?: string;
}

/** Where a rule's end is: a bucket by zone and name, as ReplicationConfiguration records it. */
export interface TopologyEnd {
    readonly zone?: string;
    readonly bucket?: string;
}

/**
 * One replication rule: an edge from its source bucket to its destination bucket, with the rule model's
 * fields (provider/common/rule.ts) as the stack records them, any of them possibly unread.
 */
export type TopologyRule = Partial<Omit<ReplicationRuleFields, "destination" | "sseKms" | "status">> & {
    /** The rule's ID (its key in `rules`). */
    readonly id: string;
    readonly source: TopologyEnd;
    readonly destination: TopologyEnd & { readonly storageClass?: string };
    readonly status?: string;
    /** `sseKms.replicateEncryptedObjects`: the diagram says whether SSE-KMS objects replicate. */
    readonly replicateEncryptedObjects?: boolean;
};

/** What a diagram shows. */
export interface Topology {
    readonly buckets: readonly TopologyBucket[];
    readonly rules: readonly TopologyRule[];
    /** Remarks printed as Mermaid comments (`%%`), such as what could not be read. */
    readonly notes?: readonly string[];
}

/** One resource as Pulumi records it: its kind (`Bucket`, `ReplicationConfiguration`), URN and properties. */
export interface RecordedResource {
    readonly kind: string;
    readonly urn: string;
    readonly properties: Readonly<Record<string, unknown>>;
}

/** The key Pulumi marks secret values with in a stack export. */
const secretSignature = "4dabf18193072939515e22adb298388d";

/** The topology that Bucket and ReplicationConfiguration resources describe; other kinds are ignored. */
export function topologyOf(resources: readonly RecordedResource[]): Topology {
    const buckets: TopologyBucket[] = [];
    const rules: TopologyRule[] = [];
    const notes: string[] = [];
    for (const resource of resources) {
        const p = resource.properties;
        if (resource.kind === "Bucket") {
            buckets.push({ resource: urnName(resource.urn), zone: text(p.zone), name: text(p.name) });
        } else if (resource.kind === "ReplicationConfiguration") {
            const source = { zone: text(p.zone), bucket: text(p.bucket) };
            if (!isRecord(p.rules) || isHidden(p.rules)) {
                notes.push(`the rules of ${urnName(resource.urn)} are ${isHidden(p.rules) ? "secret" : "not known yet"}; they are not drawn`);
                continue;
            }
            for (const [id, rule] of Object.entries(p.rules)) {
                if (!isRecord(rule) || isHidden(rule)) {
                    notes.push(`rule ${id} of ${urnName(resource.urn)} is ${isHidden(rule) ? "secret" : "not known yet"}; it is not drawn`);
                    continue;
                }
                rules.push(ruleOf(id, source, rule));
            }
        }
    }
    return { buckets, rules, notes };
}

function ruleOf(id: string, source: TopologyEnd, rule: Record<string, unknown>): TopologyRule {
    const destination = isRecord(rule.destination) ? rule.destination : {};
    const sseKms = isRecord(rule.sseKms) ? rule.sseKms : undefined;
    const tags = isRecord(rule.tags)
        ? Object.fromEntries(Object.entries(rule.tags).map(([k, v]) => [k, text(v) ?? "?"]))
        : undefined;
    return {
        id,
        source,
        destination: { zone: text(destination.zone), bucket: text(destination.bucket), storageClass: text(destination.storageClass) },
        priority: typeof rule.priority === "number" ? rule.priority : undefined,
        status: text(rule.status),
        prefix: text(rule.prefix),
        prefixes: Array.isArray(rule.prefixes) ? rule.prefixes.map((x) => text(x) ?? "?") : undefined,
        tags,
        deleteMarkerReplication: flag(rule.deleteMarkerReplication),
        deleteReplication: flag(rule.deleteReplication),
        existingObjectReplication: flag(rule.existingObjectReplication),
        replicaModifications: flag(rule.replicaModifications),
        replicationTimeControl: flag(rule.replicationTimeControl),
        replicateEncryptedObjects: sseKms ? flag(sseKms.replicateEncryptedObjects) : undefined,
        transferType: text(rule.transferType),
    };
}

/** A Mermaid `flowchart LR` of one topology. */
export function topologyDiagram(topology: Topology): string {
    return render([{ topology, mark: "same" }]);
}

/**
 * A Mermaid `flowchart LR` of a topology before and after a change: every bucket and rule of either,
 * the added ones marked `+` (green), the removed ones `-` (red), the changed ones `~` (amber) with
 * what they were. Buckets are matched by resource name, rules by source, rule ID and destination.
 */
export function topologyChangeDiagram(before: Topology, after: Topology): string {
    return render([{ topology: before, mark: "removed" }, { topology: after, mark: "added" }]);
}

/**
 * The diagram of a component's own buckets and replication configurations, as an Output: the same
 * text the `diagram` command prints for a stack that holds only this component.
 */
export function componentDiagram(
    buckets: readonly { readonly urn: pulumi.Output<string>; readonly name: pulumi.Output<string>; readonly zone: pulumi.Output<string> }[],
    replications: readonly { readonly urn: pulumi.Output<string>; readonly bucket: pulumi.Output<string>; readonly zone: pulumi.Output<string>; readonly rules: pulumi.Output<unknown> }[],
): pulumi.Output<string> {
    const recorded: pulumi.Output<RecordedResource>[] = [
        ...buckets.map((b) => pulumi.all([b.urn, b.name, b.zone]).apply(([urn, name, zone]): RecordedResource =>
            ({ kind: "Bucket", urn, properties: { name, zone } }))),
        ...replications.map((r) => pulumi.all([r.urn, r.bucket, r.zone, r.rules]).apply(([urn, bucket, zone, rules]): RecordedResource =>
            ({ kind: "ReplicationConfiguration", urn, properties: { bucket, zone, rules } }))),
    ];
    return pulumi.all(recorded).apply((resources) => topologyDiagram(topologyOf(resources)));
}

// ---------------------------------------------------------------------------------------------------
// Rendering

type Mark = "same" | "added" | "removed" | "changed";

interface Node {
    readonly key: string;
    readonly zone: string;
    readonly label: string;
    readonly mark: Mark;
    readonly was?: string;
}

interface Edge {
    readonly key: string;
    readonly from: string;
    readonly to: string;
    readonly rule: TopologyRule;
    readonly mark: Mark;
    readonly was?: TopologyRule;
}

const unknownZone = "(zone known after up)";

/** Renders one topology (mark "same"), or two: the first as "before" (mark "removed"), the second as "after". */
function render(views: readonly { topology: Topology; mark: Mark }[]): string {
    const comparing = views.length === 2;
    const nodes = new Map<string, Node>();
    const edges = new Map<string, Edge>();
    for (const { topology, mark } of views) {
        const keys = bucketKeys(topology);
        const keyOf = endResolver(topology, keys);
        topology.buckets.forEach((bucket, b) => {
            const node: Node = { key: keys[b], zone: bucket.zone ?? unknownZone, label: bucketLabel(bucket), mark };
            const earlier = nodes.get(node.key);
            if (!earlier) nodes.set(node.key, node);
            else if (earlier.zone === node.zone && earlier.label === node.label) nodes.set(node.key, { ...node, mark: "same" });
            else nodes.set(node.key, { ...node, mark: "changed", was: `${earlier.label} in ${earlier.zone}` });
        });
        for (const rule of topology.rules) {
            const from = keyOf(rule.source, nodes, mark);
            const to = keyOf(rule.destination, nodes, mark);
            const key = `${from}\0${rule.id}\0${to}`;
            const earlier = edges.get(key);
            if (!earlier) edges.set(key, { key, from, to, rule, mark });
            else if (facetText(facets(earlier.rule)) === facetText(facets(rule))) edges.set(key, { key, from, to, rule, mark: "same" });
            else edges.set(key, { key, from, to, rule, mark: "changed", was: earlier.rule });
        }
    }

    const sortedNodes = [...nodes.values()].sort((a, b) => compare(a.key, b.key));
    const ids = nodeIds(sortedNodes.map((n) => n.key));
    const zones = [...new Set(sortedNodes.map((n) => n.zone))].sort(compare);
    const zoneIds = uniqueIds(zones.map((z) => `zone_${sanitize(z)}`));
    const sortedEdges = [...edges.values()].sort((a, b) =>
        compare(ids.get(a.from)!, ids.get(b.from)!) || compare(a.rule.id, b.rule.id) || compare(ids.get(a.to)!, ids.get(b.to)!));

    const lines = ["flowchart LR"];
    const allRules = views.flatMap((v) => v.topology.rules);
    if (comparing) {
        const count = (items: { mark: Mark }[], mark: Mark) => items.filter((i) => i.mark === mark).length;
        const summary = (items: { mark: Mark }[]) => `+${count(items, "added")} -${count(items, "removed")} ~${count(items, "changed")}`;
        lines.push(`    %% before -> after: buckets ${summary(sortedNodes)}, rules ${summary(sortedEdges)}`);
    } else {
        lines.push(`    %% ${plural(sortedNodes.length, "bucket")}, ${plural(allRules.length, "rule")}`);
    }
    const notes = [...new Set(views.flatMap((v) => v.topology.notes ?? []))].sort(compare);
    for (const note of notes) lines.push(`    %% note: ${note.replace(/\n/g, " ")}`);

    zones.forEach((zone, z) => {
        lines.push(`    subgraph ${zoneIds[z]}["${escape(zone === unknownZone ? zone : `zone ${zone}`)}"]`);
        for (const node of sortedNodes.filter((n) => n.zone === zone)) {
            const label = comparing ? `${markPrefix(node.mark)}${node.label}${node.was ? `<br/>was: ${node.was}` : ""}` : node.label;
            lines.push(`        ${ids.get(node.key)}["${escape(label)}"]`);
        }
        lines.push("    end");
    });

    for (const edge of sortedEdges) {
        const now = facets(edge.rule);
        let label = `${edge.rule.id}: ${facetText(now)}`;
        if (comparing) {
            label = `${markPrefix(edge.mark)}${label}`;
            if (edge.was) {
                // What differs, as it was: a facet that was off is named by what it is now ("no replica changes").
                const was = facets(edge.was).map((f, i) => (f.text === now[i].text ? "" : f.text || `no ${now[i].text}`)).filter((t) => t !== "");
                label += `<br/>was: ${was.join(", ")}`;
            }
        }
        const arrow = edge.rule.deleteMarkerReplication === true && edge.rule.status !== "Disabled" ? "-->" : "-.->";
        lines.push(`    ${ids.get(edge.from)} ${arrow}|"${escape(label)}"| ${ids.get(edge.to)}`);
    }

    if (comparing) {
        lines.push(
            "    classDef added fill:#dafbe1,stroke:#1a7f37,color:#0f3d1e",
            "    classDef removed fill:#ffebe9,stroke:#cf222e,color:#67060c,stroke-dasharray:5 3",
            "    classDef changed fill:#fff8c5,stroke:#9a6700,color:#3b2300",
        );
        for (const mark of ["added", "removed", "changed"] as const) {
            const marked = sortedNodes.filter((n) => n.mark === mark).map((n) => ids.get(n.key)!);
            if (marked.length > 0) lines.push(`    class ${marked.join(",")} ${mark}`);
        }
        const linkColor: Record<Mark, string> = { same: "", added: "stroke:#1a7f37,stroke-width:3px", removed: "stroke:#cf222e,stroke-width:3px", changed: "stroke:#9a6700,stroke-width:3px" };
        for (const mark of ["added", "removed", "changed"] as const) {
            const indexes = sortedEdges.map((e, i) => (e.mark === mark ? i : -1)).filter((i) => i >= 0);
            if (indexes.length > 0) lines.push(`    linkStyle ${indexes.join(",")} ${linkColor[mark]}`);
        }
    }
    return `${lines.join("\n")}\n`;
}

/** Finds the node a rule's end points at: a bucket of the topology by zone and name, or one outside it. */
function endResolver(topology: Topology, keys: readonly string[]): (end: TopologyEnd, nodes: Map<string, Node>, mark: Mark) => string {
    const byName = new Map<string, string>();
    topology.buckets.forEach((bucket, b) => {
        if (bucket.zone !== undefined && bucket.name !== undefined) byName.set(`${bucket.zone}\0${bucket.name}`, keys[b]);
    });
    return (end, nodes, mark) => {
        const declared = byName.get(`${end.zone}\0${end.bucket}`);
        if (declared && end.zone !== undefined && end.bucket !== undefined) return declared;
        // Not a bucket of this stack (or not known yet): a node of its own, by zone and name.
        const key = `x:${end.zone ?? "?"}\0${end.bucket ?? "?"}`;
        const label = end.bucket === undefined ? "(bucket known after up)" : `${end.bucket}<br/>(not in this stack)`;
        const earlier = nodes.get(key);
        if (!earlier) nodes.set(key, { key, zone: end.zone ?? unknownZone, label, mark });
        else if (earlier.mark !== mark && earlier.mark !== "same") nodes.set(key, { ...earlier, mark: "same" });
        return key;
    };
}

/** Node keys of a topology's buckets: by resource name, numbered where two resources share one (different parents). */
function bucketKeys(topology: Topology): string[] {
    const seen = new Map<string, number>();
    return topology.buckets.map((bucket) => {
        const n = (seen.get(bucket.resource) ?? 0) + 1;
        seen.set(bucket.resource, n);
        return n === 1 ? `r:${bucket.resource}` : `r:${bucket.resource}#${n}`;
    });
}

function bucketLabel(bucket: TopologyBucket): string {
    if (bucket.name === undefined) return `${bucket.resource}<br/>(name known after up)`;
    // Automatic names start with the resource's name; show the resource's name only when it says more.
    return bucket.name === bucket.resource || bucket.name.startsWith(`${bucket.resource}-`)
        ? bucket.name
        : `${bucket.name}<br/>(resource ${bucket.resource})`;
}

interface Facet { readonly text: string }

/** What an edge says about its rule, in a fixed order, so that two versions compare facet by facet. */
function facets(rule: TopologyRule): Facet[] {
    const filters: string[] = [];
    if (rule.prefixes && rule.prefixes.length > 0) filters.push(`prefixes ${rule.prefixes.join(", ")}`);
    else if (rule.prefix) filters.push(`prefix ${rule.prefix}`);
    const tags = Object.entries(rule.tags ?? {}).sort(([a], [b]) => compare(a, b));
    if (tags.length > 0) filters.push(`tags ${tags.map(([k, v]) => `${k}=${v}`).join(", ")}`);
    const on = (value: boolean | undefined, text: string) => ({ text: value === true ? text : "" });
    return [
        { text: rule.status === "Disabled" ? "DISABLED" : "" },
        { text: filters.length > 0 ? filters.join(" and ") : "all objects" },
        { text: rule.deleteMarkerReplication === true ? "delete markers" : "no delete markers" },
        on(rule.deleteReplication, "version deletes"),
        on(rule.replicaModifications, "replica changes"),
        on(rule.existingObjectReplication, "existing objects"),
        on(rule.replicationTimeControl, "RTC"),
        on(rule.replicateEncryptedObjects, "SSE-KMS objects"),
        { text: rule.destination.storageClass ? `class ${rule.destination.storageClass}` : "" },
        { text: rule.transferType ? `transfer ${rule.transferType}` : "" },
        { text: rule.priority !== undefined ? `priority ${rule.priority}` : "" },
    ];
}

function facetText(facets: readonly Facet[]): string {
    return facets.map((f) => f.text).filter((t) => t !== "").join(", ");
}

function markPrefix(mark: Mark): string {
    return { same: "", added: "+ ", removed: "- ", changed: "~ " }[mark];
}

/** Mermaid node IDs from node keys: letters, digits and underscores, unique, in the keys' order. */
function nodeIds(keys: readonly string[]): Map<string, string> {
    const ids = uniqueIds(keys.map((key) => (key.startsWith("r:") ? `b_${sanitize(key.slice(2))}` : `x_${sanitize(key.slice(2))}`)));
    return new Map(keys.map((key, i) => [key, ids[i]]));
}

function uniqueIds(candidates: readonly string[]): string[] {
    const used = new Set<string>();
    return candidates.map((candidate) => {
        let id = candidate;
        for (let n = 2; used.has(id); n++) id = `${candidate}_${n}`;
        used.add(id);
        return id;
    });
}

function sanitize(text: string): string {
    return text.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "_";
}

/** Text inside a quoted Mermaid label: quotes and angle brackets as entities, `<br/>` kept as a line break. */
function escape(text: string): string {
    return text.split("<br/>").map((part) => part.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;")).join("<br/>");
}

/** Code-point order, the same in every locale. */
function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function urnName(urn: string): string {
    return urn.split("::").slice(3).join("::") || urn;
}

function text(value: unknown): string | undefined {
    return typeof value === "string" && !isUnknown(value) ? value : undefined;
}

function flag(value: unknown): boolean | undefined {
    return typeof value === "boolean" ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A secret as a stack export or a preview shows it. */
function isHidden(value: unknown): boolean {
    return value === "[secret]" || (isRecord(value) && secretSignature in value);
}
