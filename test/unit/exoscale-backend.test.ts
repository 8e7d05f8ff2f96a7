import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { defaults, open, replicationPolicy } from "../../provider/backends/exoscale";
import { ExoscaleIamClient } from "../../provider/backends/exoscale/iamClient";
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

describe("unit: Exoscale IAM client error answers", () => {
    let server: http.Server;
    let endpoint: string;
    let nextAnswer: { status: number; body: string };

    before(async () => {
        server = http.createServer((_req, res) => {
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

    async function errorFor(status: number, body: string): Promise<string> {
        nextAnswer = { status, body };
        const client = new ExoscaleIamClient({ endpoint, apiKey: "EXOkey", apiSecret: "secret" });
        try {
            await client.listRoles();
        } catch (error) {
            return (error as Error).message;
        }
        throw new Error("expected listRoles to fail");
    }

    it("reads {message}", async () => {
        expect(await errorFor(400, '{"message":"name is invalid"}')).to.equal("Could not list IAM roles: Exoscale answered HTTP 400: name is invalid");
    });

    it("reads {error}", async () => {
        expect(await errorFor(500, '{"error":"internal error"}')).to.contain("HTTP 500: internal error");
    });

    it("reads RFC 9457 problem details", async () => {
        const message = await errorFor(422, '{"title":"Unprocessable","detail":"policy is malformed","errors":["services.sos.type"]}');
        expect(message).to.contain("Unprocessable").and.to.contain("policy is malformed").and.to.contain("services.sos.type");
    });

    it("keeps a body that is not JSON", async () => {
        expect(await errorFor(502, "Bad Gateway from the proxy")).to.contain("HTTP 502: Bad Gateway from the proxy");
    });

    it("treats a 404 on a role as a role that is gone", async () => {
        nextAnswer = { status: 404, body: '{"message":"not found"}' };
        const client = new ExoscaleIamClient({ endpoint, apiKey: "EXOkey", apiSecret: "secret" });
        expect(await client.getRole("3f1b0c55-9d0e-4b33-8a0c-6a2f0f3c9e11")).to.equal(undefined);
    });
});
