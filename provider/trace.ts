/**
 * Opt-in timing of provider calls for bench/: with PBR_TRACE_FILE set (in the environment of the
 * `pulumi` command, which its provider processes inherit), every call appends one JSON line with its
 * method, resource type, wall and CPU milliseconds. Off by default; never holds inputs or secrets.
 */
export interface CallTrace {
    readonly method: string;
    readonly type?: string;
    readonly pid: number;
    /** When the call started, in milliseconds since the epoch. */
    readonly at: number;
    readonly wallMs: number;
    readonly cpuMs: number;
}

export function startCallTrace(method: string, type: string | undefined): (() => void) | undefined {
    const file = process.env.PBR_TRACE_FILE;
    if (!file) return undefined;
    const at = Date.now();
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    return () => {
        const used = process.cpuUsage(cpu);
        const trace: CallTrace = {
            method, type, pid: process.pid, at,
            wallMs: Number(process.hrtime.bigint() - started) / 1e6,
            cpuMs: (used.user + used.system) / 1000,
        };
        (require("fs") as typeof import("fs")).appendFileSync(file, `${JSON.stringify(trace)}\n`);
    };
}
