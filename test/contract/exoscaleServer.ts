/**
 * A local stand-in for Exoscale, for contract tests: the IAM v2 role and operation endpoints (under /v2,
 * EXO2-HMAC-SHA256 signatures checked) and a minimal SOS S3 API per zone (path style, SigV4 checked,
 * the zone as signing region). Requests are held to the shapes Exoscale documents, so that a backend
 * that passes here sends what Exoscale expects. One listener per zone and one for IAM share one state.
 * Buckets with a replication configuration replicate new versions and delete markers to their
 * destinations, asynchronously, with x-amz-replication-status on the source and REPLICA on the copy
 * (see "Replication" below for the documents each rule comes from).
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import * as http from "node:http";
import { closeAll, listen, serve } from "./contractHttp";
import { child, children, escapeXml, parseXml, text, type XmlElement } from "./contractXml";

export const contractCredentials = {
    accessKey: "EXOcontract0123456789abcdef",
    secretKey: "contract-secret-for-local-tests-only-0123456",
} as const;

export const defaultContractZones: readonly string[] = ["ch-dk-2", "at-vie-1"];

// ---------------------------------------------------------------------------------------------------
// State

export interface ContractRole {
    id: string;
    name: string;
    description?: string;
    editable: boolean;
    labels: Record<string, string>;
    permissions: string[];
    policy: unknown;
}

export interface ContractOperation {
    id: string;
    state: "pending" | "success" | "failure";
    reason?: string;
    message?: string;
    reference?: { id: string; link: string; command: string };
    /** Polls left that still answer "pending". */
    pendingPollsLeft: number;
    /** Applies the mutation when the operation succeeds; mutations become visible only then. */
    complete: () => void;
    failure?: { reason: string; message: string; applyAnyway?: boolean };
}

export interface ContractObjectVersion {
    key: string;
    versionId: string;
    deleteMarker: boolean;
    body: Buffer;
    etag: string;
    lastModified: Date;
    /**
     * x-amz-replication-status as HEAD and GET answer it: PENDING, COMPLETED or FAILED on a source version a
     * rule applies to, REPLICA on the copy replication made, none otherwise (replication below).
     */
    replicationStatus?: "PENDING" | "COMPLETED" | "FAILED" | "REPLICA";
}

/** One attempt of replication to copy a version or delete marker to one destination, as the server made it. */
export interface ReplicationAttempt {
    readonly source: string;
    readonly key: string;
    readonly versionId: string;
    readonly deleteMarker: boolean;
    readonly ruleId: string;
    readonly destination: string;
    readonly outcome: "COMPLETED" | "FAILED";
    /** Why it failed. */
    readonly reason?: string;
}

/** The replication document as SOS understands it, parsed from the PutBucketReplication XML. */
export interface SosReplicationDocument {
    Role: string;
    Rules: SosReplicationRule[];
}

export interface SosReplicationRule {
    ID: string;
    Priority: number;
    Status: "Enabled" | "Disabled";
    Filter: { Prefix: string };
    DeleteMarkerReplication: { Status: "Enabled" | "Disabled" };
    Destination: { Bucket: string; StorageClass?: string };
}

export interface ContractBucket {
    name: string;
    zone: string;
    versioning: "Unversioned" | "Enabled" | "Suspended";
    tags?: Record<string, string>;
    /** Oldest first. */
    versions: ContractObjectVersion[];
    replication?: { xml: string; document: SosReplicationDocument };
}

export interface RecordedRequest {
    service: "iam" | "sos";
    /** The S3 zone, for SOS requests. */
    zone?: string;
    /** The API operation the server understood, e.g. `PutBucketReplication` or `create-iam-role`. */
    operation: string;
    method: string;
    path: string;
    query: string;
    body: string;
    /** The HTTP status answered; 0 when no answer was sent (a reset, a stall). */
    status: number;
    /** The fault injected into this request, if any. */
    fault?: FaultKind;
}

/**
 * What can go wrong between a client and the service:
 * - "503": the service is unavailable (IAM: JSON message; SOS: SlowDown), nothing done;
 * - "500": an internal error (SOS: InternalError), nothing done;
 * - "reset": the connection is reset before anything is done;
 * - "stall": the request is held without an answer, for `stallMs` and then handled, or for ever;
 * - "lost-answer": the request is carried out (an IAM operation is completed at once), then the
 *   connection is reset instead of answering, so the client cannot know it took effect.
 */
export type FaultKind = "503" | "500" | "reset" | "stall" | "lost-answer";

export interface Fault {
    readonly kind: FaultKind;
    /** The operation it hits, as `RecordedRequest.operation` names it: `create-iam-role`, `PutBucketReplication`... */
    readonly operation: string;
    /** Only requests to this SOS zone (default: any zone, and IAM). */
    readonly zone?: string;
    /** How many matching requests it hits (default 1); `Infinity` for a fault that persists. */
    readonly times?: number;
    /** How many matching requests it lets through first (default 0). */
    readonly skip?: number;
    /** For "stall": how long to hold the request before handling it (default: never answer). */
    readonly stallMs?: number;
}

export class ContractState {
    readonly roles = new Map<string, ContractRole>();
    readonly operations = new Map<string, ContractOperation>();
    /** Bucket names are unique across zones, as on SOS. */
    readonly buckets = new Map<string, ContractBucket>();
    readonly requests: RecordedRequest[] = [];
    /** How many polls of a new operation answer "pending" before it ends. */
    pendingPolls = 1;
    /**
     * When set, the next IAM mutation's operation ends in this failure (and is cleared); with
     * `applyAnyway` the mutation takes effect all the same, as a job that fails half-way might.
     */
    failNextOperation?: { reason: string; message: string; applyAnyway?: boolean };
    private readonly faults: { fault: Fault; left: number; toSkip: number }[] = [];
    /** Called as each request arrives, before it is handled: lets a test change the world at that moment. */
    onRequest?: (request: RecordedRequest) => void;
    /** How long replication takes to copy a new version (so that PENDING can be seen), in milliseconds. */
    replicationDelayMs = 100;
    /** Every copy replication attempted, in order. */
    readonly replications: ReplicationAttempt[] = [];
    private readonly replicationTimers = new Set<NodeJS.Timeout>();
    private readonly replicationWaiters: (() => void)[] = [];

    /** Runs `copy` after the replication delay, as SOS replicates asynchronously (see scheduleReplication). */
    replicateLater(copy: () => void): void {
        const timer = setTimeout(() => {
            this.replicationTimers.delete(timer);
            copy();
            if (this.replicationTimers.size === 0) this.replicationWaiters.splice(0).forEach((resolve) => resolve());
        }, this.replicationDelayMs);
        this.replicationTimers.add(timer);
    }

    /** Resolves once no replication is in flight. */
    replicationSettled(): Promise<void> {
        if (this.replicationTimers.size === 0) return Promise.resolve();
        return new Promise((resolve) => this.replicationWaiters.push(resolve));
    }

    /** Drops replication still in flight (the server is closing). */
    stopReplication(): void {
        for (const timer of this.replicationTimers) clearTimeout(timer);
        this.replicationTimers.clear();
        this.replicationWaiters.splice(0).forEach((resolve) => resolve());
    }

    /** Injects `fault` into the next matching requests (see FaultKind). */
    injectFault(fault: Fault): void {
        this.faults.push({ fault, left: fault.times ?? 1, toSkip: fault.skip ?? 0 });
    }

    clearFaults(): void {
        this.faults.length = 0;
    }

    /** The first fault still due for a request of `operation` (to `zone`, for SOS), counted as used. */
    takeFault(operation: string, zone?: string): Fault | undefined {
        const due = this.faults.find(({ fault, left }) => left > 0 && fault.operation === operation && (fault.zone === undefined || fault.zone === zone));
        if (!due) return undefined;
        if (due.toSkip > 0) {
            due.toSkip -= 1;
            return undefined;
        }
        due.left -= 1;
        return due.fault;
    }

