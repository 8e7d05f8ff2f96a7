import type { ProgressLog } from "./common/progress";
import { currentUrn, insideProviderHost } from "./transport/engineHook";
import { setFallbackProgressLog } from "./transport/retry";

/**
 * Progress messages from inside the dynamic-provider process. That process is started with the
 * engine's address as its first argument but @pulumi/pulumi does not connect its log functions
 * there, so this talks to the engine's Log RPC directly: each message goes to the row of the resource
 * the current call is about, passing messages as ephemeral ones that do not pile up in Diagnostics.
 */
export function progressLog(resourceLabel: string): ProgressLog {
    const urn = currentUrn();
    return (message, options) => sendToEngine(urn ? message : `${resourceLabel}: ${message}`, urn, !options?.lasting);
}

// A call that was given no log (a bucket's create, a versioning read) still tells of a silent endpoint on its resource's row.
setFallbackProgressLog((message) => sendToEngine(message, currentUrn(), true));

let engineClient: { log(request: unknown, callback: (error: unknown) => void): void } | undefined | null;

/**
 * Warnings on the row of the resource the current call is about, kept in the run's diagnostics: what
 * the user must act on although the call itself succeeds (replication failing while its configuration is right).
 */
export function rowWarnings(resourceLabel: string): (message: string) => void {
    // Taken now, at the start of the call: after a request on a reused connection, the call's context may be another's.
    const urn = currentUrn();
    return (message) => sendToEngine(urn ? message : `${resourceLabel}: ${message}`, urn, false, "WARNING");
}

function sendToEngine(message: string, urn: string | undefined, ephemeral: boolean, severity: "INFO" | "WARNING" = "INFO"): void {
    if (engineClient === undefined) engineClient = connectToEngine();
    const client = engineClient;
    if (!client) {
        process.stderr.write(message + "\n");
        return;
    }
    const engineProto = require("@pulumi/pulumi/proto/engine_pb");
    const request = new engineProto.LogRequest();
    request.setSeverity(engineProto.LogSeverity[severity]);
    request.setMessage(message);
    request.setUrn(urn ?? "");
    request.setEphemeral(ephemeral && urn !== undefined);
    client.log(request, (error) => {
        if (error) process.stderr.write(message + "\n");
    });
}

function connectToEngine(): typeof engineClient {
    const address = process.argv[2];
    if (!address || !/^[\w.-]+:\d+$/.test(address) || !insideProviderHost()) return null;
    try {
        // @grpc/grpc-js is @pulumi/pulumi's dependency, not ours: resolve it from there (strict layouts such as pnpm).
        const hostDir = require("path").dirname(require.resolve("@pulumi/pulumi/package.json"));
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [hostDir] }));
        const engineService = require("@pulumi/pulumi/proto/engine_grpc_pb");
        return new engineService.EngineClient(address, grpc.credentials.createInsecure());
    } catch {
        return null;
    }
}
