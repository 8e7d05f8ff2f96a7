import * as pulumi from "@pulumi/pulumi";

/**
 * A digest of what makes a resource itself: organization, project, stack, type, logical name and
 * the chain of its parents (what its URN is made of). Known before `up` and the same in every run,
 * it is where automatic names come from and what the provider marks its own creations with (see
 * provider/identity.ts). Computed synchronously: an input that depended on the parent's `urn` output
 * would make the child depend on its own component.
 */
export function resourceIdentity(type: string, name: string, opts: pulumi.ResourceOptions | undefined): string {
    const { createHash } = require("crypto") as typeof import("crypto");
    const parts = [organization(), pulumi.getProject(), pulumi.getStack(), parentChain(opts?.parent), type, name];
    return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 24);
}

/**
 * A mistake in the program that the user fixes in code: reported on the resource without a stack
 * trace, the way Pulumi reports its own resource errors.
 */
export function programError(resource: pulumi.Resource, message: string): pulumi.ResourceError {
    return new pulumi.ResourceError(message, resource, true);
}

/** Older language hosts (3.68) do not pass the organization: then stack and project must do. */
function organization(): string {
    try {
        return pulumi.getOrganization();
    } catch {
        return "";
    }
}

/** Type and name of each parent, outermost first, from the fields every Pulumi resource keeps. */
function parentChain(parent: pulumi.Resource | undefined): string {
    const links: string[] = [];
    for (let at = parent as unknown as ResourceInternals | undefined; at; at = at.__parentResource) {
        links.unshift(`${at.__pulumiType ?? ""}::${at.__name ?? ""}`);
    }
    return links.join("$");
}

interface ResourceInternals {
    readonly __pulumiType?: string;
    readonly __name?: string;
    readonly __parentResource?: ResourceInternals;
}
