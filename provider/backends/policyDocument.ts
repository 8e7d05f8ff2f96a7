/**
 * Reading IAM-style policy documents (AWS IAM and S3 bucket policies, Alibaba RAM and OSS bucket policies):
 * a `Statement` may be one object or a list, and `Action`, `Resource` and `Principal` lists may be one value.
 */

/** The statements of a policy document, whether it holds a list, one statement or none. */
export function statementsOf(policy: unknown): Record<string, unknown>[] {
    const statements = (policy as { Statement?: unknown } | undefined)?.Statement;
    if (Array.isArray(statements)) return statements as Record<string, unknown>[];
    return statements && typeof statements === "object" ? [statements as Record<string, unknown>] : [];
}

/** A field that may be one value or a list, as a sorted list of strings (absent: empty), for comparing as sets. */
export function sortedList(value: unknown): string[] {
    return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String).sort();
}
