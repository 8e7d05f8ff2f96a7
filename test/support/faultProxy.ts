import * as http from "http";
import type { AddressInfo, Socket } from "net";

/**
 * A reverse proxy on 127.0.0.1 in front of one MinIO server, for the fault suite: it passes every
 * request through unchanged (headers, Host included, and bodies byte for byte, so SigV4 signatures
 * stay valid: MinIO accepts any Host), except those that a rule selects, which get a fault instead.
 * Every request is recorded, so a test can assert what the provider sent and which faults fired.
 */

/** What a selected request gets instead of (or before) the server's answer. */
export type Fault =
    /** HTTP 503 with S3's SlowDown error document: throttling. */
    | { readonly kind: "slowDown" }
    /** HTTP 500 with S3's InternalError error document. */
    | { readonly kind: "internalError" }
    /** The connection is reset (TCP RST) without an answer: the client reads ECONNRESET. */
    | { readonly kind: "reset" }
    /**
     * The server gets the request and acts on it, but its answer is lost: the connection is destroyed
     * when the answer arrives. The client cannot tell this from a reset; a repeat finds the effect done.
     */
    | { readonly kind: "lostAnswer" }
    /** The request is accepted and held: never answered when `seconds` is unset, else forwarded after `seconds`. */
    | { readonly kind: "stall"; readonly seconds?: number }
    /**
     * The server goes away for `seconds`: this and every open connection are reset, and new ones are
     * refused (ECONNREFUSED) until the port is listened on again.
     */
    | { readonly kind: "restart"; readonly seconds: number };

export const slowDown = (): Fault => ({ kind: "slowDown" });
export const internalError = (): Fault => ({ kind: "internalError" });
export const reset = (): Fault => ({ kind: "reset" });
export const lostAnswer = (): Fault => ({ kind: "lostAnswer" });
export const stall = (seconds?: number): Fault => ({ kind: "stall", seconds });
export const restart = (seconds: number): Fault => ({ kind: "restart", seconds });

export function describeFault(fault: Fault): string {
    switch (fault.kind) {
        case "slowDown": return "503 SlowDown";
        case "internalError": return "500 InternalError";
        case "reset": return "connection reset";
        case "lostAnswer": return "answer lost (applied, then reset)";
        case "stall": return fault.seconds === undefined ? "stall (never answered)" : `stall of ${fault.seconds} s`;
        case "restart": return `server restart (${fault.seconds} s away)`;
    }
}

/** Which requests a rule selects; every field given must match. */
export interface RequestMatcher {
    /** The operation as `operationOf` names it: `CreateBucket`, `PutBucketTagging`, `admin:add-user`... */
    readonly op?: string | readonly string[];
    readonly method?: string;
    /** The path (without query): exact text, or a pattern. */
    readonly path?: string | RegExp;
    /** Query keys that must all be present, such as `tagging`, `versioning`, `replication`. */
    readonly query?: string | readonly string[];
    /** The access key the request is signed with (SigV4 `Credential=`). */
    readonly accessKey?: string;
}

export interface FaultRule {
    readonly match: RequestMatcher;
    readonly fault: Fault;
    /** The first matching request that gets the fault, counting from 1. Default 1. */
    readonly nth?: number;
    /** How many matching requests from the nth on get it: a number, or "every". Default 1. */
    readonly times?: number | "every";
}

export interface RecordedRequest {
    readonly seq: number;
    readonly at: number;
    readonly method: string;
    readonly path: string;
    /** The raw query string, without `?`. */
    readonly query: string;
    readonly op: string;
    readonly accessKey?: string;
    /** The fault it got, if a rule selected it. */
    fault?: string;
    /** The status the client received, when it received one. */
    status?: number;
}

interface ActiveRule extends FaultRule {
    matched: number;
    fired: number;
}

/** A request stalled for ever, kept so that `release` or `close` can end it. */
interface HeldRequest {
    readonly response: http.ServerResponse;
}

