import type { BucketRef } from "../backend";
import type { Problem } from "../../common/problem";
import { isUnknown } from "../../common/unknown";
import { bucketArn, partitionOf } from "./regions";

/**
 * The IAM documents of a replication role on AWS, after the S3 User Guide ("Setting up permissions for
 * live replication" and "Replicating encrypted objects"): S3 assumes the role, reads the source's
 * replication configuration and object versions, and replicates objects, delete markers and tags into
 * each destination. KMS permissions appear only when a rule replicates SSE-KMS objects, each limited
 * by `kms:ViaService` to S3 in the bucket's region and by the encryption context to the bucket.
 */

export const policyVersion = "2012-10-17";

/** The inline policy's name on the role: one policy, the one this package writes. */
export const inlinePolicyName = "bucket-replication";

/** Lets the S3 service, and nothing else, assume the role. */
export function trustPolicy(): object {
    return {
        Version: policyVersion,
        Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
}

/** What a rule tells the policy about SSE-KMS: its destination and whether encrypted objects replicate, under which key. */
export interface KmsRuleRef {
    readonly destination: BucketRef;
    readonly sseKms?: { readonly replicateEncryptedObjects?: boolean; readonly replicaKmsKeyId?: string };
    /**
     * Whether the rule hands replicas to the destination's owner (`ownerOverride`): the role then also needs
     * s3:ObjectOwnerOverrideToBucketOwner on that destination's objects (S3 User Guide, "Changing the replica owner").
     */
    readonly ownerOverride?: boolean;
}

export interface AwsPolicyOptions {
    /** The rules of the configuration that uses the role; only their SSE-KMS settings matter here. */
    readonly rules?: readonly KmsRuleRef[];
    /**
     * The KMS keys that encrypt objects in the source bucket. Without them kms:Decrypt names any key,
     * still only through S3 in the source's region and only for the source bucket's objects.
     */
    readonly sourceKmsKeyArns?: readonly string[];
}

/**
 * The least-privilege permissions policy for replicating `source` into `destinations`, in the order
 * AWS documents it; the same input gives the same document, so that previews show no false change.
 * Zones are AWS regions; their partition decides the ARNs.
 */
export function replicationPolicy(source: BucketRef, destinations: readonly BucketRef[], options: AwsPolicyOptions = {}): object {
    const sourceArn = bucketArn(source.bucket, source.zone);
    const destinationArns = [...new Set(destinations.map((d) => bucketArn(d.bucket, d.zone)))];
    const statements: object[] = [
        { Sid: "ReadSourceReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: [sourceArn] },
        {
            Sid: "ReadSourceObjectVersions", Effect: "Allow",
            Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
            Resource: [`${sourceArn}/*`],
        },
        {
            Sid: "ReplicateIntoDestinations", Effect: "Allow",
            Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            Resource: destinationArns.map((arn) => `${arn}/*`),
        },
    ];
    const overridden = [...new Set((options.rules ?? []).filter((rule) => rule.ownerOverride === true)
        .map((rule) => `${bucketArn(rule.destination.bucket, rule.destination.zone)}/*`))];
    if (overridden.length > 0) {
        statements.push({ Sid: "OverrideReplicaOwner", Effect: "Allow", Action: ["s3:ObjectOwnerOverrideToBucketOwner"], Resource: overridden });
    }
    const kmsRules = (options.rules ?? []).filter((rule) => rule.sseKms?.replicateEncryptedObjects === true);
    if (kmsRules.length > 0) statements.push(...kmsStatements(source, kmsRules, options.sourceKmsKeyArns));
    return { Version: policyVersion, Statement: statements };
}

function kmsStatements(source: BucketRef, rules: readonly KmsRuleRef[], sourceKeyArns: readonly string[] | undefined): object[] {
    // With an S3 Bucket Key the encryption context is the bucket's ARN instead of the object's: allow both.
    const contextOf = (ref: BucketRef) => [bucketArn(ref.bucket, ref.zone), `${bucketArn(ref.bucket, ref.zone)}/*`];
    const statements: object[] = [{
        Sid: "DecryptSourceObjects", Effect: "Allow", Action: ["kms:Decrypt"],
        Resource: sourceKeyArns && sourceKeyArns.length > 0 ? [...sourceKeyArns] : ["*"],
        Condition: { StringLike: { "kms:ViaService": viaS3(source.zone), "kms:EncryptionContext:aws:s3:arn": contextOf(source) } },
    }];
    // One statement per destination bucket, so that each key encrypts replicas in its own bucket only.
    const byDestination = new Map<string, { ref: BucketRef; keys: Set<string> }>();
    for (const rule of rules) {
        const key = `${rule.destination.zone}/${rule.destination.bucket}`;
        const entry = byDestination.get(key) ?? { ref: rule.destination, keys: new Set<string>() };
        if (rule.sseKms?.replicaKmsKeyId) entry.keys.add(rule.sseKms.replicaKmsKeyId);
        byDestination.set(key, entry);
    }
    [...byDestination.values()].forEach(({ ref, keys }, index) => {
        statements.push({
            Sid: `EncryptReplicas${index + 1}`, Effect: "Allow", Action: ["kms:Encrypt"],
            Resource: keys.size > 0 ? [...keys].sort() : ["*"],
            Condition: { StringLike: { "kms:ViaService": viaS3(ref.zone), "kms:EncryptionContext:aws:s3:arn": contextOf(ref) } },
        });
    });
    return statements;
}

function viaS3(region: string): string {
    return `s3.${region}.${partitionOf(region).dnsSuffix}`;
}

/**
 * What makes `policy` unusable as an IAM permissions policy, judged at preview: most often a policy
 * built for another backend (`replicationPolicy` with another `backend`) or written by hand.
 */
export function policyProblems(policy: Readonly<Record<string, unknown>>): Problem[] {
    const fix = "build it with replicationPolicy({ source, destinations }) on the 'aws' backend, or write an IAM policy document";
    if (!("Statement" in policy) && !("Version" in policy)) {
        const what = "services" in policy ? "an Exoscale IAM policy" : "not an IAM policy document";
        return [{ path: [], message: `'policy' is ${what}, but the 'aws' backend needs an IAM policy document ` +
            `({ Version: "${policyVersion}", Statement: [...] }); ${fix}.` }];
    }
    const problems: Problem[] = [];
    if (policy.Version !== policyVersion && !isUnknown(policy.Version)) {
        problems.push({ path: ["Version"], message: `'policy.Version' is ${JSON.stringify(policy.Version)}; IAM policies that use variables and ` +
            `conditions need "${policyVersion}". Set Version: "${policyVersion}".` });
    }
    const statements = policy.Statement;
    if (isUnknown(statements)) return problems;
    if (!Array.isArray(statements) || statements.length === 0) {
        problems.push({ path: ["Statement"], message: `'policy.Statement' must be a non-empty list of statements; ${fix}.` });
        return problems;
    }
    statements.forEach((statement, index) => {
        if (isUnknown(statement)) return;
        if (!statement || typeof statement !== "object" || Array.isArray(statement)) {
            problems.push({ path: ["Statement", index], message: `'policy.Statement[${index}]' must be an object with Effect, Action and Resource.` });
            return;
        }
        const s = statement as Record<string, unknown>;
        if (s.Effect !== "Allow" && s.Effect !== "Deny" && !isUnknown(s.Effect)) {
            problems.push({ path: ["Statement", index, "Effect"], message: `'policy.Statement[${index}].Effect' must be "Allow" or "Deny".` });
        }
        if (s.Action === undefined && s.NotAction === undefined) {
            problems.push({ path: ["Statement", index, "Action"], message: `'policy.Statement[${index}]' names no 'Action'; list the actions it allows, such as ["s3:ReplicateObject"].` });
        }
        if (s.Resource === undefined && s.NotResource === undefined) {
            problems.push({ path: ["Statement", index, "Resource"], message: `'policy.Statement[${index}]' names no 'Resource'; give the ARNs it applies to, such as "arn:aws:s3:::my-bucket/*".` });
        }
        if (s.Principal !== undefined) {
            problems.push({ path: ["Statement", index, "Principal"], message: `'policy.Statement[${index}]' has a 'Principal', which belongs in trust and bucket policies, ` +
                `not in a role's permissions policy (the role's trust policy is written by the IamRole itself); remove 'Principal'.` });
        }
    });
    return problems;
}
