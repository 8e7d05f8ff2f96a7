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
    /** The process's CPU during the call: calls that overlap count the same CPU each. */
    readonly cpuMs: number;
    /** The process's CPU since it started, when the call ended: its last call's is the process's whole. */
    readonly processCpuMs: number;
}

export function startCallTrace(method: string, type: string | undefined): (() => void) | undefined {
    const file = process.env.PBR_TRACE_FILE;
    if (!file) return undefined;
    const at = Date.now();
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    return () => {
        const total = process.cpuUsage();
        const trace: CallTrace = {
            method, type, pid: process.pid, at,
            wallMs: Number(process.hrtime.bigint() - started) / 1e6,
            cpuMs: (total.user - cpu.user + total.system - cpu.system) / 1000,
            processCpuMs: (total.user + total.system) / 1000,
        };
        (require("fs") as typeof import("fs")).appendFileSync(file, `${JSON.stringify(trace)}\n`);
    };
}
