import type { ProgressLog } from "../backend";
import { pause } from "../../transport/cancellation";
import { sendHttp } from "../../transport/http";
import { defaultRequestPolicy, type RequestPolicy, withRetries } from "../../transport/retry";
import { type CallSite, ServiceError, toServiceError } from "../../transport/serviceError";
import { exo2Expiry, signExo2 } from "./exo2Signer";
import { configKey } from "../../common/configKey";

/** IAM is organization-wide; Terraform and the CLI talk to it through ch-gva-2. */
export const defaultIamEndpoint = "https://api-ch-gva-2.exoscale.com/v2";

/** Where the credentials come from, when the caller does not say (the settings normally do). */
export const defaultIamCredentialHint = `'${configKey("accessKey")}' and '${configKey("secretKey")}' in the stack configuration, ` +
    "or the EXOSCALE_API_KEY and EXOSCALE_API_SECRET environment variables.";

/** Exoscale's policy language: a default strategy, then per-service rules written in CEL. */
export interface IamPolicy {
    readonly "default-service-strategy": "allow" | "deny";
    readonly services: Readonly<Record<string, IamServicePolicy>>;
}

export interface IamServicePolicy {
    readonly type: "allow" | "deny" | "rules";
    readonly rules?: readonly { readonly action: "allow" | "deny"; readonly expression: string; readonly resources?: readonly string[] }[];
}

/** A role as the API returns it. */
export interface IamRole {
    readonly id: string;
    readonly name: string;
    readonly description?: string;
    readonly editable?: boolean;
    readonly labels?: Readonly<Record<string, string>>;
    readonly permissions?: readonly string[];
    readonly policy?: IamPolicy;
}

export interface NewIamRole {
    readonly name: string;
    readonly description: string;
    readonly editable: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly permissions?: readonly string[];
    /** Required: without one the API grants everything. */
    readonly policy: unknown;
}

export interface IamRoleChanges {
    /** 1 to 255 characters; left out, the description stays as it is (the API cannot clear one). */
    readonly description?: string;
    /** The whole label map: the API replaces the labels, it never merges them. */
    readonly labels: Readonly<Record<string, string>>;
    readonly permissions?: readonly string[];
}

/** An asynchronous job of the v2 API; mutations answer with one. */
export interface Operation {
    readonly id: string;
    readonly state: "pending" | "success" | "failure" | "timeout";
    readonly reason?: string;
    readonly message?: string;
    readonly reference?: { readonly id?: string; readonly link?: string; readonly command?: string };
}

export interface PollInterval {
    /** First wait before polling an operation again. */
    readonly initialMs: number;
    /** Longest wait between two polls. */
    readonly maxMs: number;
}

export const defaultPollInterval: PollInterval = { initialMs: 1000, maxMs: 5000 };

export interface ExoscaleIamClientOptions {
    readonly endpoint?: string;
    readonly apiKey: string;
    readonly apiSecret: string;
    /** How long a wait for IAM's asynchronous work lasts: the stack's setting, else the backend's default (index.ts). */
    readonly waitTimeoutMs: number;
    readonly pollInterval?: PollInterval;
    /** Time limits and retries of every request; the stack's settings. */
    readonly requestPolicy?: RequestPolicy;
    /** Where the credentials come from, for authentication failures. */
    readonly credentialHint?: string;
}

/**
 * The Exoscale IAM v2 role calls, over the global fetch, each request signed with EXO2-HMAC-SHA256.
 * Every request is bounded by the request policy's time limit and by cancellation; reads, updates
 * and deletes are repeated after throttling, 5xx answers, resets and time-outs (each names its
 * role, so a repeat has the same effect). A create is sent once: `startCreateRole` leaves it to the
 * caller to find out what an unanswered create did before trying again. Every failure is a
 * ServiceError naming the IAM endpoint and the API operation.
 */
