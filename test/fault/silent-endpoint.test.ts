import { expect } from "chai";
import * as net from "net";
import type { AddressInfo } from "net";
import { openBackend } from "../../provider/backends/registry";
import { resolveSettings } from "../../provider/settings";
import { setFallbackProgressLog } from "../../provider/transport/retry";
import { ServiceError } from "../../provider/transport/serviceError";
import { rejectionOf } from "../support/assertions";

/**
 * Issue 17, finding 7, with the settings a user gets when they set none: a zone whose endpoint
 * accepts the connection and never answers (a mistyped port) is named in a progress line at the
 * first silence and fails within about a minute, instead of five answer limits (five minutes).
 * Needs no MinIO: the zone is a local TCP server that never sends a byte.
 */
describe("fault: a zone endpoint that accepts and never answers, under the default request policy", function () {
    this.timeout(120_000);

    it("says so after 10 s and fails within 70 s, naming the zone, the endpoint and what to check", async () => {
        const sockets = new Set<net.Socket>();
        let connections = 0;
        const server = net.createServer((socket) => { connections++; sockets.add(socket); socket.resume(); socket.on("close", () => sockets.delete(socket)); });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const config: Record<string, string> = { backend: "minio", zones: JSON.stringify({ "local-a": { endpoint } }), accessKey: "fault-access", secretKey: "fault-secret-key" };
        const backend = openBackend(resolveSettings((key) => config[key], {}));
        const lines: { at: number; message: string }[] = [];
        const started = Date.now();
        const previous = setFallbackProgressLog((message) => lines.push({ at: Date.now() - started, message }));
        try {
            const error = await rejectionOf(backend.getVersioning({ zone: "local-a", bucket: "photos" }));
            const elapsed = Date.now() - started;
            expect(error).to.be.instanceOf(ServiceError);
            expect(error).to.deep.include({ zone: "local-a", endpoint, code: "Timeout" });
            expect(error.message).to.contain("no answer within 30000 ms, on each of 2 attempts: the endpoint accepted the connection but never answered")
                .and.contain("'bucket-replication:zones'").and.contain("host and port");
            expect(elapsed, "about a minute, not five").to.be.below(70_000);
            expect(connections, "tried once more only").to.equal(2);
            const notice = lines.find((line) => line.message.includes("still waiting"));
            expect(notice, JSON.stringify(lines)).to.not.equal(undefined);
            expect(notice!.message).to.match(new RegExp(`^no answer from zone local-a at ${endpoint.replace(/\./g, "\\.")} for GetBucketVersioning of 'photos' after 10 s; still waiting…$`));
            expect(notice!.at, "at the first silence").to.be.within(9_000, 15_000);
        } finally {
            setFallbackProgressLog(previous);
            sockets.forEach((socket) => socket.destroy());
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    });
});
