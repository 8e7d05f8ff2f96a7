import { expect } from "chai";
import * as path from "path";
import { localZones, mc, rawS3 } from "../support/localZones";
import { PulumiStack, RunResult } from "../support/pulumiStack";
import { repoRoot, toolBin } from "../support/toolchain";

/**
 * Wrong programs under the real Pulumi CLI against the local MinIO pair: `pulumi preview` and
 * `pulumi up` of each fail with a message naming the property or key and the fix, print no stack
 * trace, and leave both servers as they were: no bucket, user or policy of the program's appears.
 * One program (test/programs/bad-input) declares one mistake per value of its `case` config key.
 */
const s3 = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

interface EngineCase {
    readonly name: string;
    /** Phrases the output must contain: the property or key, and the fix. */
    readonly says: readonly string[];
    /**
     * `up` runs without its preview, the harder test, unless the program declares something valid
     * that the engine would rightly create before it reaches the mistake (then `up` previews first,
     * as it does by default).
     */
    readonly upPreviewsFirst?: boolean;
    /** Stack configuration for this case only. */
    readonly config?: () => Record<string, string>;
}

const cases: readonly EngineCase[] = [
    { name: "followers-empty", says: ["LeaderFollower 'badin-lf': 'followers' is empty; name at least one follower bucket"] },
    { name: "followers-not-a-list", says: ["'followers' must be a list (an array), even for one follower"] },
    { name: "bidirectional-zone-missing", says: ["BiDirectional 'badin-bd': 'b.zone' is required"] },
    { name: "replication-without-role", says: ["ReplicationConfiguration 'badin-rc': 'role' is required", "role: replicationRole"] },
    { name: "replication-rules-a-list", says: ["'rules' is a list; it must be an object keyed by rule ID"], upPreviewsFirst: true },
    { name: "policy-not-a-document", says: ["property policy.Statement", "'policy.Statement' is missing", "replicationPolicy({ source, destinations })"] },
    { name: "policy-statement-effect", says: ["property policy.Statement[0].Effect", "must be \"Allow\" or \"Deny\", not \"Permit\""] },
    { name: "policy-no-destinations", says: ["replicationPolicy: 'destinations' is empty"] },
    { name: "bucket-reserved-prefix", says: ["property name", "must not start with 'xn--'", "Change 'name'"] },
    { name: "bucket-reserved-by-minio", says: ["property name", "Bucket name 'minio' is reserved by MinIO"] },
    { name: "tags-too-many", says: ["property tags", "has 51 tags; at most 49 are allowed", "Remove 2"] },
    { name: "tag-key-characters", says: ["property tags.a<b>", "may contain only letters, digits, spaces"] },
    { name: "duplicate-bucket-names", says: ["property name", "is also declared by Bucket 'badin-", "give each Bucket its own 'name'"], upPreviewsFirst: true },
    { name: "zone-not-configured", says: ["property zone", "Zone 'local-c' is not configured. Use one of: local-a, local-b"] },
    {
        name: "endpoint-with-path",
        says: ["'bucket-replication:zones.local-a.endpoint'", "with the path '/minio-a'", "give the service's base URL only"],
        config: () => {
            const zones = localZones().zones;
            return { "bucket-replication:zones": JSON.stringify({ "local-a": { endpoint: `${zones["local-a"].endpoint}/minio-a` }, "local-b": zones["local-b"] }) };
        },
    },
];

/** What the program could have made, by name: every name it uses starts with "badin", and one case asks for "minio". */
const ours = (name: string | undefined) => !!name && (name.includes("badin") || name === "minio");

interface ServerContents {
    readonly buckets: string[];
    readonly users: string[];
    readonly policies: string[];
}

async function contents(zone: string): Promise<ServerContents> {
    const listed = await rawS3(zone).send(new (s3().ListBucketsCommand)({}));
    return {
        buckets: (listed.Buckets ?? []).map((b) => b.Name!).sort(),
        users: (await mc(["admin", "user", "list", zone])).map((u) => u.accessKey as string).filter(Boolean).sort(),
        policies: (await mc(["admin", "policy", "list", zone])).map((p) => p.policy as string).filter(Boolean).sort(),
    };
}

