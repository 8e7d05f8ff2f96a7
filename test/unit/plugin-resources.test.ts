import { expect } from "chai";
import { healthyRoleZone } from "../../provider/backends/backend";
import { unknownValue } from "../../provider/common/unknown";
import { detailedDiff, kindOfUrn, resourceKinds, ResourceKind, withUrnDerivedInputs } from "../../provider/plugin/resources";
import type { Properties } from "../../provider/plugin/wire";
import { configureStack, minioStack } from "../bad-input/support";

// The plugin's view of each resource kind: the provider's own diff decides, detailedDiff names the properties
// (what a preview shows per property), and the URN supplies what a program in another language does not send.
// Zones that are never contacted: check() and diff() make no requests.

const kind = (name: string): ResourceKind => {
    const found = resourceKinds.find((k) => k.name === name);
    if (!found) throw new Error(`resources.ts has no kind ${name}`);
    return found;
};
const urnOf = (type: string, name: string, parent = "") =>
    `urn:pulumi:dev::proj::${parent ? `${parent}$` : ""}pulumi-bucket-replication:index:${type}::${name}`;

/** The provider's diff, then the plugin's detailed diff of it, as the plugin's Diff call does. */
async function diffOf(name: string, olds: Properties, news: Properties) {
    const k = kind(name);
    return detailedDiff(k, olds, news, await k.provider().diff!("id", olds as never, news as never));
}

