import { expect } from "chai";
import * as path from "path";
import { localZones, mc, rawS3 } from "../support/localZones";
import { putObject, replicated } from "../support/objects";
import { eventually } from "../support/wait";
import {
    installedVersion, installProgramWith, InstalledProgram, nodeRuntime, packedTarball, PackageStack, reinstallPackage, releaseTarball,
    tarballText, toolchainVersion,
} from "./support";

/**
 * The last commit of release 0.1.0: its package.json says 0.1.0, and the next commit (f8f862c) bumped
 * the version to 0.2.0. The 0.1.0 tarball is packed from this commit's tree (releaseTarball).
 */
const release010 = { commit: "8913f33c7345a042eb82ddabec2c9881a5fb696f", version: "0.1.0" };

/**
 * Issue 19: every stack made with 0.1.0 keeps working. A program is installed with the 0.1.0 tarball
 * (packed from the repository's history) and `pulumi up` makes its stack; objects are written and
 * replicate. Then the program's folder gets the current tarball, as a user's `npm install` does, and on
 * the same stack: the preview plans no replacement, deletion or creation, `up` replaces, deletes and
 * creates nothing (every resource keeps its URN, type and ID), a second `up` changes nothing, the
 * objects written under 0.1.0 are there with every version, replication still delivers, and `destroy`
 * with the current version leaves no bucket, user or policy behind.
 *
 * Two programs: a TypeScript one on the SDK (LeaderFollower with verify, and the long form), and one
 * that declares 0.1.0's remote component bucket-replication:index:LeaderFollower, served by
 * pulumi-resource-bucket-replication from the program's node_modules/.bin.
 */
