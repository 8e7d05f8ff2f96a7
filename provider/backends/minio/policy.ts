import type { BucketRef } from "../backend";
import { unknownValue } from "../../common/unknown";
import type { Problem } from "../../common/problem";

/**
 * The policy of the user a source zone replicates as, on the destination zones: what MinIO's
 * replication guide lists for a target user, limited to the destination buckets, plus reading the
 * source bucket's objects and nothing else.
 */
export function replicationUserPolicy(source: BucketRef, destinations: readonly BucketRef[]): object {
    const buckets = [...new Set(destinations.map((d) => d.bucket))].sort();
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectVersionTagging"],
                Resource: [`arn:aws:s3:::${source.bucket}/*`],
            },
            {
                Effect: "Allow",
                Action: [
                    "s3:GetBucketLocation",
                    "s3:GetBucketObjectLockConfiguration",
                    "s3:GetBucketVersioning",
                    "s3:GetReplicationConfiguration",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                ],
                Resource: buckets.map((b) => `arn:aws:s3:::${b}`),
            },
            {
                Effect: "Allow",
                Action: [
                    "s3:AbortMultipartUpload",
                    "s3:DeleteObject",
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:GetObjectVersionTagging",
                    "s3:PutObject",
                    "s3:ReplicateDelete",
                    "s3:ReplicateObject",
                    "s3:ReplicateTags",
                ],
                Resource: buckets.map((b) => `arn:aws:s3:::${b}/*`),
            },
        ],
    };
}

/**
 * Whether two IAM policy documents grant the same: MinIO stores policies normalised (single values
 * as arrays, its own order), so a byte comparison would show drift that is not there.
 */
export function samePolicy(a: unknown, b: unknown): boolean {
    return JSON.stringify(normalisedPolicy(a)) === JSON.stringify(normalisedPolicy(b));
}

function normalisedPolicy(policy: unknown): unknown {
    const document = (policy ?? {}) as { Version?: string; Statement?: unknown };
    const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
    const asSortedArray = (value: unknown) => (Array.isArray(value) ? [...value] : value === undefined ? [] : [value]).map(String).sort();
    return {
        Version: document.Version ?? "",
        Statement: statements.map((s: Record<string, unknown>) => JSON.stringify({
            Effect: s.Effect,
            Action: asSortedArray(s.Action),
            NotAction: asSortedArray(s.NotAction),
            Resource: asSortedArray(s.Resource),
            Condition: s.Condition ?? {},
        })).sort(),
    };
}

/** What a fix looks like, appended to every policy problem. */
const policyFix = "MinIO role policies are IAM policy documents; replicationPolicy({ source, destinations }) builds the least-privilege one.";

/** The only policy language version MinIO accepts (minio/pkg policy.DefaultVersion). */
const policyVersion = "2012-10-17";

const documentKeys = ["Version", "Statement"];
const statementKeys = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"];

/** `s3:GetObject`, `admin:*`, `s3:Get*`, or `*`: a service prefix and an action pattern. */
const actionPattern = /^(\*|[a-z][a-z0-9-]*:[A-Za-z0-9*?]+)$/;

/**
 * Why `policy` would not work as the canned policy of a MinIO role, judged before anything is written:
 * MinIO accepts a malformed document only to fail replication later, and silently drops keys it does
 * not know (a `Principal` copied from a bucket policy grants nothing). Paths are relative to `policy`.
 */
export function policyProblems(policy: Readonly<Record<string, unknown>>): Problem[] {
    const problems: Problem[] = [];
    const say = (path: (string | number)[], message: string) => problems.push({ path, message: `${message} ${policyFix}` });
    for (const key of Object.keys(policy)) {
        if (key === "ID") say([key], "'policy.ID' is where this package keeps the role's ownership marker; remove it from the policy.");
        else if (!documentKeys.includes(key)) say([key], `'policy.${key}' is not part of a MinIO policy document (it has only Version and Statement); MinIO would ignore it.`);
    }
    const version = policy.Version;
    if (version === undefined) say(["Version"], `'policy.Version' is missing; set it to "${policyVersion}".`);
    else if (version !== policyVersion && version !== unknownValue) say(["Version"], `'policy.Version' is ${JSON.stringify(version)}; MinIO accepts only "${policyVersion}".`);
    const statements = policy.Statement;
    if (statements === unknownValue) return problems;
    if (!Array.isArray(statements)) {
        say(["Statement"], statements === undefined
            ? "'policy.Statement' is missing: a list of statements, each with Effect, Action and Resource."
            : "'policy.Statement' must be a list of statements (an array), even for a single statement.");
        return problems;
    }
    if (statements.length === 0) say(["Statement"], "'policy.Statement' is empty, so the role could do nothing; add the statements replication needs.");
    statements.forEach((statement, index) => problems.push(...statementProblems(statement, index).map((p) => ({ path: p.path, message: `${p.message} ${policyFix}` }))));
    return problems;
}