describe("plugin resources: detailed diff, per kind", () => {
    before(() => configureStack(minioStack("http://127.0.0.1:1")));

    describe("Bucket", () => {
        const inputs = { name: "logs-abcd1234", namePrefix: "logs", identity: "i", zone: "zone-a", forceDestroy: false, tags: { team: "a" } };
        const state = { ...inputs, endpoint: "http://127.0.0.1:1" };

        it("a tag change is an update of `tags` only, in place", async () => {
            const result = await diffOf("Bucket", state, { ...inputs, tags: { team: "b" } });
            expect(result).to.deep.equal({
                changes: true, replaces: [], deleteBeforeReplace: false,
                properties: { tags: { change: "update", replace: false } }, reasons: {},
            });
        });

        it("a zone change replaces the bucket on `zone`, with the reason", async () => {
            const result = await diffOf("Bucket", state, { ...inputs, zone: "zone-b" });
            expect(result.changes).to.equal(true);
            expect(result.replaces).to.deep.equal(["zone"]);
            expect(result.properties).to.deep.equal({ zone: { change: "update", replace: true } });
            expect(result.reasons.zone).to.match(/cannot move between zones/);
        });

        it("tags filled into an empty map or emptied are an update of `tags`, as Pulumi names a change of a property that exists on both sides", async () => {
            expect((await diffOf("Bucket", { ...state, tags: {} }, inputs)).properties).to.deep.equal({ tags: { change: "update", replace: false } });
            expect((await diffOf("Bucket", state, { ...inputs, tags: {} })).properties).to.deep.equal({ tags: { change: "update", replace: false } });
        });

        it("tags that were not in the state at all are an add, tags left out of the program a delete", async () => {
            const { tags: _none, ...untagged } = state as Record<string, unknown>;
            expect((await diffOf("Bucket", untagged as never, inputs)).properties).to.deep.equal({ tags: { change: "add", replace: false } });
            expect((await diffOf("Bucket", state, { ...inputs, tags: undefined })).properties).to.deep.equal({ tags: { change: "delete", replace: false } });
        });

        it("unset, {} and null alike are no change, alone or beside a real one", async () => {
            for (const tags of [undefined, null, {}]) {
                expect(await diffOf("Bucket", { ...state, tags: {} }, { ...inputs, tags })).to.deep.include({ changes: false, properties: {} });
                const beside = await diffOf("Bucket", { ...state, tags: {} }, { ...inputs, tags, forceDestroy: true });
                expect(beside.properties, `tags ${JSON.stringify(tags)}`).to.deep.equal({ forceDestroy: { change: "update", replace: false } });
            }
        });

        it("values not known yet count as changes: unknown tags update, an unknown name replaces", async () => {
            expect((await diffOf("Bucket", state, { ...inputs, tags: unknownValue })).properties).to.deep.equal({ tags: { change: "update", replace: false } });
            const renamed = await diffOf("Bucket", state, { ...inputs, name: unknownValue });
            expect(renamed.replaces).to.deep.equal(["name"]);
            expect(renamed.properties).to.deep.equal({ name: { change: "update", replace: true } });
            expect(renamed.reasons.name).to.match(/cannot be renamed/);
        });
    });

    describe("BucketVersioning", () => {
        const inputs = { bucket: "logs", zone: "zone-a", status: "Enabled" };

        it("a status change is an update of `status`; a new bucket replaces, deleting first", async () => {
            expect((await diffOf("BucketVersioning", inputs, { ...inputs, status: "Suspended" })).properties)
                .to.deep.equal({ status: { change: "update", replace: false } });
            const moved = await diffOf("BucketVersioning", inputs, { ...inputs, bucket: "other" });
            expect(moved).to.deep.include({ changes: true, replaces: ["bucket"], deleteBeforeReplace: true });
            expect(moved.properties).to.deep.equal({ bucket: { change: "update", replace: true } });
            expect(moved.reasons.bucket).to.be.a("string").and.not.be.empty;
        });

        it("no change, no properties", async () => {
            expect(await diffOf("BucketVersioning", inputs, { ...inputs })).to.deep.include({ changes: false, replaces: [], properties: {}, reasons: {} });
        });
    });

    describe("IamRole", () => {
        const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::logs/*"] }] };
        const inputs = { name: "replication-abcd1234", namePrefix: "replication", identity: "i", description: "d", editable: true, labels: {}, policy };
        const state = { ...inputs, id: "replication-abcd1234", secretKey: "s", zones: { "zone-a": healthyRoleZone("replication-abcd1234") } };

        it("a description change is an update of `description` only", async () => {
            expect(await diffOf("IamRole", state, { ...inputs, description: "e" })).to.deep.include({
                changes: true, replaces: [], properties: { description: { change: "update", replace: false } },
            });
        });

        it("labels that appear are an update of `labels`; labels unset, {} or null beside them are no change", async () => {
            expect((await diffOf("IamRole", state, { ...inputs, labels: { team: "a" } })).properties).to.deep.equal({ labels: { change: "update", replace: false } });
            for (const labels of [undefined, null, {}]) {
                expect((await diffOf("IamRole", state, { ...inputs, labels, description: "e" })).properties, `labels ${JSON.stringify(labels)}`)
                    .to.deep.equal({ description: { change: "update", replace: false } });
            }
        });

        it("a new policy on a role that is not editable replaces on `policy`, with the reason", async () => {
            const locked = { ...state, editable: false };
            const result = await diffOf("IamRole", locked, { ...inputs, editable: false, policy: { ...policy, Statement: [] } });
            expect(result.replaces).to.deep.equal(["policy"]);
            expect(result.properties).to.deep.equal({ policy: { change: "update", replace: true } });
            expect(result.reasons.policy).to.match(/not editable/);
        });

        it("an unknown policy is an update of `policy`", async () => {
            expect((await diffOf("IamRole", state, { ...inputs, policy: unknownValue })).properties).to.deep.equal({ policy: { change: "update", replace: false } });
        });

        it("a repair with no input change (a zone found broken by refresh) is an update named `zones`", async () => {
            const broken = { ...state, zones: { ...state.zones, "zone-b": { ...healthyRoleZone(state.id), user: "disabled" } } };
            expect(await diffOf("IamRole", state, { ...inputs })).to.deep.include({ changes: false, properties: {} });
            expect(await diffOf("IamRole", broken, { ...inputs })).to.deep.equal({
                changes: true, replaces: [], deleteBeforeReplace: true, properties: { zones: { change: "update", replace: false } }, reasons: {},
            });
        });
    });

    describe("ReplicationConfiguration", () => {
        const rule = { priority: 1, status: "Enabled", prefix: "", tags: {}, deleteMarkerReplication: false, deleteReplication: false,
            existingObjectReplication: false, replicaModifications: false, destination: { bucket: "dest", zone: "zone-b" } };
        const inputs = { bucket: "src", zone: "zone-a", role: { id: "r", name: "r" }, roleSecretKey: "s", rules: { a: rule } };

        it("a rule change is an update of `rules`; a zone change replaces on `zone`, deleting first", async () => {
            expect((await diffOf("ReplicationConfiguration", inputs, { ...inputs, rules: { a: { ...rule, prefix: "logs/" } } })).properties)
                .to.deep.equal({ rules: { change: "update", replace: false } });
            const moved = await diffOf("ReplicationConfiguration", inputs, { ...inputs, zone: "zone-b" });
            expect(moved).to.deep.include({ replaces: ["zone"], deleteBeforeReplace: true });
            expect(moved.properties).to.deep.equal({ zone: { change: "update", replace: true } });
            expect(moved.reasons.zone).to.match(/source bucket/);
        });

        it("a new role key is an update of `roleSecretKey`; a key that appears is an add", async () => {
            expect((await diffOf("ReplicationConfiguration", inputs, { ...inputs, roleSecretKey: "t" })).properties)
                .to.deep.equal({ roleSecretKey: { change: "update", replace: false } });
            expect((await diffOf("ReplicationConfiguration", { ...inputs, roleSecretKey: null }, inputs)).properties)
                .to.deep.equal({ roleSecretKey: { change: "add", replace: false } });
        });

        it("a role not known yet (a new role) is an update of `role` and `roleSecretKey`", async () => {
            const result = await diffOf("ReplicationConfiguration", inputs, { ...inputs, role: { id: unknownValue, name: unknownValue }, roleSecretKey: unknownValue });
            expect(result.properties).to.deep.equal({ role: { change: "update", replace: false }, roleSecretKey: { change: "update", replace: false } });
        });
    });

    describe("ReplicationVerification", () => {
        const rules = { a: { source: { zone: "zone-a", bucket: "src" }, destination: { zone: "zone-b", bucket: "dest" }, prefix: "" } };
        const inputs = { rules, timeoutSeconds: 300, fingerprint: "f" };
        const state = { ...inputs, lagSeconds: { a: 1 }, verifiedAt: "2026-01-01T00:00:00Z", runId: "run" };

        it("a new fingerprint or timeout is an update of that property, never a replacement", async () => {
            expect(await diffOf("ReplicationVerification", state, { ...inputs, fingerprint: "g" }))
                .to.deep.include({ changes: true, replaces: [], properties: { fingerprint: { change: "update", replace: false } } });
            expect((await diffOf("ReplicationVerification", state, { ...inputs, timeoutSeconds: 60 })).properties)
                .to.deep.equal({ timeoutSeconds: { change: "update", replace: false } });
            expect(await diffOf("ReplicationVerification", state, { ...inputs })).to.deep.include({ changes: false, properties: {} });
        });
    });

    it("every change kind the detailed diff can name is a PropertyDiff kind of the provider protocol", () => {
        const kinds = require("@pulumi/pulumi/proto/provider_pb").PropertyDiff.Kind as Record<string, number>;
        for (const change of ["add", "delete", "update"]) {
            for (const replace of [false, true]) expect(kinds).to.have.property(`${change.toUpperCase()}${replace ? "_REPLACE" : ""}`);
        }
    });

    it("a replacement the kind gives no reason for still has one", () => {
        const result = detailedDiff(kind("ReplicationVerification"), {}, {}, { changes: true, replaces: ["rules"] });
        expect(result.properties.rules).to.deep.equal({ change: "update", replace: true });
        expect(result.reasons.rules).to.be.a("string").and.not.be.empty;
    });
});

describe("plugin resources: what the URN tells", () => {
    before(() => configureStack(minioStack("http://127.0.0.1:1")));

    it("kindOfUrn finds the kind of a top-level or a child resource's URN", () => {
        expect(kindOfUrn(urnOf("Bucket", "logs")).name).to.equal("Bucket");
        expect(kindOfUrn(urnOf("IamRole", "remote-replication", "pulumi-bucket-replication:index:LeaderFollower")).name).to.equal("IamRole");
        for (const k of resourceKinds) expect(kindOfUrn(urnOf(k.name, "x")).name).to.equal(k.name);
    });

    it("kindOfUrn refuses an unknown type, naming the type and every type it serves", () => {
        expect(() => kindOfUrn(urnOf("Nope", "x"))).to.throw(/Unknown resource type 'pulumi-bucket-replication:index:Nope'/)
            .with.property("message").that.contains("Bucket, BucketVersioning, IamRole, ReplicationConfiguration, ReplicationVerification");
        expect(() => kindOfUrn("not-a-urn")).to.throw(/Unknown resource type/);
    });

    it("withUrnDerivedInputs fills a Bucket's and an IamRole's name prefix and a stable identity from the URN", () => {
        for (const name of ["Bucket", "IamRole"]) {
            const urn = urnOf(name, "remote-leader", "pulumi-bucket-replication:index:LeaderFollower");
            const first = withUrnDerivedInputs(kind(name), urn, { zone: "zone-a" });
            expect(first.namePrefix).to.equal("remote-leader");
            expect(first.zone).to.equal("zone-a");
            expect(first.identity).to.match(/^[0-9a-f]{24}$/);
            expect(withUrnDerivedInputs(kind(name), urn, { zone: "zone-a" }).identity, "the same URN, the same identity").to.equal(first.identity);
            expect(withUrnDerivedInputs(kind(name), urnOf(name, "remote-leader"), {}).identity, "another URN, another identity").to.not.equal(first.identity);
            // What a TypeScript program's SDK sends is kept.
            expect(withUrnDerivedInputs(kind(name), urn, { namePrefix: "own", identity: "mine" })).to.deep.include({ namePrefix: "own", identity: "mine" });
        }
    });

    it("withUrnDerivedInputs leaves the other kinds' inputs as they are", () => {
        for (const name of ["BucketVersioning", "ReplicationConfiguration", "ReplicationVerification"]) {
            const news = { bucket: "b", zone: "zone-a" };
            expect(withUrnDerivedInputs(kind(name), urnOf(name, "x"), news)).to.equal(news);
        }
    });

    it("a Bucket declared with only a zone (as another language sends it) checks into an automatic name", async () => {
        const news = withUrnDerivedInputs(kind("Bucket"), urnOf("Bucket", "logs"), { zone: "zone-a" });
        const result = await kind("Bucket").provider().check!({} as never, news as never);
        expect(result.failures ?? []).to.deep.equal([]);
        expect(result.inputs!.name).to.match(/^logs-[a-z0-9]{8}$/);
    });
});

describe("plugin resources: import from an ID", () => {
    before(() => configureStack(minioStack("http://127.0.0.1:1")));

    it("a Bucket's import state has the URN's name as prefix and the zone's endpoint", () => {
        expect(kind("Bucket").importState("zone-a/logs", urnOf("Bucket", "imported"))).to.deep.equal({
            namePrefix: "imported", forceDestroy: false, endpoint: "http://127.0.0.1:1",
        });
    });

    it("an IamRole's and a ReplicationConfiguration's import state come from the ID", () => {
        expect(kind("IamRole").importState("replicator", urnOf("IamRole", "role"))).to.deep.include({ id: "replicator", name: "replicator", namePrefix: "role" });
        expect(kind("ReplicationConfiguration").importState("zone-a/src", urnOf("ReplicationConfiguration", "r"))).to.deep.include({ bucket: "src", zone: "zone-a" });
    });

    it("a ReplicationVerification cannot be imported, and the message says so", () => {
        const verification = kind("ReplicationVerification");
        expect(() => verification.importState("run", urnOf("ReplicationVerification", "v"))).to.throw(/ReplicationVerification.*nothing to import/);
        expect(verification.idFormat).to.match(/cannot be imported/);
    });
});
