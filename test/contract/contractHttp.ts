import type * as http from "http";
import type { AddressInfo } from "net";

/** What every local contract server shares: a free port of 127.0.0.1, and a whole request body per call. */

export function listen(server: http.Server): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
}

/** Reads the body, then lets `handle` answer; a bug in the server answers 500 with its stack, for the test to show. */
export async function serve(req: http.IncomingMessage, res: http.ServerResponse, handle: (body: Buffer) => Promise<void>): Promise<void> {
    try {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        await handle(Buffer.concat(chunks));
    } catch (error) {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`contract server failure: ${(error as Error).stack}`);
    }
}

/** Stops the servers, cutting the connections clients keep alive. */
export async function closeAll(servers: readonly http.Server[]): Promise<void> {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
    })));
}
