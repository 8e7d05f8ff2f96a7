import type { GetBucketReplicationCommandOutput } from "@aws-sdk/client-s3";
import type {
    BackendSettings,
    BucketRef,
    ProgressLog,
    ReplicationRule,
    ReplicationSpec,
    RoleSpec,
    RoleState,
    StorageBackend,
    ZoneSettings,
} from "../backend";
import type { BackendDefaults, PathProblem, RoleChangeView } from "../contract";
import { S3CompatibleBuckets } from "../s3/buckets";
import { waitForVersioningAtBothEnds } from "../versioningGate";
import { s3ErrorCode, ZoneS3 } from "../s3/client";
import { CancelledError, pause } from "../../transport/cancellation";
import { backoffMs } from "../../transport/retry";
import { ServiceError } from "../../transport/serviceError";
import {
    createOperationName, defaultPollInterval, defaultWaitTimeoutMs, ExoscaleIamClient,
    type IamRole, type NewIamRole, type Operation, type PollInterval,
} from "./iamClient";
import { fromSosRule, roleIdOf, toSosRule } from "./rules";

/** Every zone with an SOS endpoint (egoscale v3 schemas). */
export const exoscaleZones: readonly string[] = [
    "ch-gva-2", "ch-dk-2", "de-fra-1", "de-muc-1", "at-vie-1", "at-vie-2", "bg-sof-1", "hr-zag-1",
];

export { ruleProblems } from "./ruleOptions";

/**
 * A description cannot be cleared in place (see descriptionChange): said at preview, where the change
 * would otherwise show on every run and fail only in `up`.
 */
export function roleChangeProblems(olds: RoleChangeView, news: RoleChangeView): PathProblem[] {
    if (news.description !== "" || !olds.description || olds.name !== news.name) return [];
    return [{ path: ["description"], message: descriptionCannotBeCleared(olds.description) }];
}

export function sosEndpoint(zone: string): string {
    return `https://sos-${zone}.exo.io`;
}

export function defaults(env: NodeJS.ProcessEnv): BackendDefaults {
    return {
        zones: Object.fromEntries(exoscaleZones.map((zone) => [zone, { endpoint: sosEndpoint(zone), region: zone }])),
        credentials: { accessKey: env.EXOSCALE_API_KEY, secretKey: env.EXOSCALE_API_SECRET },
        howToConfigureZones: `Every Exoscale zone (${exoscaleZones.join(", ")}) is known by default; to choose others, set ` +
            `'bucket-replication:zones' to an object such as {"ch-dk-2": {"endpoint": "https://sos-ch-dk-2.exo.io"}}.`,
        howToSetCredentials: "set the EXOSCALE_API_KEY and EXOSCALE_API_SECRET environment variables to an Exoscale API key " +
            "whose IAM role may manage SOS buckets and IAM roles.",
    };
}

export function open(settings: BackendSettings): StorageBackend {
    return new ExoscaleBackend(settings);
}

/**
 * The IAM policy that lets SOS replicate from `source` to each destination, and nothing else: get-object
 * on the source, put-object and put-object-* on each destination. The expressions are the ones of
 * Exoscale's bucket-replication guide (community.exoscale.com, storage/replication/examples).
 */
export function replicationPolicy(source: BucketRef, destinations: readonly BucketRef[]): unknown {
    const destinationBuckets = [...new Set(destinations.map((d) => d.bucket))];
    return {
        "default-service-strategy": "deny",
        services: {
            sos: {
                type: "rules",
                rules: [
                    { action: "allow", expression: `parameters.bucket == ${celString(source.bucket)} && operation == 'get-object'` },
                    ...destinationBuckets.map((bucket) => ({
                        action: "allow",
                        expression: `parameters.bucket == ${celString(bucket)} && operation.startsWith('put-object')`,
                    })),
                ],
            },
        },
    };
}

