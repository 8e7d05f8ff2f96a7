import { expect } from "chai";
import * as path from "path";
import { mc } from "../support/localZones";
import { putObject, replicated, versionsOf } from "../support/objects";
import { expectBothWaysReplicate, expectLongFormReplicates, expectTeamChangePreviewsAsTagUpdate } from "../support/pluginPrograms";
import { PulumiStack } from "../support/pulumiStack";
import { generatePythonSdk, PythonSdk } from "../support/pythonSdk";
import { repoRoot } from "../support/toolchain";

/** The bucket examples/python-replication imports: made with mc before the first `up`, as its comment says. */
const handmade = "handmade-python";
const pkg = "pulumi-bucket-replication:index";

interface StateResource { type: string; urn: string; id: string; outputs: Record<string, any> }

async function bucketsOf(zone: string): Promise<string[]> {
    return (await mc(["ls", `${zone}`])).map((entry) => String(entry.key).replace(/\/$/, ""));
}

/**
 * examples/python-replication, a Python program, under the real engine and the Python language host of
 * scripts/setup.sh, on the SDK generated from the plugin's own schema (pulumi_bucket_replication): the plugin
 * pulumi-bucket-replication serves its resources, the BiDirectional component and the functions. The
 * program runs in the venv of scripts/setup.sh (PULUMI_PYTHON_CMD), the SDK installed beside it
 * (PYTHONPATH), as a user's activated venv would have both. Replication is checked on the servers themselves.
 */
