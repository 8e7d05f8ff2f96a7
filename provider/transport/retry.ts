import type { ProgressLog } from "../common/progress";
import { cancellationSignal, pause, requestSignal, throwIfCancelled } from "./cancellation";
import { type CallSite, ServiceError, silenceFailure } from "./serviceError";
import { type AnswerWatch, wasSilent, watchAnswer } from "./silence";

/** How hard every backend tries one call: the same for S3, admin and IAM APIs. */
export interface RequestPolicy {
    /** Time limit of one attempt, from sending to the last byte of the answer. */
    readonly requestTimeoutMs: number;
    /** Time limit for opening the connection. */
    readonly connectTimeoutMs: number;
    /**
     * How long the answer may take to start (status and headers) once the request is sent. An
     * endpoint silent that long is tried once more, not as often as throttling (see silence.ts);
     * unset: only requestTimeoutMs bounds the wait.
     */
    readonly answerStartTimeoutMs?: number;
    /** When a progress line says that the endpoint has not answered yet; default the lesser of 10 s and a third of the wait. */
    readonly silenceNoticeMs?: number;
    /** Attempts after the first, for calls that are safe to repeat. */
    readonly maxRetries: number;
    /** First pause between attempts; each pause is drawn between half and all of base * 2^attempt, capped (jitter keeps retries of parallel calls apart). */
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
}

export const defaultRequestPolicy: RequestPolicy = {
    requestTimeoutMs: 60_000,
    connectTimeoutMs: 10_000,
    // Half the whole-answer limit: with its one more try, a silent endpoint fails in about a minute.
    answerStartTimeoutMs: 30_000,
    silenceNoticeMs: 10_000,
    maxRetries: 4,
    backoffBaseMs: 500,
    backoffMaxMs: 8_000,
};

/**
 * A silent endpoint (it accepted the connection and sent nothing back) is tried this many times
 * more, whatever maxRetries says: once covers a kept-alive connection that died on the way, and more
 * would only keep a mistyped port's user waiting.
 */
export const silentRetries = 1;

/** Where the progress of calls that were given no log goes; the provider points it at the engine. */
let fallbackLog: ProgressLog = (message) => { process.stderr.write(`${message}\n`); };

/** Sends the progress lines of calls that were given no `log` (silence notices) to `log`; returns where they went before. */
export function setFallbackProgressLog(log: ProgressLog): ProgressLog {
    const previous = fallbackLog;
    fallbackLog = log;
    return previous;
}

export interface RetryOptions {
    readonly idempotent?: boolean;
    readonly log?: ProgressLog;
    readonly onRetry?: (error: ServiceError) => void;
    /** Where the call goes and what it is, for the progress line while the endpoint is silent. */
    readonly call?: { readonly site: CallSite; readonly operation: string };
}

/**
 * Runs one call, repeating it after throttling, 5xx answers, resets, refused connections and
 * timeouts, with exponential backoff and jitter. `attempt` gets the signal that bounds this
 * attempt (time limit and cancellation) and must throw ServiceErrors. Calls that are not safe to
 * repeat pass `idempotent: false` and are tried once; `onRetry` lets a caller remember that an
 * earlier attempt may have taken effect.
 *
 * An attempt whose endpoint took the request and never started to answer is silence, not
 * slowness: a progress line says so while it lasts, and it is tried `silentRetries` more times only.
 */
export async function withRetries<T>(
    policy: RequestPolicy,
    attempt: (signal: AbortSignal, attemptNumber: number) => Promise<T>,
    options: RetryOptions = {},
): Promise<T> {
    const retries = options.idempotent === false ? 0 : policy.maxRetries;
    const log = options.log ?? fallbackLog;
    let silentAttempts = 0;
    let silenceReported = false;
    const reportSilence = (url: URL, waitedMs: number) => {
        if (silenceReported) return;
        silenceReported = true;
        // A service with one endpoint of its own (IAM, RAM) is named by its service, a zone's by its zone.
        const site = options.call?.site;
        const where = site ? `${site.endpointSetting ? site.service : `zone ${site.zone}`} at ${site.endpoint} for ${options.call!.operation}` : url.origin;
        log(`no answer from ${where} after ${seconds(waitedMs)}; still waiting…`);
    };
    for (let attemptNumber = 0; ; attemptNumber++) {
        throwIfCancelled();
        const signal = requestSignal(policy.requestTimeoutMs);
        const watch = watchAnswer(signal, { answerStartTimeoutMs: policy.answerStartTimeoutMs, silenceNoticeMs: silenceNoticeMs(policy), onSilence: reportSilence });
        try {
            return await attempt(signal, attemptNumber);
        } catch (caught) {
            throwIfCancelled();
            let error = caught;
            const silent = isSilence(error, watch);
            if (silent) error = silenceFailure(error as ServiceError, silentWaitMs(policy), ++silentAttempts);
            if (!(error instanceof ServiceError) || !error.retryable || attemptNumber >= retries || silentAttempts > silentRetries) throw error;
            options.onRetry?.(error);
            const pauseMs = backoffMs(policy, attemptNumber);
            if (silent) {
                log(`no answer from zone ${error.zone} at ${error.endpoint} for ${error.operation} in ${seconds(silentWaitMs(policy))}: ` +
                    `trying once more in ${(pauseMs / 1000).toFixed(1)} s on a new connection`);
            } else {
                options.log?.(`retrying ${error.operation} on zone ${error.zone} in ${(pauseMs / 1000).toFixed(1)} s ` +
                    `(attempt ${attemptNumber + 2} of ${retries + 1}) after ${error.httpStatus ? `HTTP ${error.httpStatus} ` : ""}${error.code}`);
            }
            await pause(pauseMs, cancellationSignal());
        }
    }
}

/** A time-out of an attempt that sent its request through sendHttp and saw no answer start. */
function isSilence(error: unknown, watch: AnswerWatch): boolean {
    return error instanceof ServiceError && error.code === "Timeout" && wasSilent(watch);
}

/** How long a silent attempt waited: the first limit that applies to an answer that never starts. */
function silentWaitMs(policy: RequestPolicy): number {
    return Math.min(policy.answerStartTimeoutMs ?? policy.requestTimeoutMs, policy.requestTimeoutMs);
}

export function silenceNoticeMs(policy: RequestPolicy): number {
    return policy.silenceNoticeMs ?? Math.min(10_000, silentWaitMs(policy) / 3);
}

/**
 * The longest a call to a silent endpoint takes under `policy` before it fails, connection aside:
 * each attempt's wait for an answer, and the pause between them.
 */
export function silentCallBoundMs(policy: RequestPolicy): number {
    const wait = silentWaitMs(policy);
    const attempts = 1 + Math.min(silentRetries, policy.maxRetries);
    let pauses = 0;
    for (let n = 0; n < attempts - 1; n++) pauses += Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** n);
    return attempts * wait + pauses;
}

function seconds(ms: number): string {
    return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function backoffMs(policy: RequestPolicy, attemptNumber: number, random: () => number = Math.random): number {
    const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** attemptNumber);
    return Math.round(ceiling / 2 + random() * ceiling / 2);
}
