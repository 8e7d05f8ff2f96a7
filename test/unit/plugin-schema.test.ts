import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { ruleDefaults, ruleOptionInUse } from "../../provider/common/rule";
import { functions } from "../../provider/plugin/functions";
import { resourceKinds } from "../../provider/plugin/resources";
import { packageSchema } from "../../provider/plugin/schema";
import { offlinePulumiEnv } from "../support/pulumiStack";
import { repoRoot, toolBin } from "../support/toolchain";

type Json = Record<string, any>;

const pkg = "pulumi-bucket-replication";
const schema = packageSchema(pkg, "0.2.0") as Json;
const token = (name: string, module = "index") => `${pkg}:${module}:${name}`;

/** The fields of ReplicationRuleFields as provider/common/rule.ts declares them, read by the TypeScript parser. */
function declaredRuleFields(): string[] {
    const file = path.join(repoRoot, "provider", "common", "rule.ts");
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const found = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "ReplicationRuleFields");
    if (!found) throw new Error("provider/common/rule.ts has no interface ReplicationRuleFields");
    return found.members.map((member) => (member.name as ts.Identifier).text);
}

/** Every object in the schema with the path that leads to it. */
function walk(value: unknown, at: string[], visit: (node: Json, at: string[]) => void): void {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...at, String(i)], visit));
    else if (value !== null && typeof value === "object") {
        visit(value as Json, at);
        for (const [key, item] of Object.entries(value)) walk(item, [...at, key], visit);
    }
}

/** Each property map of the schema (resources' inputs and outputs, types', functions', config's), by where it is. */
function propertyMaps(): Array<[string, Record<string, Json>]> {
    const maps: Array<[string, Record<string, Json>]> = [];
    for (const [name, resource] of Object.entries<Json>(schema.resources)) {
        maps.push([`${name} inputProperties`, resource.inputProperties], [`${name} properties`, resource.properties]);
    }
    for (const [name, type] of Object.entries<Json>(schema.types)) maps.push([`type ${name}`, type.properties]);
    for (const [name, fn] of Object.entries<Json>(schema.functions)) maps.push([`${name} inputs`, fn.inputs.properties], [`${name} outputs`, fn.outputs.properties]);
    maps.push(["config", schema.config.variables]);
    return maps;
}

