import type { Role, Tag } from "@aws-sdk/client-iam";
import type { ProgressLog, RoleSpec, RoleState } from "../backend";
import { ownerTagKey } from "../../common/ownership";
import { waitFor } from "../../transport/polling";
import { stableJson } from "../../common/stableJson";
import { CancelledError } from "../../transport/cancellation";
import { withNote } from "../../common/withNote";
import { ServiceError } from "../../transport/serviceError";
import type { AwsIam } from "./clients";
import { inlinePolicyName, trustPolicy } from "./policy";

/**
 * Replication roles in AWS IAM. A role is trusted by the S3 service only and carries one inline
 * policy (`bucket-replication`), the document the program passes (replicationPolicy builds the least
 * one). Its `id` is the role's ARN, which replication configurations name. The role's tag
 * `pulumi-bucket-replication:owner` holds the resource's identity: the marker by which a create
 * recognises its own half-done work and refuses everybody else's.
 */

function iam(): typeof import("@aws-sdk/client-iam") {
    return require("@aws-sdk/client-iam");
}

/** IAM names a role by at most 64 characters. */
const maxRoleNameLength = 64;

/** How long a create waits for IAM to see its own new role, and how often it looks. */
export interface RoleWaits {
    readonly timeoutMs: number;
    readonly firstPauseMs: number;
    readonly maxPauseMs: number;
}

export class AwsRoles {
    constructor(private readonly client: AwsIam, private readonly waits: RoleWaits) {}

    /**
     * Creates the role, tagged with the owner marker, and puts its policy. A role of that name that
     * carries this resource's marker (an interrupted earlier create) is adopted and brought to `spec`;
     * any other stops the create before anything is written. When the policy cannot be put, the role
     * just made is deleted again.
     */
    async create(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        refuseWhatIamCannotDo(spec);
        const existing = await this.get(spec.name, log);
        if (existing) {
            if (spec.adoptExisting && !isOurs(existing, identity)) {
                log(`IAM role '${spec.name}' exists, not made by this resource; adopting it as 'adoptExisting' asks: ` +
                    `its trust policy, description, tags and policy become the program's`, { lasting: true });
                if (identity) {
                    await this.client.send(`TagRole of '${spec.name}'`, new (iam().TagRoleCommand)({
                        RoleName: spec.name, Tags: [{ Key: ownerTagKey, Value: identity }],
                    }), { log });
                }
                return this.bringToSpec(existing, spec, log);
            }
            this.refuseUnlessOurs(existing, identity);
            log(`IAM role '${spec.name}' was made by an earlier, interrupted run of this resource; adopting it`, { lasting: true });
            return this.bringToSpec(existing, spec, log);
        }

        let role: Role;
        let retried = false;
        try {
            const created = await this.client.send<import("@aws-sdk/client-iam").CreateRoleResponse>(`CreateRole of '${spec.name}'`,
                new (iam().CreateRoleCommand)({
                    RoleName: spec.name,
                    Path: "/",
                    AssumeRolePolicyDocument: JSON.stringify(trustPolicy()),
                    ...(spec.description ? { Description: spec.description } : {}),
                    Tags: tagsOf(spec.labels, identity),
                }), { log, onRetry: () => { retried = true; } });
            role = created.Role!;
        } catch (error) {
            // A repeat after a lost answer meets the role the first attempt made: ours by its marker.
            if (!(retried && error instanceof ServiceError && error.code === "EntityAlreadyExists")) throw error;
            const made = await this.get(spec.name, log);
            if (!made) throw error;
            this.refuseUnlessOurs(made, identity);
            role = made;
        }
        log(`created IAM role '${spec.name}' (${role.Arn}), trusted by s3.amazonaws.com`);

        try {
            await this.putPolicyOnNewRole(spec.name, spec.policy, log);
        } catch (error) {
            throw await this.undoCreate(spec.name, identity, error as Error, log);
        }
        return { ...spec, id: role.Arn! };
    }

    /** Undefined when the role is gone. Labels are the role's tags without the owner marker. */
    async read(known: RoleState): Promise<RoleState | undefined> {
        const role = await this.get(known.name);
        if (!role) return undefined;
        const policy = await this.getPolicy(known.name);
        return {
            id: role.Arn ?? known.id,
            name: role.RoleName ?? known.name,
            description: role.Description ?? "",
            editable: true,
            labels: labelsOf(role.Tags ?? []),
            // Keep the known document when only key order or encoding differs, so that a refresh reports no false drift;
            // a policy removed out of band reads as an empty one and is put back by the next update.
            policy: policy === undefined ? {} : stableJson(policy) === stableJson(known.policy) ? known.policy : policy,
        };
    }

    async update(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        refuseWhatIamCannotDo(spec);
        if (known.description !== spec.description) {
            await this.client.send(`UpdateRole of '${known.name}'`, new (iam().UpdateRoleCommand)({ RoleName: known.name, Description: spec.description }), { log });
        }
        if (stableJson(known.labels) !== stableJson(spec.labels)) await this.setLabels(known.name, spec.labels, log);
        if (stableJson(known.policy) !== stableJson(spec.policy)) await this.putPolicy(known.name, spec.policy, log);
        // A new name replaces the role (the IamRole provider decides so); the ARN stays.
        return { ...spec, id: known.id, name: known.name, editable: true };
    }

