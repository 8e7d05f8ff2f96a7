import type * as Http from "node:http";
import { answerWatchOf, NoAnswerError } from "./silence";

/**
 * One HTTP exchange for the clients that are not the AWS SDK (the S3 API of S3-compatible services,
 * MinIO admin, Exoscale IAM, OSS, RAM), on Node's own http/https modules rather than fetch: fetch
 * costs a provider process tens of milliseconds to start on its first call, and a socket can be
 * given a connect time limit apart from the answer's.
 */
export interface HttpRequest {
    readonly method: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: Uint8Array | string;
    /** Ends the exchange: the request's time limit, or cancellation (see cancellation.ts). */
    readonly signal: AbortSignal;
    /** How long the connection may take to open; then the attempt fails with code ConnectTimeout. */
    readonly connectTimeoutMs: number;
}

export interface HttpAnswer {
    readonly status: number;
    readonly statusText: string;
    readonly headers: { get(name: string): string | null };
    readonly body: Buffer;
}

/** A connection that did not open in time; toServiceError reports it as ConnectTimeout. */
export class ConnectTimeoutError extends Error {
    readonly code = "ConnectTimeout";
    constructor(readonly timeoutMs: number) {
        super(`no connection within ${timeoutMs} ms`);
        this.name = "ConnectTimeoutError";
    }
}

/**
 * Sends the request and reads the whole answer. When a retry loop watches the attempt (silence.ts),
 * it is told when the request is sent and when the answer starts, and the answer must start within
 * the watch's limit or the exchange ends with NoAnswerError.
 */
export function sendHttp(url: string | URL, request: HttpRequest): Promise<HttpAnswer> {
    const target = new URL(url);
    const secure = target.protocol === "https:";
    const transport = (secure ? require("node:https") : require("node:http")) as typeof Http;
    const body = typeof request.body === "string" ? Buffer.from(request.body, "utf8") : request.body;
    const headers: Record<string, string> = { ...request.headers };
    // A length, never chunked encoding: signed requests are read whole by the services.
    if (body !== undefined || !/^(GET|HEAD|DELETE)$/.test(request.method)) headers["content-length"] = String(body?.length ?? 0);
    return new Promise<HttpAnswer>((resolve, reject) => {
        if (request.signal.aborted) {
            reject(request.signal.reason);
            return;
        }
        const watch = answerWatchOf(request.signal);
        const silenceTimers: NodeJS.Timeout[] = [];
        const stopSilenceTimers = () => silenceTimers.splice(0).forEach(clearTimeout);
        const exchange = transport.request(target, { method: request.method, headers, agent: agentFor(secure), signal: request.signal }, (response) => {
            stopSilenceTimers();
            if (watch) watch.answered = true;
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("error", reject);
            response.on("end", () => resolve({
                status: response.statusCode ?? 0,
                statusText: response.statusMessage ?? "",
                headers: { get: (name) => headerValue(response.headers[name.toLowerCase()]) },
                body: Buffer.concat(chunks),
            }));
        });
        exchange.on("error", reject);
        exchange.on("close", stopSilenceTimers);
        // From the last byte sent: the connect time has its own limit.
        exchange.on("finish", () => {
            if (!watch || watch.answered) return;
            watch.sentAt = Date.now();
            silenceTimers.push(setTimeout(() => watch.onSilence(target, Date.now() - watch.sentAt!), watch.silenceNoticeMs));
            const limit = watch.answerStartTimeoutMs;
            if (limit !== undefined) silenceTimers.push(setTimeout(() => exchange.destroy(new NoAnswerError(limit)), limit));
        });
        exchange.on("socket", (socket) => {
            if (!socket.connecting) return;
            const timer = setTimeout(() => exchange.destroy(new ConnectTimeoutError(request.connectTimeoutMs)), request.connectTimeoutMs);
            socket.once("connect", () => clearTimeout(timer));
            socket.once("close", () => clearTimeout(timer));
        });
        exchange.end(body);
    });
}

const agents: { http?: Http.Agent; https?: Http.Agent } = {};

/** Connections are kept for the next request, as fetch would; idle ones never hold the process open. */
function agentFor(secure: boolean): Http.Agent {
    if (secure) return agents.https ??= new (require("node:https") as typeof import("node:https")).Agent({ keepAlive: true });
    return agents.http ??= new (require("node:http") as typeof Http).Agent({ keepAlive: true });
}

function headerValue(value: string | string[] | undefined): string | null {
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
}
