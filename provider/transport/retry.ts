import type { ProgressLog } from "../backends/backend";
import { cancellationSignal, pause, requestSignal, throwIfCancelled } from "./cancellation";
import { ServiceError } from "./serviceError";

/** How hard every backend tries one call: the same for S3, admin and IAM APIs. */
export interface RequestPolicy {
    /** Time limit of one attempt, from sending to the last byte of the answer. */
    readonly requestTimeoutMs: number;
    /** Time limit for opening the connection. */
    readonly connectTimeoutMs: number;
    /** Attempts after the first, for calls that are safe to repeat. */
    readonly maxRetries: number;
    /** First pause between attempts; each pause is drawn between half and all of base * 2^attempt, capped (jitter keeps retries of parallel calls apart). */
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
}

export const defaultRequestPolicy: RequestPolicy = {
    requestTimeoutMs: 60_000,
    connectTimeoutMs: 10_000,
    maxRetries: 4,
    backoffBaseMs: 500,
    backoffMaxMs: 8_000,
};

/**
 * Runs one call, repeating it after throttling, 5xx answers, resets, refused connections and
 * timeouts, with exponential backoff and jitter. `attempt` gets the signal that bounds this
 * attempt (time limit and cancellation) and must throw ServiceErrors. Calls that are not safe to
 * repeat pass `idempotent: false` and are tried once; `onRetry` lets a caller remember that an
 * earlier attempt may have taken effect.
 */
export async function withRetries<T>(
    policy: RequestPolicy,
    attempt: (signal: AbortSignal, attemptNumber: number) => Promise<T>,
    options: { readonly idempotent?: boolean; readonly log?: ProgressLog; readonly onRetry?: (error: ServiceError) => void } = {},
): Promise<T> {
    const retries = options.idempotent === false ? 0 : policy.maxRetries;
    for (let attemptNumber = 0; ; attemptNumber++) {
        throwIfCancelled();
        try {
            return await attempt(requestSignal(policy.requestTimeoutMs), attemptNumber);
        } catch (error) {
            throwIfCancelled();
            if (!(error instanceof ServiceError) || !error.retryable || attemptNumber >= retries) throw error;
            options.onRetry?.(error);
            const pauseMs = backoffMs(policy, attemptNumber);
            options.log?.(`retrying ${error.operation} on zone ${error.zone} in ${(pauseMs / 1000).toFixed(1)} s ` +
                `(attempt ${attemptNumber + 2} of ${retries + 1}) after ${error.httpStatus ? `HTTP ${error.httpStatus} ` : ""}${error.code}`);
            await pause(pauseMs, cancellationSignal());
        }
    }
}

export function backoffMs(policy: RequestPolicy, attemptNumber: number, random: () => number = Math.random): number {
    const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** attemptNumber);
    return Math.round(ceiling / 2 + random() * ceiling / 2);
}
