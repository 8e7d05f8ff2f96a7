// The plugin: the four resources, ReplicationVerification, the two components and the functions, served to
// programs in any Pulumi language. Three ways start it, all through `serve`:
//   - bin/pulumi-resource-pulumi-bucket-replication, the executable the engine finds on PATH or in a project's
//     `plugins.providers[].path` (its name follows the npm package's, as Pulumi derives plugin names);
//   - PulumiPlugin.yaml at the package's root, for language hosts that run plugins from source (packageMain.ts);
//   - bin/pulumi-resource-bucket-replication, the name 0.1.0 served its components under: kept so that stacks
//     made with it go on with the same types, dynamic children and `bucket-replication:*` configuration.
import * as path from "path";
import { useConfigNamespace } from "../common/configKey";
import { markProviderHost } from "../transport/engineHook";
import { pluginPackageName, serveResourcesAs } from "../../sdk/providerStub";

/** The plugin's name: the npm package's, as Pulumi names a plugin after its package.json. */
export const pluginName = pluginPackageName;

/** The name 0.1.0's component provider used, whose stacks must keep working. */
export const legacyPluginName = "bucket-replication";

/** The package's root, with package.json and PulumiPlugin.yaml. */
export const packageRoot = path.resolve(__dirname, "..", "..", "..");

export interface ServeOptions {
    /** The name the plugin serves under: the first part of every type token, and its configuration namespace. */
    readonly name: string;
    /** What the components are made of: the plugin's own resources, or dynamic ones as 0.1.0 made them. */
    readonly children: "plugin" | "dynamic";
}

/** Serves the plugin until the engine shuts it down; the engine's address is the first argument. */
export function serve(options: ServeOptions = { name: pluginName, children: "plugin" }, args: string[] = process.argv.slice(2)): Promise<void> {
    useConfigNamespace(options.name);
    serveResourcesAs(options.name, options.children);
    markProviderHost();
    const version: string = require(path.join(packageRoot, "package.json")).version;
    const { packageSchema } = require("./schema") as typeof import("./schema");
    const { construct } = require("./components") as typeof import("./components");
    const { invoke } = require("./functions") as typeof import("./functions");
    const { serveProvider } = require("./server") as typeof import("./server");
    const schema = JSON.stringify(packageSchema(options.name, version));
    return serveProvider({ version, schema, construct, invoke }, args);
}
