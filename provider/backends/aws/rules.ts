import type { ReplicationRule as S3ReplicationRule } from "@aws-sdk/client-s3";
import type { BucketRef, ReplicationRule } from "../backend";
import { fromS3ReplicationRule, type S3BucketNames, toS3ReplicationRule } from "../s3/replicationRules";
import { bucketArn, bucketOfArn } from "./regions";

/**
 * AWS's rules are S3's replication document (s3/replicationRules.ts maps every field, both ways) with
 * the destination bucket as arn:<partition>:s3:::<bucket>. AWS has no deleteReplication and no
 * transferType; what it refuses at preview is in ruleOptions.ts. Every rule is written in the V2 form,
 * so a configuration made here never mixes V1 rules (a bare Prefix, no Priority) with V2 ones, which
 * AWS refuses.
 */

/** AWS names a destination by its ARN, whose partition follows the destination's region. */
const awsBucketNames: S3BucketNames = { toDocument: (destination) => bucketArn(destination.bucket, destination.zone), fromDocument: bucketOfArn };

/** The S3 document of one rule; `Destination.Bucket` is the destination's ARN. */
export function toS3Rule(rule: ReplicationRule): S3ReplicationRule {
    return toS3ReplicationRule(rule, awsBucketNames);
}

/** One rule of a document read back, in the shared model (s3/replicationRules.ts). */
export function fromS3Rule(rule: S3ReplicationRule, known: ReplicationRule | undefined, zoneOf: (bucket: string) => string): ReplicationRule {
    return fromS3ReplicationRule(rule, known, zoneOf, awsBucketNames);
}

/** The destinations of a set of rules, as the policy and the versioning gate see them. */
export function destinationsOf(rules: readonly ReplicationRule[]): BucketRef[] {
    return rules.map((rule) => ({ zone: rule.destination.zone, bucket: rule.destination.bucket }));
}
