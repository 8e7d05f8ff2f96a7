/**
 * Who made a thing on a storage service, and what it is called when the program does not say.
 *
 * The SDK gives every resource an `identity`: a digest of organization, project, stack, type,
 * logical name and parent, known before `up` and the same in every run. Automatic names derive from
 * it (plus the zone and the account), so a preview shows the names that `up` creates and a re-run
 * after a crash looks for the same ones. The provider writes it onto what it creates as an ownership
 * marker, and adopts an existing thing only when it carries this resource's marker.
 */

export { ownerPolicyIdPrefix, ownerTagKey } from "./common/ownership";

/**
 * A name from the logical name and a digest of `identity` plus `scope` (zone, account): lowercase,
 * at most `maxLength` characters, ending in 8 characters of the digest.
 */
export function derivedName(logicalName: string, identity: string, scope: readonly string[], maxLength = 63): string {
    const { createHash } = require("crypto") as typeof import("crypto");
    const digest = createHash("sha256").update([identity, ...scope].join("\0")).digest();
    const suffix = BigInt("0x" + digest.subarray(0, 8).toString("hex")).toString(36).padStart(8, "0").slice(-8);
    const base = logicalName.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "")
        .slice(0, maxLength - suffix.length - 1).replace(/-+$/, "");
    return `${base || "bucket"}-${suffix}`;
}

/** Whether `name` is an automatic name of `logicalName` (any digest), so that it is kept across runs. */
export function isDerivedNameOf(name: string, logicalName: string): boolean {
    const base = derivedName(logicalName, "", []).replace(/-[a-z0-9]{8}$/, "");
    return new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[a-z0-9]{6,8}$`).test(name);
}

/**
 * Names claimed in this provider process, so that two resources of one program that would write the
 * same bucket (or role) fail at preview instead of fighting at `up`.
 */
const claims = new Map<string, string>();

/** Undefined when `key` is free or already claimed by `identity`; else the claim's owner description. */
export function claimName(key: string, identity: string, description: string): string | undefined {
    const holder = claims.get(key);
    if (holder !== undefined && !holder.startsWith(`${identity}\0`)) return holder.split("\0")[1];
    claims.set(key, `${identity}\0${description}`);
    return undefined;
}
