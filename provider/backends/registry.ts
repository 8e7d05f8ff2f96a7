import type { BackendSettings, BucketRef, Credentials, StorageBackend, ZoneSettings } from "./backend";

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
    replicationPolicy(source: BucketRef, destinations: readonly BucketRef[]): unknown;
    /** What this service refuses in a set of rules (keyed by ID) that the shared validation does not know about. */
    ruleProblems?(rules: Readonly<Record<string, RuleCheck>>): { path: string[]; message: string }[];
}

/** A rule as validation sees it: any field may be missing or not yet known. */
export interface RuleCheck {
    readonly tags?: Readonly<Record<string, string>>;
    readonly deleteMarkerReplication?: boolean;
    readonly deleteReplication?: boolean;
    readonly existingObjectReplication?: boolean;
    readonly replicaModifications?: boolean;
    readonly destination?: { readonly zone?: string; readonly bucket?: string; readonly storageClass?: string };
}

// Loaded on demand so that a program on one backend never loads another's code.
const modules: Record<string, () => BackendModule> = {
    minio: () => require("./minio"),
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

export function replicationPolicyFor(backend: string, source: BucketRef, destinations: readonly BucketRef[]): unknown {
    if (!modules[backend]) {
        throw new Error(`Unknown backend '${backend}'; use one of ${knownBackends.map((b) => `'${b}'`).join(", ")}.`);
    }
    return modules[backend]().replicationPolicy(source, destinations);
}

export function ruleProblemsFor(backend: string, rules: Readonly<Record<string, RuleCheck>>): { path: string[]; message: string }[] {
    return modules[backend]?.().ruleProblems?.(rules) ?? [];
}