    /** Requests that a fault hit. */
    faultedRequests(operation?: string): RecordedRequest[] {
        return this.requests.filter((r) => r.fault !== undefined && (operation === undefined || r.operation === operation));
    }

    /** Deletes a role behind the backend's back, as someone using the portal would. */
    deleteRoleOutOfBand(id: string): boolean {
        return this.roles.delete(id);
    }

    replicationOf(bucket: string): SosReplicationDocument | undefined {
        return this.buckets.get(bucket)?.replication?.document;
    }

    requestsFor(operation: string): RecordedRequest[] {
        return this.requests.filter((r) => r.operation === operation);
    }
}

export interface ExoscaleContractServer {
    /** Base URL of the IAM API, ending in /v2, for `BackendSettings.iamEndpoint`. */
    readonly iamEndpoint: string;
    readonly zones: Record<string, { endpoint: string; region: string }>;
    readonly credentials: { accessKey: string; secretKey: string };
    readonly state: ContractState;
    close(): Promise<void>;
}

export interface ContractServerOptions {
    readonly zones?: readonly string[];
    /** How many polls of an operation answer "pending" before it ends (default 1). */
    readonly pendingPolls?: number;
    /** How long replication takes to copy a new version, in milliseconds (default 100). */
    readonly replicationDelayMs?: number;
}

export async function startExoscaleContractServer(options: ContractServerOptions = {}): Promise<ExoscaleContractServer> {
    const state = new ContractState();
    state.pendingPolls = options.pendingPolls ?? 1;
    state.replicationDelayMs = options.replicationDelayMs ?? state.replicationDelayMs;
    const servers: http.Server[] = [];

    const iamServer = http.createServer((req, res) => void serve(req, res, (body) => handleIam(state, req, res, body)));
    servers.push(iamServer);
    const iamPort = await listen(iamServer);

    const zones: Record<string, { endpoint: string; region: string }> = {};
    for (const zone of options.zones ?? defaultContractZones) {
        const server = http.createServer((req, res) => void serve(req, res, (body) => handleSos(state, zone, req, res, body)));
        servers.push(server);
        zones[zone] = { endpoint: `http://127.0.0.1:${await listen(server)}`, region: zone };
    }

    return {
        iamEndpoint: `http://127.0.0.1:${iamPort}/v2`,
        zones,
        credentials: { ...contractCredentials },
        state,
        close: async () => {
            state.stopReplication();
            await closeAll(servers);
        },
    };
}



// ---------------------------------------------------------------------------------------------------
// IAM v2

class IamProblem extends Error {
    constructor(readonly status: number, message: string) {
        super(message);
    }
}

async function handleIam(state: ContractState, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?", 2);
    const method = req.method ?? "GET";
    const text = body.toString("utf8");
    const record: RecordedRequest = { service: "iam", operation: iamOperationName(method, rawPath), method, path: rawPath, query: rawQuery, body: text, status: 0 };
    state.requests.push(record);
    state.onRequest?.(record);
    const fault = state.takeFault(record.operation);
    const answer = (status: number, json: unknown) => {
        if (fault?.kind === "lost-answer") {
            // The work is done and its operation finished, but the client never hears of it.
            const operation = state.operations.get((json as { id?: string })?.id ?? "");
            if (status === 200 && operation) {
                operation.pendingPollsLeft = 0;
                pollOperation(operation);
            }
            return dropConnection(req, record);
        }
        record.status = status;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
    };
    if (fault && await injectBefore(fault, record, req, (status) => answer(status, {
        message: status === 503 ? "Service temporarily unavailable (fault injected by the contract server)" : "Internal server error (fault injected by the contract server)",
    }))) return;
    try {
        const authProblem = verifyExo2(req.headers.authorization, method, rawPath, new URLSearchParams(rawQuery), text);
        if (authProblem) throw new IamProblem(403, authProblem);

        const rolePath = /^\/v2\/iam-role\/([^/:]+)(:policy)?$/.exec(rawPath);
        const operationPath = /^\/v2\/operation\/([^/]+)$/.exec(rawPath);
        switch (record.operation) {
            case "list-iam-roles":
                return answer(200, { "iam-roles": [...state.roles.values()] });
            case "create-iam-role": {
                const role = validateNewRole(jsonBody(req, text));
                const id = randomUUID();
                return answer(200, startOperation(state, id, "create-iam-role", () => {
                    state.roles.set(id, { ...role, id });
                }));
            }
            case "get-iam-role":
                return answer(200, existingRole(state, decodeURIComponent(rolePath![1])));
            case "update-iam-role": {
                const role = existingRole(state, decodeURIComponent(rolePath![1]));
                const changes = validateRoleUpdate(jsonBody(req, text));
                return answer(200, startOperation(state, role.id, "update-iam-role", () => {
                    Object.assign(role, changes);
                }));
            }
            case "update-iam-role-policy": {
                const role = existingRole(state, decodeURIComponent(rolePath![1]));
                const policy = jsonBody(req, text);
                const problems = policyProblems(policy, "policy");
                if (problems.length > 0) throw new IamProblem(400, problems.join("; "));
                if (!role.editable) throw new IamProblem(403, `IAM role ${role.id} is not editable: its policy cannot be changed`);
                return answer(200, startOperation(state, role.id, "update-iam-role-policy", () => {
                    role.policy = policy;
                }));
            }
            case "delete-iam-role": {
                const role = existingRole(state, decodeURIComponent(rolePath![1]));
                return answer(200, startOperation(state, role.id, "delete-iam-role", () => {
                    state.roles.delete(role.id);
                }));
            }
            case "get-operation": {
                const operation = state.operations.get(decodeURIComponent(operationPath![1]));
                if (!operation) throw new IamProblem(404, `Operation ${operationPath![1]} not found`);
                return answer(200, pollOperation(operation));
            }
        }
        throw new IamProblem(404, `The contract server has no ${method} ${rawPath}`);
    } catch (error) {
        if (error instanceof IamProblem) return answer(error.status, { message: error.message });
        throw error;
    }
}

/** The API operation (the OpenAPI operationId) of a request, or "unknown". */
function iamOperationName(method: string, rawPath: string): string {
    const rolePath = /^\/v2\/iam-role\/([^/:]+)(:policy)?$/.exec(rawPath);
    if (rawPath === "/v2/iam-role") return ({ GET: "list-iam-roles", POST: "create-iam-role" } as Record<string, string>)[method] ?? "unknown";
    if (rolePath && rolePath[2]) return method === "PUT" ? "update-iam-role-policy" : "unknown";
    if (rolePath) return ({ GET: "get-iam-role", PUT: "update-iam-role", DELETE: "delete-iam-role" } as Record<string, string>)[method] ?? "unknown";
    if (/^\/v2\/operation\/[^/]+$/.test(rawPath) && method === "GET") return "get-operation";
    return "unknown";
}

/**
 * Applies the part of `fault` that comes before the request is handled. True when that settles
 * the request (an error answer, a reset, a stall for ever); false when it is to be handled.
 */
async function injectBefore(fault: Fault, record: RecordedRequest, req: http.IncomingMessage, errorAnswer: (status: 500 | 503) => void): Promise<boolean> {
    record.fault = fault.kind;
    switch (fault.kind) {
        case "503":
        case "500":
            errorAnswer(fault.kind === "503" ? 503 : 500);
            return true;
        case "reset":
            dropConnection(req, record);
            return true;
        case "stall":
            if (fault.stallMs === undefined) return true;
            await new Promise((resolve) => setTimeout(resolve, fault.stallMs));
            return req.socket.destroyed;
        case "lost-answer":
            return false;
    }
}

