import type { ProgressLog } from "../backend";
import { exo2Expiry, signExo2 } from "./exo2Signer";

/** IAM is organization-wide; Terraform and the CLI talk to it through ch-gva-2. */
export const defaultIamEndpoint = "https://api-ch-gva-2.exoscale.com/v2";

export const defaultWaitTimeoutMs = 5 * 60 * 1000;

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
    readonly description: string;
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
    readonly waitTimeoutMs?: number;
    readonly pollInterval?: PollInterval;
}

/** An error answer of the API, with its HTTP status so that callers can tell "gone" from "broken". */
export class ExoscaleApiError extends Error {
    constructor(message: string, readonly status: number) {
        super(message);
        this.name = "ExoscaleApiError";
    }
}

/** The Exoscale IAM v2 role calls, over the global fetch, each request signed with EXO2-HMAC-SHA256. */
export class ExoscaleIamClient {
    private readonly endpoint: string;
    private readonly waitTimeoutMs: number;
    private readonly pollInterval: PollInterval;

    constructor(private readonly options: ExoscaleIamClientOptions) {
        this.endpoint = (options.endpoint ?? defaultIamEndpoint).replace(/\/+$/, "");
        this.waitTimeoutMs = options.waitTimeoutMs ?? defaultWaitTimeoutMs;
        this.pollInterval = options.pollInterval ?? defaultPollInterval;
    }

    async listRoles(): Promise<IamRole[]> {
        const answer = await this.call<{ "iam-roles"?: IamRole[] }>("list IAM roles", "GET", "/iam-role");
        return answer["iam-roles"] ?? [];
    }

    /** Undefined when no role has this id (any more). */
    async getRole(id: string): Promise<IamRole | undefined> {
        try {
            return await this.call<IamRole>(`read IAM role ${id}`, "GET", `/iam-role/${encodeURIComponent(id)}`);
        } catch (error) {
            if (error instanceof ExoscaleApiError && error.status === 404) return undefined;
            throw error;
        }
    }

    /** Creates the role and waits for it; returns its UUID. */
    async createRole(role: NewIamRole, log: ProgressLog): Promise<string> {
        if (role.policy === undefined || role.policy === null) {
            throw new Error(`IAM role '${role.name}' has no policy; Exoscale would grant it every permission. Give the role a 'policy'.`);
        }
        const what = `create IAM role '${role.name}'`;
        const body = {
            name: role.name,
            // The API takes 1 to 255 characters or nothing at all.
            ...(role.description ? { description: role.description } : {}),
            editable: role.editable,
            labels: role.labels,
            ...(role.permissions ? { permissions: role.permissions } : {}),
            policy: role.policy,
        };
        const operation = await this.call<Operation>(what, "POST", "/iam-role", body);
        const done = await this.waitFor(operation, what, log);
        const id = done.reference?.id;
        if (!id) {
            throw new Error(`Exoscale reported success for '${what}' (operation ${done.id}) without naming the new role; find it with 'exo iam role list' and import it.`);
        }
        return id;
    }

    async updateRole(id: string, changes: IamRoleChanges, log: ProgressLog): Promise<void> {
        const what = `update IAM role ${id}`;
        const body = {
            ...(changes.description ? { description: changes.description } : {}),
            labels: changes.labels,
            ...(changes.permissions ? { permissions: changes.permissions } : {}),
        };
        await this.waitFor(await this.call<Operation>(what, "PUT", `/iam-role/${encodeURIComponent(id)}`, body), what, log);
    }

    async updateRolePolicy(id: string, policy: unknown, log: ProgressLog): Promise<void> {
        const what = `update the policy of IAM role ${id}`;
        await this.waitFor(await this.call<Operation>(what, "PUT", `/iam-role/${encodeURIComponent(id)}:policy`, policy), what, log);
    }

    /** Deletes the role and waits for it; a role that is already gone counts as deleted. */
    async deleteRole(id: string, log: ProgressLog): Promise<void> {
        const what = `delete IAM role ${id}`;
        let operation: Operation;
        try {
            operation = await this.call<Operation>(what, "DELETE", `/iam-role/${encodeURIComponent(id)}`);
        } catch (error) {
            if (error instanceof ExoscaleApiError && error.status === 404) return;
            throw error;
        }
        await this.waitFor(operation, what, log);
    }

    async getOperation(id: string): Promise<Operation> {
        return this.call<Operation>(`read operation ${id}`, "GET", `/operation/${encodeURIComponent(id)}`);
    }

    /** Polls the operation with a growing interval until it ends, logging each wait; bounded by the wait timeout. */
    private async waitFor(first: Operation, what: string, log: ProgressLog): Promise<Operation> {
        const started = Date.now();
        let operation = first;
        let interval = this.pollInterval.initialMs;
        while (operation.state === "pending") {
            const elapsedMs = Date.now() - started;
            if (elapsedMs >= this.waitTimeoutMs) {
                throw new Error(`Timed out after ${seconds(elapsedMs)} waiting for Exoscale to ${what}: operation ${operation.id} is still pending. ` +
                    `It may still finish; check it with 'exo api get-operation ${operation.id}', or raise 'bucket-replication:waitTimeoutSeconds'.`);
            }
            log(`Waiting for Exoscale to ${what}: operation ${operation.id} is pending (${seconds(elapsedMs)} elapsed)`);
            await sleep(Math.min(interval, this.waitTimeoutMs - elapsedMs));
            interval = Math.min(interval * 2, this.pollInterval.maxMs);
            operation = await this.getOperation(operation.id);
        }
        if (operation.state !== "success") {
            const reason = operation.reason ? ` (reason: ${operation.reason})` : "";
            const message = operation.message ? `: ${operation.message}` : "";
            throw new Error(`Exoscale could not ${what}: operation ${operation.id} ended in state '${operation.state}'${reason}${message}`);
        }
        return operation;
    }

    private async call<T>(what: string, method: string, path: string, body?: unknown): Promise<T> {
        const url = new URL(this.endpoint + path);
        const text = body === undefined ? undefined : JSON.stringify(body);
        const headers: Record<string, string> = {
            accept: "application/json",
            authorization: signExo2({
                method,
                path: url.pathname,
                query: url.searchParams,
                body: text,
                apiKey: this.options.apiKey,
                apiSecret: this.options.apiSecret,
                expires: exo2Expiry(),
            }),
        };
        if (text !== undefined) headers["content-type"] = "application/json";

        let response: Response;
        try {
            response = await fetch(url, { method, headers, body: text });
        } catch (error) {
            throw new Error(`Could not ${what}: the Exoscale API at ${this.endpoint} did not answer (${(error as Error).message}). ` +
                `Check the network, or 'bucket-replication:iamEndpoint' if you set it.`);
        }
        const answer = await response.text();
        if (!response.ok) {
            throw new ExoscaleApiError(`Could not ${what}: Exoscale answered HTTP ${response.status}: ${errorDetail(answer, response.statusText)}`, response.status);
        }
        if (answer.trim() === "") return {} as T;
        try {
            return JSON.parse(answer) as T;
        } catch {
            throw new Error(`Could not ${what}: Exoscale answered HTTP ${response.status} with a body that is not JSON: ${answer.slice(0, 200)}`);
        }
    }
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

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