describe("package: upgrading a stack made with 0.1.0 to the current version", function () {
    const node = toolchainVersion("PACKAGE_TEST_NODE_CLI");
    const sdk = toolchainVersion("PACKAGE_TEST_PULUMI_CLI");

    upgradeCase({
        title: "a TypeScript program on the SDK (LeaderFollower with verify, and Bucket, BucketVersioning, IamRole, ReplicationConfiguration)",
        program: "upgrade-sdk",
        topologies: (out) => [
            { label: "LeaderFollower", from: { zone: "local-a", bucket: out.leader }, to: { zone: "local-b", bucket: out.follower } },
            { label: "long form", from: { zone: "local-a", bucket: out.sourceBucket }, to: { zone: "local-b", bucket: out.destinationBucket } },
        ],
        roles: (out) => [out.pairRole, out.longRole],
    });

    upgradeCase({
        title: "a program that declares 0.1.0's remote component bucket-replication:index:LeaderFollower",
        program: "upgrade-remote",
        remote: true,
        topologies: (out) => [{ label: "LeaderFollower", from: { zone: "local-a", bucket: out.leader }, to: { zone: "local-b", bucket: out.follower } }],
        roles: (out) => [out.role],
    });

    interface Place { readonly zone: string; readonly bucket: string }
    interface Topology { readonly label: string; readonly from: Place; readonly to: Place }

    function upgradeCase(options: {
        title: string;
        program: string;
        /** The program declares the component remotely: node_modules/.bin goes on PATH for the engine to find the provider. */
        remote?: boolean;
        topologies: (out: Record<string, string>) => Topology[];
        roles: (out: Record<string, string>) => string[];
    }) {
        describe(options.title, function () {
            let oldTarball: string;
            let newTarball: string;
            let newVersion: string;
            let program: InstalledProgram;
            let stack: PackageStack;
            let out: Record<string, string>;
            let topologies: Topology[];
            let objectsBefore: Record<string, VersionListing>;
            let resourcesBefore: StateResource[];
            const key = "written-under-0.1.0.txt";

            before(async () => {
                [oldTarball, newTarball] = await Promise.all([releaseTarball(release010.commit, release010.version), packedTarball()]);
                newVersion = JSON.parse(tarballText(newTarball, "package.json")).version;
                expect(newVersion, "the current package's version").to.not.equal(release010.version);
                program = await installProgramWith(options.program, await nodeRuntime(node), sdk, oldTarball);
                expect(installedVersion(program.dir)).to.equal(release010.version);
                stack = await PackageStack.init(program, options.remote ? [path.dirname(legacyExecutable(program))] : []);
            });

            after(async () => {
                // Whatever the tests left: the stack (destroyed with what is installed), then any bucket, user or
                // policy its state names that is still there (as after a failed destroy), then the program's folder.
                const leftovers = stack ? namesInState(stack) : { buckets: [], roles: [] };
                await stack?.dispose();
                await removeLeftovers(leftovers);
                program?.dispose();
            });

            it(`0.1.0 makes the stack, and objects written to it replicate`, async () => {
                const up = await stack.must("up");
                expect(stack.lingering()).to.deep.equal([]);
                if (options.remote) expect(up.stdout + up.stderr).to.contain(`using pulumi-resource-bucket-replication from $PATH at ${legacyExecutable(program)}`);
                out = await stack.stack.outputs();
                topologies = options.topologies(out);
                // What destroy must remove at the end is there: the buckets, and each role's user and policy on both zones.
                const zones = Object.keys(localZones().zones);
                expect(await foundOnZones(topologies, options.roles(out))).to.have.members([
                    ...topologies.flatMap(({ from, to }) => [`bucket ${from.zone}/${from.bucket}`, `bucket ${to.zone}/${to.bucket}`]),
                    ...zones.flatMap((zone) => options.roles(out).flatMap((role) => [`user ${zone}/${role}`, `policy ${zone}/${role}`])),
                ]);
                for (const { from, to } of topologies) {
                    await putObject(from.zone, from.bucket, key, "first version\n");
                    await putObject(from.zone, from.bucket, key, "second version\n");
                    await replicated(to.zone, to.bucket, key, "second version\n", "REPLICA");
                    // Both versions reach the destination, with their version IDs.
                    await eventually(`both versions of ${key} in ${to.zone}/${to.bucket}`, async () => {
                        const [source, destination] = await Promise.all([versionListing(from, key), versionListing(to, key)]);
                        return source.versions.length === 2 && JSON.stringify(destination.versions) === JSON.stringify(source.versions) ? true : undefined;
                    });
                }
                objectsBefore = await objectsNow(topologies, key);
                resourcesBefore = stateResources(stack);
            });

            it("with the current version installed over it, the preview plans no replacement, deletion or creation", async () => {
                await reinstallPackage(program, newTarball);
                expect(installedVersion(program.dir)).to.equal(newVersion);
                const preview = await previewJson(stack);
                const changes = changedSteps(preview.steps);
                expect(changes.map((step) => `${step.op} ${step.urn}`), `the preview after the upgrade plans changes:\n${describeSteps(changes)}`).to.deep.equal([]);
                expect(preview.changeSummary, "the preview's change summary").to.deep.equal(unchanged(resourcesBefore));
                // --show-sames lists every resource: each one is there, unchanged.
                expect(preview.steps.map((step) => step.urn).sort(), "the resources the preview went through").to.deep.equal(counted(resourcesBefore).map((r) => r.urn));
                expect(stack.lingering()).to.deep.equal([]);
            });

            it("pulumi up with the current version replaces, deletes and creates nothing, and a second up changes nothing", async () => {
                const up = await stack.must("up");
                expect(stack.lingering()).to.deep.equal([]);
                if (options.remote) expect(up.stdout + up.stderr).to.contain(`using pulumi-resource-bucket-replication from $PATH at ${legacyExecutable(program)}`);
                expect(await lastUpdate(stack), "what the upgrade's up did").to.deep.equal(unchanged(resourcesBefore));
                expect(stateResources(stack), "the resources after the upgrade (URN, type, ID)").to.deep.equal(resourcesBefore);
                await stack.must("up");
                expect(await lastUpdate(stack), "what the second up did").to.deep.equal(unchanged(resourcesBefore));
                expect(stateResources(stack)).to.deep.equal(resourcesBefore);
                expect(await stack.stack.outputs(), "the stack outputs").to.deep.equal(out);
            });

            it("the objects written under 0.1.0 are all there, every version of them, at both ends", async () => {
                expect(await objectsNow(topologies, key)).to.deep.equal(objectsBefore);
            });

            it("replication still delivers a new object", async () => {
                for (const { from, to } of topologies) {
                    await putObject(from.zone, from.bucket, "written-after-the-upgrade.txt", `after the upgrade to ${newVersion}\n`);
                    await replicated(to.zone, to.bucket, "written-after-the-upgrade.txt", `after the upgrade to ${newVersion}\n`, "REPLICA");
                    expect((await replicated(from.zone, from.bucket, "written-after-the-upgrade.txt", `after the upgrade to ${newVersion}\n`, "COMPLETED")).replicationStatus).to.equal("COMPLETED");
                }
            });

            it("pulumi destroy with the current version removes every bucket, user and policy", async () => {
                await stack.must("destroy");
                expect(stack.lingering()).to.deep.equal([]);
                expect(await foundOnZones(topologies, options.roles(out)), "what is left on the zones").to.deep.equal([]);
            });
        });
    }
});

