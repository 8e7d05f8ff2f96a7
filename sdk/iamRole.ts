import * as pulumi from "@pulumi/pulumi";
import { resourceIdentity } from "./identity";
import { DynamicResource } from "./providerStub";

export interface IamRoleArgs {
    /**
     * The role's name. Changing it replaces the role.
     * @default the resource's name plus 8 characters derived from project, stack, resource and account:
     * the same in every preview and `up`
     */
    readonly name?: pulumi.Input<string>;
    /**
     * What the role is for, up to 255 characters. Updated in place.
     * @default ""
     */
    readonly description?: pulumi.Input<string>;
    /**
     * Whether the role's policy may change after creation. A role with `editable: false` gets a new
     * policy only by replacement, and preview says so. Changing this replaces the role.
     * @default true
     */
    readonly editable?: pulumi.Input<boolean>;
    /**
     * Labels of the role, kept by services that have them (Exoscale). Updated in place.
     * @default no labels
     */
    readonly labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * The policy in the configured backend's own language. `replicationPolicy({ source, destinations })`
     * builds the least-privilege one for replication. Updated in place.
     */
    readonly policy: pulumi.Input<object>;
    /**
     * Take over a role (on MinIO: a user and canned policy) of this `name` that already exists instead
     * of failing: its policy becomes the program's, and on MinIO its secret key is replaced. Without it,
     * an existing role that this resource did not make fails the `up` untouched.
     * @default false
     */
    readonly adoptExisting?: pulumi.Input<boolean>;
}


/**
 * The identity a storage service replicates as. On Exoscale an IAM role; on MinIO a user with a
 * canned policy on every zone, whose generated secret is kept as a secret output.
 */
export class IamRole extends DynamicResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly description: pulumi.Output<string>;
    declare readonly editable: pulumi.Output<boolean>;
    declare readonly labels: pulumi.Output<Record<string, string>>;
    declare readonly policy: pulumi.Output<object>;
    /** The credentials' secret where the service needs one (MinIO); always a secret. */
    declare readonly secretKey: pulumi.Output<string | null>;

    constructor(name: string, args: IamRoleArgs, opts?: pulumi.CustomResourceOptions) {
        super("iamRole", "IamRole", name, {
            name: args.name,
            namePrefix: name,
            identity: resourceIdentity("IamRole", name, opts),
            description: args.description,
            editable: args.editable,
            labels: args.labels,
            policy: args.policy,
            adoptExisting: args.adoptExisting,
            secretKey: undefined,
        }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["secretKey"] }));
    }
}
