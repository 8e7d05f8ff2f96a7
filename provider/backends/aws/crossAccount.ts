import { createHash } from "crypto";
import type { BucketRef, ReplicationRule } from "../backend";
import { sortedList as list, statementsOf } from "../policyDocument";
import { bucketArn, bucketOfArn } from "./regions";

/**
 * Replication across AWS accounts (S3 User Guide, "Setting up permissions for live replication", step 3:
 * "Granting permissions when the source and destination buckets are owned by different AWS accounts").
 *
 * The role S3 replicates as lives in the source's account; the destination's owner must let that role
 * store replicas, with a statement in the destination bucket's policy. The ReplicationConfiguration keeps
 * that grant: it is the resource that names both the role and the destination, it is applied after both
 * exist, and it changes when either does. A bucket policy is one document per bucket, shared with whatever
 * else its owner allows, so this package owns only its own statements, recognised by their `Sid`: one pair
 * per source bucket (`grantSidPrefix` + a digest of the source bucket's name), so that several sources
 * (a BiDirectional's other side, another stack) can grant into one destination side by side.
 *
 * What is granted, least privilege: on the objects, what the role's own policy asks of the destination
 * (`s3:ReplicateObject`, `s3:ReplicateDelete`, `s3:ReplicateTags`), plus `s3:ObjectOwnerOverrideToBucketOwner`
 * where a rule hands replicas to the destination's owner; on the bucket, `s3:List*` and
 * `s3:GetBucketVersioning`, as the guide lists them (its `s3:PutBucketVersioning` is left out: replication
 * never changes the destination's versioning).
 */

export const grantSidPrefix = "PulumiBucketReplication";

/** The account ID of an IAM role ARN (`arn:aws:iam::111122223333:role/name`), or undefined. */
export function accountOfRoleArn(arn: string): string | undefined {
    return /^arn:[^:]+:iam::(\d{12}):role\//.exec(arn)?.[1];
}

/** The two statement IDs this package writes for replication from `sourceBucket`. */
export function grantSids(sourceBucket: string): { objects: string; bucket: string } {
    const digest = createHash("sha256").update(sourceBucket).digest("hex").slice(0, 16);
    return { objects: `${grantSidPrefix}Objects${digest}`, bucket: `${grantSidPrefix}Bucket${digest}` };
}

export interface Grant {
    /** The source bucket the replicas come from (names the statements). */
    readonly source: string;
    /** The role S3 replicates as, in the source's account. */
    readonly roleArn: string;
    readonly destination: BucketRef;
    /** Whether some rule into this destination sets ownerOverride. */
    readonly ownerOverride: boolean;
}

/** The statements of one grant, in the order they are written. */
export function grantStatements(grant: Grant): Record<string, unknown>[] {
    const arn = bucketArn(grant.destination.bucket, grant.destination.zone);
    const sids = grantSids(grant.source);
    const objectActions = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", ...(grant.ownerOverride ? ["s3:ObjectOwnerOverrideToBucketOwner"] : [])];
    return [
        { Sid: sids.objects, Effect: "Allow", Principal: { AWS: grant.roleArn }, Action: objectActions, Resource: `${arn}/*` },
        { Sid: sids.bucket, Effect: "Allow", Principal: { AWS: grant.roleArn }, Action: ["s3:List*", "s3:GetBucketVersioning"], Resource: arn },
    ];
}

/** A bucket policy document as S3 holds it (parsed), or undefined when the bucket has none. */
export type BucketPolicy = { Version?: string; Id?: string; Statement?: unknown } & Record<string, unknown>;

/**
 * The bucket policy with this source's statements replaced by `statements` (none: removed); everything
 * else of the document is kept as it was. Undefined when nothing would be left (the policy is then deleted).
 */
export function withGrant(policy: BucketPolicy | undefined, source: string, statements: readonly Record<string, unknown>[]): BucketPolicy | undefined {
    const sids = grantSids(source);
    const others = statementsOf(policy).filter((s) => s.Sid !== sids.objects && s.Sid !== sids.bucket);
    const all = [...others, ...statements];
    if (all.length === 0) return undefined;
    return { ...(policy ?? {}), Version: policy?.Version ?? "2012-10-17", Statement: all };
}

/** Whether the policy holds exactly the statements of `grant` (compared as written: Sid, principal, actions, resource). */
export function holdsGrant(policy: BucketPolicy | undefined, grant: Grant): boolean {
    const held = statementsOf(policy);
    return grantStatements(grant).every((wanted) => held.some((s) => s.Sid === wanted.Sid && sameStatement(s, wanted)));
}

function sameStatement(held: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
    const principal = (value: unknown) => list((value as { AWS?: unknown } | undefined)?.AWS);
    return held.Effect === wanted.Effect
        && JSON.stringify(principal(held.Principal)) === JSON.stringify(principal(wanted.Principal))
        && JSON.stringify(list(held.Action)) === JSON.stringify(list(wanted.Action))
        && JSON.stringify(list(held.Resource)) === JSON.stringify(list(wanted.Resource));
}

/**
 * The grants a set of rules needs: one per destination bucket reached across accounts (`crossAccount`
 * tells which), with ownerOverride when any rule into it sets it.
 */
export function grantsOf(source: string, roleArn: string, rules: readonly ReplicationRule[], crossAccount: (rule: ReplicationRule) => boolean): Grant[] {
    const byDestination = new Map<string, Grant>();
    for (const rule of rules) {
        if (!crossAccount(rule)) continue;
        const key = `${rule.destination.zone}/${rule.destination.bucket}`;
        const before = byDestination.get(key);
        byDestination.set(key, {
            source, roleArn, destination: { zone: rule.destination.zone, bucket: rule.destination.bucket },
            ownerOverride: (before?.ownerOverride ?? false) || rule.ownerOverride === true,
        });
    }
    return [...byDestination.values()];
}

/**
 * The source bucket a replication role's policy reads from: the bucket of the statement that allows
 * `s3:GetReplicationConfiguration` (replicationPolicy writes it first). Undefined for a policy without one.
 */
export function sourceBucketOfPolicy(policy: unknown): string | undefined {
    const statements = statementsOf(policy);
    for (const statement of statements) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        if (!actions.includes("s3:GetReplicationConfiguration")) continue;
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        const bucket = resources.map((r) => (typeof r === "string" ? bucketOfArn(r) : "")).find((b) => b !== "" && !b.includes("*") && !b.includes("/"));
        if (bucket) return bucket;
    }
    return undefined;
}
