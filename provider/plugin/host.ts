// The component provider: LeaderFollower and BiDirectional for programs in any Pulumi language, which
// declare them as bucket-replication:index:LeaderFollower and bucket-replication:index:BiDirectional.
// Two entry points start it: the executable bin/pulumi-resource-bucket-replication (the engine finds it
// on PATH) and PulumiPlugin.yaml in this folder (a language host that runs plugins loads this module as
// the folder's `main`). Either way @pulumi/pulumi's componentProviderHost serves the classes below and
// reads their schema from index.ts beside this file's source.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as sdk from "../../sdk";

/** The provider's name: the first part of the components' type tokens. */
export const pluginName = "bucket-replication";

/** The folder with PulumiPlugin.yaml, package.json, tsconfig.json and index.ts (shipped as source). */
export const pluginDir = path.resolve(__dirname, "..", "..", "..", "provider", "plugin");

/** The SDK's LeaderFollower, with its buckets' and role's names as outputs a remote program can read. */
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

/** The SDK's BiDirectional, with its buckets' and roles' names as outputs a remote program can read. */
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

/** The components this provider serves (componentProviderHost of 3.248 needs them listed). */
export const components = [LeaderFollower, BiDirectional];

/**
 * Serves the components over gRPC until the engine shuts the provider down; the engine's address is
 * the first command-line argument, as the engine passes it to every provider plugin.
 */
export function serve(): Promise<void> {
    // Loaded here, not at the top: programs that only import the SDK never load the provider host.
    const { componentProviderHost } = require("@pulumi/pulumi/provider/experimental") as typeof import("@pulumi/pulumi/provider/experimental");
    const version: string = require(path.join(pluginDir, "package.json")).version;
    // `version` is accepted by the host's ComponentProvider but missing from the options' type in 3.248.
    const options = { name: pluginName, components, dirname: pluginDir, version };
    return componentProviderHost(options);
}
