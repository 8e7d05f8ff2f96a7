import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { toolBin } from "./toolchain";

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly type: string;
}

/**
 * The environment of an offline `pulumi` whose file backend and PULUMI_HOME are in `workDir`: the tools
 * of scripts/setup.sh first on PATH, no update checks, no plugin downloads, no prompts, no colours.
 */
export function offlinePulumiEnv(workDir: string): NodeJS.ProcessEnv {
    return {
        ...process.env,
        PATH: `${toolBin()}:${process.env.PATH}`,
        PULUMI_HOME: path.join(workDir, "home"),
        PULUMI_BACKEND_URL: `file://${path.join(workDir, "backend")}`,
        PULUMI_CONFIG_PASSPHRASE: "pbr-test-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        NO_COLOR: "1",
    };
}

/**
 * A stack of a program folder under the real Pulumi CLI, offline: a file backend, PULUMI_HOME and
 * the stack's config file all in a temporary folder, so nothing is written into the repository.
 */
export class PulumiStack {
    readonly workDir: string;
    readonly configFile: string;
    /** What every pulumi of this stack runs with; a command that runs pulumi itself (the CLI's status, diagram) takes it too. */
    readonly env: NodeJS.ProcessEnv;

    constructor(readonly programDir: string, readonly stackName: string = `t${Date.now().toString(36)}`, extraEnv: NodeJS.ProcessEnv = {}) {
        this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-stack-"));
        fs.mkdirSync(path.join(this.workDir, "backend"));
        this.configFile = path.join(this.workDir, `Pulumi.${stackName}.yaml`);
        this.env = { ...offlinePulumiEnv(this.workDir), PULUMI_NODEJS_TRANSPILE_ONLY: "true", ...extraEnv };
    }

    static async init(programDir: string, config: Record<string, string> = {}, extraEnv: NodeJS.ProcessEnv = {}): Promise<PulumiStack> {
        const stack = new PulumiStack(programDir, undefined, extraEnv);
        await stack.mustRun(["stack", "init", stack.stackName]);
        for (const [key, value] of Object.entries(config)) await stack.setConfig(key, value);
        return stack;
    }

    async setConfig(key: string, value: string, options: { secret?: boolean } = {}): Promise<void> {
        await this.mustRun(["config", "set", key, value, "--config-file", this.configFile, ...(options.secret ? ["--secret"] : ["--plaintext"])]);
    }

    async removeConfig(key: string): Promise<void> {
        await this.mustRun(["config", "rm", key, "--config-file", this.configFile]);
    }

    up(): Promise<RunResult> { return this.run(["up", "--yes", "--skip-preview", ...this.common()]); }
    async mustUp(): Promise<RunResult> { return this.must(await this.up(), "up"); }
    refresh(): Promise<RunResult> { return this.run(["refresh", "--yes", "--skip-preview", ...this.common()]); }
    async mustRefresh(): Promise<RunResult> { return this.must(await this.refresh(), "refresh"); }
    destroy(): Promise<RunResult> { return this.run(["destroy", "--yes", "--skip-preview", ...this.common()]); }
    async mustDestroy(): Promise<RunResult> { return this.must(await this.destroy(), "destroy"); }
    preview(): Promise<RunResult> { return this.run(["preview", ...this.common()]); }

    /** `pulumi preview --json`: the steps the engine plans, by operation. */
    async previewSteps(): Promise<PreviewStep[]> {
        const result = this.must(await this.run(["preview", "--json", ...this.common()]), "preview --json");
        const parsed = JSON.parse(result.stdout) as { steps?: Array<{ op: string; urn: string; newState?: { type: string }; oldState?: { type: string } }> };
        return (parsed.steps ?? []).map((s) => ({ op: s.op, urn: s.urn, type: s.newState?.type ?? s.oldState?.type ?? "" }));
    }

    /** `pulumi preview --json`, parsed whole: steps with their planned inputs. */
    async previewJson(): Promise<{ steps?: Array<{ op: string; urn: string; newState?: { type: string; inputs?: Record<string, any> } }> }> {
        return JSON.parse(this.must(await this.run(["preview", "--json", ...this.common()]), "preview --json").stdout);
    }

    /** `pulumi preview --save-plan FILE`, then what `pulumi up --plan FILE` made of it. */
    async savePlan(file: string): Promise<RunResult> {
        return this.must(await this.run(["preview", "--save-plan", file, ...this.common()]), "preview --save-plan");
    }

    upWithPlan(file: string): Promise<RunResult> { return this.run(["up", "--yes", "--skip-preview", "--plan", file, ...this.common()]); }

    /** `pulumi preview --expect-no-changes`: fails when the program and the state differ. */
    expectNoChanges(): Promise<RunResult> { return this.run(["preview", "--expect-no-changes", ...this.common()]); }

    /** `pulumi ARGS...` on this stack, with the flags every command above runs with (the drift suite's `preview --refresh`, `up --refresh`). */
    runOnStack(args: string[]): Promise<RunResult> { return this.run([...args, ...this.common()]); }

    /** `pulumi ARGS...` on this stack, for commands that take no configuration file (`import`, `state`). */
    runOnStackWithoutConfig(args: string[]): Promise<RunResult> { return this.run([...args, "--non-interactive", "--stack", this.stackName]); }

    /** The stack outputs. */
    async outputs(): Promise<Record<string, any>> {
        const result = this.must(await this.run(["stack", "output", "--json", "--show-secrets"]), "stack output");
        return JSON.parse(result.stdout);
    }

    /** The raw state file, as the file backend keeps it. */
    stateText(): string {
        return fs.readFileSync(this.stateFile(), "utf8");
    }

    /**
     * Puts back the checkpoint the file backend kept before its last write (`<stack>.json.bak`), as a user
     * recovers a state file cut short by a killed `pulumi`; returns the file restored.
     */
    restoreCheckpointBackup(): string {
        const file = this.stateFile();
        fs.copyFileSync(`${file}.bak`, file);
        return file;
    }

    private stateFile(): string {
        const stacksDir = path.join(this.workDir, "backend", ".pulumi", "stacks");
        const found: string[] = [];
        const walk = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.name === `${this.stackName}.json`) found.push(full);
        });
        walk(stacksDir);
        if (found.length !== 1) throw new Error(`Expected one state file for stack ${this.stackName} under ${stacksDir}, found ${found.length}.`);
        return found[0];
    }

    async dispose(): Promise<void> {
        await this.run(["stack", "rm", "--yes", "--force", this.stackName]).catch(() => undefined);
        fs.rmSync(this.workDir, { recursive: true, force: true });
    }

    private common(): string[] {
        return ["--non-interactive", "--stack", this.stackName, "--config-file", this.configFile, "--suppress-progress"];
    }

    private async mustRun(args: string[]): Promise<RunResult> {
        return this.must(await this.run(args), args.join(" "));
    }

    private must(result: RunResult, what: string): RunResult {
        if (result.code !== 0) {
            throw new Error(`pulumi ${what} failed with exit code ${result.code}:\n${result.stdout}\n${result.stderr}`);
        }
        return result;
    }

    run(args: string[]): Promise<RunResult> {
        return new Promise((resolve, reject) => {
            const child = spawn("pulumi", args, { cwd: this.programDir, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk) => { stdout += chunk; });
            child.stderr.on("data", (chunk) => { stderr += chunk; });
            child.on("error", reject);
            child.on("close", (code) => {
                if (process.env.PBR_TEST_VERBOSE) process.stderr.write(`$ pulumi ${args.join(" ")}\n${stdout}${stderr}\n`);
                resolve({ code: code ?? -1, stdout, stderr });
            });
        });
    }
}
