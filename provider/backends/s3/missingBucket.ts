import { isNoSuchBucket, ServiceError } from "../../transport/serviceError";

/**
 * Whether a call on a bucket failed because the bucket does not exist, where the answer may have come
 * without an error document: the code NoSuchBucket (isNoSuchBucket, for calls that answer with a body),
 * or a 404 with no body to name its code (a HEAD: "NotFound" from the S3 clients, "HTTP 404" from
 * OSS's). Every service that speaks S3's or OSS's wire judges a missing bucket so.
 */
export function isMissingBucket(error: unknown): boolean {
    return isNoSuchBucket(error) || (error instanceof ServiceError && error.httpStatus === 404 && (error.code === "NotFound" || error.code === "HTTP 404"));
}
