// The plugin's custom resources: the same providers that serve TypeScript programs as dynamic resources
// (provider/<kind>.ts), reached by type token instead of by the `__provider` text in the state. What a real
// provider does that a dynamic one cannot lives here: inputs a program in another language does not send
// (the name prefix and the identity, taken from the URN), `pulumi import` from nothing but an ID, and a
// diff that names each property and whether it updates or replaces.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { parseBucketId } from "../bucket";
import { currentBackend } from "../context";
import { stableJson } from "../common/stableJson";
import { isUnknown } from "../validation";
import type { Properties } from "./wire";

/** What one kind of resource is to the plugin. */
export interface ResourceKind {
    /** The last part of its type token: `<package>:index:<name>`. */
    readonly name: string;
    /** Its provider, loaded on the first call. */
    provider(): dynamic.ResourceProvider;
    /** The inputs a user declares (the schema's), compared property by property for the detailed diff. */
    readonly inputs: readonly string[];
    /** Outputs that are always secrets. */
    readonly secretOutputs: readonly string[];
    /** Why a change of each property that forces a replacement does, as a preview tells it. */
    readonly replaceReasons: Readonly<Record<string, string>>;
    /** What the state would hold before a read of a resource known only by its ID (`pulumi import`). */
    importState(id: string, urn: string): Properties;
    /** What `pulumi import` takes as the ID, for messages. */
    readonly idFormat: string;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

export const resourceKinds: readonly ResourceKind[] = [
    {
        name: "Bucket",
        provider: () => require("../bucket").provider,
        inputs: ["name", "zone", "forceDestroy", "tags", "adoptExisting"],
        secretOutputs: [],
        replaceReasons: {
            name: "a bucket cannot be renamed: a new bucket is made and the old one deleted",
            zone: "a bucket cannot move between zones: a new bucket is made in the new zone and the old one deleted",
        },
        importState: (id, urn) => {
            const { zone } = parseBucketId(id);
            return { namePrefix: nameOf(urn), forceDestroy: false, endpoint: endpointOf(zone) };
        },
        idFormat: "<zone>/<bucket name>, such as local-a/logs",
    },
    {
        name: "BucketVersioning",
        provider: () => require("../bucketVersioning").provider,
        inputs: ["bucket", "zone", "status"],
        secretOutputs: [],
        replaceReasons: {
            bucket: "versioning belongs to one bucket: it is set on the new bucket",
            zone: "versioning belongs to one bucket: it is set on the bucket in the new zone",
        },
        importState: () => ({}),
        idFormat: "<zone>/<bucket name>, such as local-a/logs",
    },
    {
        name: "IamRole",
        provider: () => require("../iamRole").provider,
        inputs: ["name", "description", "editable", "labels", "policy", "adoptExisting"],
        secretOutputs: ["secretKey"],
        replaceReasons: {
            name: "a role cannot be renamed: a new role is made and the old one deleted",
            editable: "whether a role is editable is fixed when it is made",
            policy: "the role is not editable, so only a new role can carry a new policy",
        },
        importState: (id, urn) => ({ id, name: id, namePrefix: nameOf(urn), description: "", editable: true, labels: {}, policy: {} }),
        idFormat: "the role's ID: on MinIO the user's name, on Exoscale the role's UUID, on AWS and OSS the role's name",
    },
    {
        name: "ReplicationConfiguration",
        provider: () => require("../replicationConfiguration").provider,
        inputs: ["bucket", "zone", "role", "roleSecretKey", "rules"],
        secretOutputs: ["roleSecretKey"],
        replaceReasons: {
            bucket: "a configuration belongs to its source bucket: it is written on the new source and removed from the old",
            zone: "a configuration belongs to its source bucket: it is written on the source in the new zone and removed from the old",
        },
        importState: (id) => {
            const { zone, bucket } = parseBucketId(id);
            return { bucket, zone, role: { id: "", name: "" }, roleSecretKey: null, rules: {} };
        },
        idFormat: "<zone>/<source bucket name>, such as local-a/logs",
    },
    {
        name: "ReplicationVerification",
        provider: () => require("../replicationVerification").provider,
        inputs: ["rules", "timeoutSeconds", "fingerprint"],
        secretOutputs: [],
        replaceReasons: {},
        importState: () => {
            throw new Error("A ReplicationVerification is a check that `up` runs, not something the service keeps, so there is nothing to import: " +
                "declare it, and the next `pulumi up` runs it.");
        },
        idFormat: "none: it cannot be imported",
    },
];

/** The kind a URN's type names (`<package>:index:<Kind>`), or an error that names the types this plugin serves. */
export function kindOfUrn(urn: string): ResourceKind {
    const type = urn.split("::")[2]?.split("$").pop() ?? "";
    const name = type.split(":")[2];
    const kind = resourceKinds.find((candidate) => candidate.name === name);
    if (!kind) throw new Error(`Unknown resource type '${type}': this plugin serves ${resourceKinds.map((k) => k.name).join(", ")}.`);
    return kind;
}

/**
 * What a program in another language does not send: a TypeScript program's SDK adds the logical name
 * (the start of an automatic name) and an identity digest (the ownership marker); here both come from the URN.
 */
export function withUrnDerivedInputs(kind: ResourceKind, urn: string, news: Properties): Properties {
    if (kind.name !== "Bucket" && kind.name !== "IamRole") return news;
    const { createHash } = require("crypto") as typeof import("crypto");
    return {
        ...news,
        namePrefix: news.namePrefix ?? nameOf(urn),
        identity: news.identity ?? createHash("sha256").update(urn).digest("hex").slice(0, 24),
    };
}

/** How one property changes: added, deleted or updated, and whether that replaces the resource. */
export interface PropertyChange {
    readonly change: "add" | "delete" | "update";
    readonly replace: boolean;
}

export interface DetailedDiff {
    readonly changes: boolean;
    readonly replaces: readonly string[];
    readonly deleteBeforeReplace: boolean;
    /** Each declared input that changes, and how. */
    readonly properties: Readonly<Record<string, PropertyChange>>;
    /** Why each replacement happens, by property. */
    readonly reasons: Readonly<Record<string, string>>;
}

/**
 * The kind's own diff (which decides), with each declared input that differs between the state and the
 * program named: a replacement on the properties that force it, an update on the others. When the
 * provider's diff finds a change that no input explains (a role repaired on a zone after a refresh), the
 * change is named by the output that shows it.
 */
export function detailedDiff(kind: ResourceKind, olds: Properties, news: Properties, decided: dynamic.DiffResult): DetailedDiff {
    const replaces = [...(decided.replaces ?? [])];
    const changes = decided.changes ?? false;
    const properties: Record<string, PropertyChange> = {};
    if (changes) {
        for (const key of kind.inputs) {
            const [before, after] = [olds[key], news[key]];
            if (!isUnknown(after) && stableJson(normalized(before)) === stableJson(normalized(after))) continue;
            properties[key] = { change: before === undefined || before === null ? "add" : after === undefined || after === null ? "delete" : "update", replace: false };
        }
        // What a refresh found broken outside the inputs: a role's copy on a zone, a destination's grant.
        const observed = ({ IamRole: "zones", ReplicationConfiguration: "destinationGrants" } as Record<string, string>)[kind.name];
        if (Object.keys(properties).length === 0 && replaces.length === 0 && observed) properties[observed] = { change: "update", replace: false };
    }
    for (const key of replaces) properties[key] = { change: properties[key]?.change ?? "update", replace: true };
    const reasons = Object.fromEntries(replaces.map((key) => [key, kind.replaceReasons[key] ?? "the service cannot change it in place"]));
    return { changes: changes || replaces.length > 0, replaces, deleteBeforeReplace: decided.deleteBeforeReplace ?? false, properties, reasons };
}

/** Unset, null and empty compare alike: the state keeps defaults that a program may leave out. */
function normalized(value: unknown): unknown {
    if (value === undefined || value === null) return null;
    if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) return null;
    return value;
}

function endpointOf(zone: string): string {
    return currentBackend().endpointOf(zone);
}

