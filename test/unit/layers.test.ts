import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { repoRoot } from "../support/toolchain";

// The layers of ../shared/design.md, for types as well as values: sdk -> provider -> backends -> transport,
// with the shapes and small helpers every layer shares in leaf modules (provider/common/) that import nothing of ours. An import (`import`,
// `import type`, `export ... from` or `require`) may only go down or sideways within a layer, and no
// chain of imports may come back to where it started.

/** From the highest layer to the lowest; a file belongs to the first layer whose test it passes. */
const layers: { readonly name: string; readonly holds: (file: string) => boolean }[] = [
    { name: "cli", holds: (f) => f.startsWith("cli/") },
    // The component provider serves the SDK's components to other languages: a host above the SDK.
    { name: "plugin", holds: (f) => f.startsWith("provider/plugin/") },
    { name: "sdk", holds: (f) => f.startsWith("sdk/") },
    { name: "provider", holds: (f) => f.startsWith("provider/") && !/^provider\/(backends|transport|common)\//.test(f) },
    { name: "backends", holds: (f) => f.startsWith("provider/backends/") },
    { name: "transport", holds: (f) => f.startsWith("provider/transport/") },
    { name: "common", holds: (f) => f.startsWith("provider/common/") },
];

function layerOf(file: string): number {
    return layers.findIndex((layer) => layer.holds(file));
}

function sourceFiles(): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
            const relative = `${dir}/${entry.name}`;
            if (entry.isDirectory()) walk(relative);
            else if (relative.endsWith(".ts") && !relative.endsWith(".d.ts")) found.push(relative);
        }
    };
    for (const dir of ["cli", "sdk", "provider"]) walk(dir);
    return found.sort();
}

/** The files of ours that `file` imports, as repository paths. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(path.join(repoRoot, file), "utf8");
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const resolved = new Set<string>();
    for (const { fileName } of importedFiles) {
        if (!fileName.startsWith(".")) continue;
        const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName));
        const candidate = [`${base}.ts`, `${base}/index.ts`].find((c) => fs.existsSync(path.join(repoRoot, c)));
        if (candidate) resolved.add(candidate);
    }
    return [...resolved].sort();
}

/** Strongly connected components of more than one file (Tarjan): each is an import cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
    let index = 0;
    const indices = new Map<string, number>();
    const lowlinks = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const found: string[][] = [];
    const visit = (node: string) => {
        indices.set(node, index);
        lowlinks.set(node, index);
        index += 1;
        stack.push(node);
        onStack.add(node);
        for (const next of graph.get(node) ?? []) {
            if (!indices.has(next)) {
                visit(next);
                lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
            } else if (onStack.has(next)) {
                lowlinks.set(node, Math.min(lowlinks.get(node)!, indices.get(next)!));
            }
        }
        if (lowlinks.get(node) === indices.get(node)) {
            const component: string[] = [];
            let member: string;
            do {
                member = stack.pop()!;
                onStack.delete(member);
                component.push(member);
            } while (member !== node);
            if (component.length > 1) found.push(component.sort());
        }
    };
    for (const node of graph.keys()) if (!indices.has(node)) visit(node);
    return found;
}

describe("layers: imports flow one way", () => {
    const files = sourceFiles();
    const graph = new Map(files.map((file) => [file, importsOf(file)]));

    it("has no import cycle", () => {
        expect(cycles(graph).map((cycle) => `${cycle.length} files: ${cycle.join(", ")}`)).to.deep.equal([]);
    });

    it("imports nothing from a higher layer", () => {
        const upward: string[] = [];
        for (const [file, imports] of graph) {
            for (const imported of imports) {
                if (layerOf(imported) < layerOf(file)) upward.push(`${file} (${layers[layerOf(file)].name}) imports ${imported} (${layers[layerOf(imported)].name})`);
            }
        }
        expect(upward).to.deep.equal([]);
    });

    it("keeps shared shapes in leaf modules that import nothing of ours outside provider/common/", () => {
        const leafImports = files.filter((file) => layers[layerOf(file)].name === "common")
            .flatMap((file) => graph.get(file)!.filter((imported) => layers[layerOf(imported)].name !== "common").map((imported) => `${file} imports ${imported}`));
        expect(leafImports).to.deep.equal([]);
    });

    it("lets the SDK reach the provider only through provider/sdkEntry.ts and the shared shapes", () => {
        const reached = files.filter((file) => file.startsWith("sdk/")).flatMap((file) => graph.get(file)!
            .filter((imported) => imported.startsWith("provider/") && imported !== "provider/sdkEntry.ts" && !imported.startsWith("provider/common/"))
            .map((imported) => `${file} imports ${imported}`));
        expect(reached).to.deep.equal([]);
    });
});
