/**
 * Silence: an endpoint that accepted the connection and sends nothing back, not even a status line
 * (a mistyped port of another program, a proxy with nothing behind it, a connection dropped on the
 * way). It is not a slow or busy service, which answers 503 or SlowDown at once, so it is reported
 * while it lasts and tried once more only, instead of being retried as throttling is.
 *
 * withRetries opens a watch for each attempt, keyed by the attempt's signal (which every client
 * hands to sendHttp); sendHttp tells it when the request is sent and when the answer starts.
 */
export interface AnswerWatch {
    /** How long the answer may take to start once the request is sent; unset: only the attempt's own time limit. */
    readonly answerStartTimeoutMs?: number;
    /** When `onSilence` is told that nothing came back yet. */
    readonly silenceNoticeMs: number;
    /** The request to `url` was sent `waitedMs` ago and no answer has started. */
    readonly onSilence: (url: URL, waitedMs: number) => void;
    /** Set by sendHttp: the request was sent (at this time, from Date.now()). */
    sentAt?: number;
    /** Set by sendHttp: the status line and headers arrived. */
    answered: boolean;
}

const watches = new WeakMap<AbortSignal, AnswerWatch>();

/** Opens the watch of the attempt that `signal` bounds. */
export function watchAnswer(signal: AbortSignal, watch: Omit<AnswerWatch, "answered" | "sentAt">): AnswerWatch {
    const opened: AnswerWatch = { ...watch, answered: false };
    watches.set(signal, opened);
    return opened;
}

/** The watch of the attempt that `signal` bounds, if a retry loop opened one. */
export function answerWatchOf(signal: AbortSignal): AnswerWatch | undefined {
    return watches.get(signal);
}

/** Whether the attempt under `watch` sent its request and never saw the answer start. */
export function wasSilent(watch: AnswerWatch): boolean {
    return watch.sentAt !== undefined && !watch.answered;
}

/** An answer that did not start in time; toServiceError reports it as a Timeout. */
export class NoAnswerError extends Error {
    readonly code = "NoAnswer";
    constructor(readonly timeoutMs: number) {
        super(`no answer started within ${timeoutMs} ms of sending the request`);
        this.name = "NoAnswerError";
    }
}
