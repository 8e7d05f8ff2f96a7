import type { ProgressLog } from "../common/progress";
import { pause, throwIfCancelled } from "./cancellation";

/**
 * Polls `probe` with growing pauses until it returns a value, logging `waitingFor` on each pause,
 * and gives up after `timeoutMs` with `onTimeout()`'s error.
 */
export async function waitFor<T>(options: {
    readonly probe: () => Promise<T | undefined>;
    readonly waitingFor: () => string;
    readonly log: ProgressLog;
    readonly timeoutMs: number;
    readonly onTimeout: () => Error;
    readonly firstPauseMs?: number;
    readonly maxPauseMs?: number;
}): Promise<T> {
    const started = Date.now();
    let pauseMs = options.firstPauseMs ?? 1000;
    for (;;) {
        throwIfCancelled();
        const value = await options.probe();
        if (value !== undefined) return value;
        const elapsed = Date.now() - started;
        if (elapsed >= options.timeoutMs) throw options.onTimeout();
        options.log(`waiting ${Math.round(elapsed / 1000)}s/${Math.round(options.timeoutMs / 1000)}s: ${options.waitingFor()}`);
        await pause(Math.min(pauseMs, options.timeoutMs - elapsed));
        pauseMs = Math.min(pauseMs * 2, options.maxPauseMs ?? 10_000);
    }
}
