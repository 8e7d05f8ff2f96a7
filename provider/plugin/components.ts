// The components as the plugin constructs them for programs in any language: the SDK's own classes, with
// the names of their parts as outputs a program in another language can read (it cannot reach into the
// component's fields as a TypeScript program does). Inside the plugin the SDK makes the plugin's custom
// resources (sdk/providerStub.ts), so such a program needs nothing of npm in its folder.
import * as pulumi from "@pulumi/pulumi";
import * as sdk from "../../sdk";

/** The SDK's LeaderFollower, with its buckets' and role's names as outputs. */
export class LeaderFollower extends sdk.LeaderFollower {
    readonly leaderName: pulumi.Output<string>;
    readonly followerNames: pulumi.Output<string[]>;
    readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: sdk.LeaderFollowerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(name, args, opts);
        this.leaderName = this.leader.name;
        this.followerNames = pulumi.all(this.followers.map((follower) => follower.name));
        this.roleName = this.role.name;
    }
}

/** The SDK's BiDirectional, with its buckets' and roles' names as outputs. */
export class BiDirectional extends sdk.BiDirectional {
    readonly aName: pulumi.Output<string>;
    readonly bName: pulumi.Output<string>;
    readonly aToBRoleName: pulumi.Output<string>;
    readonly bToARoleName: pulumi.Output<string>;

    constructor(name: string, args: sdk.BiDirectionalArgs, opts?: pulumi.ComponentResourceOptions) {
        super(name, args, opts);
        this.aName = this.a.name;
        this.bName = this.b.name;
        this.aToBRoleName = this.roles.aToB.name;
        this.bToARoleName = this.roles.bToA.name;
    }
}

/** The outputs each component hands back to the program, by the last part of its type token. */
const componentOutputs = {
    LeaderFollower: ["leaderName", "followerNames", "roleName", "diagram", "replicationLag"],
    BiDirectional: ["aName", "bName", "aToBRoleName", "bToARoleName", "diagram", "replicationLag"],
} as const;

/** Constructs the component a program declared by its type token (`<package>:index:<Component>`). */
export async function construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions) {
    const component = type.split(":")[2];
    const made = component === "LeaderFollower" ? new LeaderFollower(name, inputs as sdk.LeaderFollowerArgs, options)
        : component === "BiDirectional" ? new BiDirectional(name, inputs as sdk.BiDirectionalArgs, options)
        : undefined;
    if (!made) throw new Error(`Unknown component type '${type}': this plugin serves LeaderFollower and BiDirectional.`);
    const keys = componentOutputs[component as keyof typeof componentOutputs];
    return { urn: made.urn, state: Object.fromEntries(keys.map((key) => [key, (made as unknown as Record<string, unknown>)[key]])) };
}
