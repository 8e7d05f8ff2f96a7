import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ownerPolicyIdPrefix } from "../../provider/identity";
import { localZones, mc, rawS3 } from "./localZones";
import { remoteTargetsOf } from "./minioAdminReads";
import { putObject, replicated } from "./objects";
import { PulumiStack } from "./pulumiStack";

/**
 * The drift suite's tools (issue 17): what `pulumi preview --refresh` plans after a change made outside
 * Pulumi, and what the servers hold, read with mc and MinIO's admin API rather than the provider, compared
 * with what the program declared.
 */

/** A resource as the suite names it: its type's short name and its logical name, "IamRole lf-replication". */
export type ResourceLabel = string;

/** What the preview plans for one resource, and which of its outputs the refresh found changed (dotted paths). */
export interface PlannedChange {
    readonly resource: ResourceLabel;
    readonly op: string;
    readonly properties: string[];
    /** The resource's outputs as the refresh read them (empty for a create). */
    readonly refreshed: Record<string, unknown>;
}

export interface RowWarning {
    readonly resource: ResourceLabel;
    readonly message: string;
}

export interface RefreshPreview {
    /** Every step other than `same`, in the engine's order. */
    readonly planned: PlannedChange[];
    /** Warnings the engine printed, on the row they were sent to. */
    readonly warnings: RowWarning[];
}

export function labelOf(urn: string): ResourceLabel {
    const parts = urn.split("::");
    return `${parts[2].split("$").pop()!.split(":").pop()} ${parts[3]}`;
}

/**
 * `pulumi preview --refresh --json`. Its refresh steps carry the state before the refresh and its planned
 * steps the refreshed state, so the outputs that differ between the two are what the refresh found.
 * (`pulumi refresh --preview-only --json` would be the obvious choice, but its steps carry the old state
 * on both sides; only its --diff text shows the change.)
 */
