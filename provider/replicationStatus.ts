import type { BackendSettings, ReplicationRule, ReplicationSpec, RoleState } from "./backends/backend";
import type { ReplicationStatusArgs, ReplicationStatusResult } from "./common/status";
import { openBackend } from "./backends/registry";
import { isNotThereYet, settingsOfProgram } from "./programQueries";
import { ServiceError } from "./transport/serviceError";

// The replication status of one source bucket, for sdk/replicationStatus.ts (inside a program) and the
// `status` command (cli/status.ts). The rules come from the service itself: what the bucket's
// replication configuration holds now, not what a state file remembers.

/** Stands for the role in a read: reading the rules needs none, and no result mentions it. */
const noRole: RoleState = { name: "", id: "", description: "", editable: true, labels: {}, policy: {} };

export interface StatusOptions {
    /** Rules as the stack's state records them, so that destinations the document names without a zone get the right one. */
    readonly knownRules?: readonly ReplicationRule[];
}

export async function replicationStatusWith(settings: BackendSettings, args: ReplicationStatusArgs, options: StatusOptions = {}): Promise<ReplicationStatusResult> {
    if (!args || typeof args.zone !== "string" || typeof args.bucket !== "string" || !args.zone || !args.bucket) {
        throw new Error("getReplicationStatus: pass { zone, bucket } of the source bucket, such as { zone: source.zone, bucket: source.name }.");
    }
    if (args.sampleSize !== undefined && !(Number.isInteger(args.sampleSize) && args.sampleSize >= 1 && args.sampleSize <= 1000)) {
        throw new Error(`getReplicationStatus: 'sampleSize' must be a whole number from 1 to 1000, not '${args.sampleSize}'.`);
    }
    if (!settings.zones[args.zone]) {
        throw new Error(`getReplicationStatus: zone '${args.zone}' is not configured; use one of ${Object.keys(settings.zones).map((z) => `'${z}'`).join(", ")}.`);
    }
    const backend = openBackend(settings);
    if (!backend.replicationStatus) {
        throw new Error(`Backend '${backend.name}' cannot report replication status.`);
    }
    const source = { zone: args.zone, bucket: args.bucket };
    const hints = [
        ...(options.knownRules ?? []),
        ...(args.destinations ?? []).map((d) => ({ id: "", destination: { zone: d.zone, bucket: d.bucket } }) as unknown as ReplicationRule),
    ];
    const readAt = new Date().toISOString();
    const spec: ReplicationSpec | undefined = await backend.getReplication(source, { source, role: noRole, rules: hints });
    if (!spec) {
        if (!(await backend.bucketExists(source))) {
            throw new ServiceError({
                where: { service: backend.name, zone: source.zone, endpoint: backend.endpointOf(source.zone), credentialHint: settings.credentialHint },
                operation: `getReplicationStatus of '${source.bucket}'`, httpStatus: 404, code: "NoSuchBucket",
                message: `bucket '${source.bucket}' does not exist in zone '${source.zone}'`,
                hint: "Pass the source bucket's name and zone (its outputs 'name' and 'zone').",
            });
        }
        return { zone: args.zone, bucket: args.bucket, backend: backend.name, readAt, rules: [] };
    }
    const rules = await backend.replicationStatus(spec, { sampleSize: args.sampleSize });
    return { zone: args.zone, bucket: args.bucket, backend: backend.name, readAt, rules };
}

/** In a Pulumi program: the stack's configuration as the program sees it (secrets decrypted by the engine, never printed). */
export function replicationStatusOfProgram(args: ReplicationStatusArgs): Promise<ReplicationStatusResult> {
    return replicationStatusWith(settingsOfProgram(), args);
}

export { isNotThereYet };
