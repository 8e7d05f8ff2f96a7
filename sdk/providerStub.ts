import * as pulumi from "@pulumi/pulumi";
import { useConfigNamespace } from "../provider/sdkEntry";

/** The provider kinds, each a module `dist/provider/<kind>.js` of this package that exports `provider`. */
export type ProviderKind = "bucket" | "bucketVersioning" | "iamRole" | "replicationConfiguration" | "replicationVerification";

/**
 * Who serves this process's resources. A TypeScript program keeps the default: its resources are dynamic
 * ones and its components are `bucket-replication:index:<Component>`, as in every stack made since 0.1.0.
 * The plugin (provider/plugin/) switches a process to its own package name, so that the components it
 * constructs for programs in other languages are `<package>:index:<Component>` and made of the plugin's
 * custom resources, which need nothing of npm in the program's folder.
 */
let hostedBy: { readonly packageName: string; readonly resources: "dynamic" | "plugin" } = { packageName: "bucket-replication", resources: "dynamic" };

/** The plugin's name, which Pulumi derives from the npm package's: the first part of its type tokens. */
export const pluginPackageName = "pulumi-bucket-replication";

/** Called once by the plugin's host, before it constructs anything. */
export function serveResourcesAs(packageName: string, resources: "dynamic" | "plugin"): void {
    hostedBy = { packageName, resources };
}

/**
 * Makes this program's resources the plugin's custom resources (`pulumi-bucket-replication:index:*`)
 * instead of dynamic ones: previews then carry a detailed diff per property, and `pulumi import` works.
 * Call it first, before any resource is declared. The engine must find the plugin: name the package's `bin`
 * folder in Pulumi.yaml (`plugins: providers: [{ name: pulumi-bucket-replication, path:
 * node_modules/pulumi-bucket-replication/bin }]`), and configure `pulumi-bucket-replication:*` instead of
 * `bucket-replication:*`. For new stacks: the resources of an existing stack would change type, and so be replaced.
 */
export function usePlugin(): void {
    serveResourcesAs(pluginPackageName, "plugin");
    useConfigNamespace(pluginPackageName);
}

/** A component's type token, such as `bucket-replication:index:LeaderFollower`. */
export function componentType(component: string): string {
    return `${hostedBy.packageName}:index:${component}`;
}

/**
 * The base of this package's resources: by default a dynamic resource (served by Pulumi's own
 * `pulumi-nodejs` provider, as `pulumi.dynamic.Resource` would) whose provider, the `__provider` text
 * kept in the state of every resource, is the few lines of `providerStubSource` rather than a serialized
 * closure; inside the plugin, the plugin's own custom resource of the same name.
 */
export abstract class DynamicResource extends pulumi.CustomResource {
    protected constructor(kind: ProviderKind, type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        if (hostedBy.resources === "plugin") {
            super(`${hostedBy.packageName}:index:${type}`, name, props, opts);
        } else {
            super(`pulumi-nodejs:dynamic/bucket-replication:${type}`, name, { ...props, __provider: providerStubSource(kind) }, opts);
        }
    }
}

/**
 * The provider that the state keeps: a CommonJS module whose `handler()` loads the real provider of
 * `kind` from this package, where the program runs. Written by hand instead of serialized by Pulumi:
 * it is a tenth of the size in every resource's inputs and outputs, and the program never starts
 * Pulumi's closure serializer. No clients, credentials or SDK code are in it, and a fixed package
 * version serves resources created by older ones (the dynamic-provider host uses the newest text).
 *
 * The module path it loads, `pulumi-bucket-replication/dist/provider/<kind>`, is part of every
 * stack's state: it must stay valid in every release (test/package/stub.test.ts pins it).
 * Refresh and destroy run the copy in the state, so a program folder that lost the package fails
 * there; the error then says what to install instead of Node's bare "Cannot find module".
 */
export function providerStubSource(kind: ProviderKind): string {
    const modulePath = JSON.stringify(`pulumi-bucket-replication/dist/provider/${kind}`);
    // One short line: every resource keeps it twice (inputs and outputs), and the engine rewrites the whole
    // state at every step. Only a module path that does not resolve (the package is not there) is translated;
    // a broken install inside the package resolves, and its require keeps Node's own message.
    return `const m=${modulePath};exports.handler=()=>{try{require.resolve(m)}catch{throw Error(` +
        "`Missing package: run 'npm install pulumi-bucket-replication @pulumi/pulumi' in the program's folder (${process.cwd()})`" +
        ")}return require(m).provider}";
}
