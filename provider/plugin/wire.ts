// Values as the engine sends them to a provider that accepts secrets (protobuf Structs turned into plain
// JavaScript): a secret is an object carrying Pulumi's secret signature and its `value`. The providers of
// provider/*.ts take plain values, so secrets are taken off on the way in and put back on the way out,
// property by property: a property that held a secret anywhere inside it leaves as a secret.

/** The key and value that mark an object as a special Pulumi value, and the value that marks a secret. */
const specialSignatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

export type Properties = Record<string, unknown>;

function isSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Properties)[specialSignatureKey] === secretSignature;
}

function withoutSecrets(value: unknown, found: { secret: boolean }): unknown {
    if (isSecret(value)) {
        found.secret = true;
        return withoutSecrets(value.value, found);
    }
    if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, found));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutSecrets(item, found)]));
    }
    return value;
}

/** The properties with every secret opened, and the names of the top-level properties that held one. */
export function openSecrets(properties: Properties | undefined): { plain: Properties; secretKeys: Set<string> } {
    const plain: Properties = {};
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(properties ?? {})) {
        const found = { secret: false };
        plain[key] = withoutSecrets(value, found);
        if (found.secret) secretKeys.add(key);
    }
    return { plain, secretKeys };
}

/** The properties with each named one (when present and not null) sealed as a secret again. */
export function sealSecrets(properties: Properties | undefined, secretKeys: Iterable<string>): Properties {
    const sealed: Properties = { ...(properties ?? {}) };
    for (const key of secretKeys) {
        if (sealed[key] === undefined || sealed[key] === null) continue;
        sealed[key] = { [specialSignatureKey]: secretSignature, value: sealed[key] };
    }
    return sealed;
}

/** protobuf's Struct refuses `undefined`: such properties are left out. */
export function withoutUndefined(properties: Properties | undefined): Properties {
    return Object.fromEntries(Object.entries(properties ?? {}).filter(([, value]) => value !== undefined));
}
