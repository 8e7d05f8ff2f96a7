import { createHmac } from "node:crypto";

/**
 * EXO2-HMAC-SHA256, the request signature of the Exoscale API v2.
 *
 * The signed message is five lines joined by "\n":
 *   1. "<METHOD> <escaped path>" (the path as sent, with its /v2 prefix and a literal ':' in ':policy'),
 *   2. the request body, or "" without one,
 *   3. the decoded values of the single-valued query parameters, concatenated in the order of their names,
 *   4. "" (no headers are signed),
 *   5. the expiry as a UNIX timestamp.
 * The signature is base64(HMAC-SHA256(secret, message)); the Authorization header names the key,
 * the signed query parameters (when there are any), the expiry and the signature.
 */

export const exo2Algorithm = "EXO2-HMAC-SHA256";

/** How long a signature stays valid, as the official clients choose it. */
export const exo2ValiditySeconds = 600;

export interface Exo2Request {
    readonly method: string;
    /** The URL path exactly as sent (already percent-escaped), e.g. `/v2/iam-role/<uuid>:policy`. */
    readonly path: string;
    /** The query string (with or without its leading '?') or parsed parameters. */
    readonly query?: string | URLSearchParams;
    readonly body?: string;
    readonly apiKey: string;
    readonly apiSecret: string;
    /** UNIX timestamp in seconds after which the API refuses the request. */
    readonly expires: number;
}

/** The expiry to sign a request sent now with: ten minutes from `nowMs`. */
export function exo2Expiry(nowMs: number = Date.now()): number {
    return Math.floor(nowMs / 1000) + exo2ValiditySeconds;
}

/**
 * The parameters that take part in the signature and their values concatenated. Only parameters
 * with exactly one value are signed (the API ignores repeated ones), sorted by name.
 */
export function exo2SignedQuery(query: string | URLSearchParams | undefined): { names: string[]; values: string } {
    const params = typeof query === "string" ? new URLSearchParams(query.replace(/^\?/, "")) : query ?? new URLSearchParams();
    const names = [...new Set(params.keys())]
        .filter((name) => params.getAll(name).length === 1)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { names, values: names.map((name) => params.get(name) ?? "").join("") };
}

/** The message that is signed, exposed so that a server (or a confused developer) can compare it. */
export function exo2StringToSign(request: Omit<Exo2Request, "apiKey" | "apiSecret">): string {
    const { values } = exo2SignedQuery(request.query);
    return [
        `${request.method.toUpperCase()} ${request.path}`,
        request.body ?? "",
        values,
        "",
        String(request.expires),
    ].join("\n");
}

/** The value of the Authorization header for `request`. */
export function signExo2(request: Exo2Request): string {
    const signature = createHmac("sha256", request.apiSecret).update(exo2StringToSign(request), "utf8").digest("base64");
    const { names } = exo2SignedQuery(request.query);
    const parts = [`${exo2Algorithm} credential=${request.apiKey}`];
    if (names.length > 0) {
        parts.push(`signed-query-args=${names.join(";")}`);
    }
    parts.push(`expires=${request.expires}`, `signature=${signature}`);
    return parts.join(",");
}
