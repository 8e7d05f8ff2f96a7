import type { ReplicationRule as S3ReplicationRule } from "@aws-sdk/client-s3";
import type { ReplicationRule } from "../backend";
import { fromS3ReplicationRule, type S3BucketNames, toS3ReplicationRule } from "../s3/replicationRules";

/**
 * SOS's rules are S3's replication document (s3/replicationRules.ts maps every field, both ways) with
 * the role as a bare IAM role UUID and destinations as plain bucket names. SOS filters by prefix only
 * and takes no tags, KMS, RTC, existing-object replication or replica modifications: those are refused
 * at preview (ruleOptions.ts), so a rule written here carries none of them. They are read from the
 * document all the same, should SOS ever report them.
 */

/** SOS documents name plain buckets; tolerate an ARN in case a tool other than us wrote the configuration. */
const sosBucketNames: S3BucketNames = {
    toDocument: (destination) => destination.bucket,
    fromDocument: (bucket) => bucket.startsWith("arn:aws:s3:::") ? bucket.slice("arn:aws:s3:::".length) : bucket,
};

/** The SOS document of one rule. */
export function toSosRule(rule: ReplicationRule): S3ReplicationRule {
    return toS3ReplicationRule(rule, sosBucketNames);
}

/**
 * One rule of the document SOS answered, in the shared model: every value is the document's. Only the
 * destination's zone is not in it: `zoneOf` places the bucket (the known zone while the bucket is the
 * same, as SOS bucket names are unique across zones).
 */
export function fromSosRule(rule: S3ReplicationRule, zoneOf: (bucket: string) => string): ReplicationRule {
    return fromS3ReplicationRule(rule, undefined, zoneOf, sosBucketNames);
}

/**
 * The IAM role UUID a document's Role names. SOS takes and answers the bare UUID; a Role written by
 * another tool in an ARN-like form (`.../<uuid>` or `...:<uuid>`) names the UUID it ends with.
 */
export function roleIdOf(role: string): string {
    return /(?:^|[/:])([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(role)?.[1] ?? role;
}
