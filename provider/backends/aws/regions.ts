/**
 * AWS regions as zones: every region S3 can create a bucket in, taken from the S3 client's own list of
 * location constraints (so it follows the pinned SDK), plus us-east-1, which has none.
 */

export function awsRegions(): string[] {
    const { BucketLocationConstraint } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    // "EU" is a legacy alias of eu-west-1 that GetBucketLocation may still answer; it is not a region to create in.
    const constrained: string[] = Object.values(BucketLocationConstraint).filter((region) => region !== "EU");
    return ["us-east-1", ...constrained.filter((region) => region !== "us-east-1")].sort();
}

/** The AWS partition of a region: what ARNs and endpoints of that region start and end with. */
export interface Partition {
    /** `aws`, `aws-cn` or `aws-us-gov`, as in `arn:<partition>:s3:::bucket`. */
    readonly id: string;
    readonly dnsSuffix: string;
    /** The region IAM (a global service) is signed for in this partition. */
    readonly iamRegion: string;
}

export function partitionOf(region: string): Partition {
    if (region.startsWith("cn-")) return { id: "aws-cn", dnsSuffix: "amazonaws.com.cn", iamRegion: "cn-north-1" };
    if (region.startsWith("us-gov-")) return { id: "aws-us-gov", dnsSuffix: "amazonaws.com", iamRegion: "us-gov-west-1" };
    return { id: "aws", dnsSuffix: "amazonaws.com", iamRegion: "us-east-1" };
}

/** The regional S3 endpoint, as AWS documents it: https://s3.<region>.amazonaws.com. */
export function s3Endpoint(region: string): string {
    return `https://s3.${region}.${partitionOf(region).dnsSuffix}`;
}

/** Whether `endpoint` is AWS's own S3 endpoint of `region`; anything else (moto, a proxy) is addressed path-style. */
export function isAwsS3Endpoint(endpoint: string, region: string): boolean {
    return endpoint.replace(/\/+$/, "") === s3Endpoint(region);
}

export function bucketArn(bucket: string, region: string): string {
    return `arn:${partitionOf(region).id}:s3:::${bucket}`;
}

/** The bucket name of an S3 bucket ARN, or the text itself when it is a plain name. */
export function bucketOfArn(arn: string): string {
    const match = /^arn:[^:]+:s3:::(.+)$/.exec(arn);
    return match ? match[1] : arn;
}

/** GetBucketLocation answers nothing for us-east-1 and `EU` for old eu-west-1 buckets. */
export function regionOfLocation(location: string | undefined | null): string {
    if (!location) return "us-east-1";
    return location === "EU" ? "eu-west-1" : location;
}
