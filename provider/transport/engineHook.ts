import type { AsyncLocalStorage } from "async_hooks";

/**
 * What @pulumi/pulumi's dynamic-provider host does not pass on to a provider: the engine's Cancel,
 * and the URN of the resource each call is about. Inside that host only, this wraps the gRPC
 * server's dispatch of incoming calls (looked up per call, so wrapping the prototype after the server
 * started still takes effect) to see both. Elsewhere, and if grpc-js changes shape, it does nothing.
 */
const cancelPath = "/pulumirpc.ResourceProvider/Cancel";
let callContext: AsyncLocalStorage<{ urn?: string }> | undefined;
let installed = false;

let hostMarked = false;

/** Inside @pulumi/pulumi's dynamic-provider host, or a provider host of ours that said so (the plugin). */
export function insideProviderHost(): boolean {
    return hostMarked || Boolean(process.argv[1]?.includes("dynamic-provider"));
}

/** Called by the plugin's host: its process serves the engine as a provider, with the engine's address as first argument. */
export function markProviderHost(): void {
    hostMarked = true;
}

/** Calls `onCancel` when the engine cancels; from then on `currentUrn()` names each call's resource. */
export function installEngineHook(onCancel: () => void): void {
    if (installed || !insideProviderHost()) return;
    installed = true;
    try {
        const { AsyncLocalStorage } = require("async_hooks") as typeof import("async_hooks");
        const storage = new AsyncLocalStorage<{ urn?: string }>();
        // The same @grpc/grpc-js instance that the host's server was built from.
        const hostDir = require("path").dirname(require.resolve("@pulumi/pulumi/package.json"));
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [hostDir] }));
        const prototype = grpc.Server?.prototype;
        const retrieve = prototype?._retrieveHandler;
        if (typeof retrieve !== "function") return;
        prototype._retrieveHandler = function (this: unknown, path: string) {
            if (path === cancelPath) onCancel();
            const handler = retrieve.call(this, path);
            if (!handler || typeof handler.func !== "function") return handler;
            const func = handler.func;
            return {
                ...handler,
                func: (call: { request?: { getUrn?: () => string } }, ...rest: unknown[]) =>
                    storage.run({ urn: call?.request?.getUrn?.() || undefined }, () => func(call, ...rest)),
            };
        };
        callContext = storage;
    } catch {
        // Without the hook every request is still bounded by its timeout, and messages go to the stack.
    }
}

/** The URN of the resource the current engine call is about, when known. */
export function currentUrn(): string | undefined {
    return callContext?.getStore()?.urn;
}