export class ExoscaleIamClient {
    readonly endpoint: string;
    readonly site: CallSite;
    readonly requestPolicy: RequestPolicy;
    private readonly waitTimeoutMs: number;
    private readonly pollInterval: PollInterval;
    // Kept off the enumerable properties so that logging or serializing the client never prints it.
    declare private readonly credentials: { readonly apiKey: string; readonly apiSecret: string };

    constructor(options: ExoscaleIamClientOptions) {
        this.endpoint = (options.endpoint ?? defaultIamEndpoint).replace(/\/+$/, "");
        this.waitTimeoutMs = options.waitTimeoutMs;
        this.pollInterval = options.pollInterval ?? defaultPollInterval;
        this.requestPolicy = options.requestPolicy ?? defaultRequestPolicy;
        this.site = {
            service: "Exoscale IAM",
            zone: iamZoneOf(this.endpoint),
            endpoint: this.endpoint,
            credentialHint: options.credentialHint ?? defaultIamCredentialHint,
            endpointSetting: `'${configKey("iamEndpoint")}'`,
        };
        Object.defineProperty(this, "credentials", { value: { apiKey: options.apiKey, apiSecret: options.apiSecret }, enumerable: false });
    }

    async listRoles(log?: ProgressLog): Promise<IamRole[]> {
        const answer = await this.call<{ "iam-roles"?: IamRole[] }>("list-iam-roles", "GET", "/iam-role", undefined, { log });
        return answer["iam-roles"] ?? [];
    }

    /** Undefined when no role has this id (any more). */
    async getRole(id: string, log?: ProgressLog): Promise<IamRole | undefined> {
        try {
            return await this.call<IamRole>(`get-iam-role ${id}`, "GET", `/iam-role/${encodeURIComponent(id)}`, undefined, { log });
        } catch (error) {
            if (error instanceof ServiceError && error.httpStatus === 404) return undefined;
            throw error;
        }
    }

    /**
     * Sends the create once and returns its operation, without waiting for it. Not repeated on its
     * own: when it fails in transit the role may exist anyway, which only the caller can look for.
     */
    async startCreateRole(role: NewIamRole, log?: ProgressLog): Promise<Operation> {
        if (role.policy === undefined || role.policy === null) {
            throw new Error(`IAM role '${role.name}' has no policy; Exoscale would grant it every permission. Give the role a 'policy'.`);
        }
        const body = {
            name: role.name,
            // The API takes 1 to 255 characters or nothing at all.
            ...(role.description ? { description: role.description } : {}),
            editable: role.editable,
            labels: role.labels,
            ...(role.permissions ? { permissions: role.permissions } : {}),
            policy: role.policy,
        };
        return this.call<Operation>(createOperationName(role.name), "POST", "/iam-role", body, { idempotent: false, log });
    }

    async updateRole(id: string, changes: IamRoleChanges, log: ProgressLog): Promise<void> {
        const operation = `update-iam-role ${id}`;
        const body = {
            ...(changes.description !== undefined ? { description: changes.description } : {}),
            labels: changes.labels,
            ...(changes.permissions ? { permissions: changes.permissions } : {}),
        };
        await this.waitFor(await this.call<Operation>(operation, "PUT", `/iam-role/${encodeURIComponent(id)}`, body, { log }), operation, log);
    }

    async updateRolePolicy(id: string, policy: unknown, log: ProgressLog): Promise<void> {
        const operation = `update-iam-role-policy ${id}`;
        await this.waitFor(await this.call<Operation>(operation, "PUT", `/iam-role/${encodeURIComponent(id)}:policy`, policy, { log }), operation, log);
    }

    /** Deletes the role and waits for it; a role that is already gone counts as deleted. */
    async deleteRole(id: string, log: ProgressLog): Promise<void> {
        const operation = `delete-iam-role ${id}`;
        let started: Operation;
        try {
            started = await this.call<Operation>(operation, "DELETE", `/iam-role/${encodeURIComponent(id)}`, undefined, { log });
        } catch (error) {
            if (error instanceof ServiceError && error.httpStatus === 404) return;
            throw error;
        }
        await this.waitFor(started, operation, log);
    }

