import type { z } from "zod";

/** The value the engine sends during preview for an input that is not known yet, whatever its type. */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CheckFailure {
    readonly property: string;
    readonly reason: string;
}

/** A problem found by a rule that zod alone cannot express; `path` is the property path. */
export interface Problem {
    readonly path: readonly (string | number)[];
    readonly message: string;
}

/**
 * Validates inputs with a zod schema plus extra rules and returns every problem at once, each with
 * the property it concerns. Values that are still unknown (during preview) are not judged.
 */
export function collectFailures(schema: z.ZodType, inputs: Record<string, unknown>, extra: readonly Problem[] = []): CheckFailure[] {
    const parsed = schema.safeParse(inputs);
    const problems: Problem[] = parsed.success ? [] : parsed.error.issues.map((issue) => ({
        path: issue.path as (string | number)[],
        message: issue.message,
    }));
    return [...problems, ...extra]
        .filter((problem) => !dependsOnUnknown(inputs, problem.path))
        .map((problem) => ({ property: propertyPath(problem.path), reason: problem.message }));
}

export function isUnknown(value: unknown): boolean {
    return value === unknownValue;
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

/** Problems with a bucket name, each phrased as what to change. Empty when the name is valid. */
export function bucketNameProblems(name: string): string[] {
    const problems: string[] = [];
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
    return [`Zone '${zone}' is not configured. Use one of: ${configured.join(", ")}; or add it to 'bucket-replication:zones'.`];
}
