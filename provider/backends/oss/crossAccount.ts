import { type BucketRef, type ProgressLog, type ReplicationSpec, zoneCredentials } from "../backend";
import { sortedList as listOf, statementsOf } from "../policyDocument";
import { isMissingBucket } from "../s3/missingBucket";
import { type OssClient, xml } from "./ossClient";
import { isCode } from "./ramClient";

/**
 * Replication between two Alibaba accounts (OSS user guide, "Required permissions for data replication",
 * https://www.alibabacloud.com/help/en/oss/user-guide/introduction-to-data-replication-permissions, and the
 * cross-account CRR and SRR guides). OSS replicates as a RAM role of the source's account; a RAM policy can
 * name only its own account's resources, so the destination's owner lets that role in with a statement in
 * the destination bucket's policy: the four oss:Replicate* actions, the principal
 * `arn:sts::<source UID>:assumed-role/<role name>/*`, and the bucket and its objects as resources.
 *
 * The ReplicationConfiguration keeps that statement, as it keeps the rules: it is the resource that names
 * both the role and the destination, applied after both exist. A bucket policy is one document per bucket,
 * shared with whatever else its owner allows, so only this package's statements are touched, recognised by
 * their principal and resources (OSS's policy language has no statement IDs to mark them with).
 */

export interface Grant {
    readonly roleName: string;
    /** The UID of the account that owns the source bucket and the role. */
    readonly sourceAccount: string;
    readonly destination: BucketRef;
    /** The UID of the account that owns the destination bucket. */
    readonly destinationAccount: string;
}

/** A bucket policy document as OSS holds it (parsed). */
export type BucketPolicy = { Version?: string; Statement?: unknown } & Record<string, unknown>;

const replicateActions = ["oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut", "oss:ReplicateDelete"];

/** The STS principal OSS acts as while it replicates as the role (RAM shows role names in lower case). */
export function grantPrincipal(grant: Pick<Grant, "sourceAccount" | "roleName">): string {
    return `arn:sts::${grant.sourceAccount}:assumed-role/${grant.roleName.toLowerCase()}/*`;
}

export function grantStatement(grant: Grant): Record<string, unknown> {
    const bucket = `acs:oss:*:${grant.destinationAccount}:${grant.destination.bucket}`;
    return { Effect: "Allow", Action: replicateActions, Principal: [grantPrincipal(grant)], Resource: [bucket, `${bucket}/*`] };
}

const sameList = (a: unknown, b: unknown) => JSON.stringify(listOf(a)) === JSON.stringify(listOf(b));

/** Whether a statement is this grant's (same principal and resources), whatever its actions say. */
function isGrantStatement(statement: Record<string, unknown>, grant: Grant): boolean {
    const wanted = grantStatement(grant);
    return sameList(statement.Principal, wanted.Principal) && sameList(statement.Resource, wanted.Resource);
}

/** Whether the policy holds the grant's statement exactly as written. */
export function holdsGrant(policy: BucketPolicy | undefined, grant: Grant): boolean {
    const wanted = grantStatement(grant);
    return statementsOf(policy).some((s) => isGrantStatement(s, grant) && s.Effect === "Allow" && sameList(s.Action, wanted.Action));
}

/** The policy with the grant's statement put in (`keep`) or taken out; undefined when nothing would be left. */
export function withGrant(policy: BucketPolicy | undefined, grant: Grant, keep: boolean): BucketPolicy | undefined {
    const others = statementsOf(policy).filter((s) => !isGrantStatement(s, grant));
    const all = keep ? [...others, grantStatement(grant)] : others;
    if (all.length === 0) return undefined;
    return { ...(policy ?? {}), Version: policy?.Version ?? "1", Statement: all };
}

/** The grants' state as a refresh reports it: `<zone>/<bucket>` of each destination, granted or missing. */
export type GrantStates = Record<string, "granted" | "missing">;

export const grantKey = (destination: BucketRef) => `${destination.zone}/${destination.bucket}`;

/**
 * The grants a replication needs, and their writing, reading and removal, each signed as the owner of the
 * bucket it touches. Nothing is asked while both ends sign with one key pair: one owner needs no grant.
 */
export class OssGrants {
    private readonly owners = new Map<string, string>();

    constructor(private readonly oss: OssClient, private readonly settings: Parameters<typeof zoneCredentials>[0]) {}

    /** Whether the two zones sign with different key pairs (only then may their buckets have different owners). */
    private differentKeys(a: string, b: string): boolean {
        return zoneCredentials(this.settings, a).accessKey !== zoneCredentials(this.settings, b).accessKey;
    }

