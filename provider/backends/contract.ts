/**
 * What a backend folder exports, as the registry loads it: each backend's index.ts is checked against
 * BackendModule by the compiler (registry.ts), and every type a backend needs from outside its folder
 * comes from here or from backend.ts. The registry does not hand these types back.
 */

import type { BackendSettings, BucketRef, Credentials, StorageBackend, ZoneSettings } from "./backend";
import type { Problem } from "../common/problem";
import type { RuleCheck, RuleOption } from "../common/rule";

/** What a backend assumes when the stack configuration says nothing. */
export interface BackendDefaults {
    readonly zones?: Record<string, ZoneSettings>;
    readonly credentials?: Partial<Credentials>;
    readonly iamEndpoint?: string;
    readonly howToConfigureZones: string;
    readonly howToSetCredentials: string;
    /** How long waits for asynchronous work last when 'bucket-replication:waitTimeoutSeconds' says nothing. */
    readonly waitTimeoutMs: number;
    /** Why a zone cannot carry a key pair or account of its own here, on a service whose replication stays within one owner. */
    readonly zonesOfOtherOwnersRefused?: string;
}

export interface BackendModule {
    defaults(env: NodeJS.ProcessEnv): BackendDefaults;
    open(settings: BackendSettings): StorageBackend;
    replicationPolicy(source: BucketRef, destinations: readonly BucketRef[], options?: PolicyOptions): unknown;
    /** What this service refuses in a set of rules (keyed by ID) that the shared validation does not know about. */
    ruleProblems?(rules: Readonly<Record<string, RuleCheck>>, source?: { readonly zone?: string; readonly bucket?: string }): PathProblem[];
    /** Which rule options the service takes; its ruleProblems refuse the others with refusedRuleOptions (ruleOptionRefusals.ts). */
    readonly ruleOptions: RuleOptionsOfService;
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

/** A problem at a property path relative to whatever a hook judged. */
export type PathProblem = Problem;

/** A rule as validation sees it: any field may be missing or not yet known (the rule model's own view). */
export type { RuleCheck };

/**
 * Which of the rule model's service options (common/rule.ts) a service takes. A rule that uses any
 * other is refused at preview: with the service's own reason where it gives one, else with a message
 * that names the option, so a new option needs no word from the services that do not take it.
 */
export interface RuleOptionsOfService {
    readonly takes: readonly RuleOption[];
    /** Why the service refuses an option it knows of, as the whole message for rule `id`. */
    readonly whyNot?: { readonly [K in RuleOption]?: (id: string) => string };
}

/** What a policy must allow beyond reading and writing objects; backends without KMS ignore it. */
export interface PolicyOptions {
    /** One entry per destination whose replicas are encrypted with a KMS key of the destination. */
    readonly rules?: readonly {
        readonly destination: BucketRef;
        readonly sseKms?: { readonly replicateEncryptedObjects?: boolean; readonly replicaKmsKeyId?: string };
        /** The rule hands replicas to the destination's owner (AWS: the role needs s3:ObjectOwnerOverrideToBucketOwner there). */
        readonly ownerOverride?: boolean;
    }[];
    /** The KMS keys that encrypt objects in the source bucket. */
    readonly sourceKmsKeyArns?: readonly string[];
}