/** Resets the connection without an answer. */
function dropConnection(req: http.IncomingMessage, record: RecordedRequest): void {
    record.status = 0;
    const socket = req.socket as import("node:net").Socket & { resetAndDestroy?: () => void };
    if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
    else socket.destroy();
}

/** Checks an EXO2-HMAC-SHA256 Authorization header, computed here independently of the provider's signer. */
function verifyExo2(header: string | undefined, method: string, rawPath: string, query: URLSearchParams, body: string): string | undefined {
    const prefix = "EXO2-HMAC-SHA256 ";
    if (!header || !header.startsWith(prefix)) return "Missing or malformed EXO2-HMAC-SHA256 Authorization header";
    const fields = new Map<string, string>();
    for (const part of header.slice(prefix.length).split(",")) {
        const at = part.indexOf("=");
        if (at < 0) return `Malformed Authorization header field '${part}'`;
        fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
    }
    if (fields.get("credential") !== contractCredentials.accessKey) return "Invalid API key";
    const expires = Number(fields.get("expires"));
    if (!Number.isInteger(expires)) return "Missing or malformed 'expires' in the Authorization header";
    if (expires < Math.floor(Date.now() / 1000)) return "Request signature expired";

    const declared = fields.has("signed-query-args") ? fields.get("signed-query-args")!.split(";") : [];
    const signable = [...new Set(query.keys())].filter((name) => query.getAll(name).length === 1).sort();
    if (declared.join(";") !== signable.join(";")) {
        return `signed-query-args lists '${declared.join(";")}' but the request has '${signable.join(";")}'`;
    }
    const message = [`${method} ${rawPath}`, body, signable.map((name) => query.get(name)).join(""), "", String(expires)].join("\n");
    const expected = createHmac("sha256", contractCredentials.secretKey).update(message, "utf8").digest();
    const given = Buffer.from(fields.get("signature") ?? "", "base64");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "Invalid request signature";
    return undefined;
}

function jsonBody(req: http.IncomingMessage, text: string): unknown {
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
        throw new IamProblem(400, "Content-Type must be application/json");
    }
    try {
        return JSON.parse(text);
    } catch {
        throw new IamProblem(400, "Request body is not valid JSON");
    }
}

function existingRole(state: ContractState, id: string): ContractRole {
    const role = state.roles.get(id);
    if (!role) throw new IamProblem(404, `IAM role ${id} not found`);
    return role;
}

function startOperation(state: ContractState, roleId: string, command: string, complete: () => void): Omit<ContractOperation, "complete" | "pendingPollsLeft" | "failure"> {
    const operation: ContractOperation = {
        id: randomUUID(),
        state: "pending",
        pendingPollsLeft: state.pendingPolls,
        complete,
        failure: state.failNextOperation,
    };
    state.failNextOperation = undefined;
    operation.reference = { id: roleId, link: `/v2/iam-role/${roleId}`, command };
    state.operations.set(operation.id, operation);
    return publicOperation(operation);
}

function pollOperation(operation: ContractOperation): ReturnType<typeof publicOperation> {
    if (operation.state === "pending") {
        if (operation.pendingPollsLeft > 0) {
            operation.pendingPollsLeft -= 1;
        } else if (operation.failure) {
            if (operation.failure.applyAnyway) operation.complete();
            operation.state = "failure";
            operation.reason = operation.failure.reason;
            operation.message = operation.failure.message;
        } else {
            operation.complete();
            operation.state = "success";
        }
    }
    return publicOperation(operation);
}

function publicOperation(operation: ContractOperation) {
    const { id, state, reason, message, reference } = operation;
    return { id, state, ...(reason ? { reason } : {}), ...(message ? { message } : {}), ...(reference ? { reference } : {}) };
}

const newRoleFields = ["name", "description", "editable", "labels", "permissions", "policy", "assume-role-policy", "max-session-ttl"];
const roleUpdateFields = ["description", "labels", "permissions", "assume-role-policy", "max-session-ttl"];

function validateNewRole(body: unknown): Omit<ContractRole, "id"> {
    const problems: string[] = [];
    const role = asObject(body, "body", problems);
    unknownFields(role, newRoleFields, "body", problems);
    if (typeof role.name !== "string" || role.name.length < 1 || role.name.length > 191) {
        problems.push("name must be a string of 1 to 191 characters");
    }
    if (role.description !== undefined) checkDescription(role.description, problems);
    if (role.editable !== undefined && typeof role.editable !== "boolean") problems.push("editable must be a boolean");
    if (role.labels !== undefined) checkLabels(role.labels, problems);
    if (role.permissions !== undefined) checkPermissions(role.permissions, problems);
    // The real API grants everything when the policy is left out; the contract demands one.
    if (role.policy === undefined) problems.push("policy is required");
    else problems.push(...policyProblems(role.policy, "policy"));
    if (problems.length > 0) throw new IamProblem(400, problems.join("; "));
    return {
        name: role.name as string,
        description: role.description as string | undefined,
        editable: (role.editable as boolean | undefined) ?? true,
        labels: (role.labels as Record<string, string> | undefined) ?? {},
        permissions: (role.permissions as string[] | undefined) ?? [],
        policy: role.policy,
    };
}

function validateRoleUpdate(body: unknown): Partial<ContractRole> {
    const problems: string[] = [];
    const changes = asObject(body, "body", problems);
    unknownFields(changes, roleUpdateFields, "body (name and editable cannot change; the policy changes through :policy)", problems);
    if (changes.description !== undefined) checkDescription(changes.description, problems);
    if (changes.labels !== undefined) checkLabels(changes.labels, problems);
    if (changes.permissions !== undefined) checkPermissions(changes.permissions, problems);
    if (problems.length > 0) throw new IamProblem(400, problems.join("; "));
    const result: Partial<ContractRole> = {};
    if (changes.description !== undefined) result.description = changes.description as string;
    if (changes.labels !== undefined) result.labels = changes.labels as Record<string, string>;
    if (changes.permissions !== undefined) result.permissions = changes.permissions as string[];
    return result;
}

/**
 * create-iam-role and update-iam-role take a description of 1 to 255 characters (minLength 1,
 * maxLength 255 in the Exoscale API's OpenAPI document, as egoscale v3 ships it in
 * v3/generator/source.yaml); no operation removes a role's description.
 */
function checkDescription(value: unknown, problems: string[]): void {
    if (typeof value !== "string" || value.length < 1 || value.length > 255) problems.push("description must be a string of 1 to 255 characters");
}

/**
 * Exoscale documents label values as starting with a non-digit, made of letters, digits and
 * `* + ! - _ ?`, at most 128 characters (community.exoscale.com, compute/labels). Keys are held to
 * the same characters and length, which the documentation implies but does not state.
 */
function checkLabels(value: unknown, problems: string[]): void {
    if (!isPlainObject(value) || Object.values(value).some((v) => typeof v !== "string")) {
        problems.push("labels must map names to strings");
        return;
    }
    for (const [key, text] of Object.entries(value as Record<string, string>)) {
        if (!/^[A-Za-z0-9*+!_?-]{1,128}$/.test(key)) problems.push(`label key '${key}' must be 1 to 128 letters, digits or * + ! - _ ?`);
        if (!/^([^0-9][A-Za-z0-9*+!_?-]{0,127})?$/.test(text) || /[^A-Za-z0-9*+!_?-]/.test(text)) {
            problems.push(`label '${key}' has the value '${text}': values start with a non-digit and hold at most 128 letters, digits or * + ! - _ ?`);
        }
    }
}

