import type { BackendSettings, BucketRef, StorageBackend } from "./backend";
import type { BackendDefaults, BackendModule, PathProblem, PolicyOptions, RoleChangeView, RuleCheck } from "./contract";

// Loaded on demand so that a program on one backend never loads another's code; `satisfies` has the
// compiler check each folder's exports against the contract.
const modules: Record<string, () => BackendModule> = {
    minio: () => require("./minio") as typeof import("./minio") satisfies BackendModule,
    exoscale: () => require("./exoscale") as typeof import("./exoscale") satisfies BackendModule,
    aws: () => require("./aws") as typeof import("./aws") satisfies BackendModule,
    oss: () => require("./oss") as typeof import("./oss") satisfies BackendModule,
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

export function replicationPolicyFor(backend: string, source: BucketRef, destinations: readonly BucketRef[], options: PolicyOptions = {}): unknown {
    if (!modules[backend]) {
        throw new Error(`Unknown backend '${backend}'; use one of ${knownBackends.map((b) => `'${b}'`).join(", ")}.`);
    }
    return modules[backend]().replicationPolicy(source, destinations, options);
}

export function ruleProblemsFor(backend: string, rules: Readonly<Record<string, RuleCheck>>, source?: { readonly zone?: string; readonly bucket?: string }): PathProblem[] {
    const module = modules[backend]?.();
    if (!module) return [];
    return module.ruleProblems?.(rules, source) ?? [];
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
