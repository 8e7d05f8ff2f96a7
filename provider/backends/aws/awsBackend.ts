import type { GetBucketLocationOutput, GetBucketReplicationCommandOutput } from "@aws-sdk/client-s3";
import type {
    BackendSettings, BucketRef, Credentials, ProgressLog, ReplicationRule, ReplicationSpec, RoleSpec, RoleState, StorageBackend, ZoneSettings,
} from "../backend";
import { zoneCredentials } from "../backend";
import { S3CompatibleBuckets } from "../s3/buckets";
import { waitForVersioningAtBothEnds } from "../versioningGate";
import { waitFor } from "../../transport/polling";
import { withNote } from "../../common/withNote";
import { isMissingBucket } from "../s3/missingBucket";
import { isNoSuchBucket, ServiceError } from "../../transport/serviceError";
import { AwsIam, AwsZoneS3 } from "./clients";
import { bucketOfArn, partitionOf, regionOfLocation } from "./regions";
import { AwsRoles } from "./roles";
import { destinationsOf, fromS3Rule, toS3Rule } from "./rules";
import { ownerOverrideProblems, ruleProblems } from "./ruleOptions";
import { accountOfRoleArn, type BucketPolicy, type Grant, grantsOf, grantStatements, holdsGrant, sourceBucketOfPolicy, withGrant } from "./crossAccount";
import { configKey } from "../../common/configKey";

export interface AwsBackendOptions {
    /** How often to poll versioning and a role S3 does not see yet; tests shorten it. */
    readonly pollInterval?: { readonly initialMs: number; readonly maxMs: number };
}

function s3Sdk(): typeof import("@aws-sdk/client-s3") {
    return require("@aws-sdk/client-s3");
}

/** Amazon S3 buckets (one zone per region) with replication roles from AWS IAM. */
export class AwsBackend extends S3CompatibleBuckets implements StorageBackend {
    readonly name = "aws";
    readonly zoneNames: readonly string[];
    private readonly clients = new Map<string, AwsZoneS3>();
    private readonly waitTimeoutMs: number;
    private readonly pollInterval: { readonly initialMs: number; readonly maxMs: number };
    /** IAM per account: keyed by the access key that signs for it (the stack's, or a zone's own). */
    private readonly iamRoles = new Map<string, AwsRoles>();

    constructor(private readonly settings: BackendSettings, options: AwsBackendOptions = {}) {
        super();
        this.zoneNames = Object.keys(settings.zones);
        this.waitTimeoutMs = settings.waitTimeoutMs;
        this.pollInterval = options.pollInterval ?? { initialMs: 1000, maxMs: 10_000 };
    }

    endpointOf(zone: string): string {
        return this.zone(zone).endpoint;
    }

    /** The AWS region of a zone: the zone's name unless the zone's settings name another. */
    regionOf(zone: string): string {
        return this.zone(zone).region ?? zone;
    }

    // Buckets. Names are global on AWS, and us-east-1 answers a CreateBucket of a bucket the account
    // already owns there with success. So the bucket is looked for first: one that exists is "exists"
    // (the provider adopts it only with its owner tag), in its zone's region or refused.

    override async createBucket(ref: BucketRef): Promise<"created" | "exists"> {
        const s3 = this.s3(ref.zone);
        try {
            await s3.send(`HeadBucket of '${ref.bucket}'`, new (s3Sdk().HeadBucketCommand)({ Bucket: ref.bucket }));
        } catch (error) {
            if (error instanceof ServiceError && error.httpStatus === 301) {
                throw new Error(`Bucket name '${ref.bucket}' is already used in another region than ${this.regionOf(ref.zone)} (S3 redirected HeadBucket: HTTP 301), ` +
                    `by this account or another, and was left untouched; bucket names are global across AWS. ` +
                    `Choose another 'name', or leave 'name' unset for one derived from this stack and zone.`);
            }
            if (error instanceof ServiceError && error.httpStatus === 403) {
                throw new Error(`Bucket name '${ref.bucket}' is taken by another AWS account (bucket names are global across all of AWS), ` +
                    `or this identity may not read it (HTTP 403 on HeadBucket). Choose another 'name', or leave 'name' unset for one derived from this stack.`);
            }
            if (!isMissingBucket(error)) throw error;
            // The shared create: BucketAlreadyExists gets its message there; the client adds this region's LocationConstraint.
            const outcome = await super.createBucket(ref);
            if (outcome === "created") return outcome;
        }
        await this.refuseOtherRegion(ref);
        return "exists";
    }