function checkPermissions(value: unknown, problems: string[]): void {
    if (!Array.isArray(value) || value.some((v) => v !== "bypass-governance-retention")) {
        problems.push("permissions must be a list of 'bypass-governance-retention'");
    }
}

/** The documented IAMPolicy shape: a default strategy and services of type allow, deny or rules. */
export function policyProblems(policy: unknown, where: string): string[] {
    const problems: string[] = [];
    const doc = asObject(policy, where, problems);
    if (problems.length > 0) return problems;
    unknownFields(doc, ["default-service-strategy", "services"], where, problems);
    if (doc["default-service-strategy"] !== "allow" && doc["default-service-strategy"] !== "deny") {
        problems.push(`${where}.default-service-strategy must be 'allow' or 'deny'`);
    }
    const services = asObject(doc.services, `${where}.services`, problems);
    for (const [name, value] of Object.entries(services)) {
        const at = `${where}.services.${name}`;
        const service = asObject(value, at, problems);
        unknownFields(service, ["type", "rules"], at, problems);
        if (!["allow", "deny", "rules"].includes(service.type as string)) {
            problems.push(`${at}.type must be 'allow', 'deny' or 'rules'`);
        }
        if (service.type === "rules") {
            if (!Array.isArray(service.rules) || service.rules.length === 0) {
                problems.push(`${at}.rules must list at least one rule when type is 'rules'`);
                continue;
            }
            service.rules.forEach((value: unknown, index: number) => {
                const ruleAt = `${at}.rules[${index}]`;
                const rule = asObject(value, ruleAt, problems);
                unknownFields(rule, ["action", "expression", "resources"], ruleAt, problems);
                if (rule.action !== "allow" && rule.action !== "deny") problems.push(`${ruleAt}.action must be 'allow' or 'deny'`);
                if (typeof rule.expression !== "string" || rule.expression.trim() === "") problems.push(`${ruleAt}.expression must be a CEL expression`);
                if (rule.resources !== undefined && (!Array.isArray(rule.resources) || rule.resources.some((r: unknown) => typeof r !== "string"))) {
                    problems.push(`${ruleAt}.resources must be a list of strings`);
                }
            });
        } else if (service.rules !== undefined && !(Array.isArray(service.rules) && service.rules.length === 0)) {
            problems.push(`${at}.rules only applies when type is 'rules'`);
        }
    }
    return problems;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asObject(value: unknown, where: string, problems: string[]): Record<string, any> {
    if (isPlainObject(value)) return value;
    problems.push(`${where} must be a JSON object`);
    return {};
}

function unknownFields(value: Record<string, unknown>, allowed: readonly string[], where: string, problems: string[]): void {
    for (const key of Object.keys(value)) {
        if (!allowed.includes(key)) problems.push(`${where} has unknown field '${key}'`);
    }
}

// ---------------------------------------------------------------------------------------------------
// SOS (S3)

class S3Problem extends Error {
    constructor(readonly status: number, readonly code: string, message: string) {
        super(message);
    }
}

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
const maxClockSkewMs = 15 * 60 * 1000;

/** Sub-resources the contract server implements; anything else is refused so that surprises show. */
const bucketSubresources = ["tagging", "versioning", "versions", "delete", "replication"];

async function handleSos(state: ContractState, zone: string, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?", 2);
    const method = req.method ?? "GET";
    const query = new URLSearchParams(rawQuery);
    const record: RecordedRequest = {
        service: "sos", zone, operation: "unknown", method, path: rawPath, query: rawQuery, body: body.toString("utf8"), status: 0,
    };
    state.requests.push(record);
    let lostAnswer = false;
    const reply: Reply = (status, xml, headers = {}, raw) => {
        if (lostAnswer) return dropConnection(req, record);
        record.status = status;
        res.writeHead(status, xml === undefined ? headers : { "content-type": "application/xml", ...headers });
        if (method === "HEAD") return void res.end();
        res.end(raw ?? (xml === undefined ? undefined : `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`));
    };
    /** Injects the fault due for this request, once its operation is known; true when that settles it. */
    const injectSosFault = async (): Promise<boolean> => {
        const fault = state.takeFault(record.operation, zone);
        if (!fault) return false;
        lostAnswer = fault.kind === "lost-answer";
        return injectBefore(fault, record, req, (status) => reply(status, status === 503
            ? "<Error><Code>SlowDown</Code><Message>Please reduce your request rate. (fault injected by the contract server)</Message></Error>"
            : "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again. (fault injected by the contract server)</Message></Error>"));
    };
    try {
        await verifySigV4(req, zone, rawPath, query, body);
        const segments = rawPath.split("/").slice(1);
        const bucketName = decodeURIComponent(segments[0] ?? "");
        const key = segments.length > 1 ? segments.slice(1).map(decodeURIComponent).join("/") : "";
        if (bucketName === "") throw new S3Problem(501, "NotImplemented", "The contract server does not list buckets");

        if (key === "") {
            const subresource = [...query.keys()].find((name) => bucketSubresources.includes(name));
            const unknown = [...query.keys()].filter((name) => !bucketSubresources.includes(name) && !["max-keys", "prefix", "key-marker", "version-id-marker", "x-id"].includes(name));
            if (unknown.length > 0) throw new S3Problem(501, "NotImplemented", `The contract server does not implement ?${unknown.join("&")}`);
            record.operation = bucketOperationName(method, subresource);
            if (await injectSosFault()) return;
            return await handleBucketRequest(state, zone, record.operation, bucketName, query, body, reply);
        }
        record.operation = objectOperationName(method);
        if (await injectSosFault()) return;
        return handleObjectRequest(state, zone, record.operation, bucketName, key, query, req, body, reply);
    } catch (error) {
        if (error instanceof S3Problem) {
            return reply(error.status, `<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message>` +
                `<RequestId>${randomBytes(8).toString("hex")}</RequestId></Error>`);
        }
        throw error;
    }
}

function bucketOperationName(method: string, subresource: string | undefined): string {
    const names: Record<string, string> = {
        "PUT ": "CreateBucket", "HEAD ": "HeadBucket", "DELETE ": "DeleteBucket",
        "GET tagging": "GetBucketTagging", "PUT tagging": "PutBucketTagging", "DELETE tagging": "DeleteBucketTagging",
        "GET versioning": "GetBucketVersioning", "PUT versioning": "PutBucketVersioning",
        "GET versions": "ListObjectVersions", "POST delete": "DeleteObjects",
        "GET replication": "GetBucketReplication", "PUT replication": "PutBucketReplication", "DELETE replication": "DeleteBucketReplication",
    };
    return names[`${method} ${subresource ?? ""}`] ?? `${method} ?${subresource ?? ""}`;
}

function objectOperationName(method: string): string {
    return ({ PUT: "PutObject", GET: "GetObject", HEAD: "HeadObject", DELETE: "DeleteObject" } as Record<string, string>)[method] ?? `${method} object`;
}

/** Answers with an S3 XML document, or with `raw` bytes (an object body), or with headers alone. */
type Reply = (status: number, xml?: string, headers?: Record<string, string>, raw?: Buffer) => void;

async function handleBucketRequest(state: ContractState, zone: string, operation: string, name: string, query: URLSearchParams, body: Buffer, reply: Reply): Promise<void> {
    if (operation === "CreateBucket") {
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) throw new S3Problem(400, "InvalidBucketName", `The specified bucket '${name}' is not valid`);
        if (state.buckets.has(name)) throw new S3Problem(409, "BucketAlreadyOwnedByYou", `Bucket '${name}' already exists`);
        state.buckets.set(name, { name, zone, versioning: "Unversioned", versions: [] });
        return reply(200, undefined, { location: `/${name}` });
    }
    const bucket = bucketIn(state, zone, name);
    switch (operation) {
        case "HeadBucket":
            return reply(200);
        case "DeleteBucket":
            if (bucket.versions.length > 0) throw new S3Problem(409, "BucketNotEmpty", `Bucket '${name}' still holds object versions or delete markers`);
            state.buckets.delete(name);
            return reply(204);
        case "GetBucketTagging":
            if (!bucket.tags) throw new S3Problem(404, "NoSuchTagSet", "The TagSet does not exist");
            return reply(200, `<Tagging xmlns="${s3Namespace}"><TagSet>${Object.entries(bucket.tags)
                .map(([k, v]) => `<Tag><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></Tag>`).join("")}</TagSet></Tagging>`);
        case "PutBucketTagging": {
            const tagSet = child(parseXmlBody(body, "Tagging"), "TagSet");
            const tags: Record<string, string> = {};
            for (const tag of children(tagSet, "Tag")) {
                const key = text(tag, "Key");
                if (!key) throw new S3Problem(400, "InvalidTag", "Every Tag needs a Key");
                tags[key] = text(tag, "Value") ?? "";
            }
            bucket.tags = tags;
            return reply(200);
        }
        case "DeleteBucketTagging":
            bucket.tags = undefined;
            return reply(204);
        case "GetBucketVersioning":
            return reply(200, bucket.versioning === "Unversioned"
                ? `<VersioningConfiguration xmlns="${s3Namespace}"/>`
                : `<VersioningConfiguration xmlns="${s3Namespace}"><Status>${bucket.versioning}</Status></VersioningConfiguration>`);
        case "PutBucketVersioning": {
            const status = text(parseXmlBody(body, "VersioningConfiguration"), "Status");
            if (status !== "Enabled" && status !== "Suspended") throw new S3Problem(400, "MalformedXML", "Status must be Enabled or Suspended");
            if (status === "Suspended" && bucket.replication) {
                throw new S3Problem(409, "InvalidBucketState", "A replication configuration is present on this bucket, so versioning cannot be suspended");
            }
            bucket.versioning = status;
            return reply(200);
        }
        case "ListObjectVersions":
            return reply(200, listVersionsXml(bucket, query));
        case "DeleteObjects":
            return reply(200, deleteObjects(state, bucket, body));
        case "PutBucketReplication": {
            const xml = body.toString("utf8");
            bucket.replication = { xml, document: validateReplication(state, bucket, xml) };
            return reply(200);
        }
        case "GetBucketReplication":
            if (!bucket.replication) {
                throw new S3Problem(404, "ReplicationConfigurationNotFoundError", "The replication configuration was not found");
            }
            return reply(200, replicationXml(bucket.replication.document));
        case "DeleteBucketReplication":
            bucket.replication = undefined;
            return reply(204);
        default:
            throw new S3Problem(501, "NotImplemented", `The contract server does not implement ${operation}`);
    }
}