    async getOperation(id: string, waitingFor?: string, log?: ProgressLog): Promise<Operation> {
        return this.call<Operation>(`get-operation ${id}${waitingFor ? ` (of ${waitingFor})` : ""}`, "GET", `/operation/${encodeURIComponent(id)}`, undefined, { log });
    }

    /**
     * Polls the operation with a growing interval until it ends, logging each wait; bounded by the
     * wait timeout and stopped by cancellation. Fails as a ServiceError of `operationName` when the
     * operation fails or does not end in time.
     */
    async waitFor(first: Operation, operationName: string, log: ProgressLog): Promise<Operation> {
        const started = Date.now();
        let operation = first;
        let interval = this.pollInterval.initialMs;
        while (operation.state === "pending") {
            const elapsedMs = Date.now() - started;
            if (elapsedMs >= this.waitTimeoutMs) {
                throw new ServiceError({
                    where: this.site, operation: operationName, code: "WaitTimeout", retryable: false,
                    message: `timed out after ${seconds(elapsedMs)} waiting for operation ${operation.id}, which is still pending`,
                    hint: `It may still finish: check it with 'exo api get-operation ${operation.id}', or raise '${configKey("waitTimeoutSeconds")}'.`,
                });
            }
            log(`Waiting for Exoscale IAM ${operationName}: operation ${operation.id} is pending (${seconds(elapsedMs)} elapsed)`);
            await pause(Math.min(interval, this.waitTimeoutMs - elapsedMs));
            interval = Math.min(interval * 2, this.pollInterval.maxMs);
            operation = await this.getOperation(operation.id, operationName, log);
        }
        if (operation.state !== "success") {
            throw new ServiceError({
                where: this.site, operation: operationName, retryable: false,
                code: operation.state === "timeout" ? "OperationTimedOut" : "OperationFailed",
                message: [operation.reason ? `reason ${operation.reason}` : "", operation.message ?? ""].filter(Boolean).join(": "),
                hint: `Operation ${operation.id} ended in state '${operation.state}'; see it with 'exo api get-operation ${operation.id}'.`,
            });
        }
        return operation;
    }

    /**
     * One API call under the request policy. Answers of 429 and 5xx, resets and time-outs are
     * retried unless `idempotent` is false; every other error answer fails at once.
     */
    private async call<T>(operation: string, method: string, path: string, body?: unknown, options: { idempotent?: boolean; log?: ProgressLog } = {}): Promise<T> {
        const url = new URL(this.endpoint + path);
        const text = body === undefined ? undefined : JSON.stringify(body);
        return withRetries(this.requestPolicy, async (signal) => {
            const headers: Record<string, string> = {
                accept: "application/json",
                // Signed per attempt: a repeat after a long backoff must not carry an expired signature.
                authorization: signExo2({
                    method,
                    path: url.pathname,
                    query: url.searchParams,
                    body: text,
                    apiKey: this.credentials.apiKey,
                    apiSecret: this.credentials.apiSecret,
                    expires: exo2Expiry(),
                }),
            };
            if (text !== undefined) headers["content-type"] = "application/json";

            let status: number;
            let statusText: string;
            let answer: string;
            try {
                const response = await sendHttp(url, { method, headers, body: text, signal, connectTimeoutMs: this.requestPolicy.connectTimeoutMs });
                status = response.status;
                statusText = response.statusText;
                answer = response.body.toString("utf8");
            } catch (error) {
                throw this.networkFailure(signal.aborted ? signal.reason : error, operation);
            }
            if (status < 200 || status > 299) throw this.errorAnswer(operation, status, statusText, answer);
            if (answer.trim() === "") return {} as T;
            try {
                return JSON.parse(answer) as T;
            } catch {
                throw new ServiceError({
                    where: this.site, operation, httpStatus: status, code: "InvalidResponse", retryable: false,
                    message: `the answer is not JSON: ${answer.slice(0, 200)}`,
                    hint: `Check that '${configKey("iamEndpoint")}', if you set it, is the Exoscale API v2 base URL (ending in /v2).`,
                });
            }
        }, { idempotent: options.idempotent ?? true, log: options.log, call: { site: this.site, operation } });
    }

