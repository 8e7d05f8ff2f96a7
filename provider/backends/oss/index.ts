import type { BackendSettings, StorageBackend } from "../backend";
import type { BackendDefaults } from "../contract";
import { defaultRamEndpoint, ossEndpoint, ossRegions } from "./regions";
import { configKey } from "../../common/configKey";

/**
 * The 'oss' backend as the registry loads it: defaults, open, and the preview-time checks. The backend
 * itself (ossBackend.ts) and its jobs (buckets.ts, roles.ts, replication.ts) load only when it is opened.
 */

export { ossRegions } from "./regions";
export { bucketNameProblems, policyProblems, replicationPolicy } from "./policy";

export function defaults(env: NodeJS.ProcessEnv): BackendDefaults {
    // One pair from one place: OSS's own variables first, then Alibaba Cloud's general ones.
    const pair = env.OSS_ACCESS_KEY_ID || env.OSS_ACCESS_KEY_SECRET
        ? { accessKey: env.OSS_ACCESS_KEY_ID, secretKey: env.OSS_ACCESS_KEY_SECRET }
        : { accessKey: env.ALIBABA_CLOUD_ACCESS_KEY_ID, secretKey: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET };
    return {
        zones: Object.fromEntries(ossRegions.map((region) => [region, { endpoint: ossEndpoint(region), region }])),
        credentials: pair,
        iamEndpoint: defaultRamEndpoint,
        howToConfigureZones: `Every OSS region (${ossRegions.join(", ")}) is known by default; to choose others, set ` +
            `'${configKey("zones")}' to an object such as {"cn-hangzhou": {"endpoint": "https://oss-cn-hangzhou.aliyuncs.com"}}.`,
        howToSetCredentials: "set the OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET environment variables (or ALIBABA_CLOUD_ACCESS_KEY_ID and " +
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET) to an AccessKey pair whose RAM identity may manage OSS buckets and RAM roles and policies.",
        waitTimeoutMs: 5 * 60 * 1000,
    };
}

export function open(settings: BackendSettings): StorageBackend {
    const { OssBackend } = require("./ossBackend") as typeof import("./ossBackend");
    return new OssBackend(settings);
}

/** OSS keeps 20 tags per bucket (S3 keeps 50); the ownership marker takes one. */
export const maxBucketTags = 20;

/**
 * What OSS cannot express in a set of rules keyed by ID. The registry passes the rules only; given the
 * source bucket's zone too, the checks that depend on the source's region (oss_acc, RTC) run as well.
 */
export { ruleOptions, ruleProblems } from "./ruleOptions";