    /** A bucket of this name in another region is not this zone's bucket, whoever made it. */
    private async refuseOtherRegion(ref: BucketRef): Promise<void> {
        const location = await this.s3(ref.zone).send<GetBucketLocationOutput>(`GetBucketLocation of '${ref.bucket}'`,
            new (s3Sdk().GetBucketLocationCommand)({ Bucket: ref.bucket }));
        const region = regionOfLocation(location.LocationConstraint);
        const expected = this.regionOf(ref.zone);
        if (region !== expected) {
            throw new Error(`Bucket '${ref.bucket}' already exists in this account, in region ${region}, not in zone ${ref.zone} (${expected}); it was left untouched. ` +
                `AWS bucket names are global, so a bucket cannot move between regions under its name: give the Bucket another 'name' ` +
                `(or leave it unset: automatic names include the zone), or delete the bucket in ${region} first.`);
        }
    }

    // Roles: AWS IAM (see roles.ts). The role's id is its ARN.

    // Across accounts, a role lives in the account of the source bucket it replicates from (its policy's
    // s3:GetReplicationConfiguration statement names it): the role is made with the credentials of that
    // account, and read, updated and deleted with those of the account its ARN names.

    async createRole(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        return this.roles(await this.roleHomeOfPolicy(spec.policy, log)).create(spec, identity, log);
    }

    async readRole(_id: string, known: RoleState): Promise<RoleState | undefined> {
        return this.roles(this.roleHomeOfArn(known.id)).read(known);
    }

    async updateRole(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        return this.roles(this.roleHomeOfArn(known.id)).update(known, spec, log);
    }

    async deleteRole(known: RoleState, log: ProgressLog): Promise<void> {
        return this.roles(this.roleHomeOfArn(known.id)).delete(known, log);
    }

    /** Whether some zone signs with a key pair of its own: only then may buckets and roles live in several accounts. */
    private hasZoneCredentials(): boolean {
        return this.zoneNames.some((zone) => this.settings.zones[zone]?.credentials !== undefined);
    }

    /**
     * The zones whose own key pair comes without the account it belongs to: roles and grants name accounts,
     * so on AWS such a zone must say which (refused at preview by rulesPreviewProblems, and here before writing).
     */
    private zonesWithoutAccount(): string[] {
        return this.zoneNames.filter((zone) => this.settings.zones[zone]?.credentials !== undefined && !this.settings.zones[zone]?.account);
    }

    private refuseZonesWithoutAccount(): void {
        const missing = this.zonesWithoutAccount();
        if (missing.length === 0) return;
        throw new Error(`Zone${missing.length > 1 ? "s" : ""} ${missing.map((z) => `'${z}'`).join(", ")} sign${missing.length > 1 ? "" : "s"} with a key pair of ${missing.length > 1 ? "their" : "its"} own ` +
            `but name${missing.length > 1 ? "" : "s"} no account; on AWS, replication roles and bucket policies name accounts by ID. Set ` +
            missing.map((zone) => `'${configKey(`zones.${zone}.account`)}'`).join(", ") + ` to the 12-digit ID of the account that key pair belongs to.`);
    }

    /** The key pair that acts in the account an IAM role ARN names: a zone's of that account, else the stack's. */
    private roleHomeOfArn(arn: string): Credentials {
        const account = accountOfRoleArn(arn);
        const zone = account === undefined ? undefined
            : this.zoneNames.find((z) => this.settings.zones[z]?.account === account && this.settings.zones[z]?.credentials !== undefined);
        return zone ? zoneCredentials(this.settings, zone) : this.settings.credentials;
    }

