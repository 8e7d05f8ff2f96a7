import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "./bucket";
import { IamRole } from "./iamRole";
import { programError } from "./identity";
import { componentType } from "./providerStub";
import { sameBucketProblems, topologyBucketProblems, versionedBucket, verifyTopology, TopologyBucketArgs } from "./leaderFollower";
import { argumentError, booleanProblems, isPlainObject, ReplicationConfiguration, unknownKeyProblems } from "./replicationConfiguration";
import { acceptsRuleOption } from "../provider/sdkEntry";
import { configuredBackend, replicationPolicy } from "./replicationPolicy";
import { componentDiagram } from "./diagram";
import { verifyProblems, VerifyArgs } from "./replicationVerification";

export interface BiDirectionalArgs {
    /** One side. */
    readonly a: TopologyBucketArgs;
    /** The other side. */
    readonly b: TopologyBucketArgs;
    /**
     * Whether deletes on either side are replicated to the other as delete markers.
     * @default true
     */
    readonly deleteMarkerReplication?: pulumi.Input<boolean>;
    /**
     * Whether changes to a replica's metadata and tags are replicated back, so that both sides stay
     * alike. Exoscale SOS and Alibaba OSS have no such setting (each write is replicated once anyway).
     * @default true where the backend has it (MinIO, AWS), false elsewhere
     */
    readonly replicaModifications?: pulumi.Input<boolean>;
    /**
     * How Alibaba OSS moves the data: `oss_acc` (transfer acceleration) is required between the Chinese
     * mainland and regions outside it. Other backends refuse it at preview.
     * @default the backend's own (OSS: `internal`)
     */
    readonly transferType?: pulumi.Input<"internal" | "oss_acc">;
    /**
     * Verify on `up` that replication works both ways: a canary written to each side must reach the
     * other within `timeoutSeconds`, or `up` fails naming the rule, zone and bucket; every canary and
     * its replica is removed again. Runs when the topology changes, not on every `up`. `{}` turns it on.
     * @default off
     */
    readonly verify?: VerifyArgs;
}

/**
 * Two buckets that replicate into each other, declared once: both buckets, versioning, one role per
 * direction and one rule per direction. A write is replicated once; replicas are not sent back.
 * Converges on the first `up`: no ordering tricks, no second run.
 */
export class BiDirectional extends pulumi.ComponentResource {
    readonly a: Bucket;
    readonly b: Bucket;
    readonly roles: { readonly aToB: IamRole; readonly bToA: IamRole };
    /** A Mermaid flowchart of both buckets (by zone) and both rules, the same text `npx pulumi-bucket-replication diagram` prints. */
    readonly diagram: pulumi.Output<string>;
    /** Seconds a canary took to the other side, per rule ID (`to-b`, `to-a`); empty without `verify`. */
    readonly replicationLag: pulumi.Output<Record<string, number>>;

    constructor(name: string, args: BiDirectionalArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("BiDirectional"), name, {}, opts);
        const problems = biDirectionalProblems(args);
        if (problems.length > 0) throw programError(this, argumentError("BiDirectional", name, problems));
        const parent = { parent: this };
        const a = versionedBucket(`${name}-a`, args.a, parent);
        const b = versionedBucket(`${name}-b`, args.b, parent);
        this.a = a.bucket;
        this.b = b.bucket;
        const direction = (from: typeof a, to: typeof b, label: string, ruleId: string) => {
            const role = new IamRole(`${name}-${label}`, {
                description: pulumi.interpolate`replication from ${from.bucket.name} to ${to.bucket.name}`,
                policy: replicationPolicy({ source: from.bucket, destinations: [to.bucket] }),
            }, parent);
            const replication = new ReplicationConfiguration(`${name}-${label}`, {
                bucket: from.versioning.bucket,
                zone: from.versioning.zone,
                role,
                rules: {
                    [ruleId]: {
                        priority: 1,
                        deleteMarkerReplication: args.deleteMarkerReplication ?? true,
                        replicaModifications: args.replicaModifications ?? acceptsRuleOption(configuredBackend(), "replicaModifications", true),
                        ...(args.transferType !== undefined ? { transferType: args.transferType } : {}),
                        destination: { bucket: to.versioning.bucket, zone: to.versioning.zone },
                    },
                },
            }, parent);
            return { role, replication };
        };
        const aToB = direction(a, b, "a-to-b", "to-b");
        const bToA = direction(b, a, "b-to-a", "to-a");
        this.roles = { aToB: aToB.role, bToA: bToA.role };
        this.replicationLag = verifyTopology(name, args.verify, [aToB.replication, bToA.replication], [aToB.role, bToA.role], parent);
        this.diagram = componentDiagram([this.a, this.b], [aToB.replication, bToA.replication]);
        this.registerOutputs({ a: this.a.name, b: this.b.name, diagram: this.diagram, replicationLag: this.replicationLag });
    }
}

/** What is wrong with BiDirectional's arguments, each naming the argument and the fix. */
export function biDirectionalProblems(args: unknown): string[] {
    if (!isPlainObject(args)) return [`its arguments are missing: pass { a: { zone: "zone-a" }, b: { zone: "zone-b" } }.`];
    return [
        ...unknownKeyProblems("", args, ["a", "b", "deleteMarkerReplication", "replicaModifications", "transferType", "verify"]),
        ...topologyBucketProblems("a", args.a),
        ...topologyBucketProblems("b", args.b),
        ...sameBucketProblems([["a", args.a], ["b", args.b]]),
        ...booleanProblems("deleteMarkerReplication", args.deleteMarkerReplication),
        ...booleanProblems("replicaModifications", args.replicaModifications),
        ...verifyProblems("verify", args.verify),
    ];
}
