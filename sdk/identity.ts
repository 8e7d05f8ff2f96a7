import * as pulumi from "@pulumi/pulumi";

/**
 * A digest of what makes a resource itself: organization, project, stack, type, logical name and
 * parent. Known before `up` and the same in every run, it is where automatic names come from and
 * what the provider marks its own creations with (see provider/identity.ts).
 */
export function resourceIdentity(type: string, name: string, opts: pulumi.ResourceOptions | undefined): pulumi.Output<string> {
    const parentUrn: pulumi.Input<string> = opts?.parent?.urn ?? "";
    return pulumi.output(parentUrn).apply((parent) => {
        const { createHash } = require("crypto") as typeof import("crypto");
        const parts = [pulumi.getOrganization(), pulumi.getProject(), pulumi.getStack(), type, name, parent];
        return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 24);
    });
}

/**
 * A mistake in the program that the user fixes in code: reported on the resource without a stack
 * trace, the way Pulumi reports its own resource errors.
 */
export function programError(resource: pulumi.Resource, message: string): pulumi.ResourceError {
    return new pulumi.ResourceError(message, resource, true);
}