describe("plugin schema", () => {
    it("names the package and version, and the Python package pulumi_bucket_replication", () => {
        expect(schema).to.deep.include({ name: pkg, version: "0.2.0" });
        expect(schema.language.python.packageName).to.equal("pulumi_bucket_replication");
        // Under the 0.1.0 name too: Python's package does not change with the plugin's name.
        expect((packageSchema("bucket-replication", "0.2.0") as Json).language.python.packageName).to.equal("pulumi_bucket_replication");
    });

    it("has every resource kind the plugin serves, with the inputs its detailed diff compares", () => {
        for (const kind of resourceKinds) {
            const resource = schema.resources[token(kind.name)];
            expect(resource, kind.name).to.be.an("object");
            expect(resource.isComponent, kind.name).to.not.equal(true);
            expect(Object.keys(resource.inputProperties).sort(), `${kind.name}'s inputs`).to.deep.equal([...kind.inputs].sort());
            for (const output of kind.secretOutputs) expect(resource.properties[output], `${kind.name}.${output}`).to.deep.include({ secret: true });
        }
        expect(resourceKinds.map((k) => k.name).sort()).to.deep.equal(["Bucket", "BucketVersioning", "IamRole", "ReplicationConfiguration", "ReplicationVerification"]);
    });

    it("has both components, marked as components, and nothing else", () => {
        for (const name of ["LeaderFollower", "BiDirectional"]) expect(schema.resources[token(name)], name).to.deep.include({ isComponent: true });
        expect(Object.keys(schema.resources).sort()).to.deep.equal(
            [...resourceKinds.map((k) => k.name), "LeaderFollower", "BiDirectional"].map((name) => token(name)).sort());
    });

    it("has every function of functions.ts under its own module", () => {
        const expected = Object.entries(functions).map(([name, fn]) => token(name, fn.module)).sort();
        expect(Object.keys(schema.functions).sort()).to.deep.equal(expected);
        expect(expected).to.include.members([token("replicationPolicy"), token("getReplicationStatus"), token("getReplicationLocations", "oss")]);
    });

    it("keeps the role's secret key secret, wherever it appears, and the credentials in the configuration", () => {
        expect(schema.resources[token("IamRole")].properties.secretKey).to.deep.include({ secret: true });
        const configuration = schema.resources[token("ReplicationConfiguration")];
        expect(configuration.inputProperties.roleSecretKey).to.deep.include({ secret: true });
        expect(configuration.properties.roleSecretKey).to.deep.include({ secret: true });
        expect(schema.config.variables.accessKey).to.deep.include({ secret: true });
        expect(schema.config.variables.secretKey).to.deep.include({ secret: true });
    });

    it("describes every property, resource, type and function", () => {
        const missing: string[] = [];
        for (const [where, properties] of propertyMaps()) {
            for (const [name, property] of Object.entries(properties)) {
                if (typeof property.description !== "string" || property.description.trim() === "") missing.push(`${where}: ${name}`);
            }
        }
        for (const section of ["resources", "types", "functions"]) {
            for (const [name, entry] of Object.entries<Json>(schema[section])) if (!entry.description?.trim()) missing.push(name);
        }
        expect(missing).to.deep.equal([]);
    });

    it("lists as required only properties it has", () => {
        const wrong: string[] = [];
        const check = (where: string, required: string[] | undefined, properties: Json) =>
            (required ?? []).filter((key) => !(key in properties)).forEach((key) => wrong.push(`${where}: ${key}`));
        for (const [name, resource] of Object.entries<Json>(schema.resources)) {
            check(`${name} requiredInputs`, resource.requiredInputs, resource.inputProperties);
            check(`${name} required`, resource.required, resource.properties);
        }
        for (const [name, type] of Object.entries<Json>(schema.types)) check(name, type.required, type.properties);
        for (const [name, fn] of Object.entries<Json>(schema.functions)) {
            check(`${name} inputs`, fn.inputs.required, fn.inputs.properties);
            check(`${name} outputs`, fn.outputs.required, fn.outputs.properties);
        }
        expect(wrong).to.deep.equal([]);
    });

    it("resolves every $ref to one of its types, and uses every type it declares", () => {
        const unresolved: string[] = [];
        const used = new Set<string>();
        walk(schema, [], (node, at) => {
            if (typeof node.$ref !== "string") return;
            if (node.$ref.startsWith("#/types/")) {
                const name = node.$ref.slice("#/types/".length);
                used.add(name);
                if (!(name in schema.types)) unresolved.push(`${at.join(".")}: ${node.$ref}`);
            } else if (node.$ref !== "pulumi.json#/Any") unresolved.push(`${at.join(".")}: ${node.$ref}`);
        });
        expect(unresolved).to.deep.equal([]);
        expect(Object.keys(schema.types).filter((name) => !used.has(name))).to.deep.equal([]);
        expect(Object.keys(schema.types).every((name) => name.startsWith(`${pkg}:`))).to.equal(true);
    });

    it("has every rule field of common/rule.ts in the ReplicationRule type, and no other", () => {
        const rule = schema.types[token("ReplicationRule")];
        const fields = declaredRuleFields();
        expect(fields).to.include.members([...Object.keys(ruleDefaults), ...Object.keys(ruleOptionInUse), "priority", "destination"]);
        expect(Object.keys(rule.properties).sort()).to.deep.equal([...fields].sort());
        expect(rule.required.sort()).to.deep.equal(["destination", "priority"]);
        const destination = schema.types[token("RuleDestination")];
        expect(Object.keys(destination.properties).sort()).to.deep.equal(["bucket", "storageClass", "zone"]);
    });

    it("gives the ReplicationRule type the rule model's defaults (tags' {}, no filter, is the one a schema cannot state)", () => {
        const properties: Record<string, Json> = schema.types[token("ReplicationRule")].properties;
        const schemaDefaults = Object.fromEntries(Object.entries(properties).filter(([, p]) => "default" in p).map(([key, p]) => [key, p.default]));
        // Pulumi schema defaults are primitives; an empty tag filter is the same as none.
        const primitiveDefaults = Object.fromEntries(Object.entries(ruleDefaults).filter(([, value]) => typeof value !== "object"));
        expect(schemaDefaults).to.deep.equal(primitiveDefaults);
        expect(ruleDefaults.tags).to.deep.equal({});
        expect(properties.tags).to.not.have.property("default");
    });

    it("uses the package's name in every token it declares", () => {
        const other = packageSchema("bucket-replication", "0.1.0") as Json;
        for (const section of ["resources", "types", "functions"]) {
            expect(Object.keys(other[section]).every((name) => name.startsWith("bucket-replication:")), section).to.equal(true);
            expect(Object.keys(other[section]).map((name) => name.replace(/^bucket-replication:/, "")).sort(), section)
                .to.deep.equal(Object.keys(schema[section]).map((name) => name.replace(`${pkg}:`, "")).sort());
        }
        walk(other, [], (node, at) => {
            if (typeof node.$ref === "string" && node.$ref.startsWith("#/types/")) expect(node.$ref, at.join(".")).to.match(/^#\/types\/bucket-replication:/);
        });
    });

    it("passes the Pulumi CLI's own check (pulumi schema check: the metaschema and the binder), under both names", async function () {
        this.timeout(60_000);
        const pulumi = path.join(toolBin(), "pulumi");
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-plugin-schema-"));
        try {
            const check = (document: unknown) => {
                const file = path.join(work, `schema-${Math.random().toString(36).slice(2)}.json`);
                fs.writeFileSync(file, JSON.stringify(document));
                return new Promise<{ code: number; output: string }>((resolve) => {
                    execFile(pulumi, ["schema", "check", file], { env: { ...offlinePulumiEnv(work), NO_COLOR: "1" }, cwd: work, timeout: 30_000 },
                        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: `${stdout}${stderr}` }));
                });
            };
            for (const document of [schema, packageSchema("bucket-replication", "0.2.0")]) {
                const result = await check(document);
                expect(result.code, result.output).to.equal(0);
                expect(result.output.trim(), "no warnings either").to.equal("");
            }
            // The check does find what is wrong: a reference to no type.
            const broken = JSON.parse(JSON.stringify(schema));
            broken.resources[token("Bucket")].inputProperties.zone = { $ref: `#/types/${token("Nope")}`, description: "d" };
            const refused = await check(broken);
            expect(refused.code).to.not.equal(0);
            expect(refused.output).to.contain(`type ${token("Nope")} not found`);
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });
});
