import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { defaults, open, ownerLabelKey, ownerLabelValue, replicationPolicy } from "../../provider/backends/exoscale";
import { ExoscaleIamClient, iamZoneOf } from "../../provider/backends/exoscale/iamClient";
import { fromSosRule, roleIdOf, toSosRule } from "../../provider/backends/exoscale/rules";
import type { ReplicationRule } from "../../provider/backends/backend";
import { backendDefaults, replicationPolicyFor } from "../../provider/backends/registry";
import { resolveSettings } from "../../provider/settings";

const allZones = ["ch-gva-2", "ch-dk-2", "de-fra-1", "de-muc-1", "at-vie-1", "at-vie-2", "bg-sof-1", "hr-zag-1"];

describe("unit: Exoscale backend defaults", () => {
    it("knows every Exoscale zone, each with its SOS endpoint and the zone as signing region", () => {
        const zones = defaults({}).zones!;
        expect(Object.keys(zones)).to.have.members(allZones);
        expect(zones["at-vie-2"]).to.deep.equal({ endpoint: "https://sos-at-vie-2.exo.io", region: "at-vie-2" });
    });

    it("takes credentials from EXOSCALE_API_KEY and EXOSCALE_API_SECRET", () => {
        expect(defaults({ EXOSCALE_API_KEY: "EXOkey", EXOSCALE_API_SECRET: "secret" }).credentials)
            .to.deep.equal({ accessKey: "EXOkey", secretKey: "secret" });
        expect(backendDefaults("exoscale", {}).howToSetCredentials).to.contain("EXOSCALE_API_KEY").and.to.contain("EXOSCALE_API_SECRET");
    });

    it("resolves stack settings from the environment alone", () => {
        const settings = resolveSettings((key) => (key === "backend" ? "exoscale" : undefined), { EXOSCALE_API_KEY: "EXOkey", EXOSCALE_API_SECRET: "secret" });
        expect(settings.credentials).to.deep.equal({ accessKey: "EXOkey", secretKey: "secret" });
        expect(open(settings).zoneNames).to.have.members(allZones);
    });

    it("tells the user which variables to set when credentials are missing", () => {
        expect(() => resolveSettings((key) => (key === "backend" ? "exoscale" : undefined), {}))
            .to.throw(/EXOSCALE_API_KEY and EXOSCALE_API_SECRET/);
    });
});

describe("unit: Exoscale replication policy", () => {
    it("allows get-object on the source and put-object* on each destination, and nothing else", () => {
        const policy = replicationPolicy({ zone: "ch-dk-2", bucket: "my-source" }, [
            { zone: "at-vie-1", bucket: "my-destination" },
            { zone: "de-fra-1", bucket: "my-other-destination" },
            { zone: "at-vie-1", bucket: "my-destination" },
        ]);
        expect(policy).to.deep.equal({
            "default-service-strategy": "deny",
            services: {
                sos: {
                    type: "rules",
                    rules: [
                        { action: "allow", expression: "parameters.bucket == 'my-source' && operation == 'get-object'" },
                        { action: "allow", expression: "parameters.bucket == 'my-destination' && operation.startsWith('put-object')" },
                        { action: "allow", expression: "parameters.bucket == 'my-other-destination' && operation.startsWith('put-object')" },
                    ],
                },
            },
        });
    });

    it("is what the registry hands out for 'exoscale'", () => {
        const source = { zone: "ch-dk-2", bucket: "a" };
        const destinations = [{ zone: "at-vie-1", bucket: "b" }];
        expect(replicationPolicyFor("exoscale", source, destinations)).to.deep.equal(replicationPolicy(source, destinations));
    });

    it("refuses a bucket name that would break out of the CEL string", () => {
        expect(() => replicationPolicy({ zone: "ch-dk-2", bucket: "x' || true || '" }, []))
            .to.throw(/cannot go into an Exoscale IAM policy/);
    });
});