/** A CEL string literal; bucket names never need escaping, so anything that would is refused rather than quoted. */
function celString(bucket: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(bucket)) {
        throw new Error(`Bucket name '${bucket}' cannot go into an Exoscale IAM policy: use only letters, digits, '.', '-' and '_'.`);
    }
    return `'${bucket}'`;
}

export interface ExoscaleBackendOptions {
    /** How often to poll IAM operations and bucket versioning; tests shorten it. */
    readonly pollInterval?: PollInterval;
}

/** Exoscale SOS buckets (S3 API, one endpoint per zone) with replication roles from Exoscale IAM v2. */
export class ExoscaleBackend extends S3CompatibleBuckets implements StorageBackend {
    readonly name = "exoscale";
    readonly zoneNames: readonly string[];
    private readonly clients = new Map<string, ZoneS3>();
    private readonly pollInterval: PollInterval;
    private readonly waitTimeoutMs: number;
    private iamClient?: ExoscaleIamClient;

    constructor(private readonly settings: BackendSettings, options: ExoscaleBackendOptions = {}) {
        super();
        this.zoneNames = Object.keys(settings.zones);
        this.pollInterval = options.pollInterval ?? defaultPollInterval;
        this.waitTimeoutMs = settings.waitTimeoutMs ?? defaultWaitTimeoutMs;
    }

    endpointOf(zone: string): string {
        return this.zone(zone).endpoint;
    }

    // Roles: Exoscale IAM v2. The role's id is its UUID, which is also what replication names. Role
    // names are not unique on Exoscale, so a role is recognised as ours by its name and its owner label.

    /**
     * Creates the role, marked with the owner label. A role of that name that carries this resource's
     * label (an earlier, interrupted create) is adopted and brought to `spec`; one without it stops the
     * create before anything is written, unless `spec.adoptExisting` asks to take it over. A create
     * that fails after the API accepted it is undone.
     */
    async createRole(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        refuseReservedLabels(spec);
        const marker = identity ? ownerLabelValue(identity) : undefined;
        const iam = this.iam();
        const existing = await this.roleToAdopt(spec, marker, log);
        if (existing) {
            if (marker) await this.removeDuplicates(spec.name, marker, existing.role.id, log);
            return this.bringToSpec(existing.role, spec, marker, existing.madeBy, log);
        }

        const labels = marker ? { ...spec.labels, [ownerLabelKey]: marker } : { ...spec.labels };
        const newRole = { name: spec.name, description: spec.description, editable: spec.editable, labels, policy: spec.policy };
        const started = await this.startCreate(newRole, marker, log);
        if ("adopted" in started) {
            // An earlier attempt got through although its answer did not.
            return this.bringToSpec(started.adopted, spec, marker, "ours", log);
        }
        let id: string | undefined;
        try {
            const done = await iam.waitFor(started.operation, createOperationName(spec.name), log);
            id = done.reference?.id;
        } catch (error) {
            throw await this.undoCreate(spec.name, marker, error as Error, log);
        }
        if (!id) {
            const found = marker ? (await this.rolesNamed(spec.name, log)).filter((r) => r.labels?.[ownerLabelKey] === marker) : [];
            if (found.length !== 1) {
                throw new Error(`Exoscale reported success for ${createOperationName(spec.name)} (operation ${started.operation.id}) without naming the new role; ` +
                    `find it with 'exo iam role list'` + (marker ? `: it carries the label ${ownerLabelKey}=${marker}, so the next 'pulumi up' adopts it.` : " and import it."));
            }
            id = found[0].id;
        }
        // A repeated create, or the create of an earlier run that was stopped while Exoscale still worked on
        // it, may have made a copy meanwhile: one resource owns one role.
        if (marker) await this.removeDuplicates(spec.name, marker, id, log);
        return { ...spec, id };
    }

