import {
    healthyRoleZone, zoneCredentials,
    type BackendSettings, type BucketRef, type ProgressLog, type ReplicationRule, type ReplicationSpec, type RoleSpec, type RoleState,
    type RoleZoneState, type StorageBackend,
} from "../backend";
import type { MinioAdminClient, RemoteTarget, RemoteTargetSummary } from "./adminClient";
import { ownerPolicyIdPrefix } from "../../common/ownership";
import { S3CompatibleBuckets } from "../s3/buckets";
import { ZoneS3 } from "../s3/client";
import { isNoSuchBucket, ServiceError } from "../../transport/serviceError";
import { waitForVersioningAtBothEnds } from "../versioningGate";
import { samePolicy } from "./policy";
import { readReplicationXml, replicationXml } from "./replicationXml";
import { configKey } from "../../common/configKey";

export class MinioBackend extends S3CompatibleBuckets implements StorageBackend {
    readonly name = "minio";
    readonly zoneNames: readonly string[];
    private readonly clients = new Map<string, ZoneS3>();
    private readonly admins = new Map<string, MinioAdminClient>();

    constructor(private readonly settings: BackendSettings) {
        super();
        this.zoneNames = Object.keys(settings.zones);
    }

    endpointOf(zone: string): string {
        const settings = this.settings.zones[zone];
        if (!settings) {
            throw new Error(`Zone '${zone}' is not configured; configured zones: ${this.zoneNames.join(", ")}.`);
        }
        return settings.endpoint;
    }

    async getBucketTags(ref: BucketRef): Promise<Record<string, string>> {
        const tags = await super.getBucketTags(ref);
        // MinIO answers a tag read of a missing bucket with NoSuchTagSet, as for a bucket without tags; the
        // versioning read then fails with NoSuchBucket where the bucket is gone. Our buckets always carry a tag.
        if (Object.keys(tags).length === 0) await this.getVersioning(ref);
        return tags;
    }

    // A role is a user of the same name on every zone, with a canned policy of the same name: the
    // zones that replicate into a destination log in to it as this user. The policy's ID carries the
    // ownership marker, as MinIO users have no labels.
    async createRole(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        const marker = identity ? `${ownerPolicyIdPrefix}${identity}` : undefined;
        await this.refuseRolesNotOurs(spec, marker, log);
        const secretKey = randomSecret();
        const touched: string[] = [];
        try {
            log(`creating user and policy '${spec.name}' on ${describeZones(this.zoneNames)}`);
            await onEveryZone(this.zoneNames, async (zone) => {
                const admin = this.admin(zone);
                touched.push(zone);
                await Promise.all([
                    admin.addCannedPolicy(spec.name, { ...(spec.policy as object), ...(marker ? { ID: marker } : {}) }),
                    admin.addUser(spec.name, secretKey),
                ]);
                await admin.attachPolicy(spec.name, [spec.name]);
            });
        } catch (error) {
            throw await this.undoRole(spec.name, touched, error as Error, log);
        }
        return { ...spec, id: spec.name, secretKey, zones: Object.fromEntries(this.zoneNames.map((zone) => [zone, healthyRoleZone(spec.name, marker !== undefined)])) };
    }

    /** Before anything is written: a user or policy of that name on any zone must carry our marker. */
    private async refuseRolesNotOurs({ name, adoptExisting }: RoleSpec, marker: string | undefined, log: ProgressLog): Promise<void> {
        const foreign: string[] = [];
        let adopted = false;
        const found = await onEveryZone(this.zoneNames, async (zone) => {
            const admin = this.admin(zone);
            const [user, policy] = await Promise.all([admin.userInfo(name), admin.getCannedPolicy(name)]);
            return { zone, user, policy };
        });
        for (const { zone, user, policy } of found) {
            if (!user && !policy) continue;
            const policyId = (policy as { ID?: string } | undefined)?.ID;
            if (marker && policyId === marker) adopted = true;
            else foreign.push(`zone ${zone} already has ${user ? "a user" : "a canned policy"} '${name}'` +
                (policyId?.startsWith(ownerPolicyIdPrefix) ? " made by another Pulumi resource or stack" : " not made by this resource"));
        }
        if (foreign.length > 0 && adoptExisting) {
            log(`adopting role '${name}' as 'adoptExisting' asks (${foreign.join("; ")}): its policy becomes the program's and its secret key is replaced`, { lasting: true });
            return;
        }
        if (foreign.length > 0) {
            throw new Error(`Role '${name}' cannot be created: ${foreign.join("; ")}. Nothing was changed. ` +
                `Choose another 'name' for the IamRole (or leave it unset for a unique one); to bring that user under this resource, set 'adoptExisting: true'; ` +
                `or remove that user and policy with 'mc admin user rm' and 'mc admin policy rm' if they are orphans of yours.`);
        }
        if (adopted) log(`role '${name}' was partly made by an earlier, interrupted run of this resource; adopting and finishing it`, { lasting: true });
    }