export async function previewWithRefresh(stack: PulumiStack): Promise<RefreshPreview> {
    const result = await stack.runOnStack(["preview", "--refresh", "--json"]);
    if (result.code !== 0) throw new Error(`pulumi preview --refresh --json failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
    const parsed = JSON.parse(result.stdout) as {
        steps?: Array<{ op: string; urn: string; oldState?: { outputs?: Record<string, unknown> } }>;
        diagnostics?: Array<{ urn?: string; severity: string; message: string }>;
    };
    const steps = parsed.steps ?? [];
    const beforeRefresh = new Map(steps.filter((s) => s.op === "refresh").map((s) => [s.urn, s.oldState?.outputs ?? {}]));
    const planned = steps.filter((s) => s.op !== "refresh" && s.op !== "same").map((s) => ({
        resource: labelOf(s.urn),
        op: s.op,
        properties: s.op === "create" ? [] : changedPaths(beforeRefresh.get(s.urn) ?? {}, s.oldState?.outputs ?? {}),
        refreshed: s.oldState?.outputs ?? {},
    }));
    const warnings = (parsed.diagnostics ?? []).filter((d) => d.severity === "warning")
        .map((d) => ({ resource: d.urn ? labelOf(d.urn) : "(no resource)", message: d.message.trim() }));
    return { planned, warnings };
}

/** The value at a dotted path (`zones.local-b.user`); zone names hold dashes, never dots. */
export function valueAt(value: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((v, key) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined), value);
}

/** The dotted paths where two JSON values differ; arrays compare whole. */
export function changedPaths(before: unknown, after: unknown, at = ""): string[] {
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (isObject(before) && isObject(after)) {
        return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
            .flatMap((key) => changedPaths(before[key], after[key], at ? `${at}.${key}` : key));
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [at];
}

/** `pulumi up --refresh`: refresh, then put back what the program declares. */
export async function upWithRefresh(stack: PulumiStack): Promise<string> {
    const result = await stack.runOnStack(["up", "--refresh", "--yes", "--skip-preview"]);
    if (result.code !== 0) throw new Error(`pulumi up --refresh failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

/**
 * `pulumi refresh --preview-only --diff`: the text a user reads before accepting a refresh. The stack must
 * run without PULUMI_SKIP_CONFIRMATIONS, which the CLI takes for --yes and refuses beside --preview-only.
 */
export async function refreshPreviewDiffText(stack: PulumiStack): Promise<string> {
    const result = await stack.runOnStack(["refresh", "--preview-only", "--diff"]);
    if (result.code !== 0) throw new Error(`pulumi refresh --preview-only --diff failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

/** `pulumi preview --refresh` as a user reads it: the text, each resource on its row. */
export async function previewWithRefreshText(stack: PulumiStack): Promise<string> {
    const result = await stack.runOnStack(["preview", "--refresh"]);
    if (result.code !== 0) throw new Error(`pulumi preview --refresh failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

// ---- what the program declared ----

export interface DeclaredRule {
    readonly priority: number;
    readonly status: string;
    readonly prefix: string;
    readonly deleteMarkerReplication: boolean;
    readonly deleteReplication: boolean;
    readonly existingObjectReplication: boolean;
    readonly replicaModifications: boolean;
    readonly destination: { zone: string; bucket: string };
}

export interface DeclaredTopology {
    readonly buckets: Array<{ zone: string; name: string; tags: Record<string, string> }>;
    readonly versioning: Array<{ zone: string; bucket: string; status: string }>;
    readonly roles: Array<{ name: string; identity: string; policy: PolicyDocument; secretKey: string }>;
    readonly replications: Array<{ zone: string; bucket: string; roleName: string; rules: Record<string, DeclaredRule> }>;
}

export interface PolicyDocument {
    readonly ID?: string;
    readonly Version?: string;
    readonly Statement?: Array<{ Effect: string; Action: string | string[]; Resource: string | string[] }>;
}

/**
 * What the program declared, from the inputs its last `up` recorded, taken once after the first `up`
 * and before any change, so that a later run cannot move it; the roles' keys come from the program's
 * `roleSecretKeys` output (the state holds them encrypted).
 */
export async function declaredTopology(stack: PulumiStack): Promise<DeclaredTopology> {
    const resources = (JSON.parse(stack.stateText()).checkpoint.latest.resources ?? []) as Array<{ type: string; inputs: Record<string, any> }>;
    const ofType = (type: string) => resources.filter((r) => r.type === `pulumi-nodejs:dynamic/bucket-replication:${type}`).map((r) => r.inputs);
    const secretKeys = (await stack.outputs()).roleSecretKeys as Record<string, string>;
    return {
        buckets: ofType("Bucket").map((i) => ({ zone: i.zone, name: i.name, tags: i.tags ?? {} })),
        versioning: ofType("BucketVersioning").map((i) => ({ zone: i.zone, bucket: i.bucket, status: i.status })),
        roles: ofType("IamRole").map((i) => ({ name: i.name, identity: i.identity, policy: i.policy, secretKey: secretKeys[i.name] })),
        replications: ofType("ReplicationConfiguration").map((i) => ({ zone: i.zone, bucket: i.bucket, roleName: i.role.name, rules: i.rules })),
    };
}

// ---- what the servers hold ----

/** The bucket tag by which the provider marks a bucket as its own. */
const bucketOwnerTag = "pulumi-bucket-replication:owner";

/** A policy's statements in a form that ignores the order MinIO keeps actions, resources and statements in. */
export function normalizedStatements(policy: PolicyDocument | undefined): string[] {
    const list = (v: string | string[]) => (Array.isArray(v) ? [...v] : [v]).sort();
    return (policy?.Statement ?? []).map((s) => JSON.stringify({ Effect: s.Effect, Action: list(s.Action), Resource: list(s.Resource) })).sort();
}

export async function policyOnZone(zone: string, name: string): Promise<PolicyDocument | undefined> {
    const [info] = await mc(["admin", "policy", "info", zone, name]).catch(() => [undefined]);
    return info?.policyInfo?.Policy;
}

/** Whether `zone` takes the key for a signed request: refused keys answer InvalidAccessKeyId or SignatureDoesNotMatch, not AccessDenied. */
export async function keyAccepted(zone: string, accessKey: string, secretKey: string): Promise<boolean> {
    const { ListBucketsCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    try {
        await rawS3(zone, { accessKey, secretKey }).send(new ListBucketsCommand({}));
        return true;
    } catch (error) {
        return (error as { name?: string }).name === "AccessDenied";
    }
}

/** Writes a policy document to a zone with mc, as somebody outside Pulumi would. */
export async function writePolicy(zone: string, name: string, document: PolicyDocument): Promise<void> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pbr-drift-policy-")), "policy.json");
    fs.writeFileSync(file, JSON.stringify(document));
    try {
        await mc(["admin", "policy", "create", zone, name, file]);
    } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
}

const status = (enabled: boolean) => (enabled ? "Enabled" : "Disabled");

/**
 * Checks that the servers hold what the program declared, read independently: every role's user enabled
 * on every zone with its own policy alone attached, the policy's statements and ownership ID, its key
 * accepted; every configuration's remote targets (signing with the role's key) and rules, field by field;
 * versioning; buckets and their tags.
 */
export async function expectServersAsDeclared(declared: DeclaredTopology): Promise<void> {
    const zones = Object.keys(localZones().zones);
    for (const role of declared.roles) {
        for (const zone of zones) {
            const where = `role ${role.name} on ${zone}`;
            const [user] = await mc(["admin", "user", "info", zone, role.name]);
            expect(user.userStatus, `${where}: user status`).to.equal("enabled");
            expect(String(user.policyName ?? "").split(",").filter(Boolean).sort(), `${where}: attached policies`).to.deep.equal([role.name]);
            const policy = await policyOnZone(zone, role.name);
            expect(policy?.ID, `${where}: the policy's ownership ID`).to.equal(`${ownerPolicyIdPrefix}${role.identity}`);
            expect(normalizedStatements(policy), `${where}: the policy's statements`).to.deep.equal(normalizedStatements(role.policy));
            expect(await keyAccepted(zone, role.name, role.secretKey), `${where}: the zone accepts the role's key`).to.equal(true);
        }
    }
    for (const replication of declared.replications) {
        const where = `replication of ${replication.zone}/${replication.bucket}`;
        const targets = await remoteTargetsOf(replication.zone, replication.bucket);
        const rules = (await mc(["replicate", "ls", `${replication.zone}/${replication.bucket}`])).map((line) => line.rule).filter(Boolean);
        expect(rules.map((r) => r.ID).sort(), `${where}: rule IDs`).to.deep.equal(Object.keys(replication.rules).sort());
        expect(targets.length, `${where}: one remote target per rule (${JSON.stringify(targets)})`).to.equal(Object.keys(replication.rules).length);
        for (const [id, declaredRule] of Object.entries(replication.rules)) {
            const rule = rules.find((r) => r.ID === id);
            const target = targets.find((t) => t.targetBucket === declaredRule.destination.bucket);
            expect(target, `${where}: a remote target for ${declaredRule.destination.bucket}`).to.not.equal(undefined);
            expect(target!.endpoint, `${where}: remote target endpoint`).to.equal(new URL(localZones().zones[declaredRule.destination.zone].endpoint).host);
            expect(target!.accessKey, `${where}: the key remote target ${target!.arn} signs with`).to.equal(replication.roleName);
            expect({
                status: rule.Status,
                priority: rule.Priority,
                prefix: rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? "",
                deleteMarkerReplication: rule.DeleteMarkerReplication?.Status,
                deleteReplication: rule.DeleteReplication?.Status,
                existingObjectReplication: rule.ExistingObjectReplication?.Status,
                replicaModifications: rule.SourceSelectionCriteria?.ReplicaModifications?.Status,
                destination: rule.Destination?.Bucket,
            }, `${where}: rule ${id}`).to.deep.equal({
                status: declaredRule.status,
                priority: declaredRule.priority,
                prefix: declaredRule.prefix ?? "",
                deleteMarkerReplication: status(declaredRule.deleteMarkerReplication),
                deleteReplication: status(declaredRule.deleteReplication),
                existingObjectReplication: status(declaredRule.existingObjectReplication),
                replicaModifications: status(declaredRule.replicaModifications),
                destination: target!.arn,
            });
        }
    }
    for (const versioning of declared.versioning) {
        const [info] = await mc(["version", "info", `${versioning.zone}/${versioning.bucket}`]);
        expect(info.versioning?.status, `versioning of ${versioning.zone}/${versioning.bucket}`).to.equal(versioning.status);
    }
    for (const bucket of declared.buckets) {
        const [listed] = await mc(["tag", "list", `${bucket.zone}/${bucket.name}`]);
        const tags: Record<string, string> = { ...(listed.tagset ?? {}) };
        expect(tags, `tags of ${bucket.zone}/${bucket.name}: the ownership tag`).to.have.property(bucketOwnerTag);
        delete tags[bucketOwnerTag];
        expect(tags, `tags of ${bucket.zone}/${bucket.name}`).to.deep.equal(bucket.tags);
    }
}

/**
 * Writes a new object to each rule's source (below the rule's prefix) and waits until it is COMPLETED
 * there and a REPLICA at the rule's destination.
 */
export async function expectNewObjectsReplicate(declared: DeclaredTopology, label: string): Promise<void> {
    for (const replication of declared.replications) {
        for (const [id, rule] of Object.entries(replication.rules)) {
            const key = `${rule.prefix ?? ""}drift-${label}-${id}-${Date.now().toString(36)}.txt`;
            const body = `written after '${label}' was repaired, for rule ${id}`;
            await putObject(replication.zone, replication.bucket, key, body);
            await replicated(rule.destination.zone, rule.destination.bucket, key, body, "REPLICA");
            await replicated(replication.zone, replication.bucket, key, body, "COMPLETED");
        }
    }
}
