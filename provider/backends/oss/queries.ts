import type { BackendSettings } from "../backend";
import type {
    ReplicationLocationsArgs, ReplicationLocationsResult, ReplicationProgressArgs, ReplicationProgressResult,
} from "../../common/oss";
import { OssBackend } from "./ossBackend";
import { configKey } from "../../common/configKey";

// The OSS queries of the replication guide, for programs (through sdk/oss.ts) and tools. They run
// where they are called, with the stack's configuration: the same zones and credentials as the provider.

export interface QueryOptions {
    /** The settings to use (tests, tools). */
    readonly settings?: BackendSettings;
    /** Where the settings come from otherwise: the program's stack configuration (provider/sdkEntry.ts). */
    readonly settingsOfProgram?: () => BackendSettings;
}

export async function getReplicationLocations(args: ReplicationLocationsArgs, options: QueryOptions = {}): Promise<ReplicationLocationsResult> {
    const backend = backendFor("getReplicationLocations", args, options);
    const locations = await backend.replicationLocations({ zone: args.zone, bucket: args.bucket });
    return { zone: args.zone, bucket: args.bucket, locations };
}

export async function getReplicationProgress(args: ReplicationProgressArgs, options: QueryOptions = {}): Promise<ReplicationProgressResult> {
    const backend = backendFor("getReplicationProgress", args, options);
    if (!args.ruleId) throw new Error("getReplicationProgress: 'ruleId' is required: the rule's key in the ReplicationConfiguration's 'rules'.");
    const progress = await backend.replicationProgress({ zone: args.zone, bucket: args.bucket }, args.ruleId);
    return { zone: args.zone, bucket: args.bucket, ...progress };
}

function backendFor(query: string, args: ReplicationLocationsArgs, options: QueryOptions): OssBackend {
    if (!args || typeof args.zone !== "string" || typeof args.bucket !== "string" || !args.zone || !args.bucket) {
        throw new Error(`${query}: pass { zone, bucket } of the source bucket, such as { zone: source.zone, bucket: source.name }.`);
    }
    const settings = options.settings ?? options.settingsOfProgram?.();
    if (!settings) throw new Error(`${query}: no settings were given and no program's configuration can be read here.`);
    if (settings.backend !== "oss") {
        throw new Error(`${query} asks Alibaba OSS, but this stack's '${configKey("backend")}' is '${settings.backend}'; ` +
            `set it to 'oss' (pulumi config set ${configKey("backend")} oss), or remove the call.`);
    }
    if (!settings.zones[args.zone]) {
        throw new Error(`${query}: zone '${args.zone}' is not configured; use one of ${Object.keys(settings.zones).map((z) => `'${z}'`).join(", ")}.`);
    }
    return new OssBackend(settings);
}
