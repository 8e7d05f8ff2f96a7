import { expect } from "chai";
import * as http from "http";
import type { AddressInfo } from "net";
import { provider } from "../../provider/replicationConfiguration";
import { configureStack } from "../bad-input/support";

// Issue 17, finding 6: the preview's question to the service (OSS replication locations) turned wrong
// credentials, a 5xx or a bug into "no problem", silently. Now the preview still passes (up asks again),
// but a warning says which zone could not be asked and why. Outside the engine the warning goes to stderr.

describe("the preview's service check of replication rules", () => {
    let server: http.Server;
    let answer: { status: number; body: string } = { status: 503, body: "" };
    let endpoint = "";

    before(async () => {
        server = http.createServer((_request, response) => {
            response.writeHead(answer.status, { "content-type": "application/xml" });
            response.end(answer.body);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    async function checkWithStderr(): Promise<{ failures: unknown[]; stderr: string }> {
        configureStack({
            backend: "oss",
            zones: JSON.stringify({ "cn-hangzhou": { endpoint, region: "cn-hangzhou" }, "cn-shanghai": { endpoint, region: "cn-shanghai" } }),
            accessKey: "preview-check-access",
            secretKey: "preview-check-secret",
            maxRetries: "0",
        });
        const written: string[] = [];
        const write = process.stderr.write;
        process.stderr.write = ((chunk: string) => { written.push(String(chunk)); return true; }) as typeof process.stderr.write;
        try {
            const result = await provider.check!({} as any, {
                bucket: "src", zone: "cn-hangzhou", role: { id: "acs:ram::1:role/replicator", name: "replicator" },
                rules: { "to-shanghai": { priority: 1, destination: { bucket: "dst", zone: "cn-shanghai" } } },
            } as any);
            return { failures: result.failures ?? [], stderr: written.join("") };
        } finally {
            process.stderr.write = write;
        }
    }

    it("warns, naming the zone and the cause, when the service answers 5xx", async () => {
        answer = { status: 503, body: "<Error><Code>ServiceUnavailable</Code><Message>try later</Message></Error>" };
        const { failures, stderr } = await checkWithStderr();
        expect(failures).to.deep.equal([]);
        expect(stderr).to.contain("could not ask zone cn-hangzhou").and.to.contain(endpoint).and.to.contain("503");
    });

    it("warns when the credentials are refused", async () => {
        answer = { status: 403, body: "<Error><Code>InvalidAccessKeyId</Code><Message>The OSS Access Key Id you provided does not exist in our records.</Message></Error>" };
        const { failures, stderr } = await checkWithStderr();
        expect(failures).to.deep.equal([]);
        expect(stderr).to.contain("could not ask zone cn-hangzhou").and.to.contain("InvalidAccessKeyId");
    });
});