    /** Removes what a failed create made; says what is left when that fails too. */
    private async undoRole(name: string, zones: readonly string[], cause: Error, log: ProgressLog): Promise<Error> {
        const left: string[] = [];
        await Promise.all(zones.map(async (zone) => {
            try {
                await this.removeUserAndPolicy(zone, name);
                log(`removed user and policy '${name}' from zone ${zone} again: the role could not be created everywhere`, { lasting: true });
            } catch {
                left.push(zone);
            }
        }));
        return new Error(left.length === 0
            ? `${cause.message}\nNothing was left behind: the user and policy '${name}' were removed again from ${zones.join(", ")}.`
            : `${cause.message}\nThe user and policy '${name}' could not be removed again from ${left.join(", ")}; ` +
              `they carry this resource's marker, so the next 'pulumi up' adopts and finishes them.`);
    }

    private async removeUserAndPolicy(zone: string, name: string): Promise<void> {
        const admin = this.admin(zone);
        if (await admin.userInfo(name)) await admin.removeUser(name);
        if (await admin.getCannedPolicy(name)) await admin.removeCannedPolicy(name);
    }

    async readRole(id: string, known: RoleState): Promise<RoleState | undefined> {
        const marker = known.identity ? `${ownerPolicyIdPrefix}${known.identity}` : undefined;
        const copies = await onEveryZone(this.zoneNames, async (zone) => {
            const admin = this.admin(zone);
            const [user, policy] = await Promise.all([admin.userInfo(id), admin.getCannedPolicy(id)]);
            const credentials = user?.status === "enabled" && known.secretKey ? await this.roleCredentialsAccepted(zone, id, known.secretKey) : false;
            return { zone, user, policy, credentials };
        });
        if (copies.every(({ user, policy }) => !user && !policy)) return undefined;
        // The first zone's copy stands for the role (they are written together); every other zone is compared with it.
        const reference = copies.find(({ policy }) => policy !== undefined)?.policy;
        const policy = reference === undefined ? {} : samePolicy(reference, known.policy) ? known.policy : withoutId(reference);
        const zones = Object.fromEntries(copies.map(({ zone, user, policy: copy, credentials }) => [zone, {
            user: !user ? "missing" : user.status === "enabled" ? "enabled" : "disabled",
            attachedPolicies: (user?.policyName ?? "").split(",").map((name) => name.trim()).filter(Boolean).sort(),
            policy: copy === undefined ? "missing" : samePolicy(copy, reference) ? "same" : "differs",
            ownershipMarker: marker !== undefined && (copy as { ID?: string } | undefined)?.ID === marker,
            credentials: credentials ? "accepted" : "rejected",
        } satisfies RoleZoneState]));
        return { ...known, policy, zones };
    }

    /**
     * Whether `zone` lets the role's user in with the secret key Pulumi holds: a signed ListBuckets as
     * that user. A refusal for lack of permission still proves the key; a refused signature or key does not.
     */
    private async roleCredentialsAccepted(zone: string, accessKey: string, secretKey: string): Promise<boolean> {
        const asRole = new ZoneS3({
            zone, endpoint: this.endpointOf(zone), region: this.regionOf(zone), credentials: { accessKey, secretKey },
            requestPolicy: this.settings.requestPolicy, credentialHint: this.settings.credentialHint, serviceName: "MinIO S3",
        });
        try {
            await asRole.call(`ListBuckets as role '${accessKey}'`, { method: "GET", bucket: "" });
            return true;
        } catch (error) {
            if (!(error instanceof ServiceError)) throw error;
            if (error.code === "AccessDenied") return true;
            if (["InvalidAccessKeyId", "SignatureDoesNotMatch", "XMinioAccountDisabled"].includes(error.code)) return false;
            throw error;
        }
    }

