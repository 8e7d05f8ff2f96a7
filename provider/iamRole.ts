import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import { withoutStackTraces } from "./cleanErrors";
import { healthyRoleZone, type RoleSpec, type RoleState, type RoleZoneState } from "./backends/backend";
import { policyProblemsFor, roleChangeProblemsFor } from "./backends/registry";
import { configureFrom, configuredAccountDigest, configuredBackendName, configuredZones, currentBackend } from "./context";
import { claimName, derivedName, isDerivedNameOf } from "./identity";
import { progressLog } from "./progress";
import { stableJson } from "./common/stableJson";
import { collectFailures, isUnknown, Problem, unknownValue, lazySchema } from "./validation";

export interface IamRoleInputs {
    readonly name?: string;
    readonly namePrefix: string;
    /** Digest of project, stack and URN: the source of the automatic name and the ownership marker. */
    readonly identity?: string;
    readonly description?: string;
    readonly editable?: boolean;
    readonly labels?: Record<string, string>;
    readonly policy: unknown;
    /** Take over a role of this name that exists already instead of failing. */
    readonly adoptExisting?: boolean;
}

/** `secretKey` is null where the service has none (see `outputsOf`); states written before that lack it. */
export type IamRoleOutputs = Omit<RoleState, "secretKey"> & { readonly namePrefix: string; readonly secretKey?: string | null };

const roleSchema = lazySchema((z) => z.object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/,
        "'name' must be 3 to 128 letters, digits, dots, underscores or hyphens, starting with a letter or digit.").optional(),
    description: z.string().max(255, "'description' must be at most 255 characters.").optional(),
    editable: z.boolean({ error: "'editable' must be true or false." }).optional(),
    labels: z.record(z.string(), z.string({ error: "Label values must be strings." })).optional(),
    adoptExisting: z.boolean({ error: "'adoptExisting' must be true or false." }).optional(),
    policy: z.record(z.string(), z.unknown(), { error: (issue) => policyShapeMessage(issue.input) }),
}));

export const provider: dynamic.ResourceProvider<IamRoleInputs, IamRoleOutputs> = withoutStackTraces({
    async configure(request) {
        configureFrom(request);
    },

    async check(olds, news) {
        const keepName = olds?.name && olds.namePrefix === news.namePrefix && isDerivedNameOf(olds.name, news.namePrefix);
        const name = news.name ?? (keepName ? olds.name : autoName(news));
        // protobuf refuses undefined values: a name that cannot be derived (reported below) is left out.
        const inputs = { ...news, ...(name !== undefined ? { name } : {}), description: news.description ?? "", editable: news.editable ?? true, labels: news.labels ?? {} };
        const failures = collectFailures(roleSchema, { ...news, name } as Record<string, unknown>,
            [...duplicateProblems(name, news), ...backendPolicyProblems(news.policy), ...backendChangeProblems(olds, { ...news, name })], { olds, checked: inputs });
        // A role has no zone to hang an unusable configuration on; it concerns the resource as a whole.
        const configuration = configuredZones();
        if (configuration instanceof Error) failures.push({ property: "", reason: configuration.message });
        else if (name === undefined) {
            failures.push({ property: "name", reason: "No automatic name can be derived: the program's pulumi-bucket-replication sends no identity. " +
                "Update the package in the program, or set 'name'." });
        }
        return { inputs, failures };
    },

    async diff(_id, olds, news) {
        const replaces: string[] = [];
        if (olds.name !== news.name) replaces.push("name");
        if (olds.editable !== (news.editable ?? true)) replaces.push("editable");
        const policyChanged = isUnknown(news.policy) || stableJson(olds.policy) !== stableJson(news.policy);
        // A role made non-editable can never have its policy changed: only a new role can carry a new policy.
        if (policyChanged && olds.editable === false) replaces.push("policy");
        const changes = replaces.length > 0 || policyChanged
            || olds.description !== (news.description ?? "")
            || stableJson(olds.labels) !== stableJson(news.labels ?? {})
            || zonesNeedingRepair(olds).length > 0;
        return { changes, replaces, deleteBeforeReplace: olds.name === news.name };
    },

    async create(inputs) {
        const role = await currentBackend().createRole(specOf(inputs), inputs.identity, progressLog(`role ${inputs.name}`));
        return { id: role.id, outs: outputsOf(role, inputs.namePrefix) };
    },

    async read(id, props) {
        const role = await currentBackend().readRole(id, stateOf(props!));
        if (!role) return {};
        const outs = outputsOf({ ...stateOf(props!), ...role }, props!.namePrefix);
        // The secret is an output the service made, never an input; protobuf also refuses undefined values.
        // How the role stands on each zone is what the service says, never something a program declares;
        // nor is its ID, which would show as a change on every refresh after a create or update.
        const { secretKey: _generated, zones: _observed, id: _id, ...inputs } = outs;
        return { id, props: outs, inputs: inputs as IamRoleOutputs };
    },

    async update(_id, olds, news) {
        const role = await currentBackend().updateRole(stateOf(olds), specOf(news), progressLog(`role ${olds.name}`));
        return { outs: outputsOf(role, news.namePrefix) };
    },

    async delete(_id, props) {
        await currentBackend().deleteRole(stateOf(props), progressLog(`role ${props.name}`));
    },
}, "IamRole");