    /**
     * The key pair of the account that owns the source bucket a role's policy names. With the stack's pair
     * alone that is the stack's (no call is made); with zones of their own, each account is asked whether
     * it owns the bucket (ListBuckets lists the caller's own buckets only).
     */
    private async roleHomeOfPolicy(policy: unknown, log: ProgressLog): Promise<Credentials> {
        if (!this.hasZoneCredentials()) return this.settings.credentials;
        this.refuseZonesWithoutAccount();
        const source = sourceBucketOfPolicy(policy);
        if (!source) return this.settings.credentials;
        const byKey = new Map<string, string>();   // access key -> a zone that signs with it
        for (const zone of this.zoneNames) byKey.set(zoneCredentials(this.settings, zone).accessKey, byKey.get(zoneCredentials(this.settings, zone).accessKey) ?? zone);
        for (const zone of byKey.values()) {
            const owned = await this.s3(zone).send<import("@aws-sdk/client-s3").ListBucketsCommandOutput>("ListBuckets",
                new (s3Sdk().ListBucketsCommand)({}), { log });
            if ((owned.Buckets ?? []).some((bucket) => bucket.Name === source)) {
                const credentials = zoneCredentials(this.settings, zone);
                const account = this.settings.zones[zone]?.credentials ? this.settings.zones[zone]?.account : undefined;
                if (account) log(`the role replicates from '${source}', a bucket of account ${account}: it is made there (zone ${zone}'s key pair)`);
                return credentials;
            }
        }
        log(`the role's source bucket '${source}' was not found in any configured account; the role is made with the stack's key pair`, { lasting: true });
        return this.settings.credentials;
    }

    // Replication: PutBucketReplication with the role's ARN and the destinations' ARNs (rules.ts maps each rule).

    async putReplication(spec: ReplicationSpec, previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        const where = `Replication of bucket '${spec.source.bucket}'`;
        const byId = Object.fromEntries(spec.rules.map((rule) => [rule.id, rule]));
        const problems = [...ruleProblems(byId), ...this.accountProblems(spec.source.zone, byId)];
        if (problems.length > 0) throw new Error(`${where}: ${problems.map((p) => p.message).join(" ")}`);
        if (!/^arn:[^:]+:iam::\d{12}:role\//.test(spec.role.id)) {
            throw new Error(`${where} names the role '${spec.role.id}', which is not an IAM role ARN. Pass an IamRole made on the 'aws' backend as 'role'.`);
        }
        await waitForVersioningAtBothEnds(spec.source, destinationsOf(spec.rules), (ref) => this.versioningOrMissing(ref), log, {
            timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollInterval.initialMs, maxPauseMs: this.pollInterval.maxMs,
        });

        this.refuseRoleOfAnotherAccount(spec, where);

        // Across accounts: the destination's owner lets the role store replicas (its bucket policy), before any rule names it.
        const grants = this.grantsOf(spec);
        for (const grant of grants) await this.putGrant(grant, log);
        if (previous) {
            const kept = new Set(grants.map((grant) => `${grant.destination.zone}/${grant.destination.bucket}`));
            for (const old of this.grantsOf(previous)) {
                if (!kept.has(`${old.destination.zone}/${old.destination.bucket}`)) await this.removeGrant(old, log);
            }
        }

        const command = new (s3Sdk().PutBucketReplicationCommand)({
            Bucket: spec.source.bucket,
            ReplicationConfiguration: { Role: spec.role.id, Rules: spec.rules.map((rule) => toS3Rule(this.withZoneAccount(spec.source.zone, rule))) },
        });
        const operation = `PutBucketReplication of '${spec.source.bucket}'`;
        // IAM is eventually consistent: S3 may not see a role (or its permission to be passed) made moments ago.
        let notYet: ServiceError | undefined;
        await waitFor({
            probe: async () => {
                try {
                    await this.s3(spec.source.zone).send(operation, command, { log });
                    return true;
                } catch (error) {
                    if (!isRoleNotVisibleYet(error)) throw error;
                    notYet = error;
                    return undefined;
                }
            },
            waitingFor: () => `S3 to accept the role ${spec.role.id} (IAM changes take a while to reach S3; it said: ${notYet?.code} ${notYet?.serviceMessage})`,
            log,
            timeoutMs: this.waitTimeoutMs,
            firstPauseMs: this.pollInterval.initialMs,
            maxPauseMs: this.pollInterval.maxMs,
            onTimeout: () => withNote(notYet!, `S3 still refused the role after ${Math.round(this.waitTimeoutMs / 1000)} s ` +
                `('${configKey("waitTimeoutSeconds")}'). Check that the role exists, is trusted by s3.amazonaws.com, and that the identity ` +
                `running Pulumi may iam:PassRole it; then run 'pulumi up' again.`),
        });
    }