/** Which of the topologies' buckets, and of the roles' users and policies, each zone holds, read with mc. */
async function foundOnZones(topologies: Array<{ from: { zone: string; bucket: string }; to: { zone: string; bucket: string } }>, roles: string[]): Promise<string[]> {
    const found: string[] = [];
    for (const zone of Object.keys(localZones().zones)) {
        const buckets = (await mc(["ls", zone])).map((entry) => String(entry.key).replace(/\/$/, ""));
        const mine = topologies.flatMap(({ from, to }) => [from, to]).filter((p) => p.zone === zone).map((p) => p.bucket);
        found.push(...buckets.filter((b) => mine.includes(b)).map((b) => `bucket ${zone}/${b}`));
        const users = (await mc(["admin", "user", "list", zone])).map((u) => u.accessKey);
        found.push(...users.filter((u) => roles.includes(u)).map((u) => `user ${zone}/${u}`));
        const policies = (await mc(["admin", "policy", "list", zone])).map((p) => p.policy);
        found.push(...policies.filter((p) => roles.includes(p)).map((p) => `policy ${zone}/${p}`));
    }
    return found;
}

/** The executable 0.1.0's remote component is served by, where npm links it in the program's folder (the same name in every version). */
function legacyExecutable(program: InstalledProgram): string {
    return path.join(program.dir, "node_modules", ".bin", "pulumi-resource-bucket-replication");
}

interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly diffReasons?: string[];
    readonly replaceReasons?: string[];
    readonly detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }> | null;
    readonly oldState?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
    readonly newState?: { inputs?: Record<string, unknown> };
}

/** `pulumi preview --json --show-sames`: a step for every resource, and the counts by operation. */
async function previewJson(stack: PackageStack): Promise<{ steps: PreviewStep[]; changeSummary: Record<string, number> }> {
    const result = await stack.stack.runOnStack(["preview", "--json", "--show-sames"]);
    if (result.code !== 0) throw new Error(`pulumi preview --json failed with exit code ${result.code}:\n${result.stdout}\n${result.stderr}`);
    const parsed = JSON.parse(result.stdout) as { steps?: PreviewStep[]; changeSummary?: Record<string, number> };
    return { steps: parsed.steps ?? [], changeSummary: parsed.changeSummary ?? {} };
}

/** The resources a change summary counts: all but the providers (whose URNs and IDs are compared in the state). */
function counted(resources: StateResource[]): StateResource[] {
    return resources.filter((r) => !r.type.startsWith("pulumi:providers:"));
}

/** The change summary of a run that changes nothing: every counted resource `same`. */
function unchanged(resources: StateResource[]): Record<string, number> {
    return { same: counted(resources).length };
}

/** Every step but the unchanged ones: with no update allowed, a replacement, deletion or creation shows here too. */
function changedSteps(steps: PreviewStep[]): PreviewStep[] {
    return steps.filter((step) => step.op !== "same");
}

/**
 * The steps with what changes in each: the engine's reasons where it gives them, and every input whose
 * old and new values differ (dynamic resources' steps carry no diff reasons in the JSON), old -> new.
 */
function describeSteps(steps: PreviewStep[]): string {
    return steps.map((step) => {
        const before = step.oldState?.inputs ?? {};
        const after = step.newState?.inputs ?? {};
        const differing = [...new Set([...Object.keys(before), ...Object.keys(after)])]
            .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
        return [`  ${step.op} ${step.urn}`,
            `    replaceReasons ${JSON.stringify(step.replaceReasons ?? [])}, diffReasons ${JSON.stringify(step.diffReasons ?? [])}, detailedDiff ${JSON.stringify(step.detailedDiff ?? {})}`,
            ...differing.map((key) => `    input ${key}: ${JSON.stringify(before[key])} -> ${JSON.stringify(after[key])}`)].join("\n");
    }).join("\n");
}

/** What the stack's newest update did, by operation, as `pulumi stack history` counts it: { same: 9 } and so on. */
async function lastUpdate(stack: PackageStack): Promise<Record<string, number>> {
    const result = await stack.stack.run(["stack", "history", "--json", "--stack", stack.stack.stackName]);
    if (result.code !== 0) throw new Error(`pulumi stack history failed:\n${result.stdout}\n${result.stderr}`);
    const [latest] = JSON.parse(result.stdout) as Array<{ kind: string; result: string; resourceChanges: Record<string, number> }>;
    expect(latest.kind).to.equal("update");
    expect(latest.result).to.equal("succeeded");
    return latest.resourceChanges;
}

