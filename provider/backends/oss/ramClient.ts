import type { Credentials, ProgressLog } from "../backend";
import { sendHttp } from "../../transport/http";
import { defaultRequestPolicy, type RequestPolicy, withRetries } from "../../transport/retry";
import { type CallSite, ServiceError, toServiceError } from "../../transport/serviceError";
import { acs3Authorization } from "./acs3Signer";
import { defaultRamEndpoint } from "./regions";
import { configKey } from "../../common/configKey";

export const ramApiVersion = "2015-05-01";
export const ramServiceName = "Alibaba RAM";

/** A role as RAM returns it. */
export interface RamRole {
    readonly RoleName: string;
    readonly RoleId?: string;
    readonly Arn?: string;
    readonly Description?: string;
    readonly AssumeRolePolicyDocument?: string;
    readonly MaxSessionDuration?: number;
}

export interface RamPolicy {
    readonly PolicyName: string;
    readonly PolicyType?: string;
    readonly Description?: string;
    readonly DefaultVersion?: string;
}

export interface RamPolicyWithDocument {
    readonly policy: RamPolicy;
    readonly document: string;
    readonly versionId: string;
}

export interface RamClientOptions {
    readonly endpoint?: string;
    readonly credentials: Credentials;
    readonly requestPolicy?: RequestPolicy;
    readonly credentialHint: string;
}

/**
 * The RAM calls a replication role needs, over fetch, each signed with ACS3-HMAC-SHA256 (the
 * parameters travel as a form body). Bounded, retried where repeating is safe, cancellable; failures
 * are ServiceErrors naming RAM's endpoint, the API action, the HTTP status and RAM's error code.
 */
export class RamClient {
    readonly endpoint: string;
    readonly site: CallSite;
    readonly requestPolicy: RequestPolicy;
    declare private readonly credentials: Credentials;

    constructor(options: RamClientOptions) {
        this.endpoint = (options.endpoint ?? defaultRamEndpoint).replace(/\/+$/, "");
        this.requestPolicy = options.requestPolicy ?? defaultRequestPolicy;
        this.site = { service: ramServiceName, zone: "global", endpoint: this.endpoint, credentialHint: options.credentialHint, endpointSetting: `'${configKey("iamEndpoint")}'` };
        Object.defineProperty(this, "credentials", { value: options.credentials, enumerable: false });
    }

    /** Undefined when no role has this name. */
    async getRole(roleName: string, log?: ProgressLog): Promise<RamRole | undefined> {
        try {
            return (await this.call<{ Role: RamRole }>("GetRole", { RoleName: roleName }, { log })).Role;
        } catch (error) {
            if (isCode(error, "EntityNotExist.Role")) return undefined;
            throw error;
        }
    }