    /**
     * Writes the declared role on every zone, and puts back whatever a refresh found changed there: a
     * missing or disabled user (with the secret key the state holds), a detached or extra policy, a
     * policy document replaced, the ownership marker.
     */
    async updateRole(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        log(`updating policy '${known.id}' on ${describeZones(this.zoneNames)}`);
        const secretKey = known.secretKey;
        await onEveryZone(this.zoneNames, async (zone) => {
            const admin = this.admin(zone);
            const [user, existing] = await Promise.all([admin.userInfo(known.id), admin.getCannedPolicy(known.id)]);
            // The marker comes from the resource's identity; a role made before identities keeps whatever it has.
            const marker = spec.identity ? `${ownerPolicyIdPrefix}${spec.identity}` : (existing as { ID?: string } | undefined)?.ID;
            await admin.addCannedPolicy(known.id, { ...(spec.policy as object), ...(marker ? { ID: marker } : {}) });
            const seen = known.zones?.[zone];
            if (secretKey && (!user || user.status !== "enabled" || seen?.credentials === "rejected")) {
                log(`restoring user '${known.id}' on zone ${zone} (${!user ? "it was removed" : user.status !== "enabled" ? "it was disabled" : "its secret key was changed"})`, { lasting: true });
                await admin.addUser(known.id, secretKey);
            }
            const attached = (user?.policyName ?? "").split(",").map((name) => name.trim()).filter(Boolean);
            const extra = attached.filter((name) => name !== known.id);
            if (extra.length > 0) {
                log(`detaching ${extra.map((name) => `'${name}'`).join(", ")} from user '${known.id}' on zone ${zone}: the role grants only its own policy`, { lasting: true });
                await admin.detachPolicy(known.id, extra);
            }
            await admin.attachPolicy(known.id, [known.id]);
        });
        const marked = spec.identity !== undefined;
        return { ...known, ...spec, id: known.id, zones: Object.fromEntries(this.zoneNames.map((zone) => [zone, healthyRoleZone(known.id, marked)])) };
    }

    async deleteRole(known: RoleState, log: ProgressLog): Promise<void> {
        log(`removing user and policy '${known.id}' from ${describeZones(this.zoneNames)}`);
        await onEveryZone(this.zoneNames, (zone) => this.removeUserAndPolicy(zone, known.id));
    }

    async putReplication(spec: ReplicationSpec, _previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        await this.waitForVersioning(spec.source, spec.rules.map((r) => r.destination), log);
        const admin = this.admin(spec.source.zone);
        // A rule's target options are its remote target's, which every rule into that destination shares (checked at preview).
        const wanted = uniqueDestinations(spec.rules).map((destination) => ({
            destination,
            target: this.remoteTarget(destination, spec.role, spec.rules.find((rule) => destinationKey(rule.destination) === destinationKey(destination))!),
        }));
        let targets = await admin.listRemoteTargets(spec.source.bucket);
        const sameTargets = targets.length === wanted.length
            && wanted.every(({ target }) => targets.some((t) => t.endpoint === target.endpoint && t.targetBucket === target.targetBucket));
        if (!sameTargets && targets.length > 0) {
            // MinIO keeps one remote target per source bucket and target server, and refuses to remove
            // a target a rule still uses; removing the configuration removes its targets with it.
            log(`replacing the remote targets of ${spec.source.zone}/${spec.source.bucket}: the rules' destinations changed`);
            await this.removeReplicationDocument(spec.source);
            targets = await admin.listRemoteTargets(spec.source.bucket);
        }
        const arnByDestination = new Map<string, string>();
        const registered: string[] = [];
        try {
            for (const { destination, target } of wanted) {
                const existing = targets.find((t) => t.endpoint === target.endpoint && t.targetBucket === target.targetBucket);
                if (existing) {
                    await admin.updateRemoteTargetCredentials(spec.source.bucket, existing.arn, target);
                    arnByDestination.set(destinationKey(destination), existing.arn);
                } else {
                    log(`registering ${destination.zone}/${destination.bucket} as a remote target of ${spec.source.zone}/${spec.source.bucket}`);
                    const arn = await admin.setRemoteTarget(spec.source.bucket, target);
                    registered.push(arn);
                    arnByDestination.set(destinationKey(destination), arn);
                }
            }
            const xml = replicationXml(spec.rules, (rule) => arnByDestination.get(destinationKey(rule.destination))!);
            await this.s3(spec.source.zone).call(`PutBucketReplication of '${spec.source.bucket}'`,
                { method: "PUT", bucket: spec.source.bucket, query: { replication: "" }, body: xml });
        } catch (error) {
            throw await this.undoRemoteTargets(spec.source, registered, error as Error, log);
        }
        await this.startResyncs(spec, targets, arnByDestination, log);
    }

