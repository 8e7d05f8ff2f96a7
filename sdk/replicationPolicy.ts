import * as pulumi from "@pulumi/pulumi";
import { configKey, configNamespace, defaultBackend, knownBackends, replicationPolicyFor } from "../provider/sdkEntry";

/** A bucket as a policy needs it; a `Bucket` resource fits. */
export interface PolicyBucket {
    readonly name: pulumi.Input<string>;
    readonly zone: pulumi.Input<string>;
}

export interface ReplicationPolicyArgs {
    /** The bucket objects are read from. */
    readonly source: PolicyBucket;
    /** The buckets replicas are written into. */
    readonly destinations: readonly PolicyBucket[];
    /**
     * SSE-KMS objects (AWS): the keys that encrypt objects in the source, and the destination key each
     * replica is encrypted with. The role may use exactly these keys, through S3 only.
     * @default no KMS permissions
     */
    readonly sseKms?: {
        readonly sourceKeyArns?: readonly pulumi.Input<string>[];
        readonly replicaKeys: readonly { readonly destination: PolicyBucket; readonly keyId: pulumi.Input<string> }[];
    };
    /**
     * Whether the rules hand the replicas to the destinations' owner (the rule option `ownerOverride`, AWS):
     * the role may then also change the owner of the replicas it writes, and nothing else more.
     * @default false
     */
    readonly ownerOverride?: boolean;
    /**
     * The backend whose policy language to use.
     * @default the stack's `bucket-replication:backend`, or "minio"
     */
    readonly backend?: string;
}

/**
 * The least-privilege policy for replicating `source` into `destinations`, in the configured
 * backend's own policy language: read from the source, write replicas into the destinations, nothing else.
 */
export function replicationPolicy(args: ReplicationPolicyArgs): pulumi.Output<object> {
    const backend = (isObject(args) ? args.backend : undefined) ?? configuredBackend();
    const problems = replicationPolicyProblems(args, backend);
    if (problems.length > 0) {
        // Not tied to a resource: a RunError is how Pulumi reports a program mistake without a stack trace.
        throw new pulumi.RunError(problems.length === 1
            ? `replicationPolicy: ${problems[0]}`
            : `replicationPolicy has ${problems.length} problems with its arguments:\n  - ${problems.join("\n  - ")}`);
    }
    const ref = (b: PolicyBucket) => pulumi.all([b.zone, b.name]).apply(([zone, bucket]) => ({ zone, bucket }));
    const kmsRules = pulumi.all((args.sseKms?.replicaKeys ?? []).map((key) => pulumi.all([ref(key.destination), key.keyId])
        .apply(([destination, replicaKmsKeyId]) => ({ destination, sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId } }))));
    const sourceKmsKeyArns = pulumi.all([...(args.sseKms?.sourceKeyArns ?? [])]);
    return pulumi.all([ref(args.source), pulumi.all(args.destinations.map(ref)), kmsRules, sourceKmsKeyArns])
        .apply(([source, destinations, kms, sourceKeys]) => {
            const overrides = args.ownerOverride === true ? destinations.map((destination) => ({ destination, ownerOverride: true })) : [];
            const rules = [...kms, ...overrides];
            return replicationPolicyFor(backend, source, destinations,
                rules.length > 0 ? { rules, ...(sourceKeys.length > 0 ? { sourceKmsKeyArns: sourceKeys } : {}) } : {}) as object;
        });
}

/** The stack's `bucket-replication:backend`, or the default one. */
export function configuredBackend(): string {
    return new pulumi.Config(configNamespace()).get("backend") ?? defaultBackend;
}

const exampleCall = "replicationPolicy({ source: sourceBucket, destinations: [destinationBucket] })";

/** What is wrong with replicationPolicy's arguments, each naming the argument and the fix. */
export function replicationPolicyProblems(args: unknown, backend: string): string[] {
    if (!isObject(args)) return [`its arguments are missing: call ${exampleCall}.`];
    const problems: string[] = [];
    if (!knownBackends.includes(backend)) {
        problems.push(`'backend' is '${backend}'; use one of ${knownBackends.map((b) => `'${b}'`).join(", ")} (or set '${configKey("backend")}').`);
    }
    problems.push(...policyBucketProblems("source", args.source));
    if (args.ownerOverride !== undefined && typeof args.ownerOverride !== "boolean") problems.push(`'ownerOverride' must be true or false.`);
    const destinations = args.destinations;
    if (destinations === undefined || destinations === null) {
        problems.push(`'destinations' is required: the buckets replicas are written into, as in ${exampleCall}.`);
    } else if (!Array.isArray(destinations)) {
        problems.push(`'destinations' must be a list (an array) of buckets, even for one: destinations: [destinationBucket].`);
    } else if (destinations.length === 0) {
        problems.push(`'destinations' is empty, so the role could write nowhere; list the buckets replicas go to, as in ${exampleCall}.`);
    } else {
        destinations.forEach((destination, i) => problems.push(...policyBucketProblems(`destinations[${i}]`, destination)));
    }
    return problems;
}

function policyBucketProblems(path: string, bucket: unknown): string[] {
    const fix = "pass a Bucket resource, or { name, zone }";
    if (bucket === undefined || bucket === null) return [`'${path}' is required; ${fix}.`];
    if (!isObject(bucket)) return [`'${path}' must be a bucket; ${fix}, not ${typeof bucket === "string" ? `the text ${JSON.stringify(bucket)}` : typeof bucket}.`];
    return (["name", "zone"] as const).filter((key) => bucket[key] === undefined || bucket[key] === null || bucket[key] === "")
        .map((key) => `'${path}.${key}' is missing; ${fix}.`);
}

function isObject(value: unknown): value is Record<string, any> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