    /**
     * Sends the create, and after a failure in transit (a reset, a time-out, a 5xx) looks for a role
     * that an attempt made before sending it again; a role found so is adopted. Returns the create's
     * operation, or the role an earlier attempt made.
     */
    private async startCreate(role: NewIamRole, marker: string | undefined, log: ProgressLog):
        Promise<{ operation: Operation; ambiguous: boolean } | { adopted: IamRole }> {
        const iam = this.iam();
        const policy = iam.requestPolicy;
        let ambiguous = false;
        for (let attempt = 0; ; attempt++) {
            try {
                return { operation: await iam.startCreateRole(role, log), ambiguous };
            } catch (error) {
                if (!(error instanceof ServiceError) || !error.retryable) throw error;
                ambiguous = true;
                // Without a marker a role that an attempt made cannot be told from someone else's: never send twice then.
                if (!marker || attempt >= policy.maxRetries) {
                    throw await this.undoCreate(role.name, marker, error, log);
                }
                const pauseMs = backoffMs(policy, attempt);
                log(`${createOperationName(role.name)} got no clear answer (${error.httpStatus ? `HTTP ${error.httpStatus} ` : ""}${error.code}); ` +
                    `looking for the role before trying again in ${(pauseMs / 1000).toFixed(1)} s`);
                await pause(pauseMs);
                let made: IamRole | undefined;
                try {
                    made = (await this.rolesNamed(role.name, log)).find((r) => r.labels?.[ownerLabelKey] === marker);
                } catch (lookupError) {
                    if (lookupError instanceof CancelledError) throw lookupError;
                    throw withNote(lookupError as Error, `This came while looking for the role '${role.name}' after ${createOperationName(role.name)} ` +
                        `got no clear answer (${error.message.split("\n")[0]}). If that create made the role, it carries the label ` +
                        `${ownerLabelKey}=${marker}, so the next 'pulumi up' adopts it.`);
                }
                if (made) {
                    log(`IAM role '${role.name}' (${made.id}) was made by the unanswered attempt; adopting it`);
                    return { adopted: made };
                }
            }
        }
    }

    /**
     * Before anything is written: the role of that name to adopt, if any. Ours (it carries this
     * resource's label) is adopted; so is someone else's when `adoptExisting` asks, if it is the only
     * role of that name. Any other role of that name stops the create.
     */
    private async roleToAdopt(spec: RoleSpec, marker: string | undefined, log: ProgressLog): Promise<{ role: IamRole; madeBy: "ours" | "others" } | undefined> {
        const name = spec.name;
        const existing = await this.rolesNamed(name, log);
        const ours = existing.filter((role) => marker !== undefined && role.labels?.[ownerLabelKey] === marker);
        const foreign = existing.filter((role) => !ours.includes(role));
        if (foreign.length === 0) {
            if (ours.length === 0) return undefined;
            log(`IAM role '${name}' (${ours[0].id}) was made by an earlier, interrupted run of this resource; adopting it`);
            return { role: ours[0], madeBy: "ours" };
        }
        const whose = foreign.map((role) => `${role.id} (${role.labels?.[ownerLabelKey]
            ? "made by another Pulumi resource or stack" : `without the label ${ownerLabelKey}, so not made by this package`})`);
        if (spec.adoptExisting && existing.length === 1) {
            log(`adopting IAM role '${name}' ${whose[0]} as 'adoptExisting' asks: its description, labels and policy become the program's`);
            return { role: foreign[0], madeBy: "others" };
        }
        if (spec.adoptExisting) {
            throw new Error(`IAM role '${name}' cannot be adopted: Exoscale has ${existing.length} roles of that name (${existing.map((r) => r.id).join(", ")}), ` +
                `and 'adoptExisting' cannot choose between them. Nothing was changed. Delete the ones you do not want with 'exo iam role delete <id>', or choose another 'name'.`);
        }
        throw new Error(`IAM role '${name}' cannot be created: Exoscale already has a role of that name, ${whose.join(", ")}. Nothing was changed. ` +
            `Choose another 'name' for the IamRole (or leave it unset for one derived from this stack); to bring that role under this resource, ` +
            `set 'adoptExisting: true'; or, if it is an orphan of yours, delete it with 'exo iam role delete ${foreign[0].id}'.`);
    }

