import type { S3Client } from "@aws-sdk/client-s3";
import type { BackendSettings, BucketRef, RoleSpec, RoleState } from "../../provider/backends/backend";
import type { ExoscaleBackend, ExoscaleBackendOptions } from "../../provider/backends/exoscale/exoscaleBackend";
import { resolveSettings } from "../../provider/settings";
import type { RequestPolicy } from "../../provider/transport/retry";
import { type ContractServerOptions, type ExoscaleContractServer, startExoscaleContractServer } from "./exoscaleServer";
import { rejectionOf } from "../support/assertions";
export { rejectionOf };

// What the tests that drive the Exoscale backend directly against the contract server share.

export const fastPolls = { pollInterval: { initialMs: 5, maxMs: 20 } };

/** Short pauses and time limits, so that retries and give-ups happen within a test's time. */
export const quickRequests: RequestPolicy = { requestTimeoutMs: 2000, connectTimeoutMs: 1000, maxRetries: 3, backoffBaseMs: 10, backoffMaxMs: 40 };

/** The settings a stack pointed at the server resolves to (as a user would configure it), with quick requests. */
export function settingsFor(server: ExoscaleContractServer, overrides: Partial<BackendSettings> = {}): BackendSettings {
    const config: Record<string, string> = {
        backend: "exoscale",
        zones: JSON.stringify(server.zones),
        iamEndpoint: server.iamEndpoint,
        accessKey: server.credentials.accessKey,
        secretKey: server.credentials.secretKey,
        waitTimeoutSeconds: "2",
    };
    return { ...resolveSettings((key) => config[key], {}), requestPolicy: quickRequests, ...overrides };
}

/** A client of the zone's S3 API of its own, for writes and reads that do not go through the backend under test. */
export function independentS3(server: ExoscaleContractServer, zone: string): S3Client {
    const { S3Client } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    return new S3Client({
        endpoint: server.zones[zone].endpoint, region: zone, forcePathStyle: true,
        credentials: { accessKeyId: server.credentials.accessKey, secretAccessKey: server.credentials.secretKey },
        requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED",
    });
}

/** The identity the SDK would give an IamRole: 24 hex digits. */
export function identityOf(name: string): string {
    const { createHash } = require("node:crypto") as typeof import("node:crypto");
    return createHash("sha256").update(`test\0${name}`).digest("hex").slice(0, 24);
}

/** Creates the role as the IamRole provider does, with the identity of a resource named after the role. */
export function createRole(backend: ExoscaleBackend, spec: RoleSpec, log: (message: string) => void = () => undefined): Promise<RoleState> {
    return backend.createRole(spec, identityOf(spec.name), log);
}

/** Collects progress messages so that tests can see that long waits talk. */
export function progressLog(): { log: (message: string) => void; messages: string[] } {
    const messages: string[] = [];
    return { log: (message) => messages.push(message), messages };
}


let bucketCounter = 0;
export function uniqueBucket(zone: string, stem: string): BucketRef {
    bucketCounter += 1;
    return { zone, bucket: `${stem}-${process.pid}-${bucketCounter}` };
}

/** A new bucket of a unique name in `zone`, versioning enabled, as replication needs at both ends. */
export async function versionedBucket(backend: ExoscaleBackend, zone: string, stem: string): Promise<BucketRef> {
    const ref = uniqueBucket(zone, stem);
    await backend.createBucket(ref);
    await backend.putVersioning(ref, "Enabled");
    return ref;
}

export function roleSpec(name: string, overrides: Partial<RoleSpec> = {}): RoleSpec {
    return {
        name,
        description: `replication role ${name}`,
        editable: true,
        labels: { "managed-by": "pulumi-bucket-replication" },
        policy: { "default-service-strategy": "deny", services: { sos: { type: "allow" } } },
        ...overrides,
    };
}

/**
 * Registers the hooks of a suite that drives one backend against one contract server of its own:
 * started before, faults cleared after each test, closed after. Read `server` and `backend` inside tests.
 */
export function backendUnderContract(
    serverOptions: ContractServerOptions = {},
    settings: Partial<BackendSettings> = {},
    backendOptions: ExoscaleBackendOptions = fastPolls,
): { readonly server: ExoscaleContractServer; readonly backend: ExoscaleBackend } {
    const context = {} as { server: ExoscaleContractServer; backend: ExoscaleBackend };
    before(async () => {
        context.server = await startExoscaleContractServer(serverOptions);
        const { ExoscaleBackend } = require("../../provider/backends/exoscale/exoscaleBackend") as typeof import("../../provider/backends/exoscale/exoscaleBackend");
        context.backend = new ExoscaleBackend(settingsFor(context.server, settings), backendOptions);
    });
    afterEach(() => context.server.state.clearFaults());
    after(() => context.server.close());
    return context;
}
