import { createHash, createHmac, randomBytes } from "node:crypto";

/**
 * ACS3-HMAC-SHA256, the V3 request signature of Alibaba Cloud's OpenAPI, which RAM answers to.
 *
 * The canonical request is six lines: the method; the path ("/" for RPC-style APIs such as RAM); the
 * query, names and values percent-encoded (RFC 3986) and sorted by name, "name=value" joined by '&'
 * (an empty value stays "name="); the signed headers "name:trimmed value\n" sorted by name (host,
 * content-type and every x-acs-* header); their names joined by ';'; and the hex SHA-256 of the body.
 * The string to sign is "ACS3-HMAC-SHA256\n" + hex SHA-256 of the canonical request, the signature its
 * hex HMAC-SHA256 under the AccessKey secret.
 */

export const acs3Algorithm = "ACS3-HMAC-SHA256";

export interface Acs3Request {
    readonly method: string;
    readonly host: string;
    readonly path: string;
    readonly query?: Readonly<Record<string, string>>;
    readonly action: string;
    readonly version: string;
    readonly body: string;
    readonly contentType?: string;
    readonly accessKeyId: string;
    readonly accessKeySecret: string;
    readonly date: Date;
    /** Unique per request, against replays. */
    readonly nonce?: string;
}

export function acs3PercentEncode(text: string): string {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function acs3CanonicalQuery(query: Readonly<Record<string, string>> | undefined): string {
    return Object.entries(query ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => `${acs3PercentEncode(name)}=${acs3PercentEncode(value)}`)
        .join("&");
}

/** x-acs-date: ISO 8601 in UTC without milliseconds. */
export function acs3Date(at: Date): string {
    return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function acs3CanonicalRequest(method: string, path: string, query: Readonly<Record<string, string>> | undefined,
    headers: Readonly<Record<string, string>>): { canonical: string; signedHeaders: string } {
    const signed = Object.entries(headers)
        .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
        .filter(([name]) => name === "host" || name === "content-type" || name.startsWith("x-acs-"))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const signedHeaders = signed.map(([name]) => name).join(";");
    const canonical = [
        method.toUpperCase(),
        path,
        acs3CanonicalQuery(query),
        signed.map(([name, value]) => `${name}:${value}\n`).join(""),
        signedHeaders,
        headers["x-acs-content-sha256"],
    ].join("\n");
    return { canonical, signedHeaders };
}

/** Every header the request must carry, Authorization included (Host is derived by fetch, but signed here). */
export function acs3Authorization(request: Acs3Request): { headers: Record<string, string> } {
    const headers: Record<string, string> = {
        host: request.host,
        "x-acs-action": request.action,
        "x-acs-version": request.version,
        "x-acs-date": acs3Date(request.date),
        "x-acs-signature-nonce": request.nonce ?? randomBytes(16).toString("hex"),
        "x-acs-content-sha256": createHash("sha256").update(request.body, "utf8").digest("hex"),
    };
    if (request.contentType) headers["content-type"] = request.contentType;
    const { canonical, signedHeaders } = acs3CanonicalRequest(request.method, request.path, request.query, headers);
    const stringToSign = `${acs3Algorithm}\n${createHash("sha256").update(canonical, "utf8").digest("hex")}`;
    const signature = createHmac("sha256", request.accessKeySecret).update(stringToSign, "utf8").digest("hex");
    headers.authorization = `${acs3Algorithm} Credential=${request.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
    return { headers };
}
