import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "./bucket";
import { BucketVersioning } from "./bucketVersioning";
import { IamRole } from "./iamRole";
import { programError } from "./identity";
import { componentType } from "./providerStub";
import { stableJson } from "../provider/common/stableJson";
import {
    argumentError, booleanProblems, describe, isInput, isPlainObject, ReplicationConfiguration, ReplicationRuleArgs, unknownKeyProblems,
} from "./replicationConfiguration";
import { replicationPolicy } from "./replicationPolicy";
import { componentDiagram } from "./diagram";
import { ReplicationVerification, verifyProblems, VerifyArgs } from "./replicationVerification";

/** One bucket of a topology. */
export interface TopologyBucketArgs {
    /** The zone the bucket lives in. */
    readonly zone: pulumi.Input<string>;
    /**
     * The bucket's name.
     * @default the component's name and the bucket's role in it, plus 8 characters derived from project,
     * stack, zone and account: the same in every preview and `up`
     */
    readonly name?: pulumi.Input<string>;
    /**
     * Whether destroying the topology may delete the objects in this bucket.
     * @default false
     */
    readonly forceDestroy?: pulumi.Input<boolean>;
}

export interface LeaderFollowerArgs {
    /** The bucket that is written to. */
    readonly leader: TopologyBucketArgs;
    /** The buckets that receive a copy of everything written to the leader. At least one. */
    readonly followers: readonly TopologyBucketArgs[];
    /**
     * Whether deleting an object on the leader is replicated to the followers as a delete marker.
     * @default true
     */
    readonly deleteMarkerReplication?: pulumi.Input<boolean>;
    /**
     * How Alibaba OSS moves the data: `oss_acc` (transfer acceleration) is required between the Chinese
     * mainland and regions outside it. Other backends refuse it at preview.
     * @default the backend's own (OSS: `internal`)
     */
    readonly transferType?: pulumi.Input<"internal" | "oss_acc">;
    /**
     * Verify on `up` that replication works: a canary object written to the leader must reach every
     * follower within `timeoutSeconds`, or `up` fails naming the rule, zone and bucket; the canaries are
     * removed again. Runs when the topology changes, not on every `up`. `{}` turns it on with defaults.
     * @default off
     */
    readonly verify?: VerifyArgs;
}

/**
 * Leader-follower replication in one declaration: the buckets, versioning on each, a least-privilege
 * role, and one rule per follower on the leader, applied in an order that converges on the first `up`.
 */
export class LeaderFollower extends pulumi.ComponentResource {
    readonly leader: Bucket;
    readonly followers: Bucket[];
    readonly role: IamRole;
    readonly replication: ReplicationConfiguration;
    /** A Mermaid flowchart of the buckets (by zone) and rules, the same text `npx pulumi-bucket-replication diagram` prints. */
    readonly diagram: pulumi.Output<string>;
    /** Seconds a canary took from the leader to each follower, per rule ID (`follower-1`...); empty without `verify`. */
    readonly replicationLag: pulumi.Output<Record<string, number>>;

    constructor(name: string, args: LeaderFollowerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("LeaderFollower"), name, {}, opts);
        const problems = leaderFollowerProblems(args);
        if (problems.length > 0) throw programError(this, argumentError("LeaderFollower", name, problems));
        const parent = { parent: this };
        const leader = versionedBucket(`${name}-leader`, args.leader, parent);
        const followers = args.followers.map((follower, i) => versionedBucket(`${name}-follower-${i + 1}`, follower, parent));
        this.leader = leader.bucket;
        this.followers = followers.map((f) => f.bucket);
        this.role = new IamRole(`${name}-replication`, {
            description: pulumi.interpolate`replication from ${leader.bucket.name} to its followers`,
            policy: replicationPolicy({ source: leader.bucket, destinations: this.followers }),
        }, parent);
        const rules: Record<string, pulumi.Input<ReplicationRuleArgs>> = {};
        followers.forEach((follower, i) => {
            rules[`follower-${i + 1}`] = {
                priority: i + 1,
                deleteMarkerReplication: args.deleteMarkerReplication ?? true,
                ...(args.transferType !== undefined ? { transferType: args.transferType } : {}),
                destination: { bucket: follower.versioning.bucket, zone: follower.versioning.zone },
            };
        });
        this.replication = new ReplicationConfiguration(`${name}-leader`, {
            bucket: leader.versioning.bucket,
            zone: leader.versioning.zone,
            role: this.role,
            rules,
        }, parent);
        this.replicationLag = verifyTopology(name, args.verify, [this.replication], [this.role], parent);
        this.diagram = componentDiagram([this.leader, ...this.followers], [this.replication]);
        this.registerOutputs({ leader: this.leader.name, followers: this.followers.map((f) => f.name), diagram: this.diagram, replicationLag: this.replicationLag });
    }
}

/** A bucket with versioning enabled; passing `versioning.bucket` onwards orders versioning first. */
export function versionedBucket(name: string, args: TopologyBucketArgs, opts: pulumi.CustomResourceOptions): { bucket: Bucket; versioning: BucketVersioning } {
    const bucket = new Bucket(name, { zone: args.zone, name: args.name, forceDestroy: args.forceDestroy }, opts);
    const versioning = new BucketVersioning(name, { bucket: bucket.name, zone: bucket.zone, status: "Enabled" }, opts);
    return { bucket, versioning };
}

