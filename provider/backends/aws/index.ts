import type { BackendSettings, StorageBackend } from "../backend";
import type { BackendDefaults } from "../contract";
import { credentialChainMarker } from "./credentials";
import { awsRegions, s3Endpoint } from "./regions";
import { configKey } from "../../common/configKey";

/** The least-privilege IAM policy for replicating a source into destinations (options add KMS permissions). */
export { policyProblems, replicationPolicy } from "./policy";
export { ruleOptions, ruleProblems } from "./ruleOptions";

/**
 * The 'aws' backend: Amazon S3 (zones are AWS regions) with replication roles in AWS IAM.
 *
 * Without `bucket-replication:accessKey`/`secretKey`, credentials come from the AWS SDK's default
 * chain. settings.ts insists on a key pair, so the defaults hand it a stand-in pair that the
 * clients read as "use the chain" (clients.ts). The stand-in's access key names the environment's
 * key ID or profile, so that automatic names (which include a digest of it) differ between the
 * accounts and profiles a user switches between, without any call to AWS.
 */
export function defaults(env: NodeJS.ProcessEnv): BackendDefaults {
    const source = env.AWS_ACCESS_KEY_ID ? `key ${env.AWS_ACCESS_KEY_ID}` : `profile ${env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE ?? "default"}`;
    return {
        zones: Object.fromEntries(awsRegions().map((region) => [region, { endpoint: s3Endpoint(region), region }])),
        credentials: { accessKey: `${credentialChainMarker}:${source}`, secretKey: credentialChainMarker },
        howToConfigureZones: "Zones are AWS regions (such as eu-west-1 and us-east-1), all known by default; to use others, or a local stand-in, " +
            `set '${configKey("zones")}' to an object such as {"eu-west-1": {"endpoint": "http://127.0.0.1:5000"}} and '${configKey("iamEndpoint")}' likewise.`,
        howToSetCredentials: "leave both unset to use the AWS credential chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN), " +
            "AWS_PROFILE with ~/.aws/config and ~/.aws/credentials (for SSO, run 'aws sso login' first), or a container or instance role.",
        waitTimeoutMs: 120_000,
    };
}

export function open(settings: BackendSettings): StorageBackend {
    const { AwsBackend } = require("./awsBackend") as typeof import("./awsBackend");
    return new AwsBackend(settings);
}
