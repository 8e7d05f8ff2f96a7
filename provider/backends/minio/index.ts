import type { BackendSettings, BucketRef, StorageBackend } from "../backend";
import type { BackendDefaults, PathProblem } from "../contract";
import { findLocalZones, localCredentials } from "./localZones";
import { configKey } from "../../common/configKey";

/** MinIO: zones are separate MinIO deployments; roles are users with a canned policy; rules point at remote targets. */

export function defaults(env: NodeJS.ProcessEnv): BackendDefaults {
    const local = findLocalZones(env);
    const fromEnv = {
        accessKey: env.MINIO_ACCESS_KEY ?? env.MINIO_ROOT_USER,
        secretKey: env.MINIO_SECRET_KEY ?? env.MINIO_ROOT_PASSWORD,
    };
    return {
        zones: local?.zones,
        credentials: fromEnv.accessKey && fromEnv.secretKey ? fromEnv : localCredentials(local),
        howToConfigureZones: `Set '${configKey("zones")}' to your MinIO servers, such as ` +
            `pulumi config set --path '${configKey("zones.zone-a.endpoint")}' http://127.0.0.1:9000 (one entry per server); ` +
            "to try the package on a local pair, run 'npm run zones -- up' in a clone of the pulumi-bucket-replication repository.",
        howToSetCredentials: "set MINIO_ACCESS_KEY and MINIO_SECRET_KEY in the environment.",
        waitTimeoutMs: 120_000,
    };
}

export function open(settings: BackendSettings): StorageBackend {
    const { MinioBackend } = require("./minioBackend") as typeof import("./minioBackend");
    return new MinioBackend(settings);
}

export function replicationPolicy(source: BucketRef, destinations: readonly BucketRef[]): unknown {
    const { replicationUserPolicy } = require("./policy") as typeof import("./policy");
    return replicationUserPolicy(source, destinations);
}

export { ruleOptions, ruleProblems } from "./ruleOptions";

// The preview-time rules for policies and bucket names live beside MinIO's policy language.
export function policyProblems(policy: Readonly<Record<string, unknown>>): PathProblem[] {
    return (require("./policy") as typeof import("./policy")).policyProblems(policy);
}

export function bucketNameProblems(name: string): string[] {
    return (require("./policy") as typeof import("./policy")).bucketNameProblems(name);
}