    /** Deletes the role's inline policies, detaches managed ones (IAM refuses to delete a role that has any), then the role. */
    async delete(known: RoleState, log: ProgressLog): Promise<void> {
        try {
            await this.deleteRoleAndPolicies(known.name, log);
        } catch (error) {
            if (error instanceof ServiceError && error.code === "NoSuchEntity") return;
            throw error;
        }
    }

    private async deleteRoleAndPolicies(name: string, log: ProgressLog): Promise<void> {
        const { ListRolePoliciesCommand, DeleteRolePolicyCommand, ListAttachedRolePoliciesCommand, DetachRolePolicyCommand, DeleteRoleCommand } = iam();
        const inline = await this.client.send<import("@aws-sdk/client-iam").ListRolePoliciesResponse>(`ListRolePolicies of '${name}'`,
            new ListRolePoliciesCommand({ RoleName: name }), { log });
        for (const policyName of inline.PolicyNames ?? []) {
            await this.client.send(`DeleteRolePolicy '${policyName}' of '${name}'`, new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName }), { log });
        }
        const attached = await this.client.send<import("@aws-sdk/client-iam").ListAttachedRolePoliciesResponse>(`ListAttachedRolePolicies of '${name}'`,
            new ListAttachedRolePoliciesCommand({ RoleName: name }), { log });
        for (const policy of attached.AttachedPolicies ?? []) {
            log(`detaching managed policy ${policy.PolicyArn} from IAM role '${name}' (attached outside this program) so that the role can be deleted`);
            await this.client.send(`DetachRolePolicy of '${name}'`, new DetachRolePolicyCommand({ RoleName: name, PolicyArn: policy.PolicyArn }), { log });
        }
        await this.client.send(`DeleteRole of '${name}'`, new DeleteRoleCommand({ RoleName: name }), { log });
        log(`deleted IAM role '${name}'`);
    }

    async get(name: string, log?: ProgressLog): Promise<Role | undefined> {
        try {
            const answer = await this.client.send<import("@aws-sdk/client-iam").GetRoleResponse>(`GetRole of '${name}'`,
                new (iam().GetRoleCommand)({ RoleName: name }), { log });
            return answer.Role;
        } catch (error) {
            if (error instanceof ServiceError && error.code === "NoSuchEntity") return undefined;
            throw error;
        }
    }

    /** The role's inline policy document, or undefined when it has none of ours. */
    async getPolicy(name: string): Promise<unknown> {
        try {
            const answer = await this.client.send<import("@aws-sdk/client-iam").GetRolePolicyResponse>(`GetRolePolicy of '${name}'`,
                new (iam().GetRolePolicyCommand)({ RoleName: name, PolicyName: inlinePolicyName }));
            return decodePolicyDocument(answer.PolicyDocument ?? "{}");
        } catch (error) {
            if (error instanceof ServiceError && error.code === "NoSuchEntity") return undefined;
            throw error;
        }
    }

    /**
     * IAM is eventually consistent: a request that reaches another IAM host moments after CreateRole may
     * not find the role yet. Such NoSuchEntity answers are waited out (bounded, logged, cancellable).
     */
    private async putPolicyOnNewRole(name: string, policy: unknown, log: ProgressLog): Promise<void> {
        let notYet: ServiceError | undefined;
        await waitFor({
            probe: async () => {
                try {
                    await this.putPolicy(name, policy, log);
                    return true;
                } catch (error) {
                    if (!(error instanceof ServiceError && error.code === "NoSuchEntity")) throw error;
                    notYet = error;
                    return undefined;
                }
            },
            waitingFor: () => `IAM to find the new role '${name}' everywhere before its policy is put`,
            log,
            timeoutMs: this.waits.timeoutMs,
            firstPauseMs: this.waits.firstPauseMs,
            maxPauseMs: this.waits.maxPauseMs,
            onTimeout: () => notYet!,
        });
    }

    private async putPolicy(name: string, policy: unknown, log: ProgressLog): Promise<void> {
        await this.client.send(`PutRolePolicy of '${name}'`, new (iam().PutRolePolicyCommand)({
            RoleName: name, PolicyName: inlinePolicyName, PolicyDocument: JSON.stringify(policy),
        }), { log });
    }

    /** Makes the role's tags, owner marker aside, exactly `labels`: IAM adds and removes tags in separate calls. */
    private async setLabels(name: string, labels: Readonly<Record<string, string>>, log: ProgressLog, current?: readonly Tag[]): Promise<void> {
        const tags = current ?? (await this.get(name, log))?.Tags ?? [];
        const have = labelsOf(tags);
        const extra = Object.keys(have).filter((key) => !(key in labels));
        if (extra.length > 0) {
            await this.client.send(`UntagRole of '${name}'`, new (iam().UntagRoleCommand)({ RoleName: name, TagKeys: extra }), { log });
        }
        const changed = Object.entries(labels).filter(([key, value]) => have[key] !== value);
        if (changed.length > 0) {
            await this.client.send(`TagRole of '${name}'`, new (iam().TagRoleCommand)({
                RoleName: name, Tags: changed.map(([Key, Value]) => ({ Key, Value })),
            }), { log });
        }
    }

    /** Before anything is written: a role of that name must carry this resource's marker. */
    private refuseUnlessOurs(role: Role, identity: string | undefined): void {
        if (isOurs(role, identity)) return;
        const marker = (role.Tags ?? []).find((tag) => tag.Key === ownerTagKey)?.Value;
        const whose = marker ? "made by another Pulumi resource or stack (its owner tag differs)" : `without the tag ${ownerTagKey}, so not made by this package`;
        throw new Error(`IAM role '${role.RoleName}' cannot be created: the account already has a role of that name (${role.Arn}), ${whose}. ` +
            `Nothing was changed. Choose another 'name' for the IamRole (or leave it unset for one derived from this stack); to bring that role under this resource, set 'adoptExisting: true'; or, if that role ` +
            `is an orphan of yours, delete it (aws iam delete-role-policy, then aws iam delete-role --role-name ${role.RoleName}).`);
    }

    /** An adopted role becomes what the program asks for: trust policy, description, tags and policy. */
    private async bringToSpec(role: Role, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        const name = role.RoleName!;
        if (stableJson(decodePolicyDocument(role.AssumeRolePolicyDocument ?? "{}")) !== stableJson(trustPolicy())) {
            await this.client.send(`UpdateAssumeRolePolicy of '${name}'`, new (iam().UpdateAssumeRolePolicyCommand)({
                RoleName: name, PolicyDocument: JSON.stringify(trustPolicy()),
            }), { log });
        }
        if ((role.Description ?? "") !== spec.description) {
            await this.client.send(`UpdateRole of '${name}'`, new (iam().UpdateRoleCommand)({ RoleName: name, Description: spec.description }), { log });
        }
        // The owner tag is already there: that is how this role was recognised as ours.
        await this.setLabels(name, spec.labels, log, role.Tags ?? []);
        await this.putPolicy(name, spec.policy, log);
        return { ...spec, id: role.Arn! };
    }

    /** Removes the role a failed create made; says what is left when that fails too. */
    private async undoCreate(name: string, identity: string | undefined, cause: Error, log: ProgressLog): Promise<Error> {
        // Nothing may be sent after a cancel; the role carries the marker, so the next run adopts it.
        if (cause instanceof CancelledError) return cause;
        try {
            await this.deleteRoleAndPolicies(name, log);
            log(`deleted IAM role '${name}' again: its policy could not be put`);
            return withNote(cause, `Nothing was left behind: the role '${name}' that the create made was deleted again.`);
        } catch {
            return withNote(cause, `The role '${name}' was created but could not be deleted again` +
                (identity ? `; it carries the tag ${ownerTagKey}=${identity}, so the next 'pulumi up' adopts it.` : `; delete it with 'aws iam delete-role --role-name ${name}'.`));
        }
    }
}