    private errorAnswer(operation: string, status: number, statusText: string, body: string): ServiceError {
        const hint = status === 401 || status === 403
            ? `Check the credentials: ${this.site.credentialHint.replace(/\.?$/, ".")} The API key's IAM role must also allow the 'iam' service (roles and operations).`
            : status === 404 && !/^(get|update|delete)-iam-role |^get-operation /.test(operation)
                ? `Check '${configKey("iamEndpoint")}', if you set it: it must be the Exoscale API v2 base URL, ending in /v2.`
                : undefined;
        return new ServiceError({ where: this.site, operation, httpStatus: status, code: statusCode(status, statusText), message: errorDetail(body, statusText), hint });
    }

    /** A call that got no answer, in the shared shape, with hints that name the IAM settings rather than the zones'. */
    private networkFailure(error: unknown, operation: string): Error {
        const converted = toServiceError(error, this.site, operation, this.requestPolicy.requestTimeoutMs);
        if (!(converted instanceof ServiceError)) return converted;
        const hint = converted.code === "Timeout"
            ? `No answer within ${seconds(this.requestPolicy.requestTimeoutMs)}: check '${configKey("iamEndpoint")}' if you set it, or raise '${configKey("requestTimeoutSeconds")}'.`
            : converted.code === "TLSMismatch"
                ? `The endpoint ${this.endpoint} does not speak TLS: if it serves plain HTTP, write 'http://' in '${configKey("iamEndpoint")}'.`
                : `Check the network, or '${configKey("iamEndpoint")}' if you set it.`;
        return new ServiceError({
            where: this.site, operation, httpStatus: converted.httpStatus, code: converted.code,
            message: converted.serviceMessage, retryable: converted.retryable, hint,
        });
    }
}

/** The API operation of creating the role `name`, as errors and logs name it. */
export function createOperationName(name: string): string {
    return `create-iam-role '${name}'`;
}

/** `ch-gva-2` for https://api-ch-gva-2.exoscale.com/v2; "iam" for any other endpoint (a contract server). */
export function iamZoneOf(endpoint: string): string {
    try {
        return /^api-([a-z]{2}-[a-z]+-\d+)\./.exec(new URL(endpoint).hostname)?.[1] ?? "iam";
    } catch {
        return "iam";
    }
}

/** The status as an error code, since Exoscale's error answers carry a message but no code: `ServiceUnavailable`, `Forbidden`... */
function statusCode(status: number, statusText: string): string {
    const { STATUS_CODES } = require("node:http") as typeof import("node:http");
    const phrase = STATUS_CODES[status] ?? statusText;
    const code = (phrase ?? "").replace(/[^A-Za-z0-9 ]/g, "").split(" ").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
    return code || `HTTP ${status}`;
}

/** The human part of an error answer: {message}, {error}, or RFC 9457's title/detail/errors. */
function errorDetail(body: string, statusText: string): string {
    let parsed: Record<string, unknown>;
    try {
        parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
        return body.trim().slice(0, 500) || statusText;
    }
    const texts: string[] = [];
    for (const key of ["message", "error", "title", "detail"]) {
        const value = parsed?.[key];
        if (typeof value === "string" && value !== "" && !texts.includes(value)) texts.push(value);
    }
    if (Array.isArray(parsed?.errors)) {
        for (const item of parsed.errors) {
            texts.push(typeof item === "string" ? item : JSON.stringify(item));
        }
    }
    return texts.length > 0 ? texts.join("; ") : body.slice(0, 500);
}

function seconds(ms: number): string {
    return `${Math.round(ms / 100) / 10} s`;
}