describe("unit: Exoscale IAM owner label and zone", () => {
    it("names the zone of the public IAM endpoint, and 'iam' for any other", () => {
        expect(iamZoneOf("https://api-ch-gva-2.exoscale.com/v2")).to.equal("ch-gva-2");
        expect(iamZoneOf("https://api-de-fra-1.exoscale.com/v2/")).to.equal("de-fra-1");
        expect(iamZoneOf("http://127.0.0.1:9000/v2")).to.equal("iam");
        expect(iamZoneOf("not a url")).to.equal("iam");
    });

    it("marks roles with a label whose key and value keep to Exoscale's documented label characters", () => {
        // community.exoscale.com, compute/labels: letters, digits and * + ! - _ ?, at most 128, values not starting with a digit.
        const documented = /^[A-Za-z0-9*+!_?-]{1,128}$/;
        expect(ownerLabelKey).to.match(documented);
        for (const identity of ["0123456789abcdef01234567", "ffffffffffffffffffffffff"]) {
            const value = ownerLabelValue(identity);
            expect(value).to.match(documented).and.to.match(/^[^0-9]/).and.to.contain(identity);
        }
    });
});

describe("unit: Exoscale IAM client error answers", () => {
    let server: http.Server;
    let endpoint: string;
    let nextAnswer: { status: number; body: string };
    let requests = 0;

    before(async () => {
        server = http.createServer((_req, res) => {
            requests += 1;
            res.writeHead(nextAnswer.status, { "content-type": "application/json" });
            res.end(nextAnswer.body);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
    });
    after(() => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
    }));

    const quickly = { requestTimeoutMs: 2000, connectTimeoutMs: 1000, maxRetries: 2, backoffBaseMs: 1, backoffMaxMs: 5 };

    async function errorFor(status: number, body: string): Promise<string> {
        nextAnswer = { status, body };
        const client = new ExoscaleIamClient({ endpoint, apiKey: "EXOkey", apiSecret: "secret", requestPolicy: quickly, waitTimeoutMs: 300_000 });
        try {
            await client.listRoles();
        } catch (error) {
            return (error as Error).message;
        }
        throw new Error("expected listRoles to fail");
    }

    it("reads {message}, and names service, zone, endpoint, operation and status", async () => {
        expect(await errorFor(400, '{"message":"name is invalid"}'))
            .to.equal(`Exoscale IAM list-iam-roles on zone 'iam' (${endpoint}) failed: HTTP 400 BadRequest: name is invalid.`);
    });

    it("reads {error}, after retrying a 500", async () => {
        const before = requests;
        expect(await errorFor(500, '{"error":"internal error"}')).to.contain("HTTP 500 InternalServerError: internal error");
        expect(requests - before).to.equal(1 + quickly.maxRetries);
    });

    it("does not retry a 400", async () => {
        const before = requests;
        await errorFor(400, '{"message":"no"}');
        expect(requests - before).to.equal(1);
    });

    it("points a 403 at the credentials: configuration keys and environment variables", async () => {
        const message = await errorFor(403, '{"message":"Invalid request signature"}');
        expect(message).to.contain("HTTP 403 Forbidden: Invalid request signature").and.to.contain("'bucket-replication:accessKey'")
            .and.to.contain("EXOSCALE_API_KEY").and.to.contain("EXOSCALE_API_SECRET");
    });

    it("reads RFC 9457 problem details", async () => {
        const message = await errorFor(422, '{"title":"Unprocessable","detail":"policy is malformed","errors":["services.sos.type"]}');
        expect(message).to.contain("Unprocessable").and.to.contain("policy is malformed").and.to.contain("services.sos.type");
    });

    it("keeps a body that is not JSON", async () => {
        expect(await errorFor(502, "Bad Gateway from the proxy")).to.contain("HTTP 502 BadGateway: Bad Gateway from the proxy");
    });

    it("treats a 404 on a role as a role that is gone", async () => {
        nextAnswer = { status: 404, body: '{"message":"not found"}' };
        const client = new ExoscaleIamClient({ endpoint, apiKey: "EXOkey", apiSecret: "secret", waitTimeoutMs: 300_000 });
        expect(await client.getRole("3f1b0c55-9d0e-4b33-8a0c-6a2f0f3c9e11")).to.equal(undefined);
    });
});