/** Whether the role carries this resource's owner marker. */
function isOurs(role: Role, identity: string | undefined): boolean {
    return Boolean(identity) && (role.Tags ?? []).some((tag) => tag.Key === ownerTagKey && tag.Value === identity);
}

/** What AWS IAM cannot do with a role spec, refused before anything is sent. */
function refuseWhatIamCannotDo(spec: RoleSpec): void {
    if (spec.name.length > maxRoleNameLength) {
        throw new Error(`IamRole name '${spec.name}' has ${spec.name.length} characters, but AWS IAM allows at most ${maxRoleNameLength}. ` +
            `Choose a shorter 'name', or leave it unset for an automatic one.`);
    }
    if (!spec.editable) {
        throw new Error(`IamRole '${spec.name}' sets 'editable: false', but AWS IAM roles can always be changed by whoever may manage them. ` +
            `Remove 'editable' (or set it to true); restrict changes with IAM permissions or an SCP instead.`);
    }
    if (Object.prototype.hasOwnProperty.call(spec.labels, ownerTagKey)) {
        throw new Error(`IamRole '${spec.name}': the label '${ownerTagKey}' in 'labels' is reserved: it marks the roles this package made. ` +
            `Remove it from 'labels' (or rename it).`);
    }
}

function tagsOf(labels: Readonly<Record<string, string>>, identity: string | undefined): Tag[] {
    const tags = Object.entries(labels).map(([Key, Value]) => ({ Key, Value }));
    return identity ? [{ Key: ownerTagKey, Value: identity }, ...tags] : tags;
}

/** The program's labels: every tag but the owner marker, which belongs to the provider. */
function labelsOf(tags: readonly Tag[]): Record<string, string> {
    return Object.fromEntries(tags.filter((tag) => tag.Key !== ownerTagKey).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
}

/** IAM returns policy documents URL-encoded (RFC 3986); tolerate plain JSON too. */
export function decodePolicyDocument(document: string): unknown {
    const text = document.trimStart().startsWith("{") ? document : decodeURIComponent(document);
    return JSON.parse(text);
}
