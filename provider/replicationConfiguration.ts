import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import { withoutStackTraces } from "./cleanErrors";
import { ruleDefaults, type DefaultedRuleField, type ReplicationRuleFields, type RuleWithDefaults } from "./common/rule";
import { ruleFieldSchemas } from "./common/ruleSchema";
import type { ReplicationRule, ReplicationSpec, RoleState } from "./backends/backend";
import { ruleProblemsFor } from "./backends/registry";
import { bucketId, parseBucketId } from "./bucket";
import { declaredVersioning } from "./declarations";
import { configureFrom, configuredBackendName, configuredZones, currentBackend } from "./context";
import { progressLog, rowWarnings } from "./progress";
import { isNoSuchBucket, ServiceError } from "./transport/serviceError";
import { stableJson } from "./common/stableJson";
import { collectFailures, isUnknown, Problem, tagProblems, unknownValue, zoneProblems, lazySchema } from "./validation";

/** A rule as the user writes it; the rule's ID is its key in `rules`. Declared once, in common/rule.ts. */
export type RuleInput = ReplicationRuleFields;

/** The parts of the role the service needs: its ID, and on MinIO the credentials of its user. */
export interface RoleReference {
    readonly id: string;
    readonly name: string;
    readonly secretKey?: string | null;
}

export interface ReplicationConfigurationInputs {
    readonly bucket: string;
    readonly zone: string;
    /** Name and ID in clear; states written before 0.2 also hold the secret key here. */
    readonly role: RoleReference;
    /** The role's secret key where the service needs one (MinIO); a secret input of its own. */
    readonly roleSecretKey?: string | null;
    readonly rules: Record<string, RuleInput>;
}

export type ReplicationConfigurationOutputs = ReplicationConfigurationInputs & {
    /**
     * As the last refresh found them: whether each destination of another owner still lets the role
     * replicate into it (`<zone>/<bucket>`: "granted" or "missing"). A missing grant is what the next
     * `up` puts back. Absent where no rule crosses owners, or before any refresh.
     */
    readonly destinationGrants?: Readonly<Record<string, "granted" | "missing">>;
};

const ruleIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

const destinationShape = "{ bucket: destination.name, zone: destination.zone }";

const ruleSchema = (z: typeof import("zod").z) => z.object(ruleFieldSchemas(z),
    { error: `Each rule must be an object such as { priority: 1, destination: ${destinationShape} }.` });

const replicationSchema = lazySchema((z) => z.object({
    bucket: z.string({ error: "'bucket' is required: the source bucket's name, such as `source.name`." }),
    zone: z.string({ error: "'zone' is required: the source bucket's zone." }),
    role: z.object({
        id: z.string({ error: "'role' has no ID: pass the IamRole resource itself, such as `role: replicationRole`." }),
        name: z.string({ error: "'role' has no name: pass the IamRole resource itself, such as `role: replicationRole`." }),
    }, { error: "'role' is required: pass the IamRole resource the service replicates as, such as `role: replicationRole`." }),
    rules: z.record(z.string(), ruleSchema(z), {
        error: (issue) => Array.isArray(issue.input)
            ? `'rules' is a list; it must be an object keyed by rule ID, such as { "to-b": { priority: 1, destination: ${destinationShape} } }.`
            : `'rules' is required: an object keyed by rule ID, such as { "to-b": { priority: 1, destination: ${destinationShape} } }.`,
    }),
}));

/** An object carries at most 10 tags (S3 object tagging), so a filter on more matches nothing. */
const maxObjectTags = 10;

