import type { z } from "zod";

import { isUnknown, unknownValue } from "./common/unknown";
import type { Problem } from "./common/problem";
import { configKey } from "./common/configKey";

export { isUnknown, unknownValue };
export type { Problem };

export interface CheckFailure {
    readonly property: string;
    readonly reason: string;
}

/**
 * A zod schema built on first use: loading zod costs a provider process about 90 ms, and only
 * `check` needs it (refresh and destroy never do).
 */
export function lazySchema<T extends z.ZodType>(build: (zod: typeof z) => T): () => T {
    let schema: T | undefined;
    return () => (schema ??= build((require("zod") as typeof import("zod")).z));
}

/**
 * What `check` compares to skip the schema: `olds`, the inputs this provider accepted before (from the
 * state), and `checked`, the inputs it is about to return for the program's new ones.
 */
export interface Accepted {
    readonly olds: unknown;
    readonly checked: unknown;
}

/**
 * Validates inputs with a zod schema plus extra rules and returns every problem at once, each with
 * the property it concerns. Values that are still unknown (during preview) are not judged.
 *
 * When `accepted` shows that the inputs to return equal the ones accepted before, the schema is not
 * run (nor zod loaded, most of an unchanged preview's check): those passed it already. `extra` is
 * always judged, since its rules read the provider's configuration, which may have changed since.
 */
export function collectFailures(schema: () => z.ZodType, inputs: Record<string, unknown>, extra: readonly Problem[] = [], accepted?: Accepted): CheckFailure[] {
    const parsed = accepted && sameInputs(accepted.olds, accepted.checked) ? undefined : schema().safeParse(inputs);
    const problems: Problem[] = !parsed || parsed.success ? [] : parsed.error.issues.map((issue) => ({
        path: issue.path as (string | number)[],
        message: issue.message,
    }));
    return [...problems, ...extra]
        .filter((problem) => !dependsOnUnknown(inputs, problem.path))
        .map((problem) => ({ property: propertyPath(problem.path), reason: problem.message }));
}

/**
 * The same inputs: the same keys and values at every depth, but for `__provider`, the stub text of the
 * state, which no schema judges and which a package update may change.
 */
export function sameInputs(olds: unknown, checked: unknown): boolean {
    if (!isRecord(olds) || !isRecord(checked)) return false;
    const { __provider: _oldStub, ...oldRest } = olds;
    const { __provider: _newStub, ...newRest } = checked;
    return Object.keys(oldRest).length > 0 && sameValue(oldRest, newRest);
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
    if (!isRecord(a) || !isRecord(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameValue(a[key], b[key]));
}

function dependsOnUnknown(inputs: unknown, path: readonly (string | number)[]): boolean {
    let value: unknown = inputs;
    for (const key of path) {
        if (isUnknown(value)) return true;
        if (value === null || typeof value !== "object") return false;
        value = (value as Record<string | number, unknown>)[key];
    }
    return isUnknown(value) || containsUnknown(value);
}

function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

function propertyPath(path: readonly (string | number)[]): string {
    return path.reduce<string>((text, key) =>
        typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${key}` : key, "");
}

/** Prefixes and suffixes S3 reserves for its own bucket kinds (access points, directory buckets...). */
const reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
const reservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/**
 * Problems with a bucket name, each phrased as what to change; `extra` are the configured backend's
 * own rules. Empty when the name is valid.
 */
export function bucketNameProblems(name: string, extra: readonly string[] = []): string[] {
    const problems: string[] = [];
    for (const prefix of reservedPrefixes) if (name.startsWith(prefix)) problems.push(`must not start with '${prefix}' (reserved by S3)`);
    for (const suffix of reservedSuffixes) if (name.endsWith(suffix)) problems.push(`must not end with '${suffix}' (reserved by S3)`);
    problems.push(...extra);
    if (name.length < 3 || name.length > 63) problems.push(`must be 3 to 63 characters long (it has ${name.length})`);
    if (/[^a-z0-9.-]/.test(name)) problems.push("may contain only lowercase letters, digits, dots and hyphens");
    if (/^[.-]|[.-]$/.test(name)) problems.push("must start and end with a letter or digit, not a dot or hyphen");
    if (name.includes("..")) problems.push("must not contain two dots in a row");
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) problems.push("must not look like an IP address");
    return problems.map((p) => `Bucket name '${name}' ${p}.`);
}

/** Problems with a zone name: it must be one of the configured zones. */
export function zoneProblems(zone: unknown, configured: readonly string[] | Error): string[] {
    if (typeof zone !== "string" || isUnknown(zone)) return [];
    if (configured instanceof Error) return [configured.message];
    if (configured.includes(zone)) return [];
    return [`Zone '${zone}' is not configured. Use one of: ${configured.join(", ")}; or add it to '${configKey("zones")}'.`];
}

/** S3's tag limits: per bucket 50 tags, keys of 1 to 128 and values of up to 256 characters. */
export const maxTags = 50;
const tagCharacters = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Problems with a set of tags, each with its path under `tags`; `reserved` lists keys this package
 * writes itself, which take some of the service's `limit` tags per bucket.
 */
export function tagProblems(tags: unknown, reserved: readonly string[], limit: number = maxTags): Problem[] {
    if (!tags || typeof tags !== "object" || isUnknown(tags) || Array.isArray(tags)) return [];
    const problems: Problem[] = [];
    const entries = Object.entries(tags as Record<string, unknown>);
    const allowed = limit - reserved.length;
    if (entries.length > allowed) {
        problems.push({ path: ["tags"], message: `'tags' has ${entries.length} tags; at most ${allowed} are allowed ` +
            `(the service keeps ${limit} per bucket, and ${reserved.length} is this package's ownership marker). Remove ${entries.length - allowed}.` });
    }
    for (const [key, value] of entries) {
        const path = ["tags", key];
        if (key.length === 0) problems.push({ path, message: "A tag key is empty; tag keys are 1 to 128 characters long." });
        if ([...key].length > 128) problems.push({ path, message: `Tag key '${key.slice(0, 40)}…' has ${[...key].length} characters; tag keys have at most 128.` });
        if (!tagCharacters.test(key)) problems.push({ path, message: `Tag key '${key}' may contain only letters, digits, spaces and _ . : / = + - @.` });
        if (key.toLowerCase().startsWith("aws:")) problems.push({ path, message: `Tag key '${key}' starts with 'aws:', which is reserved; choose another key.` });
        if (reserved.includes(key)) problems.push({ path, message: `Tag key '${key}' is this package's ownership marker; choose another key.` });
        if (typeof value !== "string" || isUnknown(value)) continue;
        if ([...value].length > 256) problems.push({ path, message: `The value of tag '${key}' has ${[...value].length} characters; tag values have at most 256.` });
        if (!tagCharacters.test(value)) problems.push({ path, message: `The value of tag '${key}' may contain only letters, digits, spaces and _ . : / = + - @.` });
    }
    return problems;
}
