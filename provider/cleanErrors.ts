import type * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * @pulumi/pulumi's dynamic-provider host prints `error.stack` beside the message for some calls, so a
 * user would read our stack frames under every failure. Our messages say what happened and what to
 * do; the frames say nothing to a user, so they are dropped on the way out.
 */
export function withoutStackTraces<I, O>(provider: dynamic.ResourceProvider<I, O>): dynamic.ResourceProvider<I, O> {
    const wrapped: Record<string, unknown> = {};
    for (const [name, method] of Object.entries(provider)) {
        wrapped[name] = typeof method !== "function" ? method : async (...args: unknown[]) => {
            try {
                return await (method as (...a: unknown[]) => Promise<unknown>).apply(provider, args);
            } catch (error) {
                if (error instanceof Error) error.stack = "";
                throw error;
            }
        };
    }
    return wrapped as unknown as dynamic.ResourceProvider<I, O>;
}