    /** Sent once: a create that got no answer may have taken effect, which only the caller can look for. */
    async createRole(roleName: string, trustPolicy: unknown, description: string, log?: ProgressLog): Promise<RamRole> {
        const parameters: Record<string, string> = { RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trustPolicy) };
        if (description) parameters.Description = description;
        return (await this.call<{ Role: RamRole }>("CreateRole", parameters, { idempotent: false, log })).Role;
    }

    async updateRoleDescription(roleName: string, description: string, log?: ProgressLog): Promise<void> {
        await this.call("UpdateRole", { RoleName: roleName, NewDescription: description }, { log });
    }

    /** A role that is already gone counts as deleted. */
    async deleteRole(roleName: string, log?: ProgressLog): Promise<void> {
        try {
            await this.call("DeleteRole", { RoleName: roleName }, { log });
        } catch (error) {
            if (isCode(error, "EntityNotExist.Role")) return;
            throw error;
        }
    }

    /** The custom policy and its default version's document; undefined when there is none of that name. */
    async getPolicy(policyName: string, log?: ProgressLog): Promise<RamPolicyWithDocument | undefined> {
        try {
            const answer = await this.call<{ Policy: RamPolicy; DefaultPolicyVersion?: { PolicyDocument?: string; VersionId?: string } }>(
                "GetPolicy", { PolicyType: "Custom", PolicyName: policyName }, { log });
            return {
                policy: answer.Policy,
                document: answer.DefaultPolicyVersion?.PolicyDocument ?? "",
                versionId: answer.DefaultPolicyVersion?.VersionId ?? answer.Policy.DefaultVersion ?? "",
            };
        } catch (error) {
            if (isCode(error, "EntityNotExist.Policy")) return undefined;
            throw error;
        }
    }

    async createPolicy(policyName: string, document: unknown, description: string, log?: ProgressLog): Promise<void> {
        await this.call("CreatePolicy", { PolicyName: policyName, PolicyDocument: JSON.stringify(document), Description: description },
            { idempotent: false, log });
    }

    /** Makes `document` the policy's default version and deletes the version it replaces, so that a policy never fills up. */
    async replacePolicyDocument(policyName: string, document: unknown, log?: ProgressLog): Promise<void> {
        const before = await this.getPolicy(policyName, log);
        await this.call("CreatePolicyVersion", {
            PolicyName: policyName, PolicyDocument: JSON.stringify(document), SetAsDefault: "true",
            RotateStrategy: "DeleteOldestNonDefaultVersionWhenLimitExceeded",
        }, { idempotent: false, log });
        if (before?.versionId) {
            try {
                await this.call("DeletePolicyVersion", { PolicyName: policyName, VersionId: before.versionId }, { log });
            } catch (error) {
                if (!isCode(error, "EntityNotExist.Policy.Version")) throw error;
            }
        }
    }

    /** A policy that is already gone counts as deleted. */
    async deletePolicy(policyName: string, log?: ProgressLog): Promise<void> {
        try {
            await this.call("DeletePolicy", { PolicyName: policyName }, { log });
        } catch (error) {
            if (isCode(error, "EntityNotExist.Policy")) return;
            throw error;
        }
    }

    async attachPolicyToRole(policyName: string, roleName: string, log?: ProgressLog): Promise<void> {
        try {
            await this.call("AttachPolicyToRole", { PolicyType: "Custom", PolicyName: policyName, RoleName: roleName }, { log });
        } catch (error) {
            if (isCode(error, "EntityAlreadyExists.Role.Policy")) return;
            throw error;
        }
    }

    async detachPolicyFromRole(policyName: string, roleName: string, log?: ProgressLog): Promise<void> {
        try {
            await this.call("DetachPolicyFromRole", { PolicyType: "Custom", PolicyName: policyName, RoleName: roleName }, { log });
        } catch (error) {
            if (isCode(error, "EntityNotExist.Role.Policy") || isCode(error, "EntityNotExist.Role") || isCode(error, "EntityNotExist.Policy")) return;
            throw error;
        }
    }

    async listPoliciesForRole(roleName: string, log?: ProgressLog): Promise<RamPolicy[]> {
        const answer = await this.call<{ Policies?: { Policy?: RamPolicy[] } }>("ListPoliciesForRole", { RoleName: roleName }, { log });
        return answer.Policies?.Policy ?? [];
    }

    /** One RPC-style action, under the request policy. */
    private async call<T = unknown>(action: string, parameters: Record<string, string>,
        options: { idempotent?: boolean; log?: ProgressLog } = {}): Promise<T> {
        const url = new URL(`${this.endpoint}/`);
        const body = new URLSearchParams(parameters).toString().replace(/\+/g, "%20");
        const operation = `${action}${parameters.RoleName ? ` of role '${parameters.RoleName}'` : parameters.PolicyName ? ` of policy '${parameters.PolicyName}'` : ""}`;
        return withRetries(this.requestPolicy, async (signal) => {
            const { headers } = acs3Authorization({
                method: "POST", host: url.host, path: "/", action, version: ramApiVersion, body,
                contentType: "application/x-www-form-urlencoded",
                accessKeyId: this.credentials.accessKey, accessKeySecret: this.credentials.secretKey, date: new Date(),
            });
            // Host comes from the URL; the signed value is the same.
            delete headers.host;
            let status: number;
            let text: string;
            try {
                const response = await sendHttp(url, { method: "POST", headers: { ...headers, accept: "application/json" }, body, signal,
                    connectTimeoutMs: this.requestPolicy.connectTimeoutMs });
                status = response.status;
                text = response.body.toString("utf8");
            } catch (error) {
                const converted = toServiceError(signal.aborted ? signal.reason : error, this.site, operation, this.requestPolicy.requestTimeoutMs);
                if (!(converted instanceof ServiceError)) throw converted;
                throw new ServiceError({ where: this.site, operation, httpStatus: converted.httpStatus, code: converted.code,
                    message: converted.serviceMessage, retryable: converted.retryable,
                    hint: `Check the network, or '${configKey("iamEndpoint")}' (the RAM endpoint) if you set it.` });
            }
            let parsed: Record<string, unknown> = {};
            try {
                parsed = text.trim() === "" ? {} : JSON.parse(text);
            } catch {
                throw new ServiceError({ where: this.site, operation, httpStatus: status, code: "InvalidResponse", retryable: status >= 500,
                    message: `the answer is not JSON: ${text.slice(0, 200)}`,
                    hint: `Check '${configKey("iamEndpoint")}', if you set it: it must be RAM's endpoint, such as https://ram.aliyuncs.com.` });
            }
            if (status < 200 || status > 299) {
                const code = typeof parsed.Code === "string" ? parsed.Code : `HTTP ${status}`;
                const message = [parsed.Message, parsed.RequestId ? `request ${parsed.RequestId}` : ""].filter((part) => typeof part === "string" && part).join("; ");
                const hint = status === 401 || status === 403 || /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|Forbidden|NoPermission)/.test(code)
                    ? `Check the credentials: ${this.site.credentialHint.replace(/\.?$/, ".")} The AccessKey's RAM identity must also be allowed to manage RAM roles and policies (ram:CreateRole, ram:CreatePolicy, ram:AttachPolicyToRole...).`
                    : undefined;
                throw new ServiceError({ where: this.site, operation, httpStatus: status, code, message, hint,
                    retryable: /^(Throttling|ServiceUnavailable|InternalError)/.test(code) || status >= 500 || status === 429 });
            }
            return parsed as T;
        }, { idempotent: options.idempotent ?? true, log: options.log, call: { site: this.site, operation } });
    }
}

export function isCode(error: unknown, code: string): boolean {
    return error instanceof ServiceError && error.code === code;
}
