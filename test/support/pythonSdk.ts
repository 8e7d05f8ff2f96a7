import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { offlinePulumiEnv } from "./pulumiStack";
import { repoRoot, toolBin } from "./toolchain";

/** What runs a Python program on the plugin: scripts/setup.sh's tools and venv, and the SDK generated from the plugin's schema. */
export interface PythonSdk {
    /** The venv's python ($PBR_CACHE/pulumi-python-venv, with pulumi from PyPI). */
    readonly python: string;
    /** The folder the SDK is installed into (pip --target): PYTHONPATH. */
    readonly site: string;
    /** The plugin's schema, as `pulumi package get-schema` printed it. */
    readonly schema: { name: string; version: string; language: { python: { packageName: string } } };
    /** Whether the Python language host is scripts/setup.sh's 3.68 build (not an installed CLI's own). */
    readonly host368: boolean;
    /** The environment a stack of a Python program needs: PULUMI_PYTHON_CMD and PYTHONPATH. */
    readonly env: NodeJS.ProcessEnv;
    /** Removes the generated SDK. */
    dispose(): void;
}

/**
 * The venv's python and the tools that turn the plugin into a Python SDK, as scripts/setup.sh leaves them;
 * fails loudly, naming what is missing, when they are not there (these tests never skip themselves).
 */
function pythonToolchain(): { bin: string; python: string; host368: boolean } {
    const bin = toolBin();
    const python = path.join(bin, "..", "pulumi-python-venv", "bin", "python");
    for (const file of [path.join(bin, "pulumi-language-python"), path.join(bin, "pulumi-gen-python-sdk"), python]) {
        if (!fs.existsSync(file)) {
            throw new Error(`${file} is missing: Python programs need the Python language host, pulumi-gen-python-sdk and the venv of scripts/setup.sh. `
                + "Run 'npm run setup' (with access to PyPI, and without PBR_PYTHON_VENV=skip); its logs are in $PBR_CACHE/build.");
        }
    }
    // setup.sh links an installed CLI's own host in place of its launcher of the 3.68 build.
    const host368 = !fs.lstatSync(path.join(bin, "pulumi-language-python")).isSymbolicLink();
    return { bin, python, host368 };
}

async function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
    const { stdout } = await promisify(execFile)(file, [...args], { env, cwd, maxBuffer: 64 << 20 })
        .catch((error: { stdout?: string; stderr?: string; message: string }) => {
            throw new Error(`${path.basename(file)} ${args.join(" ")} failed: ${error.message}\n${error.stdout ?? ""}${error.stderr ?? ""}`);
        });
    return stdout;
}

/**
 * The plugin's Python SDK, made as a user makes it: the schema from the plugin executable
 * (`pulumi package get-schema`), the SDK from the schema (`pulumi-gen-python-sdk`; the schema's
 * `respectSchemaVersion` gives it the plugin's version, which it asks the engine for), and
 * `pip install --no-deps --target` into a temporary folder: the SDK reads its own version
 * from the installed package's metadata, so it must be installed, not only put on PYTHONPATH.
 */
export async function generatePythonSdk(): Promise<PythonSdk> {
    const { python, host368 } = pythonToolchain();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-python-sdk-"));
    try {
        const env = offlinePulumiEnv(dir);
        const schemaText = await run("pulumi", ["package", "get-schema", path.join(repoRoot, "bin", "pulumi-resource-pulumi-bucket-replication")], env, dir);
        const schemaFile = path.join(dir, "schema.json");
        fs.writeFileSync(schemaFile, schemaText);
        const schema = JSON.parse(schemaText) as PythonSdk["schema"];
        await run("pulumi-gen-python-sdk", [schemaFile, path.join(dir, "sdk")], env, dir);
        const setupPy = path.join(dir, "sdk", "python", "setup.py");
        if (!fs.readFileSync(setupPy, "utf8").includes(`VERSION = "${schema.version}"`)) throw new Error(`${setupPy} does not carry the plugin's version ${schema.version}.`);
        const site = path.join(dir, "site");
        await run(python, ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--no-deps", "--target", site, path.join(dir, "sdk", "python")], env, dir);
        return {
            python, site, schema, host368,
            env: { PULUMI_PYTHON_CMD: python, PYTHONPATH: site },
            dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
        };
    } catch (error) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw error;
    }
}
