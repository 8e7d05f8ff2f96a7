import type { ProgressLog, RoleSpec, RoleState } from "../backend";
import { stableJson } from "../../common/stableJson";
import { withNote } from "../../common/withNote";
import { CancelledError, pause } from "../../transport/cancellation";
import { backoffMs } from "../../transport/retry";
import { ServiceError } from "../../transport/serviceError";
import { createOperationName, type ExoscaleIamClient, type IamRole, type NewIamRole, type Operation } from "./iamClient";
import { descriptionChange, ownerLabelKey, ownerLabelValue, refuseReservedLabels, withoutOwnerLabel } from "./roleLimits";

/**
 * Replication roles in Exoscale IAM v2. The role's id is its UUID, which is also what replication
 * names. Role names are not unique on Exoscale, so a role is recognised as ours by its name and its
 * owner label.
 */
export class ExoscaleRoles {
    constructor(private readonly iam: () => ExoscaleIamClient) {}

    /**
     * Creates the role, marked with the owner label. A role of that name that carries this resource's
     * label (an earlier, interrupted create) is adopted and brought to `spec`; one without it stops the
     * create before anything is written, unless `spec.adoptExisting` asks to take it over. A create
     * that fails after the API accepted it is undone.
     */
    async create(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        refuseReservedLabels(spec);
        const marker = identity ? ownerLabelValue(identity) : undefined;
        const iam = this.iam();
        const existing = await this.roleToAdopt(spec, marker, log);
        if (existing) {
            if (marker) await this.removeDuplicates(spec.name, marker, existing.role.id, log);
            return this.bringToSpec(existing.role, spec, marker, existing.madeBy, log);
        }

        const labels = marker ? { ...spec.labels, [ownerLabelKey]: marker } : { ...spec.labels };
        const newRole = { name: spec.name, description: spec.description, editable: spec.editable, labels, policy: spec.policy };
        const started = await this.startCreate(newRole, marker, log);
        if ("adopted" in started) {
            // An earlier attempt got through although its answer did not.
            return this.bringToSpec(started.adopted, spec, marker, "ours", log);
        }
        let id: string | undefined;
        try {
            const done = await iam.waitFor(started.operation, createOperationName(spec.name), log);
            id = done.reference?.id;
        } catch (error) {
            throw await this.undoCreate(spec.name, marker, error as Error, log);
        }
        if (!id) {
            const found = marker ? (await this.rolesNamed(spec.name, log)).filter((r) => r.labels?.[ownerLabelKey] === marker) : [];
            if (found.length !== 1) {
                throw new Error(`Exoscale reported success for ${createOperationName(spec.name)} (operation ${started.operation.id}) without naming the new role; ` +
                    `find it with 'exo iam role list'` + (marker ? `: it carries the label ${ownerLabelKey}=${marker}, so the next 'pulumi up' adopts it.` : " and import it."));
            }
            id = found[0].id;
        }
        // A repeated create, or the create of an earlier run that was stopped while Exoscale still worked on
        // it, may have made a copy meanwhile: one resource owns one role.
        if (marker) await this.removeDuplicates(spec.name, marker, id, log);
        return { ...spec, id };
    }

    /**
     * Sends the create, and after a failure in transit (a reset, a time-out, a 5xx) looks for a role
     * that an attempt made before sending it again; a role found so is adopted. Returns the create's
     * operation, or the role an earlier attempt made.
     */
    private async startCreate(role: NewIamRole, marker: string | undefined, log: ProgressLog):
        Promise<{ operation: Operation; ambiguous: boolean } | { adopted: IamRole }> {
        const iam = this.iam();
        const policy = iam.requestPolicy;
        let ambiguous = false;
        for (let attempt = 0; ; attempt++) {
            try {
                return { operation: await iam.startCreateRole(role, log), ambiguous };
            } catch (error) {
                if (!(error instanceof ServiceError) || !error.retryable) throw error;
                ambiguous = true;
                // Without a marker a role that an attempt made cannot be told from someone else's: never send twice then.
                if (!marker || attempt >= policy.maxRetries) {
                    throw await this.undoCreate(role.name, marker, error, log);
                }
                const pauseMs = backoffMs(policy, attempt);
                log(`${createOperationName(role.name)} got no clear answer (${error.httpStatus ? `HTTP ${error.httpStatus} ` : ""}${error.code}); ` +
                    `looking for the role before trying again in ${(pauseMs / 1000).toFixed(1)} s`);
                await pause(pauseMs);
                let made: IamRole | undefined;
                try {
                    made = (await this.rolesNamed(role.name, log)).find((r) => r.labels?.[ownerLabelKey] === marker);
                } catch (lookupError) {
                    if (lookupError instanceof CancelledError) throw lookupError;
                    throw withNote(lookupError as Error, `This came while looking for the role '${role.name}' after ${createOperationName(role.name)} ` +
                        `got no clear answer (${error.message.split("\n")[0]}). If that create made the role, it carries the label ` +
                        `${ownerLabelKey}=${marker}, so the next 'pulumi up' adopts it.`);
                }
                if (made) {
                    log(`IAM role '${role.name}' (${made.id}) was made by the unanswered attempt; adopting it`);
                    return { adopted: made };
                }
            }
        }
    }

