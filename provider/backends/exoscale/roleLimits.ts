import type { RoleSpec } from "../backend";

// What Exoscale IAM allows of a role, shared by the role operations and the preview-time checks:
// the label that marks a role as ours, and a description that cannot be cleared in place.

/**
 * The label that marks a role as made by this package for one resource; its value is
 * `ownerLabelValue(identity)`. Exoscale documents label keys and values as letters, digits and a few
 * symbols (`-`, `_`, ...), with values starting with a non-digit, so neither a ':' (as in the bucket
 * tag) nor a bare hex digest would do.
 */
export const ownerLabelKey = "pulumi-bucket-replication-owner";

export function ownerLabelValue(identity: string): string {
    return `resource-${identity}`;
}

export function withoutOwnerLabel(labels: Readonly<Record<string, string>>): Record<string, string> {
    const { [ownerLabelKey]: _marker, ...rest } = labels;
    return rest;
}

export function refuseReservedLabels(spec: RoleSpec): void {
    if (Object.prototype.hasOwnProperty.call(spec.labels, ownerLabelKey)) {
        throw new Error(`IamRole '${spec.name}': the label '${ownerLabelKey}' in 'labels' is reserved: it marks the roles this package made. ` +
            `Remove it from 'labels' (or rename it).`);
    }
}

/**
 * What update-iam-role is sent for the description. The API takes 1 to 255 characters and has no
 * operation that removes a role's description (the Exoscale API's OpenAPI document, as egoscale v3
 * ships it in generator/source.yaml), so a description cannot be cleared in place: that is refused,
 * naming the fixes, rather than left unsent (which showed the change again on every preview).
 */
export function descriptionChange(current: string | undefined, wanted: string, role: { readonly id: string; readonly name: string }): { description?: string } {
    if (wanted !== "") return { description: wanted };
    if ((current ?? "") === "") return {};
    throw new Error(`IAM role '${role.name}' (${role.id}): ${descriptionCannotBeCleared(current ?? "")} Nothing was changed.`);
}

export function descriptionCannotBeCleared(current: string): string {
    return `the role has the description ${JSON.stringify(current)} and the program gives it none, but Exoscale IAM cannot clear a role's ` +
        `description: its update takes 1 to 255 characters. Give the IamRole a 'description' again, or replace the role (give it another 'name') ` +
        `to have one without a description.`;
}