export class FaultProxy {
    private readonly server: http.Server;
    private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    private readonly rules: ActiveRule[] = [];
    private readonly log: RecordedRequest[] = [];
    private readonly sockets = new Set<Socket>();
    private readonly held = new Set<HeldRequest>();
    private readonly timers = new Set<NodeJS.Timeout>();
    private readonly waiters: Array<{ match: RequestMatcher; resolve: (r: RecordedRequest) => void }> = [];
    private downUntil = 0;
    private restartTimer?: NodeJS.Timeout;
    private closed = false;
    private port = 0;
    private readonly upstream: URL;

    private constructor(upstream: string, readonly name: string) {
        this.upstream = new URL(upstream);
        this.server = http.createServer((request, response) => this.handle(request, response));
        // A stalled request is held as long as the test wants; the client's own time limit ends it.
        this.server.requestTimeout = 0;
        this.server.on("connection", (socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
        // Clients that hang up mid-request must not take the proxy down.
        this.server.on("clientError", (_error, socket) => socket.destroy());
    }

    /** Starts a proxy on a free port of 127.0.0.1 in front of `upstream` (such as `http://127.0.0.1:9300`). */
    static async start(upstream: string, name = upstream): Promise<FaultProxy> {
        const proxy = new FaultProxy(upstream, name);
        await proxy.listen(0);
        return proxy;
    }

    /** The proxy's own base URL, to configure as the zone's endpoint. */
    get endpoint(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    /** Adds a rule; rules are tried in the order added, the first that selects a request wins. */
    inject(rule: FaultRule): this {
        this.rules.push({ ...rule, matched: 0, fired: 0 });
        return this;
    }

    /**
     * Removes every rule; requests still held by a stall are reset (their clients gave up long ago or
     * retry), and a server "restarting" is back at once.
     */
    clearFaults(): void {
        this.rules.length = 0;
        for (const { response } of this.held) response.socket?.destroy();
        this.held.clear();
        if (this.downUntil > Date.now()) this.comeBack();
    }

    /** How many requests each rule has given its fault so far, in the order the rules were added. */
    firedCounts(): number[] {
        return this.rules.map((rule) => rule.fired);
    }

    /** Every request seen so far, oldest first, optionally only those that `match` selects. */
    requests(match?: RequestMatcher): RecordedRequest[] {
        return match ? this.log.filter((r) => matches(match, r)) : [...this.log];
    }

    /** The requests that got a fault. */
    faulted(): RecordedRequest[] {
        return this.log.filter((r) => r.fault !== undefined);
    }

    /**
     * Resolves when a request that `match` selects arrives (after its fault, if any, was applied), so
     * that a test can act at that moment: kill the client, interrupt it.
     */
    when(match: RequestMatcher): Promise<RecordedRequest> {
        return new Promise((resolve) => this.waiters.push({ match, resolve }));
    }

    /** Forgets the recorded requests (the rules stay). */
    clearLog(): void {
        this.log.length = 0;
    }

    async close(): Promise<void> {
        this.closed = true;
        this.rules.length = 0;
        clearTimeout(this.restartTimer);
        for (const timer of this.timers) clearTimeout(timer);
        for (const { response } of this.held) response.destroy();
        this.held.clear();
        for (const socket of this.sockets) socket.destroy();
        this.agent.destroy();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private listen(port: number): Promise<void> {
        return new Promise((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(port, "127.0.0.1", () => {
                this.server.off("error", reject);
                this.port = (this.server.address() as AddressInfo).port;
                resolve();
            });
        });
    }

    private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
        const url = new URL(request.url ?? "/", "http://proxy");
        const record: RecordedRequest = {
            seq: this.log.length + 1,
            at: Date.now(),
            method: request.method ?? "GET",
            path: url.pathname,
            query: url.search.replace(/^\?/, ""),
            op: operationOf(request.method ?? "GET", url),
            accessKey: accessKeyOf(request.headers.authorization),
        };
        this.log.push(record);
        response.on("finish", () => { record.status = response.statusCode; });
        if (Date.now() < this.downUntil) {
            record.fault = "server restart (down)";
            request.socket.destroy();
            this.notifyWaiters(record);
            return;
        }
        const rule = this.selectingRule(record);
        if (rule) {
            record.fault = describeFault(rule.fault);
            this.apply(rule.fault, request, response);
        } else {
            this.forward(request, response);
        }
        this.notifyWaiters(record);
    }

    private notifyWaiters(record: RecordedRequest): void {
        for (const waiter of [...this.waiters]) {
            if (!matches(waiter.match, record)) continue;
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(record);
        }
    }

    /** Every rule that matches counts the request (so `nth` counts what it matches); the first that is due wins. */
    private selectingRule(record: RecordedRequest): ActiveRule | undefined {
        let selected: ActiveRule | undefined;
        for (const rule of this.rules) {
            if (!matches(rule.match, record)) continue;
            rule.matched++;
            const nth = rule.nth ?? 1;
            const times = rule.times ?? 1;
            if (!selected && rule.matched >= nth && (times === "every" || rule.matched < nth + times)) selected = rule;
        }
        if (selected) selected.fired++;
        return selected;
    }

    private apply(fault: Fault, request: http.IncomingMessage, response: http.ServerResponse): void {
        switch (fault.kind) {
            case "slowDown":
                return this.answerError(request, response, 503, "SlowDown", "Please reduce your request rate.");
            case "internalError":
                return this.answerError(request, response, 500, "InternalError",
                    "We encountered an internal error, please try again.");
            case "reset":
                resetConnection(request.socket);
                return;
            case "lostAnswer":
                this.forward(request, response, { dropAnswer: true });
                return;
            case "stall": {
                if (fault.seconds === undefined) {
                    const held: HeldRequest = { response };
                    this.held.add(held);
                    response.on("close", () => this.held.delete(held));
                    return;
                }
                this.later(fault.seconds * 1000, () => {
                    if (!request.socket.destroyed) this.forward(request, response);
                });
                return;
            }
            case "restart":
                this.goAway(fault.seconds);
                return;
        }
    }

    /** Resets every connection and refuses new ones for `seconds`, as a server being restarted does. */
    private goAway(seconds: number): void {
        if (this.downUntil > Date.now()) return;
        this.downUntil = Date.now() + seconds * 1000;
        for (const socket of this.sockets) socket.destroy();
        this.server.close();
        this.restartTimer = setTimeout(() => this.comeBack(), seconds * 1000);
    }

    /** Listens again on the same port, so that the endpoint in the stack's configuration stays right. */
    private comeBack(): void {
        clearTimeout(this.restartTimer);
        this.restartTimer = undefined;
        this.downUntil = 0;
        if (this.closed || this.server.listening) return;
        void this.listen(this.port).catch((error) => {
            process.stderr.write(`[faultProxy ${this.name}] could not listen again on port ${this.port}: ${error}\n`);
        });
    }

    private answerError(request: http.IncomingMessage, response: http.ServerResponse, status: number, code: string, message: string): void {
        const url = new URL(request.url ?? "/", "http://proxy");
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
            `<Resource>${url.pathname}</Resource><RequestId>fault-proxy</RequestId></Error>`;
        // Drain the request body first, so that the client sees an answer and not a broken pipe.
        request.resume();
        request.on("end", () => {
            response.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body), "x-fault-proxy": code });
            response.end(body);
        });
    }