function handleObjectRequest(state: ContractState, zone: string, operation: string, name: string, key: string,
    query: URLSearchParams, req: http.IncomingMessage, body: Buffer, reply: Reply): void {
    const bucket = bucketIn(state, zone, name);
    const versioned = bucket.versioning === "Enabled";
    const addVersion = (version: Omit<ContractObjectVersion, "versionId" | "lastModified">) => {
        const versionId = versioned ? randomBytes(12).toString("hex") : "null";
        // Without versioning the "null" version is overwritten in place.
        bucket.versions = bucket.versions.filter((v) => !(v.key === key && v.versionId === "null"));
        bucket.versions.push({ ...version, versionId, lastModified: new Date() });
        return versionId;
    };
    switch (operation) {
        case "PutObject": {
            if (req.headers["x-amz-copy-source"]) throw new S3Problem(501, "NotImplemented", "CopyObject is not implemented");
            const etag = `"${createHash("md5").update(body).digest("hex")}"`;
            const versionId = addVersion({ key, deleteMarker: false, body, etag });
            scheduleReplication(state, bucket, bucket.versions[bucket.versions.length - 1]);
            return reply(200, undefined, { etag, ...(bucket.versioning !== "Unversioned" ? { "x-amz-version-id": versionId } : {}) });
        }
        case "GetObject":
        case "HeadObject": {
            const wanted = query.get("versionId");
            const version = [...bucket.versions].reverse().find((v) => v.key === key && (wanted === null || v.versionId === wanted));
            if (!version || version.deleteMarker) throw new S3Problem(404, "NoSuchKey", `The specified key '${key}' does not exist`);
            const headers = {
                etag: version.etag,
                "content-length": String(version.body.length),
                "content-type": "application/octet-stream",
                "last-modified": version.lastModified.toUTCString(),
                ...(bucket.versioning !== "Unversioned" ? { "x-amz-version-id": version.versionId } : {}),
                // S3 answers GetObject and HeadObject with the version's replication status (replication-status.html).
                ...(version.replicationStatus ? { "x-amz-replication-status": version.replicationStatus } : {}),
            };
            return reply(200, undefined, headers, operation === "GetObject" ? version.body : undefined);
        }
        case "DeleteObject": {
            const versionId = query.get("versionId");
            if (versionId !== null) {
                bucket.versions = bucket.versions.filter((v) => !(v.key === key && v.versionId === versionId));
                return reply(204, undefined, { "x-amz-version-id": versionId });
            }
            if (bucket.versioning === "Unversioned") {
                bucket.versions = bucket.versions.filter((v) => v.key !== key);
                return reply(204);
            }
            const markerId = addVersion({ key, deleteMarker: true, body: Buffer.alloc(0), etag: "" });
            scheduleReplication(state, bucket, bucket.versions[bucket.versions.length - 1]);
            return reply(204, undefined, { "x-amz-delete-marker": "true", "x-amz-version-id": markerId });
        }
        default:
            throw new S3Problem(501, "NotImplemented", `The contract server does not implement ${operation}`);
    }
}

function bucketIn(state: ContractState, zone: string, name: string): ContractBucket {
    const bucket = state.buckets.get(name);
    if (!bucket || bucket.zone !== zone) throw new S3Problem(404, "NoSuchBucket", `The specified bucket '${name}' does not exist in zone ${zone}`);
    return bucket;
}

/**
 * ListObjectVersions as S3 documents it (API_ListObjectVersions.html): only keys that begin with `prefix`,
 * ordered by key and, within a key, newest version first; `key-marker` starts the listing after that key
 * (after its version `version-id-marker` when one is given); at most `max-keys` entries, and a truncated
 * page names the entry to go on from in NextKeyMarker and NextVersionIdMarker.
 */