    /**
     * A rule's `resync` runs once per text on its remote target: the target keeps the ID of its latest
     * resync (`resetID`), which is the text's digest when this provider started it. A new text, or a new
     * target, starts one: MinIO then copies every object that existed before it to the destination again.
     */
    private async startResyncs(spec: ReplicationSpec, targets: readonly RemoteTargetSummary[], arnByDestination: ReadonlyMap<string, string>, log: ProgressLog): Promise<void> {
        const started = new Set<string>();
        for (const rule of spec.rules) {
            if (rule.resync === undefined) continue;
            const arn = arnByDestination.get(destinationKey(rule.destination))!;
            const resetId = resyncId(rule.resync);
            if (started.has(arn) || targets.find((t) => t.arn === arn)?.resetId === resetId) continue;
            started.add(arn);
            log(`rule '${rule.id}': starting a resync of the existing objects of ${spec.source.zone}/${spec.source.bucket} to ` +
                `${rule.destination.zone}/${rule.destination.bucket} ('resync' is '${rule.resync}')`, { lasting: true });
            await this.s3(spec.source.zone).call(`ResetBucketReplication (resync) of '${spec.source.bucket}' to ${rule.destination.zone}/${rule.destination.bucket}`,
                { method: "PUT", bucket: spec.source.bucket, query: { "replication-reset": "", arn, "reset-id": resetId } });
        }
    }

    /** Targets registered by a put that then failed are used by no rule: remove them, or say they remain. */
    private async undoRemoteTargets(source: BucketRef, arns: readonly string[], cause: Error, log: ProgressLog): Promise<Error> {
        const left: string[] = [];
        for (const arn of arns) {
            try {
                await this.admin(source.zone).removeRemoteTarget(source.bucket, arn);
                log(`removed remote target ${arn} of ${source.zone}/${source.bucket} again: the replication configuration was not applied`, { lasting: true });
            } catch {
                left.push(arn);
            }
        }
        if (arns.length === 0) return cause;
        return new Error(left.length === 0 ? `${cause.message}\nThe remote targets registered for it were removed again.`
            : `${cause.message}\nRemote targets ${left.join(", ")} of bucket '${source.bucket}' could not be removed again; ` +
              `the next 'pulumi up' reuses them.`);
    }

    async getReplication(source: BucketRef, known: ReplicationSpec): Promise<ReplicationSpec | undefined> {
        let document: string;
        try {
            document = (await this.s3(source.zone).call(`GetBucketReplication of '${source.bucket}'`,
                { method: "GET", bucket: source.bucket, query: { replication: "" } })).text;
        } catch (error) {
            if (error instanceof ServiceError && error.httpStatus === 404) return undefined;
            throw error;
        }
        const targets = await this.admin(source.zone).listRemoteTargets(source.bucket);
        const rules = readReplicationXml(document, (arn) => {
            const target = targets.find((t) => t.arn === arn);
            if (!target) return { zone: "", bucket: arn };
            return { zone: this.zoneOfHost(target.endpoint) ?? target.endpoint, bucket: target.targetBucket };
        });
        // A rule's target options are its remote target's: MinIO keeps them there, not in the document.
        const withTargetOptions = rules.map((rule) => {
            const target = targets.find((t) => t.targetBucket === rule.destination.bucket && this.zoneOfHost(t.endpoint) === rule.destination.zone);
            return target ? { ...rule, ...targetOptionsOf(target, known.rules.find((r) => r.id === rule.id)) } : rule;
        });
        return { source, role: this.roleOfTargets(targets, known.role), rules: withTargetOptions };
    }