    /** Removes what a failed create made; says what is left when that fails too. */
    private async undoCreate(name: string, marker: string | undefined, cause: Error, log: ProgressLog): Promise<Error> {
        if (cause instanceof CancelledError) {
            // Nothing may be sent after a cancel; what the create made carries the label, so a re-run adopts it.
            return cause;
        }
        if (!marker) return cause;
        let made: IamRole[];
        try {
            made = (await this.rolesNamed(name, log)).filter((role) => role.labels?.[ownerLabelKey] === marker);
        } catch {
            return withNote(cause, `If the role was made anyway, it carries the label ${ownerLabelKey}=${marker}, so the next 'pulumi up' adopts it.`);
        }
        if (made.length === 0) {
            // An operation that ended in failure makes nothing more; one that was not waited for to the end may.
            const ended = cause instanceof ServiceError && (cause.code === "OperationFailed" || cause.code === "OperationTimedOut");
            return withNote(cause, `No role '${name}' is left behind.` + (ended ? "" : ` Should the create still finish, the role carries the label ` +
                `${ownerLabelKey}=${marker}, so the next 'pulumi up' adopts it.`));
        }
        const left: string[] = [];
        for (const role of made) {
            try {
                await this.iam().deleteRole(role.id, log);
                log(`deleted IAM role '${name}' (${role.id}) again: its create did not complete`);
            } catch {
                left.push(role.id);
            }
        }
        return withNote(cause, left.length === 0
            ? `Nothing was left behind: the role '${name}' that the create made (${made.map((r) => r.id).join(", ")}) was deleted again.`
            : `The role '${name}' (${left.join(", ")}) could not be deleted again; it carries the label ${ownerLabelKey}=${marker}, so the next 'pulumi up' adopts it.`);
    }

    /** After unanswered or interrupted creates, more than one may have got through: keep `keep`, delete the others. */
    private async removeDuplicates(name: string, marker: string, keep: string, log: ProgressLog): Promise<void> {
        const extra = (await this.rolesNamed(name, log)).filter((role) => role.labels?.[ownerLabelKey] === marker && role.id !== keep);
        for (const role of extra) {
            log(`deleting IAM role '${name}' (${role.id}): a second copy, made by a repeated or interrupted create of this resource`);
            await this.iam().deleteRole(role.id, log);
        }
    }

    /**
     * Makes an adopted role what the program asks for: description, labels (with the owner label, so
     * that later runs know it) and policy. `madeBy` says whose it was, for the messages.
     */
    private async bringToSpec(role: IamRole, spec: RoleSpec, marker: string | undefined, madeBy: "ours" | "others", log: ProgressLog): Promise<RoleState> {
        const editable = role.editable ?? true;
        const origin = madeBy === "ours" ? "was made by an earlier run of this resource" : "exists";
        if (editable !== spec.editable) {
            throw new Error(`IAM role '${spec.name}' (${role.id}) ${origin} with 'editable: ${editable}', ` +
                `but the program says 'editable: ${spec.editable}', which Exoscale cannot change. Set 'editable' to ${editable}, ` +
                `or delete the role with 'exo iam role delete ${role.id}' and run 'pulumi up' again.`);
        }
        const labels = marker ? { ...spec.labels, [ownerLabelKey]: marker } : { ...spec.labels };
        if ((role.description ?? "") !== spec.description || !sameJson(role.labels ?? {}, labels)) {
            await this.iam().updateRole(role.id, { ...descriptionChange(role.description, spec.description, { id: role.id, name: spec.name }), labels }, log);
            await this.readBack(role.id, spec.description, labels, log);
        }
        if (!sameJson(role.policy, spec.policy)) {
            if (!editable) {
                throw new Error(`IAM role '${spec.name}' (${role.id}) ${origin} with 'editable: false' and another policy, ` +
                    `which Exoscale will never change. Delete it with 'exo iam role delete ${role.id}' and run 'pulumi up' again.`);
            }
            await this.iam().updateRolePolicy(role.id, spec.policy, log);
        }
        return { ...spec, id: role.id };
    }