    async getReplication(source: BucketRef, known: ReplicationSpec): Promise<ReplicationSpec | undefined> {
        let document: GetBucketReplicationCommandOutput["ReplicationConfiguration"];
        try {
            document = (await this.s3(source.zone).send<GetBucketReplicationCommandOutput>(`GetBucketReplication of '${source.bucket}'`,
                new (s3Sdk().GetBucketReplicationCommand)({ Bucket: source.bucket }))).ReplicationConfiguration;
        } catch (error) {
            if (isNoSuchBucket(error) || (error instanceof ServiceError && error.code === "ReplicationConfigurationNotFoundError")) return undefined;
            throw error;
        }
        if (!document) return undefined;
        const knownRules = new Map(known.rules.map((rule) => [rule.id, rule]));
        const zones = await this.zonesOfDestinations(source, (document.Rules ?? []).map((rule) => bucketOfArn(rule.Destination?.Bucket ?? "")), known);
        const read = (document.Rules ?? []).map((rule) => fromS3Rule(rule, knownRules.get(rule.ID ?? ""), (bucket) => zones.get(bucket) ?? source.zone));
        const role = roleNamedBy(document.Role ?? "", known.role);
        // The grants this configuration keeps on destinations of other accounts, read from their bucket policies.
        const destinationGrants: Record<string, "granted" | "missing"> = {};
        for (const grant of this.grantsOf({ source, role, rules: read })) {
            destinationGrants[`${grant.destination.zone}/${grant.destination.bucket}`] = holdsGrant(await this.getBucketPolicy(grant.destination), grant) ? "granted" : "missing";
        }
        const rules = read.map((rule) => this.accountSpelledAsKnown(source.zone, rule, knownRules.get(rule.id)));
        return Object.keys(destinationGrants).length > 0 ? { source, role, rules, destinationGrants } : { source, role, rules };
    }

    // Accounts. A rule's destination account is its own 'destinationAccount', else the destination zone's
    // 'account' where it differs from the source zone's: LeaderFollower and BiDirectional need say nothing.

    /** The account the destination of `rule` belongs to, where it is not the source's. */
    private destinationAccountOf(sourceZone: string, rule: Pick<ReplicationRule, "destinationAccount" | "destination">): string | undefined {
        if (rule.destinationAccount) return rule.destinationAccount;
        const account = this.settings.zones[rule.destination.zone]?.account;
        return account && account !== this.settings.zones[sourceZone]?.account ? account : undefined;
    }

    /** The rule as written: with the destination zone's account filled in where the rule leaves it to the zone. */
    private withZoneAccount(sourceZone: string, rule: ReplicationRule): ReplicationRule {
        const account = this.destinationAccountOf(sourceZone, rule);
        return account && !rule.destinationAccount ? { ...rule, destinationAccount: account } : rule;
    }

    /**
     * A rule read back: an `Account` that the destination zone implies is left out where the known rule leaves it
     * to the zone, so that a refresh shows no change (a grant that is gone shows in `destinationGrants` instead).
     */
    private accountSpelledAsKnown(sourceZone: string, rule: ReplicationRule, known: ReplicationRule | undefined): ReplicationRule {
        if (!rule.destinationAccount || known?.destinationAccount !== undefined) return rule;
        if (rule.destinationAccount !== this.destinationAccountOf(sourceZone, { destination: rule.destination })) return rule;
        const { destinationAccount: _implied, ...rest } = rule;
        return rest as ReplicationRule;
    }

