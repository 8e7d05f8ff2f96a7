import { expect } from "chai";
import { execFileSync } from "child_process";
import * as path from "path";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { configureFrom } from "../../provider/context";

/**
 * Issue 11: `check` of inputs equal to the ones the provider accepted before skips the zod schema, and
 * so never loads zod, which cost every preview's fresh provider process tens of milliseconds. The
 * rules that read the configuration still run; changed inputs are judged in full, as before.
 *
 * Whether zod was loaded can only be seen in a process that has not loaded it yet: each case runs one
 * `check` in a child Node process (the TypeScript sources, as here) and reports `require.cache`.
 */

const repoRoot = path.resolve(__dirname, "..", "..");

type Kind = "bucket" | "bucketVersioning" | "iamRole" | "replicationConfiguration" | "replicationVerification";

const config = (zones: readonly string[]): Record<string, string> => ({
    "bucket-replication:zones": JSON.stringify(Object.fromEntries(zones.map((zone, i) => [zone, { endpoint: `http://127.0.0.1:${i + 1}` }]))),
    "bucket-replication:accessKey": "unit-test-access",
    "bucket-replication:secretKey": "unit-test-secret",
});
const bothZones = config(["zone-a", "zone-b"]);

interface ChildCheck {
    readonly failures: { property: string; reason: string }[];
    readonly inputs: Record<string, unknown>;
    readonly zodLoaded: boolean;
}

const childSource = `
const { configureFrom } = require("./provider/context");
const job = JSON.parse(process.env.PBR_CHECK_JOB);
configureFrom({ config: { get: (key) => job.config[key] } });
require("./provider/" + job.kind).provider.check(job.olds, job.news).then((result) => {
    const zodLoaded = Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]zod[\\\\/]/.test(file));
    process.stdout.write(JSON.stringify({ failures: result.failures || [], inputs: result.inputs, zodLoaded }));
});`;

function checkInChild(kind: Kind, olds: object, news: object, stackConfig: Record<string, string> = bothZones): ChildCheck {
    const output = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", childSource], {
        cwd: repoRoot,
        env: { ...process.env, PBR_CHECK_JOB: JSON.stringify({ kind, olds, news, config: stackConfig }) },
        encoding: "utf8",
    });
    return JSON.parse(output);
}

function providerOf(kind: Kind): dynamic.ResourceProvider {
    return require(`../../provider/${kind}`).provider;
}

const stub = "exports.handler=()=>require('pulumi-bucket-replication/dist/provider/x').provider;";