    private async rolesNamed(name: string, log?: ProgressLog): Promise<IamRole[]> {
        return (await this.iam().listRoles(log)).filter((role) => role.name === name);
    }

    async readRole(id: string, known: RoleState): Promise<RoleState | undefined> {
        const role = await this.iam().getRole(id);
        if (!role) return undefined;
        return {
            id: role.id ?? id,
            name: role.name ?? known.name,
            description: role.description ?? "",
            editable: role.editable ?? true,
            // The owner label is the provider's, not the program's: never shown as drift.
            labels: withoutOwnerLabel(role.labels ?? {}),
            // Keep the known document when only key order differs, so that a refresh reports no false drift;
            // a role answered without a policy grants by the API's default, not by ours: read as an empty one,
            // which the next update puts back.
            policy: role.policy === undefined ? {} : sameJson(role.policy, known.policy) ? known.policy : role.policy,
        };
    }

    async updateRole(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        refuseReservedLabels(spec);
        const policyChanged = !sameJson(known.policy, spec.policy);
        if (policyChanged && !known.editable) {
            throw new Error(`IAM role '${known.name}' (${known.id}) was created with 'editable: false', so Exoscale will never change its policy. ` +
                `Replace the role to change its 'policy' (for example give it a new 'name'), or create it with 'editable: true'.`);
        }
        if (known.description !== spec.description || !sameJson(known.labels, spec.labels)) {
            // The API replaces the whole label map: carry the owner label over from the role as it is.
            const current = await this.iam().getRole(known.id, log);
            const marker = current?.labels?.[ownerLabelKey];
            const labels = marker ? { ...spec.labels, [ownerLabelKey]: marker } : { ...spec.labels };
            await this.iam().updateRole(known.id, { ...descriptionChange(current?.description, spec.description, known), labels }, log);
            await this.readBack(known.id, spec.description, labels, log);
        }
        if (policyChanged) {
            await this.iam().updateRolePolicy(known.id, spec.policy, log);
        }
        // name and editable cannot change in place; the provider replaces the role for those.
        return { ...spec, id: known.id, name: known.name, editable: known.editable };
    }

    /** An update the API accepted is read back before the state claims it: the role's description and labels as written. */
    private async readBack(id: string, description: string, labels: Readonly<Record<string, string>>, log: ProgressLog): Promise<void> {
        const role = await this.iam().getRole(id, log);
        const found = { description: role?.description ?? "", labels: role?.labels ?? {} };
        if (role && found.description === description && sameJson(found.labels, labels)) return;
        throw new Error(`Exoscale IAM accepted update-iam-role ${id}, but ` + (role
            ? `reading the role back shows description ${JSON.stringify(found.description)} and labels ${JSON.stringify(found.labels)}, ` +
              `not ${JSON.stringify(description)} and ${JSON.stringify(labels)}. `
            : `the role is gone when read back. `) + `Check the role with 'exo iam role show ${id}', then run 'pulumi up' again.`);
    }

    /** Deletes the role, and any copy of it that an interrupted create of the same resource left (same name, same owner label). */
    async deleteRole(known: RoleState, log: ProgressLog): Promise<void> {
        const marker = (await this.iam().getRole(known.id, log))?.labels?.[ownerLabelKey];
        await this.iam().deleteRole(known.id, log);
        if (marker) await this.removeDuplicates(known.name, marker, known.id, log);
    }

    // Replication: S3 PutBucketReplication with the SOS document (role UUID, plain destination bucket name).

