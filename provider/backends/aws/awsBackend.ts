import type { GetBucketLocationOutput, GetBucketReplicationCommandOutput } from "@aws-sdk/client-s3";
import type {
    BackendSettings, BucketRef, ProgressLog, ReplicationSpec, RoleSpec, RoleState, StorageBackend, ZoneSettings,
} from "../backend";
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
import { ruleProblems } from "./ruleOptions";
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
    private iamRoles?: AwsRoles;

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

    async createRole(spec: RoleSpec, identity: string | undefined, log: ProgressLog): Promise<RoleState> {
        return this.roles().create(spec, identity, log);
    }

    async readRole(_id: string, known: RoleState): Promise<RoleState | undefined> {
        return this.roles().read(known);
    }

    async updateRole(known: RoleState, spec: RoleSpec, log: ProgressLog): Promise<RoleState> {
        return this.roles().update(known, spec, log);
    }

    async deleteRole(known: RoleState, log: ProgressLog): Promise<void> {
        return this.roles().delete(known, log);
    }

    // Replication: PutBucketReplication with the role's ARN and the destinations' ARNs (rules.ts maps each rule).

    async putReplication(spec: ReplicationSpec, _previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        const where = `Replication of bucket '${spec.source.bucket}'`;
        const problems = ruleProblems(Object.fromEntries(spec.rules.map((rule) => [rule.id, rule])));
        if (problems.length > 0) throw new Error(`${where}: ${problems.map((p) => p.message).join(" ")}`);
        if (!/^arn:[^:]+:iam::\d{12}:role\//.test(spec.role.id)) {
            throw new Error(`${where} names the role '${spec.role.id}', which is not an IAM role ARN. Pass an IamRole made on the 'aws' backend as 'role'.`);
        }
        await waitForVersioningAtBothEnds(spec.source, destinationsOf(spec.rules), (ref) => this.versioningOrMissing(ref), log, {
            timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollInterval.initialMs, maxPauseMs: this.pollInterval.maxMs,
        });

        const command = new (s3Sdk().PutBucketReplicationCommand)({
            Bucket: spec.source.bucket,
            ReplicationConfiguration: { Role: spec.role.id, Rules: spec.rules.map(toS3Rule) },
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
        const rules = (document.Rules ?? []).map((rule) => fromS3Rule(rule, knownRules.get(rule.ID ?? ""), (bucket) => zones.get(bucket) ?? source.zone));
        return { source, role: roleNamedBy(document.Role ?? "", known.role), rules };
    }

    /**
     * The zone of each destination bucket: a rule's ARN names no region, so a bucket the known rules
     * do not place is asked for with GetBucketLocation, and its region named by the configured zone
     * of that region (or the region itself).
     */
    private async zonesOfDestinations(source: BucketRef, buckets: readonly string[], known: ReplicationSpec): Promise<Map<string, string>> {
        const zones = new Map(known.rules.map((rule) => [rule.destination.bucket, rule.destination.zone]));
        for (const bucket of new Set(buckets)) {
            if (zones.has(bucket) || bucket === "") continue;
            const location = await this.s3(source.zone).send<GetBucketLocationOutput>(`GetBucketLocation of '${bucket}'`,
                new (s3Sdk().GetBucketLocationCommand)({ Bucket: bucket })).catch((error) => {
                // A bucket gone, not ours, or answered from another region names no region here: the rule
                // shows it in the source's zone, and the refresh still reports the bucket the service names.
                if (error instanceof ServiceError) return undefined;
                throw error;
            });
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
            if (isNoSuchBucket(error)) return;
            throw error;
        }
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
            client = new AwsZoneS3({
                zone, region: this.regionOf(zone), endpoint: this.zone(zone).endpoint,
                credentials: this.settings.credentials, requestPolicy: this.settings.requestPolicy, credentialHint: this.settings.credentialHint,
            });
            this.clients.set(zone, client);
        }
        return client;
    }

    private roles(): AwsRoles {
        // IAM is one service per partition; the first zone's partition decides where it is signed.
        const region = partitionOf(this.regionOf(this.zoneNames[0] ?? "us-east-1")).iamRegion;
        this.iamRoles ??= new AwsRoles(new AwsIam({
            endpoint: this.settings.iamEndpoint, region,
            credentials: this.settings.credentials, requestPolicy: this.settings.requestPolicy, credentialHint: this.settings.credentialHint,
        }), { timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollInterval.initialMs, maxPauseMs: this.pollInterval.maxMs });
        return this.iamRoles;
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
