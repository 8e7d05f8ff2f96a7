import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { processIo } from "../../cli/command";
import { main } from "../../cli/main";
import { RecordedResource, Topology, topologyChangeDiagram, topologyDiagram, topologyOf } from "../../sdk/diagram";

const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const urn = (type: string, name: string) => `urn:pulumi:dev::proj::pulumi-nodejs:dynamic/bucket-replication:${type}::${name}`;
const bucket = (name: string, zone: string, physical = `${name}-abcd1234`): RecordedResource =>
    ({ kind: "Bucket", urn: urn("Bucket", name), properties: { name: physical, zone } });
const replication = (name: string, zone: string, source: string, rules: Record<string, unknown>): RecordedResource =>
    ({ kind: "ReplicationConfiguration", urn: urn("ReplicationConfiguration", name), properties: { zone, bucket: source, rules } });
const rule = (destination: { zone: string; bucket: string }, extra: Record<string, unknown> = {}) =>
    ({ priority: 1, deleteMarkerReplication: true, destination, ...extra });

const leaderFollower: RecordedResource[] = [
    bucket("src", "zone-a"),
    bucket("dst", "zone-b"),
    replication("src", "zone-a", "src-abcd1234", { follower: rule({ zone: "zone-b", bucket: "dst-abcd1234" }) }),
];
const biDirectional: RecordedResource[] = [
    ...leaderFollower,
    replication("dst", "zone-b", "dst-abcd1234", { back: rule({ zone: "zone-a", bucket: "src-abcd1234" }) }),
];

describe("diagram: rendering a topology as Mermaid", () => {
    it("draws zones as subgraphs, buckets as nodes and one labelled edge per rule", () => {
        expect(topologyDiagram(topologyOf(leaderFollower))).to.equal([
            "flowchart LR",
            "    %% 2 buckets, 1 rule",
            `    subgraph zone_zone_a["zone zone-a"]`,
            `        b_src["src-abcd1234"]`,
            "    end",
            `    subgraph zone_zone_b["zone zone-b"]`,
            `        b_dst["dst-abcd1234"]`,
            "    end",
            `    b_src -->|"follower: all objects, delete markers, priority 1"| b_dst`,
            "",
        ].join("\n"));
    });

    it("shows filters, and dashes an edge whose deletes stay at the source", () => {
        const text = topologyDiagram(topologyOf([
            bucket("src", "zone-a"), bucket("dst", "zone-b"),
            replication("src", "zone-a", "src-abcd1234", {
                logs: rule({ zone: "zone-b", bucket: "dst-abcd1234" }, { prefix: "logs/", tags: { tier: "gold", env: "prod" }, deleteMarkerReplication: false }),
                versions: rule({ zone: "zone-b", bucket: "dst-abcd1234" }, { priority: 2, deleteReplication: true, replicaModifications: true, status: "Disabled" }),
            }),
        ]));
        expect(text).to.include(`b_src -.->|"logs: prefix logs/ and tags env=prod, tier=gold, no delete markers, priority 1"| b_dst`);
        expect(text).to.include(`b_src -.->|"versions: DISABLED, all objects, delete markers, version deletes, replica changes, priority 2"| b_dst`);
    });

    it("is the same text whatever order the resources and rules come in", () => {
        const shuffled = [...biDirectional].reverse();
        expect(topologyDiagram(topologyOf(shuffled))).to.equal(topologyDiagram(topologyOf(biDirectional)));
        const rules = { b: rule({ zone: "zone-b", bucket: "dst-abcd1234" }, { priority: 2 }), a: rule({ zone: "zone-b", bucket: "dst-abcd1234" }) };
        const reordered = { a: rules.a, b: rules.b };
        const one = topologyDiagram(topologyOf([bucket("src", "zone-a"), bucket("dst", "zone-b"), replication("src", "zone-a", "src-abcd1234", rules)]));
        const two = topologyDiagram(topologyOf([bucket("dst", "zone-b"), bucket("src", "zone-a"), replication("src", "zone-a", "src-abcd1234", reordered)]));
        expect(one).to.equal(two);
        expect(one.indexOf(`"a: `)).to.be.lessThan(one.indexOf(`"b: `));
    });

    it("draws a destination outside the stack, and values not known yet, without failing", () => {
        const text = topologyDiagram(topologyOf([
            { kind: "Bucket", urn: urn("Bucket", "src"), properties: { name: unknown, zone: "zone-a" } },
            replication("src", "zone-a", unknown, { out: rule({ zone: "zone-c", bucket: "archive" }) }),
            replication("other", "zone-a", "x", "[secret]" as unknown as Record<string, unknown>),
        ]));
        expect(text).to.include(`b_src["src<br/>(name known after up)"]`);
        expect(text).to.include(`x_zone_c_archive["archive<br/>(not in this stack)"]`);
        expect(text).to.include(`%% note: the rules of other are secret; they are not drawn`);
    });

    it("keeps labels inside their quotes and node IDs to letters, digits and underscores", () => {
        const text = topologyDiagram(topologyOf([
            bucket("end", "zone-a", "end"), bucket("dst", "zone-b"),
            replication("end", "zone-a", "end", { 'say "hi" <x>': rule({ zone: "zone-b", bucket: "dst-abcd1234" }) }),
        ]));
        expect(text).to.include(`b_end -->|"say #quot;hi#quot; #lt;x#gt;: all objects`);
        for (const line of text.split("\n").filter((l) => l.includes("-->"))) expect(line).to.match(/^    [A-Za-z0-9_]+ --> ?\|"[^"]*"\| [A-Za-z0-9_]+$/);
    });

    it("names a bucket by its resource too when its name does not start with it", () => {
        expect(topologyDiagram(topologyOf([bucket("logs", "zone-a", "company-logs")]))).to.include(`b_logs["company-logs<br/>(resource logs)"]`);
    });

    it("keeps two buckets whose resources share a name apart (children of different components)", () => {
        const text = topologyDiagram({ buckets: [{ resource: "x", zone: "zone-a", name: "x-1" }, { resource: "x", zone: "zone-b", name: "x-2" }], rules: [] });
        expect(text).to.include(`b_x["x-1"]`);
        expect(text).to.include(`b_x_2["x-2"]`);
    });
});

