import type * as Http from "node:http";

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
        const exchange = transport.request(target, { method: request.method, headers, agent: agentFor(secure), signal: request.signal }, (response) => {
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
