import type * as dynamic from "@pulumi/pulumi/dynamic";
import { startCallTrace } from "./trace";

/**
 * @pulumi/pulumi's dynamic-provider host prints `error.stack` beside the message for some calls, so a
 * user would read our stack frames under every failure. Our messages say what happened and what to
 * do; the frames say nothing to a user, so they are dropped on the way out. Each call is also where
 * bench/ times the provider (trace.ts), under the resource `type` given.
 */
export function withoutStackTraces<I, O>(provider: dynamic.ResourceProvider<I, O>, type?: string): dynamic.ResourceProvider<I, O> {
    const wrapped: Record<string, unknown> = {};
    for (const [name, method] of Object.entries(provider)) {
        wrapped[name] = typeof method !== "function" ? method : async (...args: unknown[]) => {
            const traced = startCallTrace(name, type);
            try {
                return await (method as (...a: unknown[]) => Promise<unknown>).apply(provider, args);
            } catch (error) {
                if (error instanceof Error) error.stack = "";
                throw error;
            } finally {
                traced?.();
            }
        };
    }
    return wrapped as unknown as dynamic.ResourceProvider<I, O>;
}