describe("unit: Exoscale replication read: every rule field and the role from SOS's answer", () => {
    const known: ReplicationRule = {
        id: "to-vie", priority: 1, status: "Enabled", prefix: "logs/", deleteMarkerReplication: true, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination: { bucket: "replicas", zone: "at-vie-1" },
    };
    const zoneOf = (bucket: string) => (bucket === "replicas" ? "at-vie-1" : "ch-dk-2");

    it("reads each field the document holds where it differs from the state", () => {
        const read = fromSosRule({
            ID: "to-vie", Priority: 5, Status: "Disabled", Filter: { Prefix: "other/" }, DeleteMarkerReplication: { Status: "Disabled" },
            Destination: { Bucket: "elsewhere", StorageClass: "STANDARD" },
        }, zoneOf);
        expect(read).to.deep.equal({
            id: "to-vie", priority: 5, status: "Disabled", prefix: "other/", deleteMarkerReplication: false, deleteReplication: false,
            existingObjectReplication: false, replicaModifications: false, destination: { bucket: "elsewhere", zone: "ch-dk-2", storageClass: "STANDARD" },
        });
    });

    it("takes existing-object replication and replica modifications from the document, not from the state", () => {
        const answer = { ...toSosRule(known), ExistingObjectReplication: { Status: "Enabled" as const },
            SourceSelectionCriteria: { ReplicaModifications: { Status: "Enabled" as const } } };
        expect(fromSosRule(answer, zoneOf)).to.deep.include({ existingObjectReplication: true, replicaModifications: true });
        // SOS says nothing of them for a rule written here: both read as off, which is all a program may declare.
        expect(fromSosRule(toSosRule(known), zoneOf)).to.deep.include({ existingObjectReplication: false, replicaModifications: false });
    });

    it("names the role by the bare UUID of the document's Role", () => {
        expect(roleIdOf("3f1b0c55-9d0e-4b33-8a0c-6a2f0f3c9e11")).to.equal("3f1b0c55-9d0e-4b33-8a0c-6a2f0f3c9e11");
        expect(roleIdOf("arn:aws:iam::org:role/3f1b0c55-9d0e-4b33-8a0c-6a2f0f3c9e11")).to.equal("3f1b0c55-9d0e-4b33-8a0c-6a2f0f3c9e11");
        expect(roleIdOf("not-a-uuid")).to.equal("not-a-uuid");
    });
});

describe("unit: Exoscale roles as IAM answers them", () => {
    const roleId = "3f1b0c55-9d0e-4b33-8a0c-6a2f0f3c9e11";
    let server: http.Server;
    let endpoint: string;
    let role: Record<string, unknown>;
    let updates: Record<string, unknown>[];
    /** Accepts updates without applying their description, as a service that ignores a field would. */
    let ignoresDescription = false;

    before(async () => {
        server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => {
                res.writeHead(200, { "content-type": "application/json" });
                if (req.method === "PUT") {
                    const changes = JSON.parse(body) as Record<string, unknown>;
                    updates.push(changes);
                    const { description, ...rest } = changes;
                    role = { ...role, ...rest, ...(ignoresDescription ? {} : { description }) };
                    res.end(JSON.stringify({ id: "op-1", state: "success", reference: { id: roleId } }));
                } else {
                    res.end(JSON.stringify(role));
                }
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
    });
    after(() => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
    }));
    beforeEach(() => {
        updates = [];
        ignoresDescription = false;
    });

    const backend = () => open({ ...resolveSettings((key) => ({ backend: "exoscale", iamEndpoint: endpoint, accessKey: "EXOkey", secretKey: "secret" } as Record<string, string>)[key], {}) });
    const known = { id: roleId, name: "replication", description: "replicates", editable: true, labels: {}, policy: { "default-service-strategy": "deny", services: {} } };

    it("reads a role answered without a policy as having none, not as the state's", async () => {
        role = { id: roleId, name: "replication", description: "replicates", editable: true, labels: {} };
        expect((await backend().readRole(roleId, known))?.policy).to.deep.equal({});
    });

    it("refuses to clear a description, which Exoscale IAM cannot do, before sending anything", async () => {
        role = { id: roleId, name: "replication", description: "replicates", editable: true, labels: {}, policy: known.policy };
        const failure = await backend().updateRole(known, { ...known, description: "" }, () => undefined).then(() => undefined, (error: Error) => error.message);
        expect(failure).to.contain("cannot clear a role's description").and.contain("'description'");
        expect(updates).to.deep.equal([]);
    });

    it("sends a changed description and reads it back", async () => {
        role = { id: roleId, name: "replication", description: "replicates", editable: true, labels: {}, policy: known.policy };
        await backend().updateRole(known, { ...known, description: "new words" }, () => undefined);
        expect(updates).to.deep.equal([{ description: "new words", labels: {} }]);
        ignoresDescription = true;
        const failure = await backend().updateRole(known, { ...known, description: "other words" }, () => undefined).then(() => undefined, (error: Error) => error.message);
        expect(failure).to.contain("reading the role back shows description \"new words\"");
    });
});