    /**
     * Whether the rule crosses into a bucket this stack holds with another account's key pair: only then does the
     * configuration write the destination's grant (with a 'destinationAccount' of someone else's bucket, and no key
     * pair for it, granting is that owner's business).
     */
    private crossesAccounts(sourceZone: string, rule: ReplicationRule): boolean {
        if (!this.destinationAccountOf(sourceZone, rule) || !this.settings.zones[rule.destination.zone]) return false;
        return zoneCredentials(this.settings, rule.destination.zone).accessKey !== zoneCredentials(this.settings, sourceZone).accessKey;
    }

    private grantsOf(spec: ReplicationSpec): Grant[] {
        return grantsOf(spec.source.bucket, spec.role.id, spec.rules, (rule) => this.crossesAccounts(spec.source.zone, rule));
    }

    /** What the zones' accounts decide about these rules: ownerOverride needs an account, a zone's own key pair its account. */
    private accountProblems(sourceZone: string, rules: Readonly<Record<string, ReplicationRule>>): { path: (string | number)[]; message: string }[] {
        const problems: { path: (string | number)[]; message: string }[] =
            ownerOverrideProblems(rules, sourceZone, (zone) => this.settings.zones[zone]?.account).map((p) => ({ path: [...p.path], message: p.message }));
        for (const [id, rule] of Object.entries(rules)) {
            const destination = rule.destination.zone;
            if (!this.settings.zones[destination] || !this.settings.zones[sourceZone] || this.settings.zones[destination]?.account || rule.destinationAccount) continue;
            if (zoneCredentials(this.settings, destination).accessKey === zoneCredentials(this.settings, sourceZone).accessKey) continue;
            problems.push({ path: [id, "destination", "zone"], message: `Rule '${id}' replicates from zone '${sourceZone}' into zone '${destination}', which sign with ` +
                `different key pairs, but the destination's account is not known: set '${configKey(`zones.${destination}.account`)}' ` +
                `(and '${configKey(`zones.${sourceZone}.account`)}') to the accounts' 12-digit IDs, or 'destinationAccount' on the rule.` });
        }
        const zones = new Set([sourceZone, ...Object.values(rules).map((rule) => rule.destination.zone)]);
        for (const zone of this.zonesWithoutAccount().filter((z) => zones.has(z))) {
            problems.push({ path: [], message: `Zone '${zone}' signs with a key pair of its own but names no account; on AWS, replication across accounts ` +
                `names the destination's account and the role's. Set '${configKey(`zones.${zone}.account`)}' to the 12-digit ID of the account that key pair belongs to.` });
        }
        return problems;
    }

    /** Asked at preview once every input is known: what the zones' accounts refuse (no service call). */
    async rulesPreviewProblems(source: BucketRef, rules: readonly ReplicationRule[]) {
        return this.accountProblems(source.zone, Object.fromEntries(rules.map((rule) => [rule.id, rule])));
    }

    /** A role of another account than the source's cannot be passed to S3: said before anything is written. */
    private refuseRoleOfAnotherAccount(spec: ReplicationSpec, where: string): void {
        const roleAccount = accountOfRoleArn(spec.role.id);
        const sourceAccount = this.settings.zones[spec.source.zone]?.account;
        if (!roleAccount || !sourceAccount || roleAccount === sourceAccount) return;
        throw new Error(`${where} (zone ${spec.source.zone}, account ${sourceAccount}) names the role ${spec.role.id} of account ${roleAccount}; S3 replicates ` +
            `only as a role of the source bucket's own account. Give the IamRole a policy whose source is this bucket, so that it is made in account ${sourceAccount}.`);
    }

    private async getBucketPolicy(ref: BucketRef): Promise<BucketPolicy | undefined> {
        try {
            const answer = await this.s3(ref.zone).send<import("@aws-sdk/client-s3").GetBucketPolicyCommandOutput>(`GetBucketPolicy of '${ref.bucket}'`,
                new (s3Sdk().GetBucketPolicyCommand)({ Bucket: ref.bucket }));
            return answer.Policy ? JSON.parse(answer.Policy) as BucketPolicy : undefined;
        } catch (error) {
            if (error instanceof ServiceError && (error.code === "NoSuchBucketPolicy" || isNoSuchBucket(error))) return undefined;
            throw error;
        }
    }

