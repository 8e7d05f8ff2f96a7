/** Polls `probe` every half second until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const started = Date.now();
    let lastError: unknown;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
        } catch (error) {
            lastError = error;
        }
        if (Date.now() - started > timeoutMs) {
            throw new Error(`Timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? `; last error: ${lastError}` : ""}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