interface StateResource { readonly urn: string; readonly type: string; readonly id?: string }

function stateResources(stack: PackageStack): StateResource[] {
    const resources = JSON.parse(stack.stack.stateText()).checkpoint.latest?.resources ?? [];
    return resources.map((r: StateResource) => ({ urn: r.urn, type: r.type, id: r.id })).sort((a: StateResource, b: StateResource) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

interface VersionListing {
    readonly versions: Array<{ versionId: string; etag: string; size: number; isLatest: boolean }>;
    readonly deleteMarkers: Array<{ versionId: string; isLatest: boolean }>;
}

/** Every version and delete marker of one key, read straight from the zone, oldest first. */
async function versionListing(place: { zone: string; bucket: string }, key: string): Promise<VersionListing> {
    const { ListObjectVersionsCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const result = await rawS3(place.zone).send(new ListObjectVersionsCommand({ Bucket: place.bucket, Prefix: key }));
    const byTime = <T extends { LastModified?: Date; VersionId?: string }>(a: T, b: T) =>
        (a.LastModified?.getTime() ?? 0) - (b.LastModified?.getTime() ?? 0) || (a.VersionId ?? "").localeCompare(b.VersionId ?? "");
    return {
        versions: (result.Versions ?? []).filter((v) => v.Key === key).sort(byTime)
            .map((v) => ({ versionId: v.VersionId!, etag: v.ETag!, size: v.Size!, isLatest: v.IsLatest! })),
        deleteMarkers: (result.DeleteMarkers ?? []).filter((m) => m.Key === key).sort(byTime).map((m) => ({ versionId: m.VersionId!, isLatest: m.IsLatest! })),
    };
}

async function objectsNow(topologies: Array<{ label: string; from: { zone: string; bucket: string }; to: { zone: string; bucket: string } }>, key: string): Promise<Record<string, VersionListing>> {
    const listings: Record<string, VersionListing> = {};
    for (const { label, from, to } of topologies) {
        listings[`${label}: ${from.zone}/${from.bucket}`] = await versionListing(from, key);
        listings[`${label}: ${to.zone}/${to.bucket}`] = await versionListing(to, key);
    }
    return listings;
}

/** The buckets (with their zones) and roles the stack's state holds. */
function namesInState(stack: PackageStack): { buckets: Array<{ zone: string; bucket: string }>; roles: string[] } {
    let resources: Array<{ type: string; outputs?: Record<string, unknown> }> = [];
    try {
        resources = JSON.parse(stack.stack.stateText()).checkpoint.latest?.resources ?? [];
    } catch {
        // No state was written (the stack never got to an up).
    }
    const named = (type: string) => resources.filter((r) => r.type.endsWith(`:${type}`) && typeof r.outputs?.name === "string");
    return {
        buckets: named("Bucket").map((r) => ({ zone: String(r.outputs!.zone), bucket: String(r.outputs!.name) })),
        roles: named("IamRole").map((r) => String(r.outputs!.name)),
    };
}

/** Removes what a failed destroy left: the buckets (with everything in them), and each role's user and policy on every zone. */
async function removeLeftovers(leftovers: { buckets: Array<{ zone: string; bucket: string }>; roles: string[] }): Promise<void> {
    const removed: string[] = [];
    for (const { zone, bucket } of leftovers.buckets) {
        if (!(zone in localZones().zones)) continue;
        const present = (await mc(["ls", zone]).catch(() => [])).some((entry) => entry.key === `${bucket}/`);
        if (present && await mc(["rb", "--force", `${zone}/${bucket}`]).then(() => true, () => false)) removed.push(`bucket ${zone}/${bucket}`);
    }
    for (const zone of Object.keys(localZones().zones)) {
        for (const role of leftovers.roles) {
            if (await mc(["admin", "user", "remove", zone, role]).then(() => true, () => false)) removed.push(`user ${zone}/${role}`);
            if (await mc(["admin", "policy", "remove", zone, role]).then(() => true, () => false)) removed.push(`policy ${zone}/${role}`);
        }
    }
    if (removed.length > 0) console.log(`      upgrade test: removed what the stack left behind: ${removed.join(", ")}`);
}
