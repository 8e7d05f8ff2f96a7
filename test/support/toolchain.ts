import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * The folder with pulumi, its language host, minio and mc, as scripts/setup.sh built them.
 * Fails the test run loudly when they are missing: these tests never skip themselves.
 */
export function toolBin(): string {
    const bin = process.env.PBR_BIN ?? execFileSync("bash", [path.join(repoRoot, "scripts", "setup.sh")], { encoding: "utf8" }).trim().split("\n").pop()!;
    for (const tool of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs", "minio", "mc"]) {
        if (!fs.existsSync(path.join(bin, tool))) {
            throw new Error(`The tool '${tool}' is missing from ${bin}. Run 'npm run setup' (scripts/setup.sh) to build it.`);
        }
    }
    return bin;
}
