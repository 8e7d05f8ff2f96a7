// The package's `main`. A program that requires the package gets the SDK. A language host that runs plugins
// from source (PulumiPlugin.yaml at the package's root) starts @pulumi/pulumi's run-plugin on the root, which
// requires this same `main` and, when what it gets is a function rather than component classes, awaits it:
// there the export is the plugin itself, served with its schema, resources, components and functions.
import type * as sdk from "../../sdk";

function loadedByRunPlugin(): boolean {
    return /[\\/]cmd[\\/]run-plugin([\\/]|$)/.test(require.main?.filename ?? "");
}

const exported: typeof sdk | (() => Promise<void>) = loadedByRunPlugin()
    ? () => (require("./host") as typeof import("./host")).serve()
    : require("../../sdk");

export = exported;