/** Role names are per account on every backend: 64 characters leave room for each service's limit. */
function autoName(news: IamRoleInputs): string | undefined {
    if (isUnknown(news.identity)) return unknownValue;
    const accountDigest = configuredAccountDigest();
    // Without a usable configuration (reported as a failure) or an identity there is no name to give;
    // an unknown value here would make `up` fail on it before the engine shows the reason.
    if (typeof news.identity !== "string" || !accountDigest) return undefined;
    return derivedName(news.namePrefix, news.identity, [accountDigest], 64);
}

function duplicateProblems(name: string | undefined, news: IamRoleInputs): Problem[] {
    if (typeof name !== "string" || isUnknown(name) || !news.identity || isUnknown(news.identity)) return [];
    const other = claimName(`role\0${name}`, news.identity, `IamRole '${news.namePrefix}'`);
    return other ? [{ path: ["name"], message: `Role '${name}' is also declared by ${other} in this program; give each IamRole its own 'name', or leave it unset.` }] : [];
}

const buildPolicy = "build one with replicationPolicy({ source, destinations })";

/** What is wrong with a `policy` that is not an object at all, and how to get a right one. */
function policyShapeMessage(policy: unknown): string {
    if (policy === undefined || policy === null) return `'policy' is required: the backend's policy document; ${buildPolicy}.`;
    if (typeof policy === "string") {
        return `'policy' is text; pass the policy document as an object, not as JSON text (drop JSON.stringify), or ${buildPolicy}.`;
    }
    if (Array.isArray(policy)) return `'policy' is a list; it must be one policy document (an object); ${buildPolicy}.`;
    return `'policy' must be the backend's policy document (an object), not a ${typeof policy}; ${buildPolicy}.`;
}

/** What the configured backend refuses in the policy document, before any role is written. */
function backendPolicyProblems(policy: unknown): Problem[] {
    if (!policy || typeof policy !== "object" || Array.isArray(policy) || isUnknown(policy)) return [];
    const backend = configuredBackendName();
    if (!backend) return [];
    return policyProblemsFor(backend, policy as Record<string, unknown>).map((problem) => ({ path: ["policy", ...problem.path], message: problem.message }));
}

/** What the configured backend cannot change in place on this role (Exoscale: clear a description). */
function backendChangeProblems(olds: IamRoleInputs | undefined, news: IamRoleInputs): Problem[] {
    const backend = configuredBackendName();
    if (!backend || !olds?.name || isUnknown(news.description)) return [];
    return roleChangeProblemsFor(backend, { name: olds.name, description: olds.description ?? "" }, { name: news.name, description: news.description ?? "" });
}

/**
 * Every declared output, `secretKey` included where the service has none (Exoscale): an output missing
 * from the state reads as unknown in every preview, and so would the `role` of every
 * ReplicationConfiguration that names this role, which then previews an update that `up` never makes.
 */
function outputsOf(role: RoleState, namePrefix: string): IamRoleOutputs {
    return { ...role, secretKey: role.secretKey ?? null, namePrefix };
}

/** The role as backends know it, from the outputs kept in the state. */
function stateOf(outputs: IamRoleOutputs): RoleState {
    const { secretKey, namePrefix: _prefix, ...role } = outputs;
    return secretKey == null ? role : { ...role, secretKey };
}

/** The zones where a refresh found the role's user or policy changed, each with what is off. */
export function zonesNeedingRepair(role: Pick<IamRoleOutputs, "id" | "zones" | "identity">): string[] {
    const healthy = healthyRoleZone(role.id, role.identity !== undefined);
    return Object.entries(role.zones ?? {}).filter(([, seen]) => stableJson(seen) !== stableJson(healthy)).map(([zone, seen]) => {
        const off = (Object.keys(healthy) as (keyof RoleZoneState)[]).filter((key) => stableJson(seen[key]) !== stableJson(healthy[key]));
        return `${zone} (${off.map((key) => `${key}: ${JSON.stringify(seen[key])}`).join(", ")})`;
    });
}

function specOf(inputs: IamRoleInputs): RoleSpec {
    return {
        name: inputs.name!,
        ...(typeof inputs.identity === "string" ? { identity: inputs.identity } : {}),
        description: inputs.description ?? "",
        editable: inputs.editable ?? true,
        labels: inputs.labels ?? {},
        policy: inputs.policy,
        ...(inputs.adoptExisting ? { adoptExisting: true } : {}),
    };
}
