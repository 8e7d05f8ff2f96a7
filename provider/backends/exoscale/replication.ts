import type { GetBucketReplicationCommandOutput } from "@aws-sdk/client-s3";
import type { BucketRef, ProgressLog, ReplicationSpec, RoleState } from "../backend";
import { versioningOrMissing } from "../s3/buckets";
import { s3ErrorCode, type ZoneS3 } from "../s3/client";
import { waitForVersioningAtBothEnds } from "../versioningGate";
import { isNoSuchBucket, ServiceError } from "../../transport/serviceError";
import type { ExoscaleIamClient, PollInterval } from "./iamClient";
import { ruleProblems } from "./ruleOptions";
import { fromSosRule, roleIdOf, toSosRule } from "./rules";

/**
 * SOS replication: S3's PutBucketReplication with the SOS document (the role's UUID, plain destination
 * bucket names; rules.ts maps each rule), read back the same way, and sampled for its status.
 */
export class ExoscaleReplication {
    constructor(
        private readonly at: { s3(zone: string): ZoneS3 },
        private readonly iam: () => ExoscaleIamClient,
        private readonly waits: { readonly timeoutMs: number; readonly pollInterval: PollInterval },
    ) {}

    async putReplication(spec: ReplicationSpec, _previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        // What preview refuses (ruleOptions.ts) is refused again before writing, rather than dropped from the document.
        const problems = ruleProblems(Object.fromEntries(spec.rules.map((rule) => [rule.id, rule])));
        if (problems.length > 0) {
            throw new Error(`The replication rules of bucket '${spec.source.bucket}' cannot be written to Exoscale SOS:\n  - ${problems.map((p) => p.message).join("\n  - ")}`);
        }
        await waitForVersioningAtBothEnds(spec.source, spec.rules.map((rule) => rule.destination), (ref) => versioningOrMissing(this.at.s3(ref.zone), ref.bucket), log, {
            timeoutMs: this.waits.timeoutMs, firstPauseMs: this.waits.pollInterval.initialMs, maxPauseMs: this.waits.pollInterval.maxMs,
        });

        const { PutBucketReplicationCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        await this.at.s3(spec.source.zone).send(`PutBucketReplication of '${spec.source.bucket}'`, new PutBucketReplicationCommand({
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
            document = (await this.at.s3(source.zone).send<GetBucketReplicationCommandOutput>(`GetBucketReplication of '${source.bucket}'`,
                new GetBucketReplicationCommand({ Bucket: source.bucket }))).ReplicationConfiguration;
        } catch (error) {
            const code = s3ErrorCode(error);
            if (code === "ReplicationConfigurationNotFoundError" || isNoSuchBucket(error)) return undefined;
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
        return sampledRuleStatuses(this.at.s3(spec.source.zone), spec, options?.sampleSize);
    }

    async deleteReplication(spec: ReplicationSpec, _log: ProgressLog): Promise<void> {
        const { DeleteBucketReplicationCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        try {
            await this.at.s3(spec.source.zone).send(`DeleteBucketReplication of '${spec.source.bucket}'`, new DeleteBucketReplicationCommand({ Bucket: spec.source.bucket }));
        } catch (error) {
            if (isNoSuchBucket(error)) return;
            throw error;
        }
    }
}