    /** Passes the request to the server as it came and the answer back as it comes, streamed both ways. */
    private forward(request: http.IncomingMessage, response: http.ServerResponse, options: { dropAnswer?: boolean } = {}): void {
        const upstreamRequest = http.request({
            protocol: this.upstream.protocol,
            hostname: this.upstream.hostname,
            port: this.upstream.port,
            method: request.method,
            path: request.url,
            // The raw header list keeps the client's Host, which the signature covers.
            headers: request.rawHeaders as unknown as http.OutgoingHttpHeaders,
            agent: this.agent,
        });
        upstreamRequest.on("response", (upstreamResponse) => {
            if (options.dropAnswer) {
                upstreamResponse.resume();
                resetConnection(request.socket);
                return;
            }
            response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.statusMessage, upstreamResponse.rawHeaders as unknown as http.OutgoingHttpHeaders);
            upstreamResponse.pipe(response);
            upstreamResponse.on("error", () => response.destroy());
        });
        upstreamRequest.on("error", () => request.socket.destroy());
        response.on("close", () => { if (!response.writableFinished) upstreamRequest.destroy(); });
        request.pipe(upstreamRequest);
    }

    private later(ms: number, run: () => void): void {
        const timer = setTimeout(() => { this.timers.delete(timer); run(); }, ms);
        this.timers.add(timer);
    }
}