    /**
     * Before anything is written: the role of that name to adopt, if any. Ours (it carries this
     * resource's label) is adopted; so is someone else's when `adoptExisting` asks, if it is the only
     * role of that name. Any other role of that name stops the create.
     */
    private async roleToAdopt(spec: RoleSpec, marker: string | undefined, log: ProgressLog): Promise<{ role: IamRole; madeBy: "ours" | "others" } | undefined> {
        const name = spec.name;
        const existing = await this.rolesNamed(name, log);
        const ours = existing.filter((role) => marker !== undefined && role.labels?.[ownerLabelKey] === marker);
        const foreign = existing.filter((role) => !ours.includes(role));
        if (foreign.length === 0) {
            if (ours.length === 0) return undefined;
            log(`IAM role '${name}' (${ours[0].id}) was made by an earlier, interrupted run of this resource; adopting it`);
            return { role: ours[0], madeBy: "ours" };
        }
        const whose = foreign.map((role) => `${role.id} (${role.labels?.[ownerLabelKey]
            ? "made by another Pulumi resource or stack" : `without the label ${ownerLabelKey}, so not made by this package`})`);
        if (spec.adoptExisting && existing.length === 1) {
            log(`adopting IAM role '${name}' ${whose[0]} as 'adoptExisting' asks: its description, labels and policy become the program's`);
            return { role: foreign[0], madeBy: "others" };
        }
        if (spec.adoptExisting) {
            throw new Error(`IAM role '${name}' cannot be adopted: Exoscale has ${existing.length} roles of that name (${existing.map((r) => r.id).join(", ")}), ` +
                `and 'adoptExisting' cannot choose between them. Nothing was changed. Delete the ones you do not want with 'exo iam role delete <id>', or choose another 'name'.`);
        }
        throw new Error(`IAM role '${name}' cannot be created: Exoscale already has a role of that name, ${whose.join(", ")}. Nothing was changed. ` +
            `Choose another 'name' for the IamRole (or leave it unset for one derived from this stack); to bring that role under this resource, ` +
            `set 'adoptExisting: true'; or, if it is an orphan of yours, delete it with 'exo iam role delete ${foreign[0].id}'.`);
    }

    /** Removes what a failed create made; says what is left when that fails too. */
    private async undoCreate(name: string, marker: string | undefined, cause: Error, log: ProgressLog): Promise<Error> {
        if (cause instanceof CancelledError) {
            // Nothing may be sent after a cancel; what the create made carries the label, so a re-run adopts it.
            return cause;
        }
        if (!marker) return cause;
        let made: IamRole[];
        try {
            made = (await this.rolesNamed(name, log)).filter((role) => role.labels?.[ownerLabelKey] === marker);
        } catch {
            return withNote(cause, `If the role was made anyway, it carries the label ${ownerLabelKey}=${marker}, so the next 'pulumi up' adopts it.`);
        }
        if (made.length === 0) {
            // An operation that ended in failure makes nothing more; one that was not waited for to the end may.
            const ended = cause instanceof ServiceError && (cause.code === "OperationFailed" || cause.code === "OperationTimedOut");
            return withNote(cause, `No role '${name}' is left behind.` + (ended ? "" : ` Should the create still finish, the role carries the label ` +
                `${ownerLabelKey}=${marker}, so the next 'pulumi up' adopts it.`));
        }
        const left: string[] = [];
        for (const role of made) {
            try {
                await this.iam().deleteRole(role.id, log);
                log(`deleted IAM role '${name}' (${role.id}) again: its create did not complete`);
            } catch {
                left.push(role.id);
            }
        }
        return withNote(cause, left.length === 0
            ? `Nothing was left behind: the role '${name}' that the create made (${made.map((r) => r.id).join(", ")}) was deleted again.`
            : `The role '${name}' (${left.join(", ")}) could not be deleted again; it carries the label ${ownerLabelKey}=${marker}, so the next 'pulumi up' adopts it.`);
    }

    /** After unanswered or interrupted creates, more than one may have got through: keep `keep`, delete the others. */
    private async removeDuplicates(name: string, marker: string, keep: string, log: ProgressLog): Promise<void> {
        const extra = (await this.rolesNamed(name, log)).filter((role) => role.labels?.[ownerLabelKey] === marker && role.id !== keep);
        for (const role of extra) {
            log(`deleting IAM role '${name}' (${role.id}): a second copy, made by a repeated or interrupted create of this resource`);
            await this.iam().deleteRole(role.id, log);
        }
    }