    /** The UID of a bucket's owner (GetBucketInfo, signed with its zone's key pair); undefined for a bucket gone. */
    async ownerOf(ref: BucketRef, log?: ProgressLog): Promise<string | undefined> {
        const key = grantKey(ref);
        if (this.owners.has(key)) return this.owners.get(key);
        let owner: string | undefined;
        try {
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { bucketInfo: "" }, operation: `GetBucketInfo of '${ref.bucket}'`, log });
            owner = xml.textOf(xml.child(xml.child(answer.xml(), "Bucket"), "Owner"), "ID") || undefined;
        } catch (error) {
            if (isMissingBucket(error)) return undefined;
            throw error;
        }
        if (owner) this.owners.set(key, owner);
        return owner;
    }

    /** The grants the spec's rules need: one per destination whose owner is not the source's. */
    async grantsOf(spec: Pick<ReplicationSpec, "source" | "role" | "rules">, log?: ProgressLog): Promise<Grant[]> {
        const destinations = new Map<string, BucketRef>();
        for (const rule of spec.rules) {
            if (this.differentKeys(spec.source.zone, rule.destination.zone)) destinations.set(grantKey(rule.destination), { zone: rule.destination.zone, bucket: rule.destination.bucket });
        }
        if (destinations.size === 0) return [];
        const sourceAccount = await this.ownerOf(spec.source, log);
        if (!sourceAccount) return [];
        const grants: Grant[] = [];
        for (const destination of destinations.values()) {
            const destinationAccount = await this.ownerOf(destination, log);
            if (destinationAccount && destinationAccount !== sourceAccount) {
                grants.push({ roleName: spec.role.id, sourceAccount, destination, destinationAccount });
            }
        }
        return grants;
    }

    /** Puts each grant into its destination's bucket policy, and takes out those of `previous` no longer needed. */
    async put(spec: ReplicationSpec, previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        const grants = await this.grantsOf(spec, log);
        for (const grant of grants) {
            const current = await this.policyOf(grant.destination, log);
            if (holdsGrant(current, grant)) continue;
            await this.writePolicy(grant.destination, withGrant(current, grant, true), log);
            log(`bucket policy of '${grant.destination.bucket}' (zone ${grant.destination.zone}, account ${grant.destinationAccount}) ` +
                `lets role '${grant.roleName}' of account ${grant.sourceAccount} replicate into it`);
        }
        if (previous) {
            const kept = new Set(grants.map((g) => `${grantKey(g.destination)}\0${grantPrincipal(g)}`));
            const old = await this.grantsOf(previous, log);
            await this.remove(old.filter((g) => !kept.has(`${grantKey(g.destination)}\0${grantPrincipal(g)}`)), log);
        }
    }

    /** Takes the grants out of their destinations' bucket policies; a bucket gone has nothing to take out. */
    async remove(grants: readonly Grant[], log: ProgressLog): Promise<void> {
        for (const grant of grants) {
            const current = await this.policyOf(grant.destination, log).catch((error) => { if (isMissingBucket(error)) return undefined; throw error; });
            if (!current || !statementsOf(current).some((s) => isGrantStatement(s, grant))) continue;
            try {
                await this.writePolicy(grant.destination, withGrant(current, grant, false), log);
            } catch (error) {
                if (isMissingBucket(error)) continue;
                throw error;
            }
            log(`removed the replication grant of role '${grant.roleName}' from the bucket policy of '${grant.destination.bucket}' (zone ${grant.destination.zone})`);
        }
    }

    /** Whether each grant the spec needs is in its destination's bucket policy. */
    async states(spec: Pick<ReplicationSpec, "source" | "role" | "rules">): Promise<GrantStates> {
        const states: GrantStates = {};
        for (const grant of await this.grantsOf(spec)) {
            states[grantKey(grant.destination)] = holdsGrant(await this.policyOf(grant.destination), grant) ? "granted" : "missing";
        }
        return states;
    }

    /** GetBucketPolicy, signed as the bucket's owner; undefined when the bucket has none. */
    private async policyOf(ref: BucketRef, log?: ProgressLog): Promise<BucketPolicy | undefined> {
        try {
            const answer = await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { policy: "" }, operation: `GetBucketPolicy of '${ref.bucket}'`, log });
            const text = answer.body.toString("utf8").trim();
            return text ? JSON.parse(text) as BucketPolicy : undefined;
        } catch (error) {
            if (isCode(error, "NoSuchBucketPolicy")) return undefined;
            throw error;
        }
    }

    private async writePolicy(ref: BucketRef, policy: BucketPolicy | undefined, log: ProgressLog): Promise<void> {
        if (policy === undefined) {
            await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "DELETE", query: { policy: "" }, operation: `DeleteBucketPolicy of '${ref.bucket}'`, log });
            return;
        }
        await this.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "PUT", query: { policy: "" }, body: JSON.stringify(policy),
            headers: { "content-type": "application/json" }, operation: `PutBucketPolicy of '${ref.bucket}'`, log });
    }
}

/**
 * The source bucket a sync role's RAM policy reads from: the bucket of the statement that allows
 * oss:ReplicateGet without oss:ReplicatePut (replicationPolicy writes it first). Undefined for a policy without one.
 */
export function sourceBucketOfPolicy(policy: unknown): string | undefined {
    for (const statement of statementsOf(policy)) {
        const actions = listOf(statement.Action);
        if (!actions.includes("oss:ReplicateGet") || actions.includes("oss:ReplicatePut")) continue;
        const bucket = listOf(statement.Resource).map((r) => /^acs:oss:[^:]*:[^:]*:([a-z0-9-]+)$/.exec(r)?.[1]).find(Boolean);
        if (bucket) return bucket;
    }
    return undefined;
}
