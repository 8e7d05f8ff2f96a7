import { expect } from "chai";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { findLocalZones } from "../../provider/backends/minio/localZones";
import { openBackend } from "../../provider/backends/registry";
import { resolveSettings } from "../../provider/settings";

// Issue 20: a MinIO zone whose owner is not the stack's signs every request with its own key pair. Two
// recording servers stand for two sites; each answers as MinIO does and notes the access key of every
// request's SigV4 Authorization header. A site that does not know the key answers InvalidAccessKeyId.

interface Site {
    readonly endpoint: string;
    readonly seen: string[];
    close(): Promise<void>;
}

async function site(knownKey: string): Promise<Site> {
    const seen: string[] = [];
    const server = http.createServer((request, response) => {
        request.resume();
        request.on("end", () => {
            const key = /Credential=([^/]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? "";
            seen.push(`${request.method} ${request.url?.split("?")[0]}${request.url?.includes("?") ? "?" + request.url.split("?")[1].split("=")[0] : ""} as ${key}`);
            if (key !== knownKey) {
                response.writeHead(403, { "content-type": "application/xml" });
                response.end("<Error><Code>InvalidAccessKeyId</Code><Message>The Access Key Id you provided does not exist in our records.</Message></Error>");
            } else if (request.url?.startsWith("/minio/admin/v3/user-info")) {
                response.writeHead(404, { "content-type": "application/json" });
                response.end(JSON.stringify({ Code: "XMinioAdminNoSuchUser", Message: "The specified user does not exist." }));
            } else if (request.url?.startsWith("/minio/admin/v3/info-canned-policy")) {
                response.writeHead(404, { "content-type": "application/json" });
                response.end(JSON.stringify({ Code: "XMinioAdminNoSuchPolicy", Message: "The canned policy does not exist." }));
            } else if (request.url?.includes("versioning")) {
                response.writeHead(200, { "content-type": "application/xml" });
                response.end("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>");
            } else {
                response.writeHead(404, { "content-type": "application/xml" });
                response.end("<Error><Code>NoSuchKey</Code></Error>");
            }
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

describe("MinIO zones with owners of their own", function () {
    let a: Site;
    let b: Site;
    const settingsWith = (zones: Record<string, unknown>, stack = { accessKey: "stack-key", secretKey: "stack-secret-key" }) =>
        resolveSettings((key) => ({ backend: "minio", zones: JSON.stringify(zones), maxRetries: "0", ...stack } as Record<string, string>)[key], {});

    beforeEach(async () => {
        a = await site("owner-a");
        b = await site("owner-b");
    });

    afterEach(async () => {
        await a.close();
        await b.close();
    });

    it("signs S3 and admin requests to each zone with that zone's own pair", async () => {
        const backend = openBackend(settingsWith({
            "site-a": { endpoint: a.endpoint, accessKey: "owner-a", secretKey: "owner-a-secret" },
            "site-b": { endpoint: b.endpoint, accessKey: "owner-b", secretKey: "owner-b-secret" },
        }));
        expect(await backend.getVersioning({ zone: "site-a", bucket: "x" })).to.equal("Enabled");
        expect(await backend.getVersioning({ zone: "site-b", bucket: "y" })).to.equal("Enabled");
        // An IamRole's read asks every zone's admin API for the user.
        expect(await backend.readRole("pbr-role", { id: "pbr-role", name: "pbr-role", description: "", editable: true, labels: {}, policy: {} })).to.equal(undefined);
        expect([...a.seen].sort()).to.deep.equal(["GET /minio/admin/v3/info-canned-policy?name as owner-a", "GET /minio/admin/v3/user-info?accessKey as owner-a", "GET /x?versioning as owner-a"]);
        expect([...b.seen].sort()).to.deep.equal(["GET /minio/admin/v3/info-canned-policy?name as owner-b", "GET /minio/admin/v3/user-info?accessKey as owner-b", "GET /y?versioning as owner-b"]);
    });

    it("signs with the stack's pair where a zone has none of its own", async () => {
        const backend = openBackend(settingsWith({
            "site-a": { endpoint: a.endpoint },
            "site-b": { endpoint: b.endpoint, accessKey: "owner-b", secretKey: "owner-b-secret" },
        }, { accessKey: "owner-a", secretKey: "owner-a-secret" }));
        await backend.getVersioning({ zone: "site-a", bucket: "x" });
        await backend.getVersioning({ zone: "site-b", bucket: "y" });
        expect(a.seen).to.deep.equal(["GET /x?versioning as owner-a"]);
        expect(b.seen).to.deep.equal(["GET /y?versioning as owner-b"]);
    });

    it("says, when a zone refuses the stack's pair, which settings give that zone its own, and shows no secret", async () => {
        const backend = openBackend(settingsWith({ "site-a": { endpoint: a.endpoint }, "site-b": { endpoint: b.endpoint } },
            { accessKey: "owner-a", secretKey: "owner-a-secret" }));
        const error: Error = await backend.getVersioning({ zone: "site-b", bucket: "y" }).then(() => { throw new Error("expected a refusal"); }, (e: Error) => e);
        expect(error.message).to.contain(`GetBucketVersioning of 'y' on zone 'site-b' (${b.endpoint}) failed: HTTP 403 InvalidAccessKeyId`);
        expect(error.message).to.contain("requests to zone site-b sign with the stack's key pair, 'bucket-replication:accessKey' and 'bucket-replication:secretKey'");
        expect(error.message).to.contain("give site-b that key pair as 'bucket-replication:zones.site-b.accessKey' and 'bucket-replication:zones.site-b.secretKey'");
        expect(error.message).to.not.contain("owner-a-secret");
    });

    it("says, when a zone refuses its own pair, that the zone's settings hold it, and shows no secret", async () => {
        const backend = openBackend(settingsWith({ "site-b": { endpoint: b.endpoint, accessKey: "someone-else", secretKey: "someone-else-secret" } }));
        const error: Error = await backend.getVersioning({ zone: "site-b", bucket: "y" }).then(() => { throw new Error("expected a refusal"); }, (e: Error) => e);
        expect(error.message).to.contain("requests to zone site-b sign with its own key pair, 'bucket-replication:zones.site-b.accessKey' and 'bucket-replication:zones.site-b.secretKey'");
        expect(error.message).to.not.contain("someone-else-secret");
        expect(error.message).to.not.contain("stack-secret-key");
    });

    it("takes each zone's own pair from a zones file that gives one (the owners pair's), and none from one that does not", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-zones-"));
        try {
            const owners = path.join(dir, "owners.json");
            fs.writeFileSync(owners, JSON.stringify({
                zones: { "local-a": { endpoint: "http://127.0.0.1:9150", accessKey: "pbr-owner-local-a", secretKey: "secret-a-123" }, "local-b": { endpoint: "http://127.0.0.1:9250", accessKey: "pbr-owner-local-b", secretKey: "secret-b-123" } },
                accessKey: "pbr-owner-local-a", secretKey: "secret-a-123",
            }));
            expect(findLocalZones({ PBR_LOCAL_ZONES: owners }, dir)?.zones).to.deep.equal({
                "local-a": { endpoint: "http://127.0.0.1:9150", credentials: { accessKey: "pbr-owner-local-a", secretKey: "secret-a-123" } },
                "local-b": { endpoint: "http://127.0.0.1:9250", credentials: { accessKey: "pbr-owner-local-b", secretKey: "secret-b-123" } },
            });
            const shared = path.join(dir, "shared.json");
            fs.writeFileSync(shared, JSON.stringify({ zones: { "local-a": { endpoint: "http://127.0.0.1:9100" } }, accessKey: "pbr-admin", secretKey: "secret-123" }));
            expect(findLocalZones({ PBR_LOCAL_ZONES: shared }, dir)?.zones).to.deep.equal({ "local-a": { endpoint: "http://127.0.0.1:9100" } });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
