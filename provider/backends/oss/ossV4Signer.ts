import { createHash, createHmac } from "node:crypto";

/**
 * OSS4-HMAC-SHA256, the request signature of Alibaba Cloud OSS (signature version 4).
 *
 * The canonical request is six lines:
 *   1. the method,
 *   2. the resource path "/<bucket>/<key>" ("/<bucket>/" for a bucket, "/" for the service), URI-encoded
 *      with '/' kept, the same whether the bucket is addressed by host name or by path,
 *   3. the query, each name and value URI-encoded, sorted by encoded name, "name=value" (or "name"
 *      alone when the value is empty) joined by '&',
 *   4. the signed headers "name:trimmed value\n" sorted by name: every x-oss-* header, content-type,
 *      content-md5, and the additional headers,
 *   5. the additional headers' names joined by ';',
 *   6. the payload hash, always "UNSIGNED-PAYLOAD".
 * The string to sign is "OSS4-HMAC-SHA256\n<yyyymmddThhmmssZ>\n<scope>\n<hex sha256 of the canonical
 * request>" with scope "<yyyymmdd>/<region>/oss/aliyun_v4_request"; the key is derived by HMAC-SHA256
 * from "aliyun_v4" + secret over the date, the region, "oss" and "aliyun_v4_request" in turn.
 */

export const ossV4Algorithm = "OSS4-HMAC-SHA256";
export const unsignedPayload = "UNSIGNED-PAYLOAD";

export interface OssV4Request {
    readonly method: string;
    /** Undefined for service-level calls. */
    readonly bucket?: string;
    /** The object key, not encoded. */
    readonly key?: string;
    /** Query parameters, not encoded; an empty string is a parameter without a value (`?replication`). */
    readonly query?: Readonly<Record<string, string>>;
    /** Every header the request carries; names in any case. Must include x-oss-content-sha256 and x-oss-date. */
    readonly headers: Readonly<Record<string, string>>;
    /** Further headers to sign besides the default ones (lowercase names). */
    readonly additionalHeaders?: readonly string[];
    /** The region without the `oss-` prefix, such as `cn-hangzhou`. */
    readonly region: string;
    readonly accessKeyId: string;
    readonly accessKeySecret: string;
    /** The time the request is signed at; x-oss-date must carry the same. */
    readonly signingTime: Date;
}

/** `yyyymmddThhmmssZ`, the form of x-oss-date. */
export function ossDateTime(at: Date): string {
    return at.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** RFC 3986 encoding: everything but unreserved characters, and '/' too unless `keepSlash`. */
export function ossUriEncode(text: string, keepSlash = false): string {
    const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    return keepSlash ? encoded.replace(/%2F/g, "/") : encoded;
}

export function ossResourcePath(bucket: string | undefined, key: string | undefined): string {
    if (!bucket) return "/";
    return ossUriEncode(`/${bucket}/${key ?? ""}`, true);
}

export function ossCanonicalQuery(query: Readonly<Record<string, string>> | undefined): string {
    return Object.entries(query ?? {})
        .map(([name, value]) => [ossUriEncode(name), ossUriEncode(value)] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => (value === "" ? name : `${name}=${value}`))
        .join("&");
}

/** The additional headers that are actually present and not signed by default, lowercase and sorted. */
export function ossAdditionalHeaders(headers: Readonly<Record<string, string>>, requested: readonly string[] = []): string[] {
    const present = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
    return [...new Set(requested.map((name) => name.toLowerCase()))]
        .filter((name) => present.has(name) && !isSignedByDefault(name))
        .sort();
}

function isSignedByDefault(name: string): boolean {
    return name.startsWith("x-oss-") || name === "content-type" || name === "content-md5";
}

export function ossCanonicalRequest(request: Omit<OssV4Request, "accessKeyId" | "accessKeySecret" | "signingTime" | "region">): string {
    const additional = ossAdditionalHeaders(request.headers, request.additionalHeaders);
    const signed = new Map<string, string>();
    for (const [rawName, value] of Object.entries(request.headers)) {
        const name = rawName.toLowerCase();
        if (isSignedByDefault(name) || additional.includes(name)) signed.set(name, value.trim());
    }
    const canonicalHeaders = [...signed.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => `${name}:${value}\n`).join("");
    return [
        request.method.toUpperCase(),
        ossResourcePath(request.bucket, request.key),
        ossCanonicalQuery(request.query),
        canonicalHeaders,
        additional.join(";"),
        request.headers["x-oss-content-sha256"] ?? unsignedPayload,
    ].join("\n");
}

export function ossScope(signingTime: Date, region: string): string {
    return `${ossDateTime(signingTime).slice(0, 8)}/${region}/oss/aliyun_v4_request`;
}

export function ossStringToSign(request: Omit<OssV4Request, "accessKeyId" | "accessKeySecret">): string {
    const hashed = createHash("sha256").update(ossCanonicalRequest(request), "utf8").digest("hex");
    return [ossV4Algorithm, ossDateTime(request.signingTime), ossScope(request.signingTime, request.region), hashed].join("\n");
}

export function ossSigningKey(secret: string, signingTime: Date, region: string): Buffer {
    const date = createHmac("sha256", `aliyun_v4${secret}`).update(ossDateTime(signingTime).slice(0, 8)).digest();
    const inRegion = createHmac("sha256", date).update(region).digest();
    const forService = createHmac("sha256", inRegion).update("oss").digest();
    return createHmac("sha256", forService).update("aliyun_v4_request").digest();
}

/** The value of the Authorization header for `request`. */
export function signOssV4(request: OssV4Request): string {
    const signature = createHmac("sha256", ossSigningKey(request.accessKeySecret, request.signingTime, request.region))
        .update(ossStringToSign(request), "utf8").digest("hex");
    const additional = ossAdditionalHeaders(request.headers, request.additionalHeaders);
    return `${ossV4Algorithm} Credential=${request.accessKeyId}/${ossScope(request.signingTime, request.region)},` +
        (additional.length > 0 ? `AdditionalHeaders=${additional.join(";")},` : "") +
        `Signature=${signature}`;
}