    private async writeBucketPolicy(ref: BucketRef, policy: BucketPolicy | undefined, log: ProgressLog): Promise<void> {
        const s3 = this.s3(ref.zone);
        if (policy === undefined) {
            await s3.send(`DeleteBucketPolicy of '${ref.bucket}'`, new (s3Sdk().DeleteBucketPolicyCommand)({ Bucket: ref.bucket }), { log });
            return;
        }
        const command = new (s3Sdk().PutBucketPolicyCommand)({ Bucket: ref.bucket, Policy: JSON.stringify(policy) });
        // IAM is eventually consistent: a bucket policy naming a role made moments ago may be refused as an invalid principal.
        let notYet: ServiceError | undefined;
        await waitFor({
            probe: async () => {
                try {
                    await s3.send(`PutBucketPolicy of '${ref.bucket}'`, command, { log });
                    return true;
                } catch (error) {
                    if (!(error instanceof ServiceError && error.code === "MalformedPolicy" && /principal/i.test(error.serviceMessage))) throw error;
                    notYet = error;
                    return undefined;
                }
            },
            waitingFor: () => `S3 to accept the role as a principal of the policy of '${ref.bucket}' (it said: ${notYet?.serviceMessage})`,
            log,
            timeoutMs: this.waitTimeoutMs,
            firstPauseMs: this.pollInterval.initialMs,
            maxPauseMs: this.pollInterval.maxMs,
            onTimeout: () => notYet!,
        });
    }

    /** Puts this configuration's statements into the destination bucket's policy, signed as the destination's owner; the rest stays. */
    private async putGrant(grant: Grant, log: ProgressLog): Promise<void> {
        const current = await this.getBucketPolicy(grant.destination);
        if (holdsGrant(current, grant)) return;
        await this.writeBucketPolicy(grant.destination, withGrant(current, grant.source, grantStatements(grant)), log);
        log(`bucket policy of '${grant.destination.bucket}' (zone ${grant.destination.zone}) lets ${grant.roleArn} replicate into it`);
    }

    /** Takes this configuration's statements out of the destination bucket's policy; a bucket gone has nothing to take out. */
    private async removeGrant(grant: Grant, log: ProgressLog): Promise<void> {
        const current = await this.getBucketPolicy(grant.destination);
        if (!current) return;
        const next = withGrant(current, grant.source, []);
        if (JSON.stringify(next) === JSON.stringify(current)) return;
        try {
            await this.writeBucketPolicy(grant.destination, next, log);
        } catch (error) {
            if (isNoSuchBucket(error)) return;
            throw error;
        }
        log(`removed the replication grant for '${grant.source}' from the bucket policy of '${grant.destination.bucket}' (zone ${grant.destination.zone})`);
    }

    /**
     * The zone of each destination bucket: a rule's ARN names no region, so a bucket the known rules
     * do not place is asked for with GetBucketLocation, and its region named by the configured zone
     * of that region (or the region itself).
     */
    private async zonesOfDestinations(source: BucketRef, buckets: readonly string[], known: ReplicationSpec): Promise<Map<string, string>> {
        const zones = new Map(known.rules.map((rule) => [rule.destination.bucket, rule.destination.zone]));
        // Asked as the source's owner first, then as each other account a zone signs for: a bucket of another
        // account answers only its owner (or those its policy lets in).
        const askers = [...new Map([source.zone, ...this.zoneNames].map((zone) => [zoneCredentials(this.settings, zone).accessKey, zone])).values()];
        for (const bucket of new Set(buckets)) {
            if (zones.has(bucket) || bucket === "") continue;
            let location: GetBucketLocationOutput | undefined;
            for (const zone of askers) {
                location = await this.s3(zone).send<GetBucketLocationOutput>(`GetBucketLocation of '${bucket}'`,
                    new (s3Sdk().GetBucketLocationCommand)({ Bucket: bucket })).catch((error) => {
                    // A bucket gone, or refused to this account (another's, or answered from another region), names no
                    // region here: the next account is asked, and at the end the rule shows it in the source's zone (the
                    // refresh still reports the bucket the service names). Any other failure fails the read: a guessed
                    // zone would show as drift that is not there.
                    if (isNoSuchBucket(error) || (error instanceof ServiceError && [301, 403, 404].includes(error.httpStatus ?? 0))) return undefined;
                    throw error;
                });
                if (location) break;
            }
            if (!location) continue;
            const region = regionOfLocation(location.LocationConstraint);
            zones.set(bucket, this.zoneNames.find((zone) => this.regionOf(zone) === region) ?? region);
        }
        return zones;
    }

