import { expect } from "chai";
import { provider as bucketProvider } from "../../provider/bucket";
import { configureFrom } from "../../provider/context";
import { closestName, resolveSettings } from "../../provider/settings";
import { defaultRequestPolicy, silentCallBoundMs } from "../../provider/transport/retry";

/** Issue 17, finding 6: a misspelt key in a zone's settings is refused, not silently replaced by its default. */
function lookup(values: Record<string, string>): (key: string) => string | undefined {
    const all: Record<string, string> = { backend: "minio", accessKey: "unit-access", secretKey: "unit-secret", ...values };
    return (key) => all[key];
}

function resolveZones(zones: unknown) {
    return resolveSettings(lookup({ zones: JSON.stringify(zones) }), {});
}

function settingsError(zones: unknown): Error {
    try {
        resolveSettings(lookup({ zones: JSON.stringify(zones) }), {});
    } catch (error) {
        return error as Error;
    }
    throw new Error("expected the settings to be refused");
}

describe("zone settings: unknown keys are refused with the closest known one (issue 17, finding 6)", () => {
    it("names a key that differs only by case, and suggests the right one", () => {
        const error = settingsError({ "local-a": { endpoint: "http://127.0.0.1:9100", Region: "eu-west-1" } });
        expect(error.message).to.contain("zone 'local-a' has an unknown setting 'Region'; did you mean 'region'?");
    });

    it("suggests the key a typo is closest to, and lists the keys when none is close", () => {
        const error = settingsError({
            "local-a": { endpont: "http://127.0.0.1:9100" },
            "local-b": { endpoint: "http://127.0.0.1:9200", profile: "x" },
        });
        expect(error.message).to.contain("zone 'local-a' has an unknown setting 'endpont'; did you mean 'endpoint'?")
            .and.contain("zone 'local-b' has an unknown setting 'profile'; a zone takes 'endpoint', 'region', 'account', 'accessKey' and 'secretKey'.");
    });

    it("takes a zone's own key pair and account (issue 20), and the stack's pair elsewhere", () => {
        const { zoneCredentials } = require("../../provider/backends/backend") as typeof import("../../provider/backends/backend");
        const settings = resolveZones({
            "site-a": { endpoint: "http://127.0.0.1:9100" },
            "site-b": { endpoint: "http://127.0.0.1:9200", accessKey: "b-admin", secretKey: "b-secret", account: "222233334444" },
        });
        expect(settings.zones["site-b"]).to.deep.include({ credentials: { accessKey: "b-admin", secretKey: "b-secret" }, account: "222233334444" });
        expect(zoneCredentials(settings, "site-b")).to.deep.equal({ accessKey: "b-admin", secretKey: "b-secret" });
        expect(zoneCredentials(settings, "site-a")).to.deep.equal(settings.credentials);
    });

    it("needs no stack pair when every zone has its own, and names the zones that lack one otherwise", () => {
        const zones = {
            "site-a": { endpoint: "http://127.0.0.1:9100", accessKey: "a-admin", secretKey: "a-secret" },
            "site-b": { endpoint: "http://127.0.0.1:9200", accessKey: "b-admin", secretKey: "b-secret" },
        };
        const settings = resolveSettings((key) => ({ backend: "minio", zones: JSON.stringify(zones) } as Record<string, string>)[key], {});
        expect(settings.credentials).to.deep.equal({ accessKey: "a-admin", secretKey: "a-secret" });
        const { "site-b": _b, ...onlyA } = zones;
        let message = "";
        try {
            // OSS: no local zones file to take a pair from, as the MinIO defaults may here.
            resolveSettings((key) => ({ backend: "oss", zones: JSON.stringify({ ...onlyA, "site-c": { endpoint: "http://127.0.0.1:9300" } }) } as Record<string, string>)[key], {});
        } catch (error) {
            message = (error as Error).message;
        }
        expect(message).to.contain("No credentials for backend 'oss' (for the zones without a key pair of their own: site-c)");
    });

    it("refuses zones of other owners on Exoscale, whose replication stays within one organization, instead of ignoring their pair", () => {
        const zones = { "ch-dk-2": { endpoint: "https://sos-ch-dk-2.exo.io", accessKey: "EXO-b", secretKey: "b-secret" }, "ch-gva-2": { endpoint: "https://sos-ch-gva-2.exo.io", account: "org-b" } };
        let message = "";
        try {
            resolveSettings((key) => ({ backend: "exoscale", zones: JSON.stringify(zones), accessKey: "EXO-a", secretKey: "a-secret" } as Record<string, string>)[key], {});
        } catch (error) {
            message = (error as Error).message;
        }
        expect(message).to.contain("Zones 'ch-dk-2', 'ch-gva-2' of 'bucket-replication:zones' name an owner of their own")
            .and.contain("SOS replicates only between buckets of one Exoscale organization");
    });

    it("refuses half a zone key pair, naming the zone and how to set the secret", () => {
        expect(settingsError({ "site-b": { endpoint: "http://127.0.0.1:9200", accessKey: "b-admin" } }).message)
            .to.contain("'bucket-replication:zones.site-b' must have both 'accessKey' and 'secretKey'")
            .and.contain("pulumi config set --secret --path 'bucket-replication:zones.site-b.secretKey'");
    });

    it("refuses a region that is not a name", () => {
        expect(settingsError({ "local-a": { endpoint: "http://127.0.0.1:9100", region: 5 } }).message)
            .to.contain("'bucket-replication:zones.local-a.region' must be a region name");
    });

    it("still reads the known keys and the short form", () => {
        const settings = resolveSettings(lookup({ zones: JSON.stringify({ "local-a": { endpoint: "http://127.0.0.1:9100/", region: "eu-west-1" }, "local-b": "http://127.0.0.1:9200" }) }), {});
        expect(settings.zones).to.deep.equal({
            "local-a": { endpoint: "http://127.0.0.1:9100", region: "eu-west-1" },
            "local-b": { endpoint: "http://127.0.0.1:9200", region: undefined },
        });
    });

    it("fails the preview: a resource's check names the unknown setting", async () => {
        configureFrom({ config: { get: (key: string) => ({
            "bucket-replication:zones": JSON.stringify({ "local-a": { endpoint: "http://127.0.0.1:9100", Region: "eu-west-1" } }),
            "bucket-replication:accessKey": "unit-access",
            "bucket-replication:secretKey": "unit-secret",
        } as Record<string, string>)[key] } });
        try {
            const result = await bucketProvider.check!({} as never, { namePrefix: "photos", name: "photos", zone: "local-a" });
            const reasons = (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
            expect(reasons.join("\n")).to.contain("zone 'local-a' has an unknown setting 'Region'; did you mean 'region'?");
        } finally {
            configureFrom({ config: { get: () => undefined } });
        }
    });

    it("closestName: case first, then a few edits, else nothing", () => {
        expect(closestName("ENDPOINT", ["endpoint", "region"])).to.equal("endpoint");
        expect(closestName("regoin", ["endpoint", "region"])).to.equal("region");
        expect(closestName("end_point", ["endpoint", "region"])).to.equal("endpoint");
        expect(closestName("bucket", ["endpoint", "region"])).to.equal(undefined);
    });
});

describe("request limits: a silent endpoint fails in about a minute (issue 17, finding 7)", () => {
    it("the default policy bounds a call to a silent endpoint to at most 65 s, with a notice after 10 s", () => {
        expect(silentCallBoundMs(defaultRequestPolicy)).to.be.at.most(65_000);
        expect(defaultRequestPolicy.silenceNoticeMs).to.equal(10_000);
        const settings = resolveSettings(lookup({ zones: JSON.stringify({ "local-a": "http://127.0.0.1:9100" }) }), {});
        expect(silentCallBoundMs(settings.requestPolicy)).to.be.at.most(65_000);
    });

    it("'requestTimeoutSeconds' also sets how long an answer may take to start: half of it", () => {
        const settings = resolveSettings(lookup({ zones: JSON.stringify({ "local-a": "http://127.0.0.1:9100" }), requestTimeoutSeconds: "120" }), {});
        expect(settings.requestPolicy).to.deep.include({ requestTimeoutMs: 120_000, answerStartTimeoutMs: 60_000, silenceNoticeMs: 10_000 });
        const quick = resolveSettings(lookup({ zones: JSON.stringify({ "local-a": "http://127.0.0.1:9100" }), requestTimeoutSeconds: "3" }), {});
        expect(quick.requestPolicy).to.deep.include({ requestTimeoutMs: 3000, answerStartTimeoutMs: 1500, silenceNoticeMs: 500 });
    });
});
