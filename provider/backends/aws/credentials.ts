import type { Credentials } from "../backend";
import { configKey } from "../../common/configKey";

/**
 * Which credentials the AWS clients use: the keys of the stack configuration when set, otherwise the
 * SDK's default provider chain, which settings.ts carries as a stand-in pair (index.ts makes it).
 */

/** The stand-in that settings.ts carries when the stack configuration has no keys: "use the SDK's chain". */
export const credentialChainMarker = "aws-default-credential-chain";

/** Static keys, or undefined for the SDK's default chain. */
export type AwsCredentials = { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;

export function awsCredentialsOf(credentials: Credentials): AwsCredentials {
    const keyFromChain = credentials.accessKey.startsWith(`${credentialChainMarker}:`);
    const secretFromChain = credentials.secretKey === credentialChainMarker;
    if (keyFromChain && secretFromChain) return undefined;
    if (keyFromChain || secretFromChain) {
        throw new Error(`Only one of '${configKey("accessKey")}' and '${configKey("secretKey")}' is set for the 'aws' backend. ` +
            `Set both (pulumi config set --secret), or neither to use the AWS credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, instance roles).`);
    }
    return { accessKeyId: credentials.accessKey, secretAccessKey: credentials.secretKey };
}