describe("diagram: before and after a change", () => {
    it("marks the rule that turns leader-follower into bi-directional as added, and nothing else", () => {
        const text = topologyChangeDiagram(topologyOf(leaderFollower), topologyOf(biDirectional));
        expect(text).to.include("%% before -> after: buckets +0 -0 ~0, rules +1 -0 ~0");
        expect(text).to.include(`b_dst -->|"+ back: all objects, delete markers, priority 1"| b_src`);
        expect(text).to.include(`b_src -->|"follower: all objects, delete markers, priority 1"| b_dst`);
        expect(text).to.include("linkStyle 0 stroke:#1a7f37");   // the added edge sorts first (b_dst)
        expect(text).to.not.match(/^    class /m);
    });

    it("shows dropping delete-marker replication as a changed, dashed edge saying what it was", () => {
        const after = leaderFollower.map((r) => (r.kind === "ReplicationConfiguration"
            ? replication("src", "zone-a", "src-abcd1234", { follower: rule({ zone: "zone-b", bucket: "dst-abcd1234" }, { deleteMarkerReplication: false }) })
            : r));
        const text = topologyChangeDiagram(topologyOf(leaderFollower), topologyOf(after));
        expect(text).to.include(`b_src -.->|"~ follower: all objects, no delete markers, priority 1<br/>was: delete markers"| b_dst`);
        expect(text).to.include("linkStyle 0 stroke:#9a6700");
        expect(text).to.include("rules +0 -0 ~1");
    });

    it("marks added, removed and renamed buckets with classes and text markers", () => {
        const before: Topology = { buckets: [{ resource: "a", zone: "z1", name: "a-1" }, { resource: "gone", zone: "z1", name: "gone-1" }], rules: [] };
        const after: Topology = { buckets: [{ resource: "a", zone: "z1", name: "a-2" }, { resource: "new", zone: "z2", name: "new-1" }], rules: [] };
        const text = topologyChangeDiagram(before, after);
        expect(text).to.include(`b_a["~ a-2<br/>was: a-1 in z1"]`);
        expect(text).to.include(`b_gone["- gone-1"]`);
        expect(text).to.include(`b_new["+ new-1"]`);
        expect(text).to.include("    class b_new added\n    class b_gone removed\n    class b_a changed\n");
        expect(text).to.include("buckets +1 -1 ~1");
    });

    it("shows a rule whose option was off before as 'no …'", () => {
        const after = biDirectional.map((r) => (r.kind === "ReplicationConfiguration" && r.urn.endsWith("::dst")
            ? replication("dst", "zone-b", "dst-abcd1234", { back: rule({ zone: "zone-a", bucket: "src-abcd1234" }, { replicaModifications: true }) })
            : r));
        expect(topologyChangeDiagram(topologyOf(biDirectional), topologyOf(after))).to.include("replica changes, priority 1<br/>was: no replica changes");
    });

    it("an unchanged topology compared with itself has no markers", () => {
        const text = topologyChangeDiagram(topologyOf(biDirectional), topologyOf(biDirectional));
        expect(text).to.include("buckets +0 -0 ~0, rules +0 -0 ~0");
        expect(text).to.not.match(/linkStyle|^    class /m);
    });
});

