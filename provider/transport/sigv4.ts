import type * as NodeCrypto from "node:crypto";

/**
 * AWS Signature Version 4 for the HTTP clients of this package that are not the AWS SDK (the S3 API
 * of S3-compatible services, the MinIO admin API): a few HMACs on node:crypto, where loading the
 * SDK's signer and its middleware costs a fresh provider process tens of milliseconds.
 */
export interface SigningKey {
    readonly accessKey: string;
    readonly secretKey: string;
    readonly sessionToken?: string;
    readonly region: string;
    /** `s3` for the S3 and MinIO admin APIs. */
    readonly service: string;
}

export interface RequestToSign {
    readonly method: string;
    /** The path as sent, escaped already: S3 signs it as it is, without escaping it again. */
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    /** Lower-case names; must hold `host`. Every header given is signed. */
    readonly headers: Readonly<Record<string, string>>;
    /** Hex SHA-256 of the body (S3 also wants it sent, as x-amz-content-sha256). */
    readonly payloadHash: string;
}

/** The headers to send: those given, plus x-amz-date, the session token when there is one, and authorization. */
export function signV4(request: RequestToSign, key: SigningKey, now: Date = new Date()): Record<string, string> {
    const crypto = require("node:crypto") as typeof NodeCrypto;
    const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = { ...request.headers, "x-amz-date": amzDate };
    if (key.sessionToken) headers["x-amz-security-token"] = key.sessionToken;
    const names = Object.keys(headers).map((name) => name.toLowerCase()).sort();
    const lowerCased = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    const signedHeaders = names.join(";");
    const canonicalRequest = [
        request.method.toUpperCase(),
        request.path || "/",
        canonicalQuery(request.query),
        names.map((name) => `${name}:${String(lowerCased[name]).trim().replace(/\s+/g, " ")}\n`).join(""),
        signedHeaders,
        request.payloadHash,
    ].join("\n");
    const scope = `${day}/${key.region}/${key.service}/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, crypto.createHash("sha256").update(canonicalRequest).digest("hex")].join("\n");
    const signature = crypto.createHmac("sha256", signingKey(crypto, key, day)).update(stringToSign).digest("hex");
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${key.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
}

/** RFC 3986 escaping, as SigV4 wants it in the canonical query (and as the query is sent). */
export function escapeRfc3986(text: string): string {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `?a=1&b=` sorted by name, escaped as signed; empty for no parameters. */
export function formatQuery(query: Readonly<Record<string, string>>): string {
    const text = canonicalQuery(query);
    return text ? `?${text}` : "";
}

/** A path-style S3 path: bucket and key escaped segment by segment, the key's slashes kept. */
export function s3Path(bucket: string, key?: string): string {
    const bucketPart = `/${escapeRfc3986(bucket)}`;
    if (key === undefined) return bucketPart;
    return `${bucketPart}/${key.split("/").map(escapeRfc3986).join("/")}`;
}

function canonicalQuery(query: Readonly<Record<string, string>>): string {
    return Object.keys(query)
        .map((name) => [escapeRfc3986(name), escapeRfc3986(query[name] ?? "")] as const)
        .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
        .map(([name, value]) => `${name}=${value}`)
        .join("&");
}

function signingKey(crypto: typeof NodeCrypto, key: SigningKey, day: string): Buffer {
    const hmac = (secret: string | Buffer, text: string) => crypto.createHmac("sha256", secret).update(text).digest();
    return hmac(hmac(hmac(hmac(`AWS4${key.secretKey}`, day), key.region), key.service), "aws4_request");
}
