import { installEngineHook, insideProviderHost } from "./engineHook";

/**
 * Cancellation of everything the provider process has under way. The engine asks a provider to stop
 * with the Cancel RPC (Ctrl-C on `pulumi up`), but @pulumi/pulumi's dynamic-provider host answers it
 * without telling the provider. So, inside that host only, engineHook.ts watches for it, and this
 * aborts one process-wide signal, which every request and wait honours.
 */
let controller: AbortController | undefined;

/** The signal that aborts when the engine cancels the current operation. */
export function cancellationSignal(): AbortSignal {
    if (!controller) {
        controller = new AbortController();
        watchEngineCancel(controller);
    }
    return controller.signal;
}

/** Aborts every request and wait of this process, as the engine's Cancel does. */
export function cancelEverything(reason = "the operation was cancelled"): void {
    cancellationSignal();
    controller!.abort(new CancelledError(reason));
}

/** For tests: a fresh signal, as if in a new provider process. */
export function resetCancellation(): void {
    controller = undefined;
}

export class CancelledError extends Error {
    constructor(reason: string) {
        super(`Stopped: ${reason} (pulumi was interrupted). Nothing more was sent; run 'pulumi up' again to finish.`);
        this.name = "CancelledError";
    }
}

/** Throws the cancellation error when the operation was cancelled. */
export function throwIfCancelled(signal: AbortSignal = cancellationSignal()): void {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledError(String(signal.reason));
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function pause(ms: number, signal: AbortSignal = cancellationSignal()): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
        const timer = setTimeout(() => { signal.removeEventListener("abort", onAbort); resolve(); }, Math.max(0, ms));
        signal.addEventListener("abort", onAbort, { once: true });
    });
}

/** A signal for one request: aborted by cancellation or after `timeoutMs`, whichever comes first. */
export function requestSignal(timeoutMs: number): AbortSignal {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([cancellationSignal(), timeout]);
    // Node 20's AbortSignal.any holds its sources weakly: after a garbage collection the timeout could
    // vanish and never fire. The request holds the combined signal, and through it the timeout.
    Object.defineProperty(signal, "timeoutSource", { value: timeout, enumerable: false });
    return signal;
}

function watchEngineCancel(target: AbortController): void {
    if (!insideProviderHost()) return;
    watchEngineExit(target);
    installEngineHook(() => target.abort(new CancelledError("the engine asked to cancel")));
}

/**
 * When the engine dies without closing its plugins (kill -9 of `pulumi`), this process would live
 * on: stop its work, which creates leave marked for the next run to adopt, and exit.
 */
function watchEngineExit(target: AbortController): void {
    const engine = process.ppid;
    const timer = setInterval(() => {
        if (process.ppid === engine) return;
        clearInterval(timer);
        target.abort(new CancelledError("the Pulumi engine that started this provider has gone"));
        setTimeout(() => process.exit(1), 2000).unref();
    }, 1000);
    timer.unref();
}