/** Valid inputs of each kind, as the program sends them, and a change to each that breaks two rules. */
const cases: Record<Kind, { news: Record<string, unknown>; broken: Record<string, unknown>; brokenProperties: string[] }> = {
    bucket: {
        news: { __provider: stub, namePrefix: "data", identity: "id-1", zone: "zone-a", tags: { team: "storage" } },
        broken: { forceDestroy: "yes", tags: { team: 7 } },
        brokenProperties: ["forceDestroy", "tags.team"],
    },
    bucketVersioning: {
        news: { __provider: stub, bucket: "data-1", zone: "zone-a", status: "Enabled" },
        broken: { bucket: 5, status: "Off" },
        brokenProperties: ["bucket", "status"],
    },
    iamRole: {
        news: { __provider: stub, namePrefix: "replicator", identity: "id-2", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::src/*"] }] } },
        broken: { editable: "no", description: "d".repeat(300) },
        brokenProperties: ["description", "editable"],
    },
    replicationConfiguration: {
        news: {
            __provider: stub, bucket: "src", zone: "zone-a", role: { id: "role-1", name: "role-1" },
            rules: { "to-b": { priority: 1, destination: { bucket: "dst", zone: "zone-b" } } },
        },
        broken: { rules: { "to-b": { priority: -1, status: "On", destination: { bucket: "dst", zone: "zone-b" } } } },
        brokenProperties: ["rules.to-b.priority", "rules.to-b.status"],
    },
    replicationVerification: {
        news: {
            __provider: stub, timeoutSeconds: 60, fingerprint: "f1",
            rules: { "to-b": { source: { zone: "zone-a", bucket: "src" }, destination: { zone: "zone-b", bucket: "dst" } } },
        },
        broken: { timeoutSeconds: -5, fingerprint: 3 },
        brokenProperties: ["fingerprint", "timeoutSeconds"],
    },
};

describe("check of unchanged inputs (issue 11)", function () {
    before(() => configureFrom({ config: { get: (key: string) => bothZones[key] } }));

    for (const [kind, { news, broken, brokenProperties }] of Object.entries(cases) as [Kind, typeof cases[Kind]][]) {
        describe(kind, () => {
            let accepted: Record<string, unknown>;
            before(async () => {
                const first = await providerOf(kind).check!({}, news);
                expect(first.failures ?? [], "the valid inputs' first check").to.deep.equal([]);
                // The engine keeps the checked inputs, with the stub, and sends them back as `olds`.
                accepted = { ...first.inputs, __provider: stub };
            });

            it("a check of the inputs accepted before does not load zod and returns the same inputs", () => {
                const result = checkInChild(kind, accepted, news);
                expect(result.failures).to.deep.equal([]);
                expect(result.zodLoaded, "zod in require.cache").to.equal(false);
                expect(result.inputs).to.deep.equal({ ...accepted, __provider: stub });
            });

            it("a newer stub text alone does not count as a change", () => {
                const result = checkInChild(kind, { ...accepted, __provider: "an older stub" }, news);
                expect(result.zodLoaded).to.equal(false);
                expect(result.failures).to.deep.equal([]);
            });

            it("a changed input is judged in full: every problem, as in a first check", async () => {
                const changed = { ...news, ...broken };
                const result = checkInChild(kind, accepted, changed);
                expect(result.zodLoaded).to.equal(true);
                expect(result.failures.map((f) => f.property).sort()).to.deep.equal(brokenProperties);
                const fresh = await providerOf(kind).check!({}, changed);
                expect(result.failures).to.deep.equal(fresh.failures);
            });

            it("a first check (no inputs accepted before) is judged in full", () => {
                const result = checkInChild(kind, {}, { ...news, ...broken });
                expect(result.zodLoaded).to.equal(true);
                expect(result.failures.map((f) => f.property).sort()).to.deep.equal(brokenProperties);
            });
        });
    }

    it("the rules that read the configuration still run: a zone removed from it fails with the usual message", async () => {
        const onlyB = config(["zone-b"]);
        for (const kind of ["bucket", "bucketVersioning", "replicationConfiguration", "replicationVerification"] as const) {
            const news = cases[kind].news;
            const accepted = { ...(await providerOf(kind).check!({}, news)).inputs, __provider: stub };
            const unchanged = checkInChild(kind, accepted, news, onlyB);
            const fresh = checkInChild(kind, {}, news, onlyB);
            expect(unchanged.zodLoaded, kind).to.equal(false);
            expect(unchanged.failures, kind).to.deep.equal(fresh.failures);
            expect(unchanged.failures.map((f) => f.reason).join("\n"), kind).to.contain("Zone 'zone-a' is not configured");
        }
    });

    it("a configuration that cannot be used fails an unchanged role's check as a first one", async () => {
        const news = cases.iamRole.news;
        const accepted = { ...(await providerOf("iamRole").check!({}, news)).inputs, __provider: stub };
        // Zones that are not JSON (without zones at all, MinIO would fall back to a local pair found on disk).
        const unusable = { ...bothZones, "bucket-replication:zones": "{zone-a" };
        const unchanged = checkInChild("iamRole", accepted, news, unusable);
        const fresh = checkInChild("iamRole", {}, news, unusable);
        expect(unchanged.zodLoaded).to.equal(false);
        expect(unchanged.failures).to.have.length.above(0);
        expect(unchanged.failures).to.deep.equal(fresh.failures);
    });
});