    /**
     * The role a configuration replicates as is the user its remote targets sign in with. When
     * they disagree, the first one that is not the known role is reported, so that a refresh shows it.
     */
    private roleOfTargets(targets: readonly RemoteTargetSummary[], known: RoleState): RoleState {
        const keys = [...new Set(targets.flatMap((target) => target.accessKey === undefined ? [] : [target.accessKey]))];
        const other = keys.find((key) => key !== known.id);
        if (other === undefined) return known;
        // A key Pulumi does not know: its secret is not the role's either.
        return { ...known, id: other, name: other, secretKey: undefined };
    }

    /** MinIO's replication metrics per remote target, with a sample of the latest versions' status (minio/status.ts). */
    async replicationStatus(spec: ReplicationSpec, options?: { readonly sampleSize?: number }) {
        const { minioReplicationStatus } = require("./status") as typeof import("./status");
        return minioReplicationStatus({ admin: this.admin(spec.source.zone), s3: this.s3(spec.source.zone), endpointOf: (zone) => this.endpointOf(zone) }, spec, options);
    }

    async deleteReplication(spec: ReplicationSpec, log: ProgressLog): Promise<void> {
        log(`removing the replication configuration of ${spec.source.zone}/${spec.source.bucket}; replicated objects stay where they are`);
        await this.removeReplicationDocument(spec.source);
    }

    /** Removes the configuration and, with it on MinIO, every remote target of the bucket; nothing when the bucket is gone. */
    private async removeReplicationDocument(source: BucketRef): Promise<void> {
        try {
            await this.s3(source.zone).call(`DeleteBucketReplication of '${source.bucket}'`, { method: "DELETE", bucket: source.bucket, query: { replication: "" } });
        } catch (error) {
            if (isNoSuchBucket(error)) return;
            // No configuration (ReplicationConfigurationNotFoundError): its targets may still be there.
            if (!(error instanceof ServiceError && error.httpStatus === 404)) throw error;
        }
        const admin = this.admin(source.zone);
        for (const target of await admin.listRemoteTargets(source.bucket)) {
            await admin.removeRemoteTarget(source.bucket, target.arn);
        }
    }

    private async waitForVersioning(source: BucketRef, destinations: readonly BucketRef[], log: ProgressLog): Promise<void> {
        const probe = (ref: BucketRef) => this.versioningOrMissing(ref);
        await waitForVersioningAtBothEnds(source, destinations, probe, log, { timeoutMs: this.settings.waitTimeoutMs });
    }

    private remoteTarget(destination: BucketRef, role: RoleState, { bandwidthLimit, synchronous, healthCheckPeriod }: ReplicationRule): RemoteTarget {
        if (!role.secretKey) {
            throw new Error(`Role '${role.name}' has no credentials for MinIO remote targets; pass the IamRole resource itself as 'role'.`);
        }
        const url = new URL(this.endpointOf(destination.zone));
        const secure = url.protocol === "https:";
        return {
            endpoint: `${url.hostname}:${url.port || (secure ? "443" : "80")}`,
            secure,
            targetBucket: destination.bucket,
            accessKey: role.id,
            secretKey: role.secretKey,
            region: this.settings.zones[destination.zone].region,
            ...(bandwidthLimit !== undefined ? { bandwidthLimit } : {}),
            ...(synchronous ? { synchronous } : {}),
            ...(healthCheckPeriod !== undefined ? { healthCheckSeconds: healthCheckPeriod } : {}),
        };
    }

    private zoneOfHost(hostPort: string): string | undefined {
        return this.zoneNames.find((zone) => {
            const url = new URL(this.endpointOf(zone));
            return `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}` === hostPort;
        });
    }

    protected s3(zone: string): ZoneS3 {
        let client = this.clients.get(zone);
        if (!client) {
            client = new ZoneS3({
                zone, endpoint: this.endpointOf(zone), region: this.regionOf(zone), credentials: zoneCredentials(this.settings, zone),
                requestPolicy: this.settings.requestPolicy, credentialHint: this.credentialHintOf(zone), serviceName: "MinIO S3",
            });
            this.clients.set(zone, client);
        }
        return client;
    }