    /** Replication metrics are CloudWatch's (not called here): the latest versions' replication status, sampled (s3/replicationSample.ts). */
    async replicationStatus(spec: ReplicationSpec, options?: { readonly sampleSize?: number }) {
        const { sampledRuleStatuses } = require("../s3/replicationSample") as typeof import("../s3/replicationSample");
        return sampledRuleStatuses(this.s3(spec.source.zone), spec, options?.sampleSize);
    }

    async deleteReplication(spec: ReplicationSpec, log: ProgressLog): Promise<void> {
        try {
            await this.s3(spec.source.zone).send(`DeleteBucketReplication of '${spec.source.bucket}'`,
                new (s3Sdk().DeleteBucketReplicationCommand)({ Bucket: spec.source.bucket }), { log });
        } catch (error) {
            if (!isNoSuchBucket(error)) throw error;
        }
        // Then what the destinations' owners granted for it.
        for (const grant of this.grantsOf(spec)) await this.removeGrant(grant, log);
    }

    private zone(zone: string): ZoneSettings {
        const settings = this.settings.zones[zone];
        if (!settings) {
            throw new Error(`Zone '${zone}' is not configured for AWS; zones are AWS regions such as 'eu-west-1' or 'us-east-1', ` +
                `or the names set in '${configKey("zones")}'.`);
        }
        return settings;
    }

    protected s3(zone: string): AwsZoneS3 {
        let client = this.clients.get(zone);
        if (!client) {
            const own = this.zone(zone).credentials !== undefined;
            client = new AwsZoneS3({
                zone, region: this.regionOf(zone), endpoint: this.zone(zone).endpoint,
                credentials: zoneCredentials(this.settings, zone), requestPolicy: this.settings.requestPolicy,
                credentialHint: own ? `the zone's own key pair, '${configKey(`zones.${zone}.accessKey`)}' and '${configKey(`zones.${zone}.secretKey`)}'` : this.settings.credentialHint,
            });
            this.clients.set(zone, client);
        }
        return client;
    }

    /** IAM of the account `credentials` act in. */
    private roles(credentials: Credentials = this.settings.credentials): AwsRoles {
        // IAM is one service per partition; the first zone's partition decides where it is signed.
        const region = partitionOf(this.regionOf(this.zoneNames[0] ?? "us-east-1")).iamRegion;
        let roles = this.iamRoles.get(credentials.accessKey);
        if (!roles) {
            const own = credentials !== this.settings.credentials;
            roles = new AwsRoles(new AwsIam({
                endpoint: this.settings.iamEndpoint, region,
                credentials, requestPolicy: this.settings.requestPolicy,
                credentialHint: own ? `a zone's own key pair ('${configKey("zones")}.<zone>.accessKey' and 'secretKey')` : this.settings.credentialHint,
            }), { timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollInterval.initialMs, maxPauseMs: this.pollInterval.maxMs });
            this.iamRoles.set(credentials.accessKey, roles);
        }
        return roles;
    }
}

/**
 * The role a replication configuration names, as the service names it: its ARN, and the role name the
 * ARN ends with (after any path), unless it is the known role.
 */
export function roleNamedBy(arn: string, known: RoleState): RoleState {
    if (arn === known.id) return known;
    return { ...known, id: arn, name: arn.slice(arn.lastIndexOf("/") + 1) };
}

/**
 * What S3 answers while a role made moments ago has not reached it: an invalid or unknown role, or
 * no permission to pass it. Anything else fails at once.
 */
export function isRoleNotVisibleYet(error: unknown): error is ServiceError {
    if (!(error instanceof ServiceError)) return false;
    const said = error.serviceMessage;
    if ((error.code === "InvalidArgument" || error.code === "InvalidRequest") && /role/i.test(said)) return true;
    return error.code === "AccessDenied" && /role|PassRole|assume/i.test(said);
}