/**
 * What appeared or went away since `before`, among names this program could have made. Other suites
 * may share the servers, so things they make are not counted; anything of ours is.
 */
function changesOfOurs(before: ServerContents, after: ServerContents): string[] {
    const changes: string[] = [];
    for (const kind of ["buckets", "users", "policies"] as const) {
        for (const name of after[kind]) if (!before[kind].includes(name) && ours(name)) changes.push(`new ${kind}: ${name}`);
        for (const name of before[kind]) if (!after[kind].includes(name) && ours(name)) changes.push(`gone ${kind}: ${name}`);
    }
    return changes;
}

/** A line of a JavaScript stack trace, as Node prints one. */
const stackLine = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)\s*$/m;

function expectRefused(result: RunResult, command: string, says: readonly string[]): void {
    // Node colours parts of an inspected error even under NO_COLOR; the colour codes must not hide a trace.
    const output = (result.stdout + result.stderr).replace(/\x1b?\[[0-9;]*m/g, "");
    expect(result.code, `pulumi ${command} should fail:\n${output}`).to.not.equal(0);
    for (const phrase of says) expect(output, `pulumi ${command}`).to.contain(phrase);
    expect(output, `pulumi ${command} printed a stack trace`).to.not.match(stackLine);
    expect(output, `pulumi ${command}`).to.not.match(/unhandled exception/i);
}

describe("bad input: wrong programs under the real Pulumi CLI create nothing on either server", function () {
    const run = Date.now().toString(36);
    const zones = ["local-a", "local-b"];
    let stack: PulumiStack;
    let initially: Record<string, ServerContents>;

    before(async () => {
        // Found once: every PulumiStack and mc call would otherwise ask scripts/setup.sh again.
        process.env.PBR_BIN ??= toolBin();
        stack = await PulumiStack.init(path.join(repoRoot, "test", "programs", "bad-input"), { run });
        initially = Object.fromEntries(await Promise.all(zones.map(async (zone) => [zone, await contents(zone)] as const)));
        for (const zone of zones) expect(changesOfOurs({ buckets: [], users: [], policies: [] }, initially[zone]), `leftovers of ours on ${zone} before the suite`).to.deep.equal([]);
    });

    after(async () => {
        // Nothing should be there to destroy; should a case have created something, it goes again.
        await stack?.run(["destroy", "--yes", "--skip-preview", ...common()]);
        await stack?.dispose();
    });

    const common = () => ["--non-interactive", "--stack", stack.stackName, "--config-file", stack.configFile, "--suppress-progress"];

    for (const c of cases) {
        it(`${c.name}: preview and up fail naming the key, without a stack trace, and create nothing`, async () => {
            const extra = c.config?.() ?? {};
            // `--config` on the preview also saves the values for the `up` that follows.
            const config = Object.entries({ case: c.name, ...extra }).flatMap(([key, value]) => ["--config", `${key}=${value}`]);
            try {
                expectRefused(await stack.run(["preview", ...config, ...common()]), "preview", c.says);
                const up = await stack.run(["up", "--yes", ...(c.upPreviewsFirst ? [] : ["--skip-preview"]), ...common()]);
                expectRefused(up, c.upPreviewsFirst ? "up" : "up --skip-preview", c.says);
            } finally {
                for (const key of Object.keys(extra)) await stack.removeConfig(key);
            }
            for (const zone of zones) {
                expect(changesOfOurs(initially[zone], await contents(zone)), `changes on ${zone}`).to.deep.equal([]);
            }
            const state = JSON.parse(stack.stateText()) as { checkpoint?: { latest?: { resources?: { type: string; urn: string }[] } } };
            const managed = (state.checkpoint?.latest?.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
            expect(managed.map((r) => r.urn), "resources the state records as created").to.deep.equal([]);
        });
    }
});