export const provider: dynamic.ResourceProvider<ReplicationConfigurationInputs, ReplicationConfigurationOutputs> = withoutStackTraces({
    async configure(request) {
        configureFrom(request);
    },

    async check(olds, news) {
        const rulesAreObject = news.rules && typeof news.rules === "object" && !Array.isArray(news.rules);
        const inputs = rulesAreObject ? { ...news, rules: withDefaults(news.rules) } : news;
        const problems = [
            ...ruleSetProblems(news),
            ...zoneProblems(news.zone, configuredZones()).map((message) => ({ path: ["zone"], message })),
            ...declaredVersioningProblems(news),
        ];
        const failures = collectFailures(replicationSchema, news as unknown as Record<string, unknown>, problems, { olds, checked: inputs });
        if (failures.length === 0) failures.push(...await serviceRuleFailures(inputs as ReplicationConfigurationInputs));
        return { inputs, failures };
    },

    async diff(_id, olds, news) {
        const replaces = (["bucket", "zone"] as const).filter((key) => olds[key] !== news[key]);
        const changes = replaces.length > 0
            || stableJson(olds.rules) !== stableJson(news.rules)
            || olds.role?.id !== news.role?.id
            || roleSecretChanged(olds, news)
            || missingGrants(olds).length > 0;
        return { changes, replaces, deleteBeforeReplace: true };
    },

    async create(inputs) {
        const spec = specOf(inputs);
        await currentBackend().putReplication(spec, undefined, progressLog(`replication of ${inputs.bucket}`));
        return { id: bucketId(spec.source), outs: inputs };
    },

    async read(id, props) {
        const warn = rowWarnings(`replication of ${props?.bucket}`);
        const source = parseBucketId(id);
        const backend = currentBackend();
        // One read: a missing source bucket answers NoSuchBucket (or, on MinIO, the same 404 as no configuration).
        const actual = await backend.getReplication(source, specOf(props!)).catch((error) => { if (isNoSuchBucket(error)) return undefined; throw error; });
        if (!actual) return {};
        // The role is the one the service replicates as; its secret is never returned, so the state's stays.
        const role = actual.role.id === props!.role?.id ? props!.role : { id: actual.role.id, name: actual.role.name };
        const { destinationGrants: _lastSeen, ...known } = props!;
        const inputs = { ...known, role, rules: rulesByIdOf(actual.rules) };
        const outs: ReplicationConfigurationOutputs = actual.destinationGrants ? { ...inputs, destinationGrants: { ...actual.destinationGrants } } : inputs;
        for (const destination of missingGrants(outs)) {
            warn(`replication into ${destination} has stopped: that bucket's owner no longer lets role '${role.id}' replicate into it ` +
                `(the grant was removed outside Pulumi); 'pulumi up' puts it back`);
        }
        await warnOfFailingRules(actual, warn);
        return { id, props: outs, inputs };
    },

    async update(_id, olds, news) {
        await currentBackend().putReplication(specOf(news), specOf(olds), progressLog(`replication of ${news.bucket}`));
        return { outs: news };
    },

    async delete(_id, props) {
        await currentBackend().deleteReplication(specOf(props), progressLog(`replication of ${props.bucket}`));
    },
}, "ReplicationConfiguration");

/** The destinations (`<zone>/<bucket>`) whose grant the last refresh found missing. */
export function missingGrants(outputs: Pick<ReplicationConfigurationOutputs, "destinationGrants">): string[] {
    return Object.entries(outputs.destinationGrants ?? {}).filter(([, state]) => state === "missing").map(([destination]) => destination);
}

/** Fills every optional rule field, so that state and program compare field by field. */
export function withDefaults(rules: Record<string, RuleInput>): Record<string, RuleInput> {
    return Object.fromEntries(Object.entries(rules).map(([id, rule]) => [id, isUnknown(rule) || !rule || typeof rule !== "object" ? rule : {
        ...rule,
        ...Object.fromEntries(Object.entries(ruleDefaults).map(([field, value]) => [field, rule[field as DefaultedRuleField] ?? value])),
    }]));
}

