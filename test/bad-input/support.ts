import { expect } from "chai";
import * as net from "net";
import { configureFrom } from "../../provider/context";

/**
 * Shared by the bad-input suite. Providers are configured with zones whose endpoints are a local TCP
 * listener that only counts connections: a check that reached out to a service would show up there,
 * so every in-process case can assert that nothing was asked of any server, let alone created.
 */
export class ConnectionCounter {
    connections = 0;
    private server?: net.Server;
    port = 0;

    async start(): Promise<void> {
        this.server = net.createServer((socket) => {
            this.connections += 1;
            socket.destroy();
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.port = (this.server.address() as net.AddressInfo).port;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    }

    get endpoint(): string {
        return `http://127.0.0.1:${this.port}`;
    }
}

/** Configures the providers of this process as a stack with `config` (short keys) would. */
export function configureStack(config: Record<string, string>): void {
    configureFrom({ config: { get: (key: string) => config[key.replace(/^bucket-replication:/, "")] } });
}

/** The configuration of a MinIO stack with two zones, `zone-a` and `zone-b`, both at `endpoint`. */
export function minioStack(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
        backend: "minio",
        zones: JSON.stringify({ "zone-a": { endpoint }, "zone-b": { endpoint } }),
        accessKey: "bad-input-access",
        secretKey: "bad-input-secret",
        ...extra,
    };
}

/**
 * For a mocha suite: zones at a counting listener for the whole suite, and after every test the
 * assertion that no request reached them.
 */
export function countingZones(): ConnectionCounter {
    const counter = new ConnectionCounter();
    before(async () => {
        await counter.start();
        configureStack(minioStack(counter.endpoint));
    });
    after(async () => {
        configureStack(minioStack(counter.endpoint));
        await counter.stop();
    });
    afterEach(() => expect(counter.connections, "requests made to a server by check()").to.equal(0));
    return counter;
}

export interface Failure {
    readonly property: string;
    readonly reason: string;
}

/**
 * Asserts that `failures` hold one for `property` whose reason contains every phrase in `says`:
 * the key it concerns and what to do about it.
 */
export function expectFailure(failures: readonly Failure[] | undefined, property: string, ...says: string[]): void {
    const matching = (failures ?? []).filter((f) => f.property === property);
    expect(matching, `a failure on '${property}' among ${JSON.stringify(failures, null, 1)}`).to.not.be.empty;
    const reasons = matching.map((f) => f.reason).join("\n");
    for (const phrase of says) expect(reasons, `failure on '${property}'`).to.contain(phrase);
}

/** A unique token per run, for names that claimName() remembers for the life of the process. */
export const runToken = Date.now().toString(36);