describe("diagram command (in-process, on files)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-diagram-unit-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const state = (resources: RecordedResource[]) => ({
        version: 3,
        deployment: {
            resources: [
                { urn: "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev", type: "pulumi:pulumi:Stack" },
                ...resources.map((r) => ({ urn: r.urn, type: `pulumi-nodejs:dynamic/bucket-replication:${r.kind}`, inputs: r.properties, outputs: r.properties })),
            ],
        },
    });
    const write = (name: string, content: unknown) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, JSON.stringify(content));
        return file;
    };
    const invoke = async (argv: string[]) => {
        let out = "";
        let err = "";
        const code = await main(["diagram", ...argv], processIo({ cwd: dir, out: (t) => { out += t; }, err: (t) => { err += t; } }));
        return { code, out, err };
    };

    it("prints the same picture from a stack export as topologyDiagram, fenced with --markdown", async () => {
        const file = write("state.json", state(leaderFollower));
        expect((await invoke(["--from-file", file])).out).to.equal(topologyDiagram(topologyOf(leaderFollower)));
        expect((await invoke(["--from-file", file, "--markdown"])).out).to.equal(`\`\`\`mermaid\n${topologyDiagram(topologyOf(leaderFollower))}\`\`\`\n`);
    });

    it("applies a preview without unchanged resources over the state given as --before", async () => {
        const before = write("before.json", state(leaderFollower));
        const added = biDirectional[3];
        const preview = write("preview.json", {
            steps: [{ op: "create", urn: added.urn, newState: { urn: added.urn, type: "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration", inputs: added.properties } }],
        });
        const result = await invoke(["--before", before, "--after", preview]);
        expect(result.code).to.equal(0);
        expect(result.out).to.equal(topologyChangeDiagram(topologyOf(leaderFollower), topologyOf(biDirectional)));
    });

    it("reads a preview's deletes as removed rules", async () => {
        const before = write("before2.json", state(biDirectional));
        const gone = biDirectional[3];
        const preview = write("preview2.json", { steps: [{ op: "delete", urn: gone.urn, oldState: { urn: gone.urn, type: "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration", outputs: gone.properties } }] });
        const result = await invoke(["--before", before, "--after", preview]);
        expect(result.out).to.include(`b_dst -->|"- back: all objects`);
        expect(result.out).to.include("linkStyle 0 stroke:#cf222e");
    });

    it("refuses wrong arguments with exit code 2 and files of the wrong kind with exit code 1, saying what to give", async () => {
        expect(await invoke(["--before", "x.json"])).to.include({ code: 2 }).and.to.have.property("err").that.matches(/--before and --after go together/);
        expect(await invoke(["--stack"])).to.include({ code: 2 }).and.to.have.property("err").that.matches(/--stack needs the stack's name/);
        expect(await invoke(["--frm-file", "x"])).to.include({ code: 2 }).and.to.have.property("err").that.matches(/'--frm-file' is not an option/);
        const exportFile = write("state3.json", state(leaderFollower));
        expect(await invoke(["--preview", exportFile])).to.include({ code: 1 }).and.to.have.property("err").that.matches(/is a stack export, not a preview; use --from-file/);
        expect(await invoke(["--from-file", path.join(dir, "missing.json")])).to.include({ code: 1 }).and.to.have.property("err").that.matches(/cannot read/);
        expect(await invoke(["--from-file", write("other.json", { hello: 1 })])).to.include({ code: 1 }).and.to.have.property("err").that.matches(/neither a stack export .* nor a preview/);
    });

    it("says how to fix a failed 'pulumi stack export'", async () => {
        const result = await invoke(["--stack", "no-such-stack-here"]);
        expect(result.code).to.equal(1);
        expect(result.err).to.match(/pulumi stack export --stack no-such-stack-here|could not run 'pulumi stack export/);
    });
});
