import { expect } from "chai";
import { cancelEverything, CancelledError, resetCancellation } from "../../provider/transport/cancellation";
import { ServiceError } from "../../provider/transport/serviceError";
import { collectLog, ossBackendUnderContract, rejectionOf } from "./ossHarness";

// Bounded, retried, cancellable: the OSS and RAM clients against a contract server that injects faults.

/** V8's collector, made callable at run time (as --expose-gc would). */
function garbageCollector(): () => void {
    require("node:v8").setFlagsFromString("--expose-gc");
    return require("node:vm").runInNewContext("gc");
}

describe("contract: OSS backend under faults (503s, resets, stalls, cancellation)", function () {
    const suite = ossBackendUnderContract();
    const ref = { zone: "cn-hangzhou", bucket: "faulty-bucket" };
    afterEach(() => {
        suite.server.state.clearFaults();
        resetCancellation();
    });

    it("absorbs a transient 503 and a reset on an idempotent OSS call, logging each retry", async () => {
        await suite.backend.createBucket(ref);
        suite.server.state.injectFault({ kind: "503", operation: "GetBucketVersioning" });
        suite.server.state.injectFault({ kind: "reset", operation: "GetBucketVersioning" });
        const { log, messages } = collectLog();
        const answer = await suite.backend.oss.send({ zone: ref.zone, bucket: ref.bucket, method: "GET", query: { versioning: "" }, operation: "GetBucketVersioning of 'faulty-bucket'", log });
        expect(answer.status).to.equal(200);
        expect(messages).to.have.length(2);
        expect(messages[0]).to.match(/retrying GetBucketVersioning of 'faulty-bucket' on zone cn-hangzhou .* after HTTP 503 ServiceUnavailable/);
    });

    it("fails a persistent 503 after the retries, naming service, zone, endpoint, operation, status and code", async () => {
        suite.server.state.injectFault({ kind: "503", operation: "GetBucketTags", times: Infinity });
        const error = await rejectionOf(suite.backend.getBucketTags(ref));
        expect(error).to.be.instanceOf(ServiceError);
        expect(error.message).to.match(/^Alibaba OSS GetBucketTags of 'faulty-bucket' on zone 'cn-hangzhou' \(http:\/\/127\.0\.0\.1:\d+\) failed: HTTP 503 ServiceUnavailable: Please reduce your request rate/);
        expect(suite.server.state.requestsFor("GetBucketTags").filter((r) => r.code === "fault:503")).to.have.length(3);
    });

    it("retries RAM reads after a 503, and sends a create only once", async () => {
        suite.server.state.injectFault({ kind: "503", operation: "GetRole" });
        expect(await suite.backend.readRole("nobody", { id: "nobody", name: "nobody", description: "", editable: true, labels: {}, policy: {} })).to.equal(undefined);
        suite.server.state.injectFault({ kind: "503", operation: "CreateRole", times: Infinity });
        const error = await rejectionOf(suite.backend.createRole({ name: "once", description: "", editable: true, labels: {}, policy: { Version: "1", Statement: [{ Effect: "Allow", Action: "oss:ReplicateGet", Resource: "*" }] } }, "abc", () => undefined));
        expect(error.message).to.match(/^Alibaba RAM CreateRole of role 'once' on zone 'global' \(http:\/\/127\.0\.0\.1:\d+\) failed: HTTP 503 ServiceUnavailable/);
        expect(suite.server.state.requestsFor("CreateRole")).to.have.length(1);
    });

    it("bounds a request that gets no answer by the request time limit, even after a garbage collection", async () => {
        suite.server.state.injectFault({ kind: "stall", operation: "GetBucketInfo", times: Infinity });
        const started = Date.now();
        // A collection while the request waits: under Node 20, AbortSignal.any() holds its sources weakly,
        // so a timeout signal nothing else references is collected and never fires.
        const collect = setTimeout(() => garbageCollector()(), 200);
        const outcome = await Promise.race([
            rejectionOf(suite.backend.bucketExists(ref)),
            new Promise<Error>((resolve) => setTimeout(() => resolve(new Error("still waiting after 15 s")), 15_000)),
        ]);
        clearTimeout(collect);
        const error = outcome;
        expect(error.message, "a stalled request must end at 'requestTimeoutSeconds' (3 s a try here); see requestSignal in provider/transport/cancellation.ts")
            .to.not.equal("still waiting after 15 s");
        expect(error).to.be.instanceOf(ServiceError);
        expect((error as ServiceError).code, error.message).to.equal("Timeout");
        expect(Date.now() - started).to.be.below(20_000);
    });

    it("stops a stalled request within 2 s of cancellation", async () => {
        suite.server.state.injectFault({ kind: "stall", operation: "GetBucketReplication", times: Infinity });
        const started = Date.now();
        const pending = rejectionOf(suite.backend.getReplication(ref, { source: ref, role: { id: "r", name: "r", description: "", editable: true, labels: {}, policy: {} }, rules: [] }));
        setTimeout(() => cancelEverything(), 200);
        const error = await pending;
        expect(error).to.be.instanceOf(CancelledError);
        expect(Date.now() - started).to.be.below(2200);
    });
});