/** Rules across each other and against the source; what one backend refuses comes from that backend. */
export function ruleSetProblems(inputs: Partial<ReplicationConfigurationInputs>): Problem[] {
    const rules = inputs.rules;
    if (!rules || isUnknown(rules) || typeof rules !== "object" || Array.isArray(rules)) return [];
    const problems: Problem[] = [];
    const entries = Object.entries(rules);
    if (entries.length === 0) problems.push({ path: ["rules"], message: "'rules' must hold at least one rule." });
    const byPriority = new Map<number, string[]>();
    for (const [id, rule] of entries) {
        if (!ruleIdPattern.test(id)) {
            problems.push({ path: ["rules", id], message: `Rule ID '${id}' must be 1 to 255 letters, digits, dots, underscores or hyphens, starting with a letter or digit.` });
        }
        if (!rule || isUnknown(rule) || typeof rule !== "object") continue;
        if (typeof rule.priority === "number") byPriority.set(rule.priority, [...(byPriority.get(rule.priority) ?? []), id]);
        problems.push(...ruleTagProblems(id, rule.tags));
        if (typeof rule.prefix === "string" && rule.prefix !== "" && Array.isArray(rule.prefixes)) {
            problems.push({ path: ["rules", id, "prefixes"], message: `Rule '${id}': only one of 'prefix', 'prefixes' is allowed; put '${rule.prefix}' into 'prefixes'.` });
        }
        const d = rule.destination;
        if (d && !isUnknown(d.bucket) && !isUnknown(d.zone) && !isUnknown(inputs.bucket) && !isUnknown(inputs.zone)
            && d.bucket === inputs.bucket && d.zone === inputs.zone) {
            problems.push({ path: ["rules", id, "destination"], message: `Rule '${id}' replicates bucket '${d.bucket}' into itself; name another bucket as 'destination'.` });
        }
        if (d && typeof d.zone === "string") {
            problems.push(...zoneProblems(d.zone, configuredZones()).map((message) => ({ path: ["rules", id, "destination", "zone"], message })));
        }
    }
    for (const [priority, ids] of byPriority) {
        if (ids.length > 1) {
            problems.push({ path: ["rules", ids[1], "priority"], message: `Rules ${ids.map((i) => `'${i}'`).join(" and ")} share priority ${priority}; give each rule its own 'priority'.` });
        }
    }
    const backend = configuredBackendName();
    if (backend) {
        const known = Object.fromEntries(entries.filter(([, rule]) => rule && typeof rule === "object" && !isUnknown(rule)));
        const source = { zone: knownText(inputs.zone), bucket: knownText(inputs.bucket) };
        for (const problem of ruleProblemsFor(backend, known, source)) problems.push({ path: ["rules", ...problem.path], message: problem.message });
    }
    return problems;
}

/** A rule's tag filter: S3's limits on keys and values, and no more tags than an object can carry. */
function ruleTagProblems(id: string, tags: unknown): Problem[] {
    if (!tags || typeof tags !== "object" || isUnknown(tags) || Array.isArray(tags)) return [];
    const problems = tagProblems(tags, []).filter((problem) => problem.path.length > 1)
        .map((problem) => ({ path: ["rules", id, ...problem.path], message: `Rule '${id}': ${problem.message}` }));
    const count = Object.keys(tags).length;
    if (count > maxObjectTags) {
        problems.push({ path: ["rules", id, "tags"], message: `Rule '${id}' filters on ${count} tags, but an object carries at most ${maxObjectTags}, ` +
            `so the rule would never match; keep at most ${maxObjectTags} tags in 'tags'.` });
    }
    return problems;
}

function specOf(inputs: ReplicationConfigurationInputs): ReplicationSpec {
    const role: RoleState = { id: inputs.role.id, name: inputs.role.name, secretKey: roleSecretOf(inputs) ?? undefined, description: "", editable: true, labels: {}, policy: {} };
    const rules: ReplicationRule[] = Object.entries(withDefaults(inputs.rules)).map(([id, rule]) => {
        const { tags, destination, ...fields } = rule as RuleWithDefaults;
        return {
            ...fields,
            id,
            tags: Object.keys(tags).length > 0 ? tags : undefined,
            destination: { bucket: destination.bucket, zone: destination.zone, storageClass: destination.storageClass },
        };
    });
    return { source: { zone: inputs.zone, bucket: inputs.bucket }, role, rules };
}

/** The rules as the state keeps them: defaults filled, and an option a rule does not use left out, so that other services see no drift. */
function rulesByIdOf(rules: readonly ReplicationRule[]): Record<string, RuleInput> {
    return Object.fromEntries(rules.map(({ id, destination, tags, ...fields }) => [id, {
        ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
        ...Object.fromEntries(Object.entries(ruleDefaults).map(([field, value]) => [field, fields[field as keyof typeof fields] ?? value])),
        tags: tags ?? {},
        destination: destination.storageClass === undefined
            ? { bucket: destination.bucket, zone: destination.zone }
            : { bucket: destination.bucket, zone: destination.zone, storageClass: destination.storageClass },
    } as RuleInput]));
}

/**
 * Replication needs versioning Enabled at both ends: a bucket whose BucketVersioning the program
 * declares Suspended would make `up` wait for what can never come.
 */