/** Ends a connection with a TCP RST, as a crashed peer or a middlebox does: the client reads ECONNRESET. */
function resetConnection(socket: Socket): void {
    if (typeof socket.resetAndDestroy === "function" && !socket.destroyed) socket.resetAndDestroy();
    else socket.destroy();
}

function matches(match: RequestMatcher, record: RecordedRequest): boolean {
    if (match.op !== undefined && !(typeof match.op === "string" ? [match.op] : match.op).includes(record.op)) return false;
    if (match.method !== undefined && match.method.toUpperCase() !== record.method) return false;
    if (match.path !== undefined && !(typeof match.path === "string" ? match.path === record.path : match.path.test(record.path))) return false;
    if (match.query !== undefined) {
        const keys = new URLSearchParams(record.query);
        if (!(typeof match.query === "string" ? [match.query] : match.query).every((key) => keys.has(key))) return false;
    }
    if (match.accessKey !== undefined && match.accessKey !== record.accessKey) return false;
    return true;
}

/** The access key of a SigV4 Authorization header (`... Credential=AKID/date/region/s3/aws4_request, ...`). */
function accessKeyOf(authorization: string | undefined): string | undefined {
    return authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
}

/** S3 sub-resources that name the bucket operation, in the order they are checked. */
const bucketSubresources: ReadonlyArray<[string, string]> = [
    ["tagging", "BucketTagging"], ["versioning", "BucketVersioning"], ["replication", "BucketReplication"],
    ["policy", "BucketPolicy"], ["lifecycle", "BucketLifecycle"], ["encryption", "BucketEncryption"],
    ["object-lock", "ObjectLockConfiguration"], ["location", "BucketLocation"], ["notification", "BucketNotificationConfiguration"],
];

/**
 * A name for what a request does: MinIO admin calls as `admin:<path after /minio/admin/v3/>`
 * (`admin:add-user`, `admin:idp/builtin/policy/attach`), S3 calls by their API name
 * (`CreateBucket`, `PutBucketTagging`, `PutObject`...), health probes as `health`.
 */
export function operationOf(method: string, url: URL): string {
    const path = url.pathname;
    const admin = /^\/minio\/admin\/v\d+\/(.+)$/.exec(path);
    if (admin) return `admin:${admin[1]}`;
    if (path.startsWith("/minio/health/")) return "health";
    if (path.startsWith("/minio/")) return `minio:${path.slice("/minio/".length)}`;
    const verb = ({ GET: "Get", PUT: "Put", DELETE: "Delete", HEAD: "Head", POST: "Post" } as Record<string, string>)[method.toUpperCase()] ?? method;
    const keys = new URLSearchParams(url.search);
    const parts = path.split("/").filter((p) => p.length > 0);
    if (parts.length === 0) return method.toUpperCase() === "GET" ? "ListBuckets" : `${verb}Service`;
    if (parts.length === 1) {
        for (const [key, name] of bucketSubresources) if (keys.has(key)) return `${verb}${name}`;
        if (keys.has("versions")) return "ListObjectVersions";
        if (keys.has("uploads")) return "ListMultipartUploads";
        if (keys.has("delete") && verb === "Post") return "DeleteObjects";
        switch (verb) {
            case "Put": return "CreateBucket";
            case "Head": return "HeadBucket";
            case "Delete": return "DeleteBucket";
            case "Get": return "ListObjects";
            default: return `${verb}Bucket`;
        }
    }
    if (keys.has("tagging")) return `${verb}ObjectTagging`;
    if (keys.has("retention")) return `${verb}ObjectRetention`;
    if (keys.has("uploadId") || keys.has("uploads")) return `${verb}MultipartUpload`;
    return `${verb}Object`;
}