    private admin(zone: string): MinioAdminClient {
        let admin = this.admins.get(zone);
        if (!admin) {
            const { MinioAdminClient } = require("./adminClient") as typeof import("./adminClient");
            admin = new MinioAdminClient({
                endpoint: this.endpointOf(zone), credentials: zoneCredentials(this.settings, zone), region: this.regionOf(zone), zone,
                requestPolicy: this.settings.requestPolicy, credentialHint: this.credentialHintOf(zone),
            });
            this.admins.set(zone, admin);
        }
        return admin;
    }

    /**
     * Which settings hold the key pair requests to `zone` sign with, for messages when the zone refuses it:
     * the zone's own pair where it has one, else the stack's, with the way to give the zone one of its own
     * (a site whose root user is not the stack's refuses the stack's pair).
     */
    private credentialHintOf(zone: string): string {
        const own = [configKey(`zones.${zone}.accessKey`), configKey(`zones.${zone}.secretKey`)].map((key) => `'${key}'`).join(" and ");
        if (this.settings.zones[zone]?.credentials) {
            return `requests to zone ${zone} sign with its own key pair, ${own} in the stack configuration, which must be an admin's ` +
                `of that server (set the secret with pulumi config set --secret --path '${configKey(`zones.${zone}.secretKey`)}').`;
        }
        return `requests to zone ${zone} sign with the stack's key pair, ${this.settings.credentialHint.replace(/\.$/, "")}. ` +
            `If ${zone} has an owner of its own (another root user or admin), give ${zone} that key pair as ${own} ` +
            `(pulumi config set --secret --path '${configKey(`zones.${zone}.secretKey`)}').`;
    }

    private regionOf(zone: string): string {
        return this.settings.zones[zone]?.region ?? "us-east-1";
    }
}

/**
 * The options a rule keeps on its remote target, as read back: the limit, the synchronous flag and the health
 * check period as the target holds them (an explicit `false` or default the state holds stays, as the target
 * cannot tell it from none), and the state's `resync` while the target's latest resync is that text's.
 */
export function targetOptionsOf(target: RemoteTargetSummary, known: ReplicationRule | undefined): Partial<ReplicationRule> {
    const options: Partial<ReplicationRule> = {
        bandwidthLimit: target.bandwidthLimit,
        synchronous: target.synchronous ?? (known?.synchronous === false ? false : undefined),
        healthCheckPeriod: target.healthCheckSeconds,
        resync: known?.resync !== undefined && target.resetId === resyncId(known.resync) ? known.resync : undefined,
    };
    return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** The resync ID (`reset-id`) this provider gives MinIO for a rule's `resync` text: a digest, so that it reads back as that text. */
export function resyncId(text: string): string {
    const { createHash } = require("crypto") as typeof import("crypto");
    return `pbr-${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
}

function uniqueDestinations(rules: readonly ReplicationRule[]): BucketRef[] {
    const seen = new Map<string, BucketRef>();
    for (const rule of rules) seen.set(destinationKey(rule.destination), rule.destination);
    return [...seen.values()];
}

function destinationKey(ref: BucketRef): string {
    return `${ref.zone}/${ref.bucket}`;
}

function withoutId(policy: unknown): unknown {
    const { ID: _marker, ...rest } = policy as { ID?: string };
    return rest;
}

function randomSecret(): string {
    const { randomBytes } = require("crypto") as typeof import("crypto");
    return randomBytes(30).toString("base64").replace(/[+/=]/g, "").slice(0, 40);
}

/**
 * Runs `work` on every zone at once (the zones are independent servers), and waits for all of them
 * before it fails, so that a caller's undo sees every zone that was touched.
 */
async function onEveryZone<T>(zones: readonly string[], work: (zone: string) => Promise<T>): Promise<T[]> {
    const settled = await Promise.allSettled(zones.map(work));
    const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failed) throw failed.reason;
    return settled.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
}

function describeZones(zones: readonly string[]): string {
    return zones.length === 1 ? `zone ${zones[0]}` : `zones ${zones.join(", ")}`;
}