function declaredVersioningProblems(inputs: Partial<ReplicationConfigurationInputs>): Problem[] {
    const known = (value: unknown): value is string => typeof value === "string" && !isUnknown(value);
    const suspended = (zone: unknown, bucket: unknown) => known(zone) && known(bucket) && declaredVersioning(zone, bucket) === "Suspended";
    const problems: Problem[] = [];
    if (suspended(inputs.zone, inputs.bucket)) {
        problems.push({ path: ["bucket"], message: `The source bucket '${inputs.bucket}' in zone ${inputs.zone} has a BucketVersioning with status "Suspended" in this program; ` +
            `replication needs "Enabled" at both ends. Set that BucketVersioning's 'status' to "Enabled".` });
    }
    const rules = inputs.rules && typeof inputs.rules === "object" && !isUnknown(inputs.rules) ? Object.entries(inputs.rules) : [];
    for (const [id, rule] of rules) {
        const destination = rule && typeof rule === "object" && !isUnknown(rule) ? rule.destination : undefined;
        if (destination && typeof destination === "object" && suspended(destination.zone, destination.bucket)) {
            problems.push({ path: ["rules", id, "destination"], message: `Rule '${id}' replicates into '${destination.bucket}' in zone ${destination.zone}, whose BucketVersioning ` +
                `this program declares "Suspended"; replication needs "Enabled" at both ends. Set that BucketVersioning's 'status' to "Enabled".` });
        }
    }
    return problems;
}

/**
 * What the service says against the rules, where it can tell before `up` (OSS replication locations).
 * Only when every input is known; a service that cannot be asked now is asked again by `up`.
 */
async function serviceRuleFailures(inputs: ReplicationConfigurationInputs): Promise<{ property: string; reason: string }[]> {
    const warn = rowWarnings(`replication of ${inputs.bucket}`);
    // The service judges the rules against their source; the role (unknown until it exists) plays no part.
    if (JSON.stringify({ zone: inputs.zone, bucket: inputs.bucket, rules: inputs.rules }).includes(unknownValue)) return [];
    try {
        const backend = currentBackend();
        if (!backend.rulesPreviewProblems) return [];
        const problems = await backend.rulesPreviewProblems({ zone: inputs.zone, bucket: inputs.bucket }, specOf(inputs).rules);
        return problems.map((problem) => ({ property: ["rules", ...problem.path].join("."), reason: problem.message }));
    } catch (error) {
        // Nothing is known against the rules, but the user learns that the service was not asked, and why.
        const zone = error instanceof ServiceError ? `zone ${error.zone} (${error.endpoint})` : `zone ${inputs.zone}`;
        warn(`the preview could not ask ${zone} whether it accepts these rules, ` +
            `so 'pulumi up' will be the first to find out: ${(error as Error).message}`);
        return [];
    }
}

/**
 * Health, read with the configuration: where the service says a rule's objects fail to replicate, a
 * warning on the resource's row names the rule, both ends and the likely cause. A healthy configuration
 * prints nothing; health that cannot be read is said once, as a warning too, and never fails the read.
 */
const healthSampleSize = 5;

async function warnOfFailingRules(spec: ReplicationSpec, warn: (message: string) => void): Promise<void> {
    const backend = currentBackend();
    if (!backend.replicationStatus || spec.rules.length === 0) return;
    const { failingRuleWarnings } = require("./replicationHealth") as typeof import("./replicationHealth");
    let warnings: string[];
    try {
        // A few of the latest versions tell a failing rule; the status command reads more.
        warnings = failingRuleWarnings(spec, await backend.replicationStatus(spec, { sampleSize: healthSampleSize }));
    } catch (error) {
        warnings = [`could not read the replication health of ${spec.source.zone}/${spec.source.bucket}: ${(error as Error).message}`];
    }
    for (const warning of warnings) warn(warning);
}

/** A value, or undefined while it is unknown during preview. */
function knownText(value: string | undefined): string | undefined {
    return typeof value === "string" && !isUnknown(value) ? value : undefined;
}

/**
 * Whether the role's secret key changes. A role's update keeps its key, yet the engine previews every output
 * of a role being updated (a repair) as unknown: while the role's ID is known and the same, an unknown key
 * is the key the configuration has. A replaced role has an unknown ID in the preview, and shows as a change.
 */
function roleSecretChanged(olds: Partial<ReplicationConfigurationInputs>, news: Partial<ReplicationConfigurationInputs>): boolean {
    const next = roleSecretOf(news);
    if (isUnknown(next) && typeof news.role?.id === "string" && !isUnknown(news.role.id) && news.role.id === olds.role?.id) return false;
    return roleSecretOf(olds) !== next;
}

/** The role's secret key, wherever the state that holds it was written. */
function roleSecretOf(inputs: Partial<ReplicationConfigurationInputs>): string | null | undefined {
    return inputs.roleSecretKey ?? inputs.role?.secretKey ?? null;
}
