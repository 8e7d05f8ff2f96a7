import * as pulumi from "@pulumi/pulumi";

// Nothing declared: bench/run.ts times this program as the floor of what any Pulumi program costs.
export const project = pulumi.getProject();
