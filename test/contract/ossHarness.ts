import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as path from "node:path";
import type { BackendSettings } from "../../provider/backends/backend";
import type { OssBackend } from "../../provider/backends/oss/ossBackend";
import { resolveSettings } from "../../provider/settings";
import type { RequestPolicy } from "../../provider/transport/retry";
import { type OssContractServer, type OssContractServerOptions, startOssContractServer } from "./ossServer";
import { rejectionOf } from "../support/assertions";
import { repoRoot } from "../support/toolchain";
export { rejectionOf };

// What the tests that drive the OSS backend directly against the contract server share.

export const quickRequests: RequestPolicy = { requestTimeoutMs: 3000, connectTimeoutMs: 1000, maxRetries: 2, backoffBaseMs: 10, backoffMaxMs: 40 };

/** The settings a stack pointed at the server resolves to, as a user configures them, with quick requests. */
export function ossSettingsFor(server: OssContractServer, overrides: Partial<BackendSettings> = {}): BackendSettings {
    const config: Record<string, string> = {
        backend: "oss",
        zones: JSON.stringify(server.zones),
        iamEndpoint: server.ramEndpoint,
        accessKey: server.credentials.accessKey,
        secretKey: server.credentials.secretKey,
        waitTimeoutSeconds: "10",
    };
    return { ...resolveSettings((key) => config[key], {}), requestPolicy: quickRequests, ...overrides };
}

/** The identity the SDK would give a resource: 24 hex digits. */
export function identityOf(name: string): string {
    return createHash("sha256").update(`test\0${name}`).digest("hex").slice(0, 24);
}

export function collectLog(): { log: (message: string) => void; messages: string[] } {
    const messages: string[] = [];
    return { log: (message) => messages.push(message), messages };
}


/** Registers a suite's contract server and a backend on it; read `server` and `backend` inside tests. */
export function ossBackendUnderContract(options: OssContractServerOptions = {}): { readonly server: OssContractServer; readonly backend: OssBackend } {
    const context = {} as { server: OssContractServer; backend: OssBackend };
    before(async () => {
        context.server = await startOssContractServer(options);
        const { OssBackend } = require("../../provider/backends/oss/ossBackend") as typeof import("../../provider/backends/oss/ossBackend");
        context.backend = new OssBackend(ossSettingsFor(context.server), { pollMs: { first: 50, max: 200 } });
    });
    after(() => context.server.close());
    return context;
}

export function waitMs(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true, for at most `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
    const started = Date.now();
    while (!(await check())) {
        if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await waitMs(50);
    }
}

/** The venv's python; fails loudly (never skips) when Python or PyPI cannot provide the SDK. */
export function sdkPython(): string {
    const result = spawnSync("bash", [path.join(repoRoot, "scripts", "oss-sdk.sh")], { encoding: "utf8" });
    if (result.status !== 0) {
        throw new Error(`scripts/oss-sdk.sh could not provide alibabacloud-oss-v2 (exit ${result.status}):\n${result.stderr}`);
    }
    return result.stdout.trim().split("\n").pop()!;
}

/** Runs a Python script of this folder with `input` on its standard input, resolving with its output. */
export function runPython(python: string, script: string, input: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(python, [script], { stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => { stdout += chunk; });
        child.stderr.on("data", (chunk) => { stderr += chunk; });
        child.on("error", reject);
        child.on("close", (code) => code === 0 ? resolve(stdout) : reject(new Error(`${script} failed with exit code ${code}:\n${stderr}`)));
        child.stdin.end(input);
    });
}
