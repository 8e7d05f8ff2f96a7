import type { BackendSettings, BucketRef, Credentials, StorageBackend, ZoneSettings } from "./backend";
import type { Problem } from "../validation";

/** What a backend assumes when the stack configuration says nothing. */
export interface BackendDefaults {
    readonly zones?: Record<string, ZoneSettings>;
    readonly credentials?: Partial<Credentials>;
    readonly iamEndpoint?: string;
    readonly howToConfigureZones: string;
    readonly howToSetCredentials: string;
}

interface BackendModule {
    defaults(env: NodeJS.ProcessEnv): BackendDefaults;
    open(settings: BackendSettings): StorageBackend;
    replicationPolicy(source: BucketRef, destinations: readonly BucketRef[], options?: PolicyOptions): unknown;
    /** What this service refuses in a set of rules (keyed by ID) that the shared validation does not know about. */
    ruleProblems?(rules: Readonly<Record<string, RuleCheck>>, source?: { readonly zone?: string; readonly bucket?: string }): { path: string[]; message: string }[];
    /** How many tags a bucket may carry on this service, when it is not S3's 50. */
    readonly maxBucketTags?: number;
    /**
     * What this service refuses in a role's policy document, judged at preview. `policy` is a plain
     * object (values still unknown during preview are the engine's placeholder string); each path is
     * relative to `policy` and each message says what to change.
     */
    policyProblems?(policy: Readonly<Record<string, unknown>>): PathProblem[];
    /**
     * Bucket names this service refuses beyond S3's common rules, each phrased to follow
     * "Bucket name '<name>' ", such as "is reserved by MinIO". Empty when the name is fine.
     */
    bucketNameProblems?(name: string): string[];
    /**
     * What this service cannot change in place on a role, judged at preview from the role as the state
     * holds it and as the program declares it; paths are relative to the role's inputs.
     */
    roleChangeProblems?(olds: RoleChangeView, news: RoleChangeView): PathProblem[];
}

/** The parts of a role a change is judged on; values may still be unknown during preview. */
export interface RoleChangeView {
    readonly name?: string;
    readonly description?: string;
}


/** A problem at a property path relative to whatever a hook judged; validation's Problem under the name hooks use. */
export type PathProblem = Problem;

/** A rule as validation sees it: any field may be missing or not yet known. */
export interface RuleCheck {
    readonly priority?: number;
    readonly status?: string;
    readonly tags?: Readonly<Record<string, string>>;
    readonly deleteMarkerReplication?: boolean;
    readonly deleteReplication?: boolean;
    readonly existingObjectReplication?: boolean;
    readonly replicaModifications?: boolean;
    readonly destination?: { readonly zone?: string; readonly bucket?: string; readonly storageClass?: string };
    readonly prefix?: string;
    readonly prefixes?: readonly string[];
    readonly sseKms?: { readonly replicateEncryptedObjects?: boolean; readonly replicaKmsKeyId?: string };
    readonly replicationTimeControl?: boolean;
    readonly transferType?: string;
}

// Loaded on demand so that a program on one backend never loads another's code. MinIO's preview-time
// rules for policies and bucket names live beside its policy language, in minio/policy.ts.
const modules: Record<string, () => BackendModule> = {
    minio: () => {
        const { policyProblems, bucketNameProblems } = require("./minio/policy") as typeof import("./minio/policy");
        return { ...require("./minio"), policyProblems, bucketNameProblems };
    },
    exoscale: () => require("./exoscale"),
    aws: () => require("./aws"),
    oss: () => require("./oss"),
};

export const knownBackends: readonly string[] = Object.keys(modules);

/** The backend of a stack that names none: the local MinIO pair works with no configuration at all. */
export const defaultBackend = "minio";

export function backendDefaults(backend: string, env: NodeJS.ProcessEnv): BackendDefaults {
    return modules[backend]().defaults(env);
}

export function openBackend(settings: BackendSettings): StorageBackend {
    return modules[settings.backend]().open(settings);
}

/** What a policy must allow beyond reading and writing objects; backends without KMS ignore it. */
export interface PolicyOptions {
    /** One entry per destination whose replicas are encrypted with a KMS key of the destination. */
    readonly rules?: readonly { readonly destination: BucketRef; readonly sseKms?: { readonly replicateEncryptedObjects?: boolean; readonly replicaKmsKeyId?: string } }[];
    /** The KMS keys that encrypt objects in the source bucket. */
    readonly sourceKmsKeyArns?: readonly string[];
}

export function replicationPolicyFor(backend: string, source: BucketRef, destinations: readonly BucketRef[], options: PolicyOptions = {}): unknown {
    if (!modules[backend]) {
        throw new Error(`Unknown backend '${backend}'; use one of ${knownBackends.map((b) => `'${b}'`).join(", ")}.`);
    }
    return modules[backend]().replicationPolicy(source, destinations, options);
}

export function ruleProblemsFor(backend: string, rules: Readonly<Record<string, RuleCheck>>, source?: { readonly zone?: string; readonly bucket?: string }): { path: string[]; message: string }[] {
    return modules[backend]?.().ruleProblems?.(rules, source) ?? [];
}

/** The bucket-tag limit of the backend: S3's 50 unless it says otherwise. */
export function maxBucketTagsFor(backend: string): number | undefined {
    return modules[backend]?.().maxBucketTags;
}

/** What the backend refuses in a role's policy, with paths relative to `policy`; nothing for an unknown backend. */
export function policyProblemsFor(backend: string, policy: Readonly<Record<string, unknown>>): PathProblem[] {
    return modules[backend]?.().policyProblems?.(policy) ?? [];
}

/** What the backend cannot change in place on a role; nothing for an unknown backend. */
export function roleChangeProblemsFor(backend: string, olds: RoleChangeView, news: RoleChangeView): PathProblem[] {
    return modules[backend]?.().roleChangeProblems?.(olds, news) ?? [];
}

/** The backend's own bucket-name rules, as phrases for `bucketNameProblems(name, extra)` in validation.ts. */
export function bucketNameRulesFor(backend: string, name: string): string[] {
    return modules[backend]?.().bucketNameProblems?.(name) ?? [];
}

/** Whether the backend takes a rule option at this value, as its own preview rules judge it. */
export function acceptsRuleOption(backend: string, option: keyof RuleCheck, value: unknown): boolean {
    const probe = { probe: { [option]: value } as RuleCheck };
    return !ruleProblemsFor(backend, probe).some((problem) => problem.path[1] === option);
}
