import type { ProgressLog, RoleSpec, RoleState } from "../backend";
import { stableJson } from "../../common/stableJson";
import { withNote } from "../../common/withNote";
import { CancelledError } from "../../transport/cancellation";
import { ServiceError } from "../../transport/serviceError";
import { ossTrustPolicy } from "./policy";
import { isCode, type RamClient } from "./ramClient";

/**
 * Sync roles in Alibaba RAM: a RAM role that OSS may assume, with one custom policy holding its
 * permissions. The role's id is its name, which is what a replication rule's SyncRole names. The
 * role's description ends with the owner marker, the policy's description is one: the markers by
 * which a create recognises its own half-done work and refuses everybody else's.
 */

/** The marker a role's RAM description ends with; its value is the resource's identity. */
export const roleMarkerPrefix = "[pulumi-bucket-replication:owner=";

export function withRoleMarker(description: string, identity: string): string {
    return `${description}${description ? " " : ""}${roleMarkerPrefix}${identity}]`;
}

/** The description without the marker, and the marker's identity (undefined when there is none). */
export function splitRoleMarker(description: string | undefined): { description: string; identity?: string } {
    const text = description ?? "";
    const match = /\s?\[pulumi-bucket-replication:owner=([^\]]+)\]$/.exec(text);
    return match ? { description: text.slice(0, match.index), identity: match[1] } : { description: text };
}

/** The custom RAM policy that holds a role's permissions. RAM policy names take letters, digits and '-'. */
export function policyNameOf(roleName: string): string {
    return `${roleName.replace(/[^A-Za-z0-9-]/g, "-")}-replication`;
}

const policyMarkerPrefix = "pulumi-bucket-replication:owner=";

export class OssRoles {
    constructor(private readonly ram: () => RamClient) {}

    /**
     * Creates the role and its policy, marked as this resource's. A role or policy of those names that
     * carries this resource's marker (an interrupted earlier create) is adopted and finished; one that
     * does not stops the create before anything is written. A create that fails half-way is undone.
     */
    async create(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        refuseLabels(spec);
        const ram = this.ram();
        const policyName = policyNameOf(spec.name);
        const existingRole = await ram.getRole(spec.name, log);
        const existingPolicy = await ram.getPolicy(policyName, log);
        // `adoptExisting` (where the shared RoleSpec has it) takes over a role of this name whoever made it.
        const adoptAnyway = (spec as RoleSpec & { adoptExisting?: boolean }).adoptExisting === true && identity !== undefined;
        const roleIsOurs = existingRole !== undefined && identity !== undefined && (adoptAnyway || splitRoleMarker(existingRole.Description).identity === identity);
        const policyIsOurs = existingPolicy !== undefined && identity !== undefined && (adoptAnyway || existingPolicy.policy.Description === `${policyMarkerPrefix}${identity}`);
        if (existingRole && !roleIsOurs) {
            const marked = splitRoleMarker(existingRole.Description).identity;
            throw new Error(`RAM role '${spec.name}' cannot be created: the account already has a role of that name, ` +
                `${marked ? "made by another Pulumi resource or stack" : "not made by this package"}. Nothing was changed. ` +
                `Choose another 'name' for the IamRole (or leave it unset for one derived from this stack), or delete that role in the RAM console if it is an orphan of yours.`);
        }
        if (existingPolicy && !policyIsOurs) {
            throw new Error(`RAM policy '${policyName}' (the permissions of role '${spec.name}') cannot be created: the account already has a custom policy of that name, ` +
                `not made for this resource. Nothing was changed. Choose another 'name' for the IamRole, or delete that policy if it is an orphan of yours.`);
        }
        if (roleIsOurs || policyIsOurs) log(`RAM role '${spec.name}' was begun by an earlier, interrupted run of this resource; adopting and finishing it`);

        const made: ("role" | "policy")[] = [];
        try {
            if (!existingRole) {
                await this.createOnce(() => ram.createRole(spec.name, ossTrustPolicy, identity ? withRoleMarker(spec.description, identity) : spec.description, log),
                    async () => identity !== undefined && splitRoleMarker((await ram.getRole(spec.name, log))?.Description).identity === identity);
                made.push("role");
            } else if (splitRoleMarker(existingRole.Description).description !== spec.description || splitRoleMarker(existingRole.Description).identity !== identity) {
                await ram.updateRoleDescription(spec.name, withRoleMarker(spec.description, identity!), log);
            }
            if (!existingPolicy) {
                await this.createOnce(() => ram.createPolicy(policyName, spec.policy, identity ? `${policyMarkerPrefix}${identity}` : "pulumi-bucket-replication", log),
                    async () => (await ram.getPolicy(policyName, log))?.policy.Description === `${policyMarkerPrefix}${identity}`);
                made.push("policy");
            } else if (stableJson(parseJson(existingPolicy.document)) !== stableJson(spec.policy)) {
                await ram.replacePolicyDocument(policyName, spec.policy, log);
            }
            await ram.attachPolicyToRole(policyName, spec.name, log);
        } catch (error) {
            throw await this.undoCreate(spec.name, policyName, made, error as Error, identity, log);
        }
        return { ...spec, id: spec.name };
    }