function statementProblems(statement: unknown, index: number): Problem[] {
    const at = (...rest: (string | number)[]) => ["Statement", index, ...rest];
    const name = (key?: string) => `'policy.Statement[${index}]${key ? `.${key}` : ""}'`;
    if (statement === unknownValue) return [];
    if (!statement || typeof statement !== "object" || Array.isArray(statement)) {
        return [{ path: at(), message: `${name()} must be an object with Effect, Action and Resource.` }];
    }
    const s = statement as Record<string, unknown>;
    const problems: Problem[] = [];
    for (const key of Object.keys(s)) {
        if (statementKeys.includes(key)) continue;
        problems.push({ path: at(key), message: key === "Principal" || key === "NotPrincipal"
            ? `${name(key)}: a role's policy applies to the role itself and has no ${key} (that belongs in bucket policies); MinIO would ignore it, so remove it.`
            : `${name(key)} is not a statement key MinIO knows (${statementKeys.join(", ")}); MinIO would ignore it.` });
    }
    if (s.Effect !== unknownValue && s.Effect !== "Allow" && s.Effect !== "Deny") {
        problems.push({ path: at("Effect"), message: s.Effect === undefined
            ? `${name("Effect")} is missing; set it to "Allow" or "Deny".`
            : `${name("Effect")} must be "Allow" or "Deny", not ${JSON.stringify(s.Effect)}.` });
    }
    const actions = stringList(s, "Action", "NotAction", at, name, problems);
    if (actions) {
        const [key, values] = actions;
        values.forEach((action, i) => {
            if (action !== unknownValue && !actionPattern.test(action)) {
                problems.push({ path: at(key, ...(Array.isArray(s[key]) ? [i] : [])), message: `${name(key)} has '${action}', which is not an action: write it as service:Action, such as "s3:GetObject".` });
            }
        });
    }
    // Admin, STS and KMS actions apply to the server, not to buckets: only S3 actions need a Resource.
    const needsResource = !actions || actions[1].some((action) => action === "*" || action.startsWith("s3:"));
    const resources = stringList(s, "Resource", "NotResource", at, name, problems, needsResource);
    if (resources) {
        const [key, values] = resources;
        values.forEach((resource, i) => {
            if (resource !== unknownValue && !/^arn:[a-z]+:[a-z0-9-]+:::.+/.test(resource)) {
                problems.push({ path: at(key, ...(Array.isArray(s[key]) ? [i] : [])), message: `${name(key)} has '${resource}', which is not a resource ARN: write "arn:aws:s3:::<bucket>" for a bucket and "arn:aws:s3:::<bucket>/*" for its objects.` });
            }
        });
    }
    const condition = s.Condition;
    if (condition !== undefined && condition !== unknownValue && (typeof condition !== "object" || condition === null || Array.isArray(condition))) {
        problems.push({ path: at("Condition"), message: `${name("Condition")} must be an object of condition operators, such as { "StringLike": { "s3:prefix": ["logs/*"] } }.` });
    }
    return problems;
}

/**
 * Exactly one of `key` and `notKey`, as a string or a non-empty list of strings; returns which one and
 * its values, or undefined (with the problem recorded) when neither is usable.
 */
function stringList(
    s: Record<string, unknown>, key: string, notKey: string,
    at: (...rest: (string | number)[]) => (string | number)[], name: (key?: string) => string,
    problems: Problem[], required = true,
): [string, string[]] | undefined {
    const present = [key, notKey].filter((k) => s[k] !== undefined);
    if (present.length === 2) {
        problems.push({ path: at(notKey), message: `${name()} has both ${key} and ${notKey}; keep one of them.` });
        return undefined;
    }
    if (present.length === 0) {
        if (required) problems.push({ path: at(key), message: `${name(key)} is missing; list what the statement applies to.` });
        return undefined;
    }
    const used = present[0];
    const value = s[used];
    if (value === unknownValue) return undefined;
    const values = typeof value === "string" ? [value] : Array.isArray(value) ? value : undefined;
    if (!values || values.length === 0 || values.some((v) => typeof v !== "string")) {
        problems.push({ path: at(used), message: `${name(used)} must be a string or a non-empty list of strings.` });
        return undefined;
    }
    return [used, values as string[]];
}

/** MinIO keeps the bucket name `minio` for itself (its admin and health APIs live under /minio/). */
export function bucketNameProblems(name: string): string[] {
    return name === "minio" ? ["is reserved by MinIO for its own APIs"] : [];
}