/**
 * The ReplicationVerification of a component's ReplicationConfigurations when `verify` is set, after
 * them; its fingerprint is their rules and roles, so that any change of the topology runs it again.
 * Returns the lag per rule (empty without `verify`).
 */
export function verifyTopology(name: string, verify: VerifyArgs | undefined, replications: readonly ReplicationConfiguration[],
    roles: readonly IamRole[], opts: pulumi.CustomResourceOptions): pulumi.Output<Record<string, number>> {
    if (verify === undefined || verify === null) return pulumi.output<Record<string, number>>({});
    const topology = pulumi.all(replications.map((r) => pulumi.all([r.bucket, r.zone, r.rules])));
    const rules = topology.apply((configs) => Object.fromEntries(configs.flatMap(([bucket, zone, rules]) =>
        Object.entries(rules).map(([id, rule]) => [id, {
            source: { zone, bucket },
            destination: { zone: (rule as { destination: { zone: string } }).destination.zone, bucket: (rule as { destination: { bucket: string } }).destination.bucket },
            prefix: (rule as { prefix?: string }).prefix ?? "",
        }]))));
    const fingerprint = pulumi.all([topology, pulumi.all(roles.map((role) => role.id))]).apply(([configs, roleIds]) => JSON.stringify({
        rules: configs.map(([bucket, zone, rules]) => [zone, bucket, Object.keys(rules).sort().map((id) => [id, stableJson(rules[id])])]),
        roles: roleIds,
    }));
    const verification = new ReplicationVerification(`${name}-verification`, {
        rules, fingerprint, timeoutSeconds: verify.timeoutSeconds,
    }, { ...opts, dependsOn: [...replications] });
    return verification.lagSeconds;
}

const exampleBucket = (zone: string) => `{ zone: "${zone}" }`;

/** What is wrong with LeaderFollower's arguments, each naming the argument and the fix. */
export function leaderFollowerProblems(args: unknown): string[] {
    if (!isPlainObject(args)) {
        return [`its arguments are missing: pass { leader: ${exampleBucket("zone-a")}, followers: [${exampleBucket("zone-b")}] }.`];
    }
    const problems = unknownKeyProblems("", args, ["leader", "followers", "deleteMarkerReplication", "transferType", "verify"]);
    problems.push(...topologyBucketProblems("leader", args.leader));
    const followers = args.followers;
    if (followers === undefined || followers === null) {
        problems.push(`'followers' is required: the buckets that receive the copies, such as followers: [${exampleBucket("zone-b")}].`);
    } else if (!Array.isArray(followers)) {
        problems.push(isPlainObject(followers)
            ? `'followers' must be a list (an array), even for one follower: write followers: [ ... ] around it.`
            : `'followers' must be a list (an array) of buckets, such as followers: [${exampleBucket("zone-b")}].`);
    } else if (followers.length === 0) {
        problems.push(`'followers' is empty; name at least one follower bucket, such as followers: [${exampleBucket("zone-b")}].`);
    } else {
        followers.forEach((follower, i) => problems.push(...topologyBucketProblems(`followers[${i}]`, follower)));
        problems.push(...sameBucketProblems([["leader", args.leader], ...followers.map((f, i) => [`followers[${i}]`, f] as [string, unknown])]));
    }
    problems.push(...booleanProblems("deleteMarkerReplication", args.deleteMarkerReplication));
    problems.push(...verifyProblems("verify", args.verify));
    return problems;
}

/** What is wrong with one bucket of a topology, found at argument `path` (such as `followers[1]`). */
export function topologyBucketProblems(path: string, value: unknown): string[] {
    if (value === undefined || value === null) return [`'${path}' is required: a bucket such as ${exampleBucket("zone-a")}, optionally with 'name' and 'forceDestroy'.`];
    if (!isPlainObject(value)) return [`'${path}' must be a bucket such as ${exampleBucket("zone-a")}, not ${describe(value)}.`];
    const problems = unknownKeyProblems(path, value, ["zone", "name", "forceDestroy"]);
    const zone = value.zone;
    if (zone === undefined || zone === null || zone === "") {
        problems.push(`'${path}.zone' is required: the zone the bucket lives in, such as "zone-a" (one of the configured zones).`);
    } else if (!isInput(zone, "string")) {
        problems.push(`'${path}.zone' must be a zone name (text), not ${describe(zone)}.`);
    }
    if (value.name !== undefined && value.name !== null && !isInput(value.name, "string")) {
        problems.push(`'${path}.name' must be a bucket name (text), not ${describe(value.name)}; or leave it unset for an automatic name.`);
    }
    problems.push(...booleanProblems(`${path}.forceDestroy`, value.forceDestroy));
    return problems;
}

/** Two buckets of one topology with the same explicit name in the same zone would be one bucket. */
export function sameBucketProblems(buckets: readonly [string, unknown][]): string[] {
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const [path, bucket] of buckets) {
        if (!isPlainObject(bucket) || typeof bucket.name !== "string" || typeof bucket.zone !== "string") continue;
        const key = `${bucket.zone}/${bucket.name}`;
        const other = seen.get(key);
        if (other) problems.push(`'${path}' and '${other}' both name bucket '${bucket.name}' in zone ${bucket.zone}; give each its own 'name', or leave 'name' unset.`);
        else seen.set(key, path);
    }
    return problems;
}