    /** Sends a create once; after a failure in transit, counts it as done when `madeIt` finds its work. */
    private async createOnce(create: () => Promise<unknown>, madeIt: () => Promise<boolean>): Promise<void> {
        try {
            await create();
        } catch (error) {
            if (error instanceof ServiceError && error.retryable && await madeIt().catch(() => false)) return;
            throw error;
        }
    }

    private async undoCreate(roleName: string, policyName: string, made: readonly ("role" | "policy")[], cause: Error, identity: string | undefined, log: ProgressLog): Promise<Error> {
        // Nothing may be sent after a cancel: what was made carries the marker, so the next run adopts it.
        if (cause instanceof CancelledError || made.length === 0) return cause;
        const ram = this.ram();
        const left: string[] = [];
        try { await ram.detachPolicyFromRole(policyName, roleName, log); } catch { /* the deletes below say what is left */ }
        if (made.includes("policy")) {
            try { await ram.deletePolicy(policyName, log); } catch { left.push(`policy '${policyName}'`); }
        }
        if (made.includes("role")) {
            try { await ram.deleteRole(roleName, log); } catch { left.push(`role '${roleName}'`); }
        }
        return withNote(cause, left.length === 0
            ? `Nothing was left behind: what this create made (${made.join(" and ")}) was deleted again.`
            : `The ${left.join(" and ")} could not be deleted again; ${identity ? "they carry this resource's marker, so the next 'pulumi up' adopts them" : "delete them in the RAM console"}.`);
    }

    async read(id: string, known: RoleState): Promise<RoleState | undefined> {
        const ram = this.ram();
        const role = await ram.getRole(id);
        if (!role) return undefined;
        const policyName = policyNameOf(role.RoleName);
        const policy = await ram.getPolicy(policyName);
        const attached = policy ? (await ram.listPoliciesForRole(role.RoleName)).some((p) => p.PolicyName === policyName) : false;
        // A policy that is gone or detached grants nothing: shown as an empty policy, which the next 'up' restores.
        const document = policy && attached ? parseJson(policy.document) : {};
        return {
            id: role.RoleName,
            name: role.RoleName,
            description: splitRoleMarker(role.Description).description,
            editable: known.editable,
            labels: {},
            policy: stableJson(document) === stableJson(known.policy) ? known.policy : document,
        };
    }

    async update(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        refuseLabels(spec);
        const ram = this.ram();
        const current = await ram.getRole(known.id, log);
        if (!current) {
            throw new Error(`RAM role '${known.id}' no longer exists; run 'pulumi refresh' and then 'pulumi up' to create it again.`);
        }
        const identity = splitRoleMarker(current.Description).identity;
        if (splitRoleMarker(current.Description).description !== spec.description) {
            await ram.updateRoleDescription(known.id, identity ? withRoleMarker(spec.description, identity) : spec.description, log);
        }
        const policyName = policyNameOf(known.id);
        const policy = await ram.getPolicy(policyName, log);
        if (!policy) {
            await ram.createPolicy(policyName, spec.policy, identity ? `${policyMarkerPrefix}${identity}` : "pulumi-bucket-replication", log);
        } else if (stableJson(parseJson(policy.document)) !== stableJson(spec.policy)) {
            await ram.replacePolicyDocument(policyName, spec.policy, log);
        }
        await ram.attachPolicyToRole(policyName, known.id, log);
        return { ...spec, id: known.id, name: known.name, editable: known.editable };
    }

    async delete(known: RoleState, log: ProgressLog): Promise<void> {
        const ram = this.ram();
        const policyName = policyNameOf(known.id);
        await ram.detachPolicyFromRole(policyName, known.id, log);
        await ram.deletePolicy(policyName, log);
        try {
            await ram.deleteRole(known.id, log);
        } catch (error) {
            if (isCode(error, "DeleteConflict.Role.Policy")) {
                withNote(error as Error, `Other policies are attached to role '${known.id}' outside Pulumi; detach them in the RAM console, then destroy again.`);
            }
            throw error;
        }
    }
}

function refuseLabels(spec: RoleSpec): void {
    if (Object.keys(spec.labels ?? {}).length > 0) {
        throw new Error(`IamRole '${spec.name}': 'labels' cannot be kept on Alibaba RAM roles by this package (RAM keeps a description only); ` +
            `remove 'labels', or put what they say into 'description'.`);
    }
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