describe("engine: a Python program on the plugin's generated SDK (examples/python-replication)", function () {
    let sdk: PythonSdk;
    let stack: PulumiStack;
    let out: Record<string, any>;
    const resources = (): StateResource[] => JSON.parse(stack.stateText()).checkpoint.latest.resources;

    before(async () => {
        await mc(["rb", "--force", `local-a/${handmade}`]).catch(() => undefined);
        await mc(["mb", `local-a/${handmade}`]);
        await mc(["version", "enable", `local-a/${handmade}`]);
        await putObject("local-a", handmade, "notes.txt", "first");
        await putObject("local-a", handmade, "notes.txt", "second");
        sdk = await generatePythonSdk();
        expect(sdk.schema.language.python.packageName).to.equal("pulumi_bucket_replication");
        stack = await PulumiStack.init(path.join(repoRoot, "examples", "python-replication"), {}, sdk.env);
    });

    after(async () => {
        await stack?.destroy();
        await stack?.dispose();
        sdk?.dispose();
        await mc(["rb", "--force", `local-a/${handmade}`]).catch(() => undefined);
    });

    it("converges on the first pulumi up: the long-form pair, the component, and the hand-made bucket imported", async () => {
        const result = await stack.mustUp();
        out = await stack.outputs();
        // The stack, 5 + 5 resources the long way and for the imported bucket, the component and its 7 children.
        expect(result.stdout).to.match(/\+ 17 created/);
        expect(result.stdout).to.match(/= 1 imported/);
        expect(out.replicationState).to.equal("Enabled");
        expect(out.importedEndpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
        const types = new Set(resources().map((r) => r.type));
        expect([...types].filter((t) => t.includes("dynamic")), "no dynamic resources: the program's folder has no npm package").to.deep.equal([]);
        for (const kind of ["Bucket", "BucketVersioning", "IamRole", "ReplicationConfiguration", "ReplicationVerification", "BiDirectional"]) {
            expect(types, kind).to.include(`${pkg}:${kind}`);
        }
        // The SDK asks for the plugin at the schema's version (see test/support/pythonSdk.ts).
        const provider = resources().find((r) => r.type === "pulumi:providers:pulumi-bucket-replication");
        expect(provider?.urn).to.match(new RegExp(`::default_${sdk.schema.version.replace(/\./g, "_")}$`));
    });

    it("keeps the role's secret key secret in the state", () => {
        const role = resources().find((r) => r.urn.endsWith("::role"))!;
        expect(role.outputs.secretKey).to.have.property("ciphertext");
        expect(stack.stateText()).to.not.match(/"secretKey":\s*"[^"]/);
    });

    it("previews no changes right after", async () => {
        const steps = await stack.previewSteps();
        expect(steps.filter((s) => s.op !== "same")).to.deep.equal([]);
    });

    it("replicates the long way: COMPLETED on the leader, REPLICA on the follower", () => expectLongFormReplicates(out as never, "python"));

    it("replicates both ways through the BiDirectional component", () => expectBothWaysReplicate(out as never));

    it("shows an update of one tag as a detailed diff of `tags` alone in preview --json, and up applies it", async () => {
        await expectTeamChangePreviewsAsTagUpdate(stack);
        const result = await stack.mustUp();
        expect(result.stdout).to.match(/~ 1 updated/);
        const tags = await mc(["tag", "list", `local-a/${out.leader}`]);
        expect(JSON.stringify(tags)).to.contain("platform");
    });

    it("imports a bucket made with mc with the `pulumi import` CLI (--generate-code=false), then forgets it", async () => {
        const made = `py-cli-${Date.now().toString(36)}`;
        await mc(["mb", `local-a/${made}`]);
        try {
            const urn = () => resources().find((r) => r.urn.endsWith("::cli"))?.urn;
            const forget = async () => {
                // `pulumi import` protects what it imports: only --force lets the state forget it.
                const forgot = await stack.runOnStackWithoutConfig(["state", "delete", urn()!, "--yes", "--force"]);
                expect(forgot.code, forgot.stdout + forgot.stderr).to.equal(0);
                expect(urn()).to.equal(undefined);
            };
            const args = ["import", "--yes", `${pkg}:Bucket`, "cli", `local-a/${made}`];

            const imported = await stack.runOnStackWithoutConfig([...args, "--generate-code=false"]);
            expect(imported.code, imported.stdout + imported.stderr).to.equal(0);
            expect(imported.stdout).to.match(/= 1 imported/);
            const state = resources().find((r) => r.urn === urn())!;
            expect(state).to.deep.include({ type: `${pkg}:Bucket`, id: `local-a/${made}` });
            expect(state.outputs).to.deep.include({ name: made, zone: "local-a" });
            await forget();

            // Without the flag the CLI imports, then asks the language host for the program's code.
            const withCode = await stack.runOnStackWithoutConfig(args);
            expect(withCode.stdout).to.match(/= 1 imported/);
            expect(urn(), "imported before the code is asked for").to.be.a("string");
            if (sdk.host368) {
                // scripts/setup.sh's Python host (3.68.0) predates the GenerateProgram RPC: the import is done and
                // kept, and the CLI fails after it with exactly
                //   error: method GenerateProgram not implemented
                // (An SDK left at the generator's version 0.0.0 fails there earlier, with "error: loader returned
                // pulumi-bucket-replication@0.2.0; requested pulumi-bucket-replication@0.0.0 (entries: ...)".)
                expect(withCode.code, withCode.stdout + withCode.stderr).to.equal(1);
                expect(withCode.stderr).to.contain("error: method GenerateProgram not implemented");
            } else {
                // An installed CLI's own Python host writes the code, to stdout.
                expect(withCode.code, withCode.stdout + withCode.stderr).to.equal(0);
                expect(withCode.stdout).to.contain("pulumi_bucket_replication");
            }
            await forget();
        } finally {
            await mc(["rb", "--force", `local-a/${made}`]);
        }
    });

    it("destroys everything it made, and leaves the imported bucket with every object version", async () => {
        const made = resources().filter((r) => !r.urn.endsWith("::imported"));
        const bucketsMade = made.filter((r) => r.type === `${pkg}:Bucket`).map((r) => r.outputs as { name: string; zone: string });
        const rolesMade = made.filter((r) => r.type === `${pkg}:IamRole`).map((r) => r.outputs.name as string);
        expect(bucketsMade.map((b) => b.name)).to.include.members([out.leader, out.follower, out.pairA, out.pairB]).and.have.length(4);
        expect(rolesMade).to.include(out.role).and.have.length(3);
        await stack.mustDestroy();
        const remaining: Record<string, string[]> = { "local-a": await bucketsOf("local-a"), "local-b": await bucketsOf("local-b") };
        for (const { name, zone } of bucketsMade) expect(remaining[zone], `${zone}/${name}`).to.not.include(name);
        expect(remaining["local-a"]).to.include(handmade);
        expect(await versionsOf("local-a", handmade, "notes.txt")).to.deep.include({ versions: 2 });
        for (const zone of ["local-a", "local-b"]) {
            const users = (await mc(["admin", "user", "list", zone])).map((u) => u.accessKey);
            for (const role of rolesMade) expect(users, `${role} on ${zone}`).to.not.include(role);
        }
    });
});