    async putReplication(spec: ReplicationSpec, _previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        for (const rule of spec.rules) refuseUnsupportedSettings(spec.source, rule);
        await waitForVersioningAtBothEnds(spec.source, spec.rules.map((rule) => rule.destination), (ref) => this.versioningOrMissing(ref), log, {
            timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollInterval.initialMs, maxPauseMs: this.pollInterval.maxMs,
        });

        const { PutBucketReplicationCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        await this.s3(spec.source.zone).send(`PutBucketReplication of '${spec.source.bucket}'`, new PutBucketReplicationCommand({
            Bucket: spec.source.bucket,
            ReplicationConfiguration: {
                Role: spec.role.id,
                Rules: spec.rules.map(toSosRule),
            },
        }));
    }

    async getReplication(source: BucketRef, known: ReplicationSpec): Promise<ReplicationSpec | undefined> {
        const { GetBucketReplicationCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        let document: GetBucketReplicationCommandOutput["ReplicationConfiguration"];
        try {
            document = (await this.s3(source.zone).send<GetBucketReplicationCommandOutput>(`GetBucketReplication of '${source.bucket}'`,
                new GetBucketReplicationCommand({ Bucket: source.bucket }))).ReplicationConfiguration;
        } catch (error) {
            const code = s3ErrorCode(error);
            if (code === "ReplicationConfigurationNotFoundError" || code === "NoSuchBucket") return undefined;
            throw error;
        }
        if (!document) return undefined;

        const knownRules = new Map(known.rules.map((rule) => [rule.id, rule]));
        const knownZones = new Map(known.rules.map((rule) => [rule.destination.bucket, rule.destination.zone]));
        const rules = (document.Rules ?? []).map((rule) => {
            const before = knownRules.get(rule.ID ?? "");
            return fromSosRule(rule, (bucket) => (before?.destination.bucket === bucket ? before.destination.zone : knownZones.get(bucket) ?? source.zone));
        });
        return { source, role: await this.roleNamedBy(roleIdOf(document.Role ?? ""), known.role), rules };
    }

    /**
     * The role a configuration names, as SOS names it (its UUID). Another role than the known one is
     * named by IAM's name for it, or by its UUID when IAM no longer has it or cannot be asked: the
     * UUID is what replication runs as, the name only helps a person read the refresh.
     */
    private async roleNamedBy(id: string, known: RoleState): Promise<RoleState> {
        if (id === known.id) return known;
        const role = id === "" ? undefined : await this.iam().getRole(id).catch((error) => {
            if (error instanceof ServiceError) return undefined;
            throw error;
        });
        return { ...known, id, name: role?.name ?? id };
    }

    /** SOS exposes no replication figures: the latest versions' replication status, sampled (s3/replicationSample.ts). */
    async replicationStatus(spec: ReplicationSpec, options?: { readonly sampleSize?: number }) {
        const { sampledRuleStatuses } = require("../s3/replicationSample") as typeof import("../s3/replicationSample");
        return sampledRuleStatuses(this.s3(spec.source.zone), spec, options?.sampleSize);
    }

    async deleteReplication(spec: ReplicationSpec, _log: ProgressLog): Promise<void> {
        const { DeleteBucketReplicationCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        try {
            await this.s3(spec.source.zone).send(`DeleteBucketReplication of '${spec.source.bucket}'`, new DeleteBucketReplicationCommand({ Bucket: spec.source.bucket }));
        } catch (error) {
            if (s3ErrorCode(error) === "NoSuchBucket") return;
            throw error;
        }
    }

    private zone(zone: string): ZoneSettings {
        const settings = this.settings.zones[zone];
        if (!settings) {
            throw new Error(`Zone '${zone}' is not configured for Exoscale; use one of ${this.zoneNames.map((z) => `'${z}'`).join(", ")}, ` +
                `or add it to 'bucket-replication:zones'.`);
        }
        return settings;
    }

    protected s3(zone: string): ZoneS3 {
        let client = this.clients.get(zone);
        if (!client) {
            const settings = this.zone(zone);
            client = new ZoneS3({
                zone, endpoint: settings.endpoint,
                // SOS signs with the zone name as the SigV4 region.
                region: settings.region ?? zone,
                credentials: this.settings.credentials, requestPolicy: this.settings.requestPolicy,
                credentialHint: this.settings.credentialHint, serviceName: "Exoscale SOS",
            });
            this.clients.set(zone, client);
        }
        return client;
    }

    private iam(): ExoscaleIamClient {
        this.iamClient ??= new ExoscaleIamClient({
            endpoint: this.settings.iamEndpoint,
            apiKey: this.settings.credentials.accessKey,
            apiSecret: this.settings.credentials.secretKey,
            waitTimeoutMs: this.waitTimeoutMs,
            pollInterval: this.pollInterval,
            requestPolicy: this.settings.requestPolicy,
            credentialHint: this.settings.credentialHint,
        });
        return this.iamClient;
    }
}

/**
 * The label that marks a role as made by this package for one resource; its value is
 * `ownerLabelValue(identity)`. Exoscale documents label keys and values as letters, digits and a few
 * symbols (`-`, `_`, ...), with values starting with a non-digit, so neither a ':' (as in the bucket
 * tag) nor a bare hex digest would do.
 */
export const ownerLabelKey = "pulumi-bucket-replication-owner";

export function ownerLabelValue(identity: string): string {
    return `resource-${identity}`;
}

function withoutOwnerLabel(labels: Readonly<Record<string, string>>): Record<string, string> {
    const { [ownerLabelKey]: _marker, ...rest } = labels;
    return rest;
}

function refuseReservedLabels(spec: RoleSpec): void {
    if (Object.prototype.hasOwnProperty.call(spec.labels, ownerLabelKey)) {
        throw new Error(`IamRole '${spec.name}': the label '${ownerLabelKey}' in 'labels' is reserved: it marks the roles this package made. ` +
            `Remove it from 'labels' (or rename it).`);
    }
}

/**
 * What update-iam-role is sent for the description. The API takes 1 to 255 characters and has no
 * operation that removes a role's description (the Exoscale API's OpenAPI document, as egoscale v3
 * ships it in generator/source.yaml), so a description cannot be cleared in place: that is refused,
 * naming the fixes, rather than left unsent (which showed the change again on every preview).
 */
function descriptionChange(current: string | undefined, wanted: string, role: { readonly id: string; readonly name: string }): { description?: string } {
    if (wanted !== "") return { description: wanted };
    if ((current ?? "") === "") return {};
    throw new Error(`IAM role '${role.name}' (${role.id}): ${descriptionCannotBeCleared(current ?? "")} Nothing was changed.`);
}

function descriptionCannotBeCleared(current: string): string {
    return `the role has the description ${JSON.stringify(current)} and the program gives it none, but Exoscale IAM cannot clear a role's ` +
        `description: its update takes 1 to 255 characters. Give the IamRole a 'description' again, or replace the role (give it another 'name') ` +
        `to have one without a description.`;
}

/** The cause's message with what the undo found, in the cause's own shape when it is a ServiceError. */
function withNote(cause: Error, note: string): Error {
    cause.message = `${cause.message}\n${note}`;
    return cause;
}

/** SOS replicates whole objects and delete markers by prefix; refuse what it cannot do instead of ignoring it. */
function refuseUnsupportedSettings(source: BucketRef, rule: ReplicationRule): void {
    const where = `Replication rule '${rule.id}' of bucket '${source.bucket}'`;
    if (rule.deleteReplication) {
        throw new Error(`${where} sets 'deleteReplication: true', but Exoscale SOS cannot replicate deletions of versions. ` +
            `Set 'deleteReplication: false' (delete markers are replicated with 'deleteMarkerReplication').`);
    }
    if (rule.tags && Object.keys(rule.tags).length > 0) {
        throw new Error(`${where} filters on 'tags', but Exoscale SOS filters replication by prefix only. Remove 'tags' and use 'prefix'.`);
    }
}

/** Equality of JSON values regardless of object key order. */
function sameJson(a: unknown, b: unknown): boolean {
    return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}