function listVersionsXml(bucket: ContractBucket, query: URLSearchParams): string {
    const prefix = query.get("prefix") ?? "";
    const maxKeys = Number(query.get("max-keys") ?? 1000);
    const keyMarker = query.get("key-marker");
    const versionIdMarker = query.get("version-id-marker");
    const latest = new Map<string, ContractObjectVersion>();
    for (const version of bucket.versions) latest.set(version.key, version);
    // Versions are held oldest first: reversed, each key's newest comes first once sorted by key (a stable sort).
    const ordered = [...bucket.versions].reverse().filter((v) => v.key.startsWith(prefix))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let from = 0;
    if (keyMarker !== null && keyMarker !== "") {
        const markerAt = versionIdMarker ? ordered.findIndex((v) => v.key === keyMarker && v.versionId === versionIdMarker) : -1;
        from = markerAt >= 0 ? markerAt + 1 : ordered.findIndex((v) => v.key > keyMarker);
        if (from < 0) from = ordered.length;
    }
    const page = ordered.slice(from, from + maxKeys);
    const truncated = from + page.length < ordered.length;
    const last = page[page.length - 1];
    const entries = page.map((v) => {
        const common = `<Key>${escapeXml(v.key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${latest.get(v.key) === v}</IsLatest>` +
            `<LastModified>${v.lastModified.toISOString()}</LastModified>`;
        return v.deleteMarker
            ? `<DeleteMarker>${common}</DeleteMarker>`
            : `<Version>${common}<ETag>${escapeXml(v.etag)}</ETag><Size>${v.body.length}</Size><StorageClass>STANDARD</StorageClass></Version>`;
    });
    return `<ListVersionsResult xmlns="${s3Namespace}"><Name>${bucket.name}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
        `<KeyMarker>${escapeXml(keyMarker ?? "")}</KeyMarker><VersionIdMarker>${escapeXml(versionIdMarker ?? "")}</VersionIdMarker><MaxKeys>${maxKeys}</MaxKeys>` +
        `<IsTruncated>${truncated}</IsTruncated>` +
        (truncated && last ? `<NextKeyMarker>${escapeXml(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>` : "") +
        `${entries.join("")}</ListVersionsResult>`;
}

/**
 * DeleteObjects as S3 documents it (API_DeleteObjects.html): an entry with a VersionId removes that version;
 * one without, in a versioned bucket, adds a delete marker (which replication may copy), and in an
 * unversioned bucket removes the object.
 */
function deleteObjects(state: ContractState, bucket: ContractBucket, body: Buffer): string {
    const request = parseXmlBody(body, "Delete");
    const quiet = text(request, "Quiet") === "true";
    const deleted: string[] = [];
    for (const object of children(request, "Object")) {
        const key = text(object, "Key") ?? "";
        const versionId = text(object, "VersionId");
        if (versionId !== undefined) {
            bucket.versions = bucket.versions.filter((v) => !(v.key === key && v.versionId === versionId));
            deleted.push(`<Deleted><Key>${escapeXml(key)}</Key><VersionId>${versionId}</VersionId></Deleted>`);
        } else if (bucket.versioning === "Unversioned") {
            bucket.versions = bucket.versions.filter((v) => v.key !== key);
            deleted.push(`<Deleted><Key>${escapeXml(key)}</Key></Deleted>`);
        } else {
            const markerId = bucket.versioning === "Enabled" ? randomBytes(12).toString("hex") : "null";
            bucket.versions = bucket.versions.filter((v) => !(v.key === key && v.versionId === "null" && markerId === "null"));
            const marker: ContractObjectVersion = { key, versionId: markerId, deleteMarker: true, body: Buffer.alloc(0), etag: "", lastModified: new Date() };
            bucket.versions.push(marker);
            scheduleReplication(state, bucket, marker);
            deleted.push(`<Deleted><Key>${escapeXml(key)}</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>${markerId}</DeleteMarkerVersionId></Deleted>`);
        }
    }
    return `<DeleteResult xmlns="${s3Namespace}">${quiet ? "" : deleted.join("")}</DeleteResult>`;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Accepts only the SOS replication document: a role UUID and rules naming plain, existing, versioned buckets. */
function validateReplication(state: ContractState, source: ContractBucket, xml: string): SosReplicationDocument {
    if (source.versioning !== "Enabled") {
        throw new S3Problem(400, "InvalidRequest", `Versioning must be 'Enabled' on bucket '${source.name}' to apply a replication configuration`);
    }
    const root = parseXmlBody(Buffer.from(xml), "ReplicationConfiguration");
    onlyChildren(root, ["Role", "Rule"], "ReplicationConfiguration");
    const role = text(root, "Role") ?? "";
    if (!uuidPattern.test(role)) {
        throw new S3Problem(400, "InvalidArgument", `Role must be the UUID of an Exoscale IAM role, not '${role}'`);
    }
    if (!state.roles.has(role)) throw new S3Problem(400, "InvalidArgument", `IAM role ${role} does not exist`);
    const rules = children(root, "Rule");
    if (rules.length === 0) throw new S3Problem(400, "MalformedXML", "A replication configuration needs at least one Rule");
    const ids = new Set<string>();
    const document: SosReplicationDocument = { Role: role, Rules: [] };
    for (const rule of rules) {
        onlyChildren(rule, ["ID", "Priority", "Status", "Filter", "DeleteMarkerReplication", "Destination"], "Rule");
        const id = text(rule, "ID") ?? "";
        if (id === "" || id.length > 255) throw new S3Problem(400, "InvalidArgument", "Every Rule needs an ID of 1 to 255 characters");
        if (ids.has(id)) throw new S3Problem(400, "InvalidArgument", `Rule ID '${id}' is used twice`);
        ids.add(id);
        const priority = Number(text(rule, "Priority"));
        if (!Number.isInteger(priority) || priority < 0) throw new S3Problem(400, "InvalidArgument", `Rule '${id}' needs an integer Priority`);
        const status = text(rule, "Status");
        if (status !== "Enabled" && status !== "Disabled") throw new S3Problem(400, "MalformedXML", `Rule '${id}' Status must be Enabled or Disabled`);
        const filter = child(rule, "Filter");
        if (!filter) throw new S3Problem(400, "MalformedXML", `Rule '${id}' needs a Filter with a Prefix`);
        onlyChildren(filter, ["Prefix"], `Rule '${id}' Filter (SOS filters by prefix only)`);
        const marker = text(child(rule, "DeleteMarkerReplication"), "Status");
        if (marker !== "Enabled" && marker !== "Disabled") {
            throw new S3Problem(400, "MalformedXML", `Rule '${id}' needs DeleteMarkerReplication/Status Enabled or Disabled`);
        }
        const destination = child(rule, "Destination");
        if (!destination) throw new S3Problem(400, "MalformedXML", `Rule '${id}' needs a Destination`);
        onlyChildren(destination, ["Bucket", "StorageClass"], `Rule '${id}' Destination`);
        const target = text(destination, "Bucket") ?? "";
        if (target.startsWith("arn:")) {
            throw new S3Problem(400, "InvalidArgument", `Rule '${id}' Destination/Bucket must be a plain bucket name, not the ARN '${target}'`);
        }
        const targetBucket = state.buckets.get(target);
        if (!targetBucket) throw new S3Problem(400, "InvalidArgument", `Rule '${id}' destination bucket '${target}' does not exist`);
        if (targetBucket.versioning !== "Enabled") {
            throw new S3Problem(400, "InvalidRequest", `Rule '${id}' destination bucket '${target}' must have versioning enabled`);
        }
        const storageClass = text(destination, "StorageClass");
        document.Rules.push({
            ID: id,
            Priority: priority,
            Status: status,
            Filter: { Prefix: text(filter, "Prefix") ?? "" },
            DeleteMarkerReplication: { Status: marker },
            Destination: { Bucket: target, ...(storageClass ? { StorageClass: storageClass } : {}) },
        });
    }
    return document;
}

function replicationXml(document: SosReplicationDocument): string {
    const rules = document.Rules.map((rule) => `<Rule><ID>${escapeXml(rule.ID)}</ID><Priority>${rule.Priority}</Priority>` +
        `<Status>${rule.Status}</Status><Filter><Prefix>${escapeXml(rule.Filter.Prefix)}</Prefix></Filter>` +
        `<DeleteMarkerReplication><Status>${rule.DeleteMarkerReplication.Status}</Status></DeleteMarkerReplication>` +
        `<Destination><Bucket>${escapeXml(rule.Destination.Bucket)}</Bucket>` +
        `${rule.Destination.StorageClass ? `<StorageClass>${escapeXml(rule.Destination.StorageClass)}</StorageClass>` : ""}</Destination></Rule>`);
    return `<ReplicationConfiguration xmlns="${s3Namespace}"><Role>${escapeXml(document.Role)}</Role>${rules.join("")}</ReplicationConfiguration>`;
}

/**
 * Checks the SigV4 Authorization header: our access key, the zone as region, the s3 service, the
 * headers SOS needs signed, a fresh date, a payload hash that matches, and finally the signature,
 * recomputed with @smithy/signature-v4 over the headers the client says it signed.
 */
async function verifySigV4(req: http.IncomingMessage, zone: string, rawPath: string, query: URLSearchParams, body: Buffer): Promise<void> {
    const header = req.headers.authorization ?? "";
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(header);
    if (!match) throw new S3Problem(403, "AccessDenied", "Missing or malformed AWS4-HMAC-SHA256 Authorization header");
    const [, accessKey, , region, service, signedHeaderList, signature] = match;
    if (accessKey !== contractCredentials.accessKey) throw new S3Problem(403, "InvalidAccessKeyId", `The access key '${accessKey}' does not exist`);
    if (region !== zone) {
        throw new S3Problem(400, "AuthorizationHeaderMalformed", `The authorization header is malformed; the region '${region}' is wrong; expecting '${zone}'`);
    }
    if (service !== "s3") throw new S3Problem(400, "AuthorizationHeaderMalformed", `The credential scope names service '${service}', expecting 's3'`);
    const signedHeaders = signedHeaderList.split(";");
    for (const required of ["host", "x-amz-date", "x-amz-content-sha256"]) {
        if (!signedHeaders.includes(required)) throw new S3Problem(403, "AccessDenied", `Header '${required}' must be signed`);
    }
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    const dateMatch = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!dateMatch) throw new S3Problem(403, "AccessDenied", `x-amz-date '${amzDate}' is malformed`);
    const [, y, mo, d, h, mi, s] = dateMatch;
    const signingDate = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s));
    if (Math.abs(Date.now() - signingDate.getTime()) > maxClockSkewMs) {
        throw new S3Problem(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large");
    }
    const payloadHash = String(req.headers["x-amz-content-sha256"] ?? "");
    if (payloadHash !== "UNSIGNED-PAYLOAD" && !payloadHash.startsWith("STREAMING-") &&
        payloadHash !== createHash("sha256").update(body).digest("hex")) {
        throw new S3Problem(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed");
    }

    const { SignatureV4 } = require("@smithy/signature-v4") as typeof import("@smithy/signature-v4");
    const { Hash } = require("@smithy/hash-node") as typeof import("@smithy/hash-node");
    const signer = new SignatureV4({
        credentials: { accessKeyId: contractCredentials.accessKey, secretAccessKey: contractCredentials.secretKey },
        region: zone,
        service: "s3",
        sha256: Hash.bind(null, "sha256"),
        uriEscapePath: false,
        applyChecksum: true,
    });
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
        const value = req.headers[name];
        if (value === undefined) throw new S3Problem(403, "AccessDenied", `Signed header '${name}' is missing from the request`);
        headers[name] = Array.isArray(value) ? value.join(",") : value;
    }
    const queryObject: Record<string, string | string[]> = {};
    for (const name of new Set(query.keys())) {
        const values = query.getAll(name);
        queryObject[name] = values.length === 1 ? values[0] : values;
    }
    const [hostname, port] = String(req.headers.host ?? "").split(":");
    const resigned = await signer.sign({
        method: req.method ?? "GET",
        protocol: "http:",
        hostname,
        port: port ? Number(port) : undefined,
        path: rawPath,
        query: queryObject,
        headers,
    }, { signingDate, signingRegion: zone, signingService: "s3" });
    const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? resigned.headers.Authorization))?.[1];
    if (expected !== signature) {
        throw new S3Problem(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided");
    }
}

// ---------------------------------------------------------------------------------------------------
// Replication: what SOS does with the configuration PutBucketReplication stored.
//
// Exoscale's replication guide (community.exoscale.com/product/storage/object-storage/how-to/replication)
// says: replication copies objects asynchronously from the source bucket to one or more destination
// buckets, in the same zone or another; the configuration names an IAM role by UUID, which replication
// assumes, and which needs get-object on the source bucket and put-object, put-object-* on the destination;
// a rule applies when it is Enabled and the object's key matches its Filter/Prefix; among conflicting
// rules with the same destination bucket the highest Priority wins; DeleteMarkerReplication/Status says
// whether delete markers are replicated. SOS is S3-compatible, and where the guide is silent the server
// does what Amazon S3 documents for the same document (docs.aws.amazon.com/AmazonS3/latest/userguide/):
// - replication-status.html: GetObject and HeadObject of a source object a rule applies to answer
//   x-amz-replication-status PENDING, then COMPLETED or FAILED; a replica answers REPLICA; with several
//   destinations the source is COMPLETED only once every destination has it, and FAILED when one fails;
//   FAILED comes from causes such as missing replication role permissions or bucket permissions;
// - replication.html: replicas keep the source's metadata, its creation time and version ID;
// - replication-what-is-isnot-replicated.html: objects that are themselves replicas made by another rule
//   are not replicated again; a DELETE that names a version is not replicated;
// - delete-marker-replication.html: with delete marker replication enabled, the marker a DELETE without a
//   version ID adds to the source is copied to the destination.
// The guide names no other operation for delete markers, so the role is held to the same two.

/**
 * The rules of `document` that apply to a new version of `key`, one per destination bucket: Enabled,
 * the key starting with the rule's prefix, the highest Priority winning among rules that share a destination.
 */
export function rulesApplyingTo(document: SosReplicationDocument, key: string, deleteMarker: boolean): SosReplicationRule[] {
    const byDestination = new Map<string, SosReplicationRule>();
    for (const rule of document.Rules) {
        if (rule.Status !== "Enabled" || !key.startsWith(rule.Filter.Prefix)) continue;
        if (deleteMarker && rule.DeleteMarkerReplication.Status !== "Enabled") continue;
        const held = byDestination.get(rule.Destination.Bucket);
        if (!held || rule.Priority > held.Priority) byDestination.set(rule.Destination.Bucket, rule);
    }
    return [...byDestination.values()];
}

/**
 * Called for each version or delete marker a client writes to `bucket`: when the bucket's replication
 * configuration applies to it, marks a version PENDING and copies it, after the replication delay, to
 * each destination the rules name (the configuration as it was at the write), then marks it COMPLETED,
 * or FAILED when a destination could not be written. Replicas are never passed here.
 */
function scheduleReplication(state: ContractState, bucket: ContractBucket, version: ContractObjectVersion): void {
    const document = bucket.replication?.document;
    if (!document || bucket.versioning !== "Enabled" || version.replicationStatus === "REPLICA") return;
    const rules = rulesApplyingTo(document, version.key, version.deleteMarker);
    if (rules.length === 0) return;
    if (!version.deleteMarker) version.replicationStatus = "PENDING";
    state.replicateLater(() => {
        // A version removed by version ID before it was copied has nothing left to copy.
        if (!bucket.versions.includes(version) || state.buckets.get(bucket.name) !== bucket) return;
        let failed = false;
        for (const rule of rules) {
            let reason: string | undefined;
            try {
                reason = copyProblem(state, document.Role, bucket, rule.Destination.Bucket);
            } catch (error) {
                reason = (error as Error).message; // a policy the server cannot judge: seen in `replications`, not guessed at
            }
            if (reason === undefined) {
                const destination = state.buckets.get(rule.Destination.Bucket)!;
                if (!destination.versions.some((v) => v.key === version.key && v.versionId === version.versionId)) {
                    destination.versions.push({ ...version, ...(version.deleteMarker ? { replicationStatus: undefined } : { replicationStatus: "REPLICA" }) });
                }
            }
            failed ||= reason !== undefined;
            state.replications.push({
                source: bucket.name, key: version.key, versionId: version.versionId, deleteMarker: version.deleteMarker,
                ruleId: rule.ID, destination: rule.Destination.Bucket, outcome: reason === undefined ? "COMPLETED" : "FAILED", ...(reason ? { reason } : {}),
            });
        }
        if (!version.deleteMarker) version.replicationStatus = failed ? "FAILED" : "COMPLETED";
    });
}

/** Why replication, as the role `roleId`, cannot copy from `source` to the bucket named `destinationName`; undefined when it can. */
function copyProblem(state: ContractState, roleId: string, source: ContractBucket, destinationName: string): string | undefined {
    const role = state.roles.get(roleId);
    if (!role) return `the replication role ${roleId} does not exist`;
    if (!policyAllows(role.policy, { operation: "get-object", bucket: source.name, zone: source.zone })) {
        return `the replication role ${roleId} may not get-object on bucket '${source.name}'`;
    }
    const destination = state.buckets.get(destinationName);
    if (!destination) return `the destination bucket '${destinationName}' does not exist`;
    if (!policyAllows(role.policy, { operation: "put-object", bucket: destination.name, zone: destination.zone })) {
        return `the replication role ${roleId} may not put-object on bucket '${destinationName}'`;
    }
    return undefined;
}

/**
 * Whether an IAM policy lets a request of the sos service through, as Exoscale's policy guide describes
 * evaluation (community.exoscale.com/product/security/iam/how-to/policy-guide): a service the policy does
 * not list gets the default-service-strategy; a service of type allow or deny is allowed or denied; a
 * service of type rules takes the action of the first rule, in order, whose expression evaluates to true,
 * a rule whose expression does not evaluate (an error) concluding nothing, and is denied when no rule
 * matches, whatever the default strategy. The expression sees the documented bindings `service`, `zone`,
 * `operation` and, for SOS, `parameters.bucket` (the guide's own replication policy uses the last two).
 */
export function policyAllows(policy: unknown, request: { operation: string; bucket: string; zone: string }): boolean {
    const doc = (policy ?? {}) as { "default-service-strategy"?: string; services?: Record<string, { type?: string; rules?: { action: string; expression: string }[] }> };
    const service = doc.services?.sos;
    if (!service) return doc["default-service-strategy"] === "allow";
    if (service.type === "allow") return true;
    if (service.type !== "rules") return false;
    const bindings: CelValue = { service: "sos", zone: request.zone, operation: request.operation, parameters: { bucket: request.bucket } };
    for (const rule of service.rules ?? []) {
        if (evaluateCel(rule.expression, bindings as Record<string, CelValue>) === true) return rule.action === "allow";
    }
    return false;
}

// A CEL evaluator for the part of the language replication policies use: string literals, true/false,
// member access on the bindings, ==, !=, !, &&, ||, parentheses and the string functions startsWith,
// endsWith and contains (github.com/google/cel-spec, doc/langdef.md). && and || are commutative over
// errors as CEL defines them (false && error is false, true || error is true). An expression outside
// this part throws, so that a policy the server cannot judge is seen rather than guessed at.

type CelValue = string | boolean | { readonly [name: string]: CelValue } | typeof celError;
const celError = Symbol("CEL evaluation error");

export function evaluateCel(expression: string, bindings: Record<string, CelValue>): CelValue {
    const tokens = expression.match(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|&&|\|\||==|!=|[A-Za-z_][A-Za-z0-9_]*|[().!]|\S/g) ?? [];
    let at = 0;
    const peek = () => tokens[at];
    const take = (wanted?: string) => {
        const token = tokens[at++];
        if (token === undefined || (wanted !== undefined && token !== wanted)) {
            throw new Error(`The contract server cannot evaluate the CEL expression '${expression}' (expected ${wanted ?? "more"} at token ${at})`);
        }
        return token;
    };
    const or = (): CelValue => {
        let value = and();
        while (peek() === "||") { take(); const right = and(); value = value === true || right === true ? true : value === false && right === false ? false : celError; }
        return value;
    };
    const and = (): CelValue => {
        let value = not();
        while (peek() === "&&") { take(); const right = not(); value = value === false || right === false ? false : value === true && right === true ? true : celError; }
        return value;
    };
    const not = (): CelValue => {
        if (peek() === "!") { take(); const value = not(); return typeof value === "boolean" ? !value : celError; }
        return comparison();
    };
    const comparison = (): CelValue => {
        const left = member();
        if (peek() !== "==" && peek() !== "!=") return left;
        const op = take();
        const right = member();
        if (left === celError || right === celError || typeof left === "object" || typeof right === "object") return celError;
        return op === "==" ? left === right : left !== right;
    };
    const member = (): CelValue => {
        let value = primary();
        while (peek() === ".") {
            take();
            const name = take();
            if (peek() === "(") {
                take("(");
                const argument = or();
                take(")");
                if (!["startsWith", "endsWith", "contains"].includes(name)) throw new Error(`The contract server cannot evaluate '${name}()' in the CEL expression '${expression}'`);
                if (typeof value !== "string" || typeof argument !== "string") { value = celError; continue; }
                value = name === "startsWith" ? value.startsWith(argument) : name === "endsWith" ? value.endsWith(argument) : value.includes(argument);
            } else {
                value = typeof value === "object" && value !== null && name in value ? (value as Record<string, CelValue>)[name] : celError;
            }
        }
        return value;
    };
    const primary = (): CelValue => {
        const token = take();
        if (token === "(") { const value = or(); take(")"); return value; }
        if (token === "true" || token === "false") return token === "true";
        if (/^['"]/.test(token)) return token.slice(1, -1).replace(/\\(.)/g, "$1");
        if (/^[A-Za-z_]/.test(token)) return token in bindings ? bindings[token] : celError;
        throw new Error(`The contract server cannot evaluate the CEL expression '${expression}' (unexpected '${token}')`);
    };
    const value = or();
    if (at !== tokens.length) throw new Error(`The contract server cannot evaluate the CEL expression '${expression}' (unexpected '${peek()}')`);
    return value;
}

// ---------------------------------------------------------------------------------------------------
// A small XML reader, enough for the S3 request documents above.


function parseXmlBody(body: Buffer, expectedRoot: string): XmlElement {
    let root: XmlElement;
    try {
        root = parseXml(body.toString("utf8"));
    } catch (error) {
        throw new S3Problem(400, "MalformedXML", `The XML you provided was not well-formed: ${(error as Error).message}`);
    }
    if (root.name !== expectedRoot) throw new S3Problem(400, "MalformedXML", `Expected a <${expectedRoot}> document, got <${root.name}>`);
    return root;
}





function onlyChildren(element: XmlElement, allowed: readonly string[], where: string): void {
    const unexpected = element.children.filter((c) => !allowed.includes(c.name)).map((c) => c.name);
    if (unexpected.length > 0) {
        throw new S3Problem(400, "InvalidArgument", `${where} has <${unexpected.join(">, <")}>, which Exoscale SOS does not support here`);
    }
}



// ---------------------------------------------------------------------------------------------------
// Pointing a Pulumi stack at the server

/**
 * The stack configuration that sends a program's `bucket-replication` resources to this server
 * instead of Exoscale: the keys a user sets for their own account, with the server's endpoints.
 * Credentials are marked secret, as a user is told to set them.
 */
export function stackConfigFor(server: ExoscaleContractServer): { key: string; value: string; secret: boolean }[] {
    return [
        { key: "bucket-replication:backend", value: "exoscale", secret: false },
        { key: "bucket-replication:zones", value: JSON.stringify(server.zones), secret: false },
        { key: "bucket-replication:iamEndpoint", value: server.iamEndpoint, secret: false },
        { key: "bucket-replication:accessKey", value: server.credentials.accessKey, secret: true },
        { key: "bucket-replication:secretKey", value: server.credentials.secretKey, secret: true },
    ];
}
