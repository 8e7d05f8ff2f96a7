import * as pulumi from "@pulumi/pulumi";

/**
 * Runs a query for an Output form: in a preview, what it asks about may not exist yet (before the first
 * `up`), and the result is then unknown rather than an error.
 */
export async function unknownWhileAbsent<T>(query: () => Promise<T>): Promise<T> {
    try {
        return await query();
    } catch (error) {
        const { isNotThereYet } = require("../provider/sdkEntry") as typeof import("../provider/sdkEntry");
        if (pulumi.runtime.isDryRun() && isNotThereYet(error)) return pulumi.unknown as unknown as T;
        throw error;
    }
}