    /**
     * Makes an adopted role what the program asks for: description, labels (with the owner label, so
     * that later runs know it) and policy. `madeBy` says whose it was, for the messages.
     */
    private async bringToSpec(role: IamRole, spec: RoleSpec, marker: string | undefined, madeBy: "ours" | "others", log: ProgressLog): Promise<RoleState> {
        const editable = role.editable ?? true;
        const origin = madeBy === "ours" ? "was made by an earlier run of this resource" : "exists";
        if (editable !== spec.editable) {
            throw new Error(`IAM role '${spec.name}' (${role.id}) ${origin} with 'editable: ${editable}', ` +
                `but the program says 'editable: ${spec.editable}', which Exoscale cannot change. Set 'editable' to ${editable}, ` +
                `or delete the role with 'exo iam role delete ${role.id}' and run 'pulumi up' again.`);
        }
        const labels = marker ? { ...spec.labels, [ownerLabelKey]: marker } : { ...spec.labels };
        if ((role.description ?? "") !== spec.description || stableJson(role.labels ?? {}) !== stableJson(labels)) {
            await this.iam().updateRole(role.id, { ...descriptionChange(role.description, spec.description, { id: role.id, name: spec.name }), labels }, log);
            await this.readBack(role.id, spec.description, labels, log);
        }
        if (stableJson(role.policy) !== stableJson(spec.policy)) {
            if (!editable) {
                throw new Error(`IAM role '${spec.name}' (${role.id}) ${origin} with 'editable: false' and another policy, ` +
                    `which Exoscale will never change. Delete it with 'exo iam role delete ${role.id}' and run 'pulumi up' again.`);
            }
            await this.iam().updateRolePolicy(role.id, spec.policy, log);
        }
        return { ...spec, id: role.id };
    }

    private async rolesNamed(name: string, log?: ProgressLog): Promise<IamRole[]> {
        return (await this.iam().listRoles(log)).filter((role) => role.name === name);
    }

    async read(id: string, known: RoleState): Promise<RoleState | undefined> {
        const role = await this.iam().getRole(id);
        if (!role) return undefined;
        return {
            id: role.id ?? id,
            name: role.name ?? known.name,
            description: role.description ?? "",
            editable: role.editable ?? true,
            // The owner label is the provider's, not the program's: never shown as drift.
            labels: withoutOwnerLabel(role.labels ?? {}),
            // Keep the known document when only key order differs, so that a refresh reports no false drift;
            // a role answered without a policy grants by the API's default, not by ours: read as an empty one,
            // which the next update puts back.
            policy: role.policy === undefined ? {} : stableJson(role.policy) === stableJson(known.policy) ? known.policy : role.policy,
        };
    }

    async update(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        refuseReservedLabels(spec);
        const policyChanged = stableJson(known.policy) !== stableJson(spec.policy);
        if (policyChanged && !known.editable) {
            throw new Error(`IAM role '${known.name}' (${known.id}) was created with 'editable: false', so Exoscale will never change its policy. ` +
                `Replace the role to change its 'policy' (for example give it a new 'name'), or create it with 'editable: true'.`);
        }
        if (known.description !== spec.description || stableJson(known.labels) !== stableJson(spec.labels)) {
            // The API replaces the whole label map: carry the owner label over from the role as it is.
            const current = await this.iam().getRole(known.id, log);
            const marker = current?.labels?.[ownerLabelKey];
            const labels = marker ? { ...spec.labels, [ownerLabelKey]: marker } : { ...spec.labels };
            await this.iam().updateRole(known.id, { ...descriptionChange(current?.description, spec.description, known), labels }, log);
            await this.readBack(known.id, spec.description, labels, log);
        }
        if (policyChanged) {
            await this.iam().updateRolePolicy(known.id, spec.policy, log);
        }
        // name and editable cannot change in place; the provider replaces the role for those.
        return { ...spec, id: known.id, name: known.name, editable: known.editable };
    }

    /** An update the API accepted is read back before the state claims it: the role's description and labels as written. */
    private async readBack(id: string, description: string, labels: Readonly<Record<string, string>>, log: ProgressLog): Promise<void> {
        const role = await this.iam().getRole(id, log);
        const found = { description: role?.description ?? "", labels: role?.labels ?? {} };
        if (role && found.description === description && stableJson(found.labels) === stableJson(labels)) return;
        throw new Error(`Exoscale IAM accepted update-iam-role ${id}, but ` + (role
            ? `reading the role back shows description ${JSON.stringify(found.description)} and labels ${JSON.stringify(found.labels)}, ` +
              `not ${JSON.stringify(description)} and ${JSON.stringify(labels)}. `
            : `the role is gone when read back. `) + `Check the role with 'exo iam role show ${id}', then run 'pulumi up' again.`);
    }

    /** Deletes the role, and any copy of it that an interrupted create of the same resource left (same name, same owner label). */
    async delete(known: RoleState, log: ProgressLog): Promise<void> {
        const marker = (await this.iam().getRole(known.id, log))?.labels?.[ownerLabelKey];
        await this.iam().deleteRole(known.id, log);
        if (marker) await this.removeDuplicates(known.name, marker, known.id, log);
    }
}
