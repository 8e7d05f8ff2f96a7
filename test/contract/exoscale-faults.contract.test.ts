import { expect } from "chai";
import { ownerLabelKey, ownerLabelValue } from "../../provider/backends/exoscale";
import { ExoscaleBackend } from "../../provider/backends/exoscale/exoscaleBackend";
import { cancelEverything, CancelledError, resetCancellation } from "../../provider/transport/cancellation";
import { ServiceError } from "../../provider/transport/serviceError";
import type { ContractRole, ExoscaleContractServer, RecordedRequest } from "./exoscaleServer";
import {
    backendUnderContract, createRole, fastPolls, identityOf, progressLog, quickRequests, rejectionOf, roleSpec, settingsFor, uniqueBucket,
} from "./exoscaleHarness";

// The Exoscale backend against the local contract server (test/contract/exoscaleServer.ts) while the server
// injects faults: what a retry absorbs, what fails and how it says so, who owns a role, and how fast a
// cancel stops. Assertions read the server's own state, never the backend's answers alone.

const retries = quickRequests.maxRetries;

/** Requests the server gets from now on, for assertions about one test's traffic. */
function requestsFromNow(server: ExoscaleContractServer): (operation?: string) => RecordedRequest[] {
    const from = server.state.requests.length;
    return (operation) => server.state.requests.slice(from).filter((r) => operation === undefined || r.operation === operation);
}

function rolesNamed(server: ExoscaleContractServer, name: string): ContractRole[] {
    return [...server.state.roles.values()].filter((role) => role.name === name);
}

describe("contract: Exoscale transient faults are absorbed (local contract server)", () => {
    const suite = backendUnderContract({ pendingPolls: 1 });

    it("a 503 on every IAM call of a create, an update and a delete, once each", async () => {
        for (const operation of ["list-iam-roles", "get-operation", "get-iam-role", "update-iam-role", "update-iam-role-policy", "delete-iam-role"]) {
            suite.server.state.injectFault({ kind: "503", operation });
        }
        const { log, messages } = progressLog();
        const role = await createRole(suite.backend, roleSpec("through-503"), log);
        expect(rolesNamed(suite.server, "through-503").map((r) => r.id)).to.deep.equal([role.id]);
        const changed = { ...role, description: "changed", labels: { team: "storage" }, policy: { "default-service-strategy": "deny", services: {} } };
        await suite.backend.updateRole(role, changed, log);
        expect(suite.server.state.roles.get(role.id)).to.deep.include({ description: "changed", policy: changed.policy });
        await suite.backend.deleteRole(role, log);
        expect(rolesNamed(suite.server, "through-503")).to.deep.equal([]);

        expect(suite.server.state.faultedRequests().map((r) => r.operation)).to.have.members(
            ["list-iam-roles", "get-operation", "get-iam-role", "update-iam-role", "update-iam-role-policy", "delete-iam-role"]);
        expect(messages.some((m) => m.includes("retrying list-iam-roles on zone iam"))).to.equal(true);
    });

    it("a 500 and a reset on polls of an operation", async () => {
        const sent = requestsFromNow(suite.server);
        suite.server.state.injectFault({ kind: "500", operation: "get-operation" });
        suite.server.state.injectFault({ kind: "reset", operation: "get-operation" });
        const role = await createRole(suite.backend, roleSpec("through-reset"));
        expect(suite.server.state.roles.get(role.id)?.name).to.equal("through-reset");
        expect(sent("get-operation").map((r) => r.fault ?? r.status)).to.deep.equal(["500", "reset", 200, 200]);
    });

    it("a stalled IAM request: given up after the request time limit and sent again", async () => {
        const patient = new ExoscaleBackend(settingsFor(suite.server, { requestPolicy: { ...quickRequests, requestTimeoutMs: 300 } }), fastPolls);
        suite.server.state.injectFault({ kind: "stall", operation: "get-iam-role" });
        const role = await createRole(patient, roleSpec("through-stall"));
        const sent = requestsFromNow(suite.server);
        const started = Date.now();
        expect((await patient.readRole(role.id, role))?.id).to.equal(role.id);
        expect(Date.now() - started).to.be.within(250, 2000);
        expect(sent("get-iam-role").map((r) => r.fault ?? r.status)).to.deep.equal(["stall", 200]);
    });

    it("a create that is reset before it arrives: sent again after looking for the role, one role in the end", async () => {
        suite.server.state.injectFault({ kind: "reset", operation: "create-iam-role" });
        const { log, messages } = progressLog();
        const role = await createRole(suite.backend, roleSpec("create-reset"), log);
        expect(rolesNamed(suite.server, "create-reset").map((r) => r.id)).to.deep.equal([role.id]);
        expect(suite.server.state.requestsFor("create-iam-role").filter((r) => JSON.parse(r.body).name === "create-reset")).to.have.length(2);
        expect(messages.some((m) => m.includes("looking for the role before trying again"))).to.equal(true);
    });

    it("a create carried out whose answer is lost: the role is found by name and owner label and adopted, not made twice", async () => {
        suite.server.state.injectFault({ kind: "lost-answer", operation: "create-iam-role" });
        const { log, messages } = progressLog();
        const spec = roleSpec("create-lost");
        const role = await createRole(suite.backend, spec, log);
        const made = rolesNamed(suite.server, "create-lost");
        expect(made.map((r) => r.id)).to.deep.equal([role.id]);
        expect(made[0].labels).to.deep.equal({ ...spec.labels, [ownerLabelKey]: ownerLabelValue(identityOf("create-lost")) });
        expect(suite.server.state.requestsFor("create-iam-role").filter((r) => JSON.parse(r.body).name === "create-lost")).to.have.length(1);
        expect(messages.some((m) => m.includes("was made by the unanswered attempt; adopting it"))).to.equal(true);
        expect(role).to.deep.equal({ ...spec, id: role.id });
    });

    it("SOS: a 503 SlowDown, a 500 and a reset on bucket calls, and a bucket create whose answer is lost", async () => {
        const ref = uniqueBucket("ch-dk-2", "faulty");
        suite.server.state.injectFault({ kind: "lost-answer", operation: "CreateBucket", zone: "ch-dk-2" });
        suite.server.state.injectFault({ kind: "503", operation: "PutBucketVersioning", zone: "ch-dk-2" });
        suite.server.state.injectFault({ kind: "500", operation: "GetBucketVersioning", zone: "ch-dk-2" });
        suite.server.state.injectFault({ kind: "reset", operation: "PutBucketTagging", zone: "ch-dk-2" });
        // The repeat finds the bucket the lost attempt made, and counts it as this create's.
        expect(await suite.backend.createBucket(ref)).to.equal("created");
        await suite.backend.putVersioning(ref, "Enabled");
        expect(await suite.backend.getVersioning(ref)).to.equal("Enabled");
        await suite.backend.putBucketTags(ref, { team: "storage" });
        expect(suite.server.state.buckets.get(ref.bucket)).to.deep.include({ versioning: "Enabled", tags: { team: "storage" } });
        expect(suite.server.state.faultedRequests().filter((r) => r.service === "sos").map((r) => `${r.operation} ${r.fault}`)).to.have.members([
            "CreateBucket lost-answer", "PutBucketVersioning 503", "GetBucketVersioning 500", "PutBucketTagging reset",
        ]);
    });
});

describe("contract: Exoscale persistent faults fail in the shared error shape (local contract server)", () => {
    const suite = backendUnderContract({ pendingPolls: 1 });

    it("IAM answering 503 for ever: tried 1 + maxRetries times, then an error naming service, zone, endpoint, operation and status", async () => {
        suite.server.state.injectFault({ kind: "503", operation: "list-iam-roles", times: Infinity });
        const before = suite.server.state.requestsFor("list-iam-roles").length;
        const error = await rejectionOf(createRole(suite.backend, roleSpec("never-503")));
        expect(error).to.be.instanceOf(ServiceError);
        expect(error).to.deep.include({ zone: "iam", endpoint: suite.server.iamEndpoint, operation: "list-iam-roles", httpStatus: 503, code: "ServiceUnavailable" });
        expect(error.message).to.contain(`Exoscale IAM list-iam-roles on zone 'iam' (${suite.server.iamEndpoint}) failed: HTTP 503 ServiceUnavailable`)
            .and.to.contain("Service temporarily unavailable").and.to.contain("maxRetries");
        expect(error.message).not.to.match(/\n\s+at /);
        expect(suite.server.state.requestsFor("list-iam-roles").length - before).to.equal(1 + retries);
        expect(suite.server.state.requestsFor("create-iam-role").filter((r) => JSON.parse(r.body).name === "never-503")).to.deep.equal([]);
    });

    it("a create answered 500 every time: sent 1 + maxRetries times, looked for in between, nothing left behind", async () => {
        suite.server.state.injectFault({ kind: "500", operation: "create-iam-role", times: Infinity });
        const error = await rejectionOf(createRole(suite.backend, roleSpec("never-500")));
        expect(error).to.deep.include({ operation: "create-iam-role 'never-500'", httpStatus: 500 });
        expect(error.message).to.contain("Exoscale IAM create-iam-role 'never-500' on zone 'iam'").and.to.contain("HTTP 500 InternalServerError")
            .and.to.contain("No role 'never-500' is left behind");
        expect(suite.server.state.requestsFor("create-iam-role").filter((r) => JSON.parse(r.body).name === "never-500")).to.have.length(1 + retries);
        expect(rolesNamed(suite.server, "never-500")).to.deep.equal([]);
    });

    it("every answer to an operation poll lost: an error naming the operation polled and what it waited for; the half-made role is deleted", async () => {
        // Each poll is carried out (so the create's operation ends on the suite.server) but its answer is lost.
        suite.server.state.injectFault({ kind: "lost-answer", operation: "get-operation", times: retries + 1 });
        const error = await rejectionOf(createRole(suite.backend, roleSpec("never-polled")));
        expect(error).to.deep.include({ code: "ECONNRESET", zone: "iam" });
        expect((error as ServiceError).operation).to.match(/^get-operation [0-9a-f-]+ \(of create-iam-role 'never-polled'\)$/);
        expect(error.message).to.contain("iamEndpoint");
        // The operation ended on the server meanwhile; the undo found the role by its label and deleted it.
        expect(error.message).to.contain("was deleted again");
        expect(rolesNamed(suite.server, "never-polled")).to.deep.equal([]);
    });

    it("IAM that never answers: each attempt ends at the request time limit, and the error says which setting raises it", async () => {
        const impatient = new ExoscaleBackend(settingsFor(suite.server, { requestPolicy: { ...quickRequests, requestTimeoutMs: 200, maxRetries: 1 } }), fastPolls);
        suite.server.state.injectFault({ kind: "stall", operation: "list-iam-roles", times: Infinity });
        const started = Date.now();
        const error = await rejectionOf(createRole(impatient, roleSpec("never-answered")));
        expect(Date.now() - started).to.be.lessThan(2000);
        expect(error).to.deep.include({ code: "Timeout", operation: "list-iam-roles", endpoint: suite.server.iamEndpoint });
        expect(error.message).to.contain("requestTimeoutSeconds").and.to.contain("Exoscale IAM list-iam-roles on zone 'iam'");
    });

    it("SOS answering 503 SlowDown for ever: an error naming the zone, endpoint, operation and status", async () => {
        const ref = uniqueBucket("at-vie-1", "slow-down");
        await suite.backend.createBucket(ref);
        suite.server.state.injectFault({ kind: "503", operation: "PutBucketVersioning", zone: "at-vie-1", times: Infinity });
        const error = await rejectionOf(suite.backend.putVersioning(ref, "Enabled"));
        expect(error).to.deep.include({ zone: "at-vie-1", endpoint: suite.server.zones["at-vie-1"].endpoint, httpStatus: 503, code: "SlowDown" });
        expect(error.message).to.contain(`Exoscale SOS PutBucketVersioning of '${ref.bucket}' on zone 'at-vie-1' (${suite.server.zones["at-vie-1"].endpoint}) failed: HTTP 503 SlowDown`);
        expect(suite.server.state.requestsFor("PutBucketVersioning").filter((r) => r.path.replace(/\/$/, "") === `/${ref.bucket}`)).to.have.length(1 + retries);
        expect(suite.server.state.buckets.get(ref.bucket)?.versioning).to.equal("Unversioned");
    });

    it("SOS resetting every connection: retried, then an error naming the zone, endpoint and operation", async () => {
        const ref = uniqueBucket("ch-dk-2", "reset");
        await suite.backend.createBucket(ref);
        suite.server.state.injectFault({ kind: "reset", operation: "GetBucketTagging", zone: "ch-dk-2", times: Infinity });
        const sent = requestsFromNow(suite.server);
        const error = await rejectionOf(suite.backend.getBucketTags(ref));
        // The code is not asserted: the shared conversion reports the SDK's reset as a Timeout (see the report of this change).
        expect(error).to.be.instanceOf(ServiceError);
        expect(error).to.deep.include({ zone: "ch-dk-2", endpoint: suite.server.zones["ch-dk-2"].endpoint, retryable: true });
        expect(error.message).to.contain(`Exoscale SOS GetBucketTagging of '${ref.bucket}' on zone 'ch-dk-2' (${suite.server.zones["ch-dk-2"].endpoint}) failed`);
        expect(sent("GetBucketTagging").map((r) => r.fault)).to.deep.equal(Array(1 + retries).fill("reset"));
    });
});

describe("contract: Exoscale roles are adopted only when this resource made them (local contract server)", () => {
    const suite = backendUnderContract({ pendingPolls: 1 });

    /** Puts a role on the server as another tool, or an earlier run, would have left it. */
    function existingRole(name: string, labels: Record<string, string>): ContractRole {
        const role: ContractRole = {
            id: require("node:crypto").randomUUID(), name, description: "made elsewhere", editable: true, labels, permissions: [],
            policy: { "default-service-strategy": "allow", services: {} },
        };
        suite.server.state.roles.set(role.id, role);
        return role;
    }

    it("a re-run adopts the role its interrupted run made, and brings it to the program: same UUID, no second create", async () => {
        const spec = roleSpec("interrupted", { description: "as the program says", labels: { team: "storage" } });
        const leftover = existingRole("interrupted", { [ownerLabelKey]: ownerLabelValue(identityOf("interrupted")) });
        const creates = suite.server.state.requestsFor("create-iam-role").length;
        const { log, messages } = progressLog();

        const role = await createRole(suite.backend, spec, log);
        expect(role).to.deep.equal({ ...spec, id: leftover.id });
        expect(rolesNamed(suite.server, "interrupted")).to.have.length(1);
        expect(suite.server.state.roles.get(leftover.id)).to.deep.include({
            description: "as the program says", policy: spec.policy,
            labels: { team: "storage", [ownerLabelKey]: ownerLabelValue(identityOf("interrupted")) },
        });
        expect(suite.server.state.requestsFor("create-iam-role")).to.have.length(creates);
        expect(messages[0]).to.contain("earlier, interrupted run of this resource; adopting it");
        // What the program reads back is its own: the owner label is not a label of the program's.
        expect(await suite.backend.readRole(role.id, role)).to.deep.equal(role);
    });

    it("refuses a role of that name made outside this package, changing nothing, and says whose and what to do", async () => {
        const foreign = existingRole("taken", { team: "someone-else" });
        const before = JSON.stringify(suite.server.state.roles.get(foreign.id));
        const mutations = suite.server.state.requests.filter((r) => r.method !== "GET").length;
        const error = await rejectionOf(createRole(suite.backend, roleSpec("taken")));
        expect(error.message).to.contain("IAM role 'taken' cannot be created").and.to.contain(foreign.id)
            .and.to.contain(`without the label ${ownerLabelKey}`).and.to.contain("Nothing was changed")
            .and.to.contain("'name'").and.to.contain("'adoptExisting: true'").and.to.contain(`exo iam role delete ${foreign.id}`);
        expect(JSON.stringify(suite.server.state.roles.get(foreign.id))).to.equal(before);
        expect(suite.server.state.requests.filter((r) => r.method !== "GET")).to.have.length(mutations);
    });

    it("takes over someone else's role of that name when 'adoptExisting' asks, and marks it as this resource's", async () => {
        const foreign = existingRole("taken-over", { team: "someone-else" });
        const spec = { ...roleSpec("taken-over"), adoptExisting: true };
        const creates = suite.server.state.requestsFor("create-iam-role").length;
        const role = await createRole(suite.backend, spec);
        expect(role.id).to.equal(foreign.id);
        expect(suite.server.state.roles.get(foreign.id)).to.deep.include({
            description: spec.description, policy: spec.policy, labels: { ...spec.labels, [ownerLabelKey]: ownerLabelValue(identityOf("taken-over")) },
        });
        expect(suite.server.state.requestsFor("create-iam-role")).to.have.length(creates);
        expect((await suite.backend.readRole(role.id, role))?.labels).to.deep.equal(spec.labels);
    });

    it("refuses 'adoptExisting' when several roles have that name, changing nothing", async () => {
        const first = existingRole("ambiguous", {});
        const second = existingRole("ambiguous", {});
        const mutations = suite.server.state.requests.filter((r) => r.method !== "GET").length;
        const error = await rejectionOf(createRole(suite.backend, { ...roleSpec("ambiguous"), adoptExisting: true }));
        expect(error.message).to.contain("cannot be adopted").and.to.contain(first.id).and.to.contain(second.id).and.to.contain("Nothing was changed");
        expect(suite.server.state.requests.filter((r) => r.method !== "GET")).to.have.length(mutations);
    });

    it("refuses a role of that name that another resource or stack made", async () => {
        existingRole("other-stack", { [ownerLabelKey]: ownerLabelValue(identityOf("another resource")) });
        const error = await rejectionOf(createRole(suite.backend, roleSpec("other-stack")));
        expect(error.message).to.contain("made by another Pulumi resource or stack").and.to.contain("Nothing was changed");
        expect(rolesNamed(suite.server, "other-stack")).to.have.length(1);
    });

    it("a create sweeps away a copy that an earlier, interrupted create of the same resource finished meanwhile", async () => {
        const copy = existingRole("late-copy", { [ownerLabelKey]: ownerLabelValue(identityOf("late-copy")) });
        const foreign = existingRole("late-copy-neighbour", { [ownerLabelKey]: ownerLabelValue(identityOf("late-copy")) });
        // The copy shows up only after the ownership check, as a create that Exoscale finishes late would.
        suite.server.state.roles.delete(copy.id);
        suite.server.state.onRequest = (request) => {
            if (request.operation === "create-iam-role") suite.server.state.roles.set(copy.id, copy);
        };
        const { log, messages } = progressLog();
        const role = await createRole(suite.backend, roleSpec("late-copy"), log).finally(() => { suite.server.state.onRequest = undefined; });
        expect(rolesNamed(suite.server, "late-copy").map((r) => r.id)).to.deep.equal([role.id]);
        expect(messages.some((m) => m.includes(`(${copy.id}): a second copy`))).to.equal(true);
        // A role of another name is never swept, whatever its label.
        expect(suite.server.state.roles.has(foreign.id)).to.equal(true);
    });

    it("a delete also removes copies of the role that interrupted creates of the same resource left", async () => {
        const role = await createRole(suite.backend, roleSpec("with-copies"));
        const copy = existingRole("with-copies", { [ownerLabelKey]: ownerLabelValue(identityOf("with-copies")) });
        const other = existingRole("with-copies", { [ownerLabelKey]: ownerLabelValue(identityOf("another resource")) });
        await suite.backend.deleteRole(role, () => undefined);
        expect(suite.server.state.roles.has(role.id)).to.equal(false);
        expect(suite.server.state.roles.has(copy.id)).to.equal(false);
        expect(suite.server.state.roles.has(other.id)).to.equal(true);
    });

    it("keeps the owner label through label updates, and refuses it as a label of the program's", async () => {
        const role = await createRole(suite.backend, roleSpec("relabelled"));
        await suite.backend.updateRole(role, { ...role, labels: { env: "prod" } }, () => undefined);
        expect(suite.server.state.roles.get(role.id)?.labels).to.deep.equal({ env: "prod", [ownerLabelKey]: ownerLabelValue(identityOf("relabelled")) });
        const error = await rejectionOf(suite.backend.updateRole(role, { ...role, labels: { [ownerLabelKey]: "mine" } }, () => undefined));
        expect(error.message).to.contain(`'${ownerLabelKey}'`).and.to.contain("reserved").and.to.contain("'labels'");
        const refused = await rejectionOf(createRole(suite.backend, roleSpec("self-labelled", { labels: { [ownerLabelKey]: "mine" } })));
        expect(refused.message).to.contain("reserved");
        expect(rolesNamed(suite.server, "self-labelled")).to.deep.equal([]);
    });
});

describe("contract: Exoscale cancellation stops requests and waits within 2 s (local contract server)", () => {
    // Long limits, so that only the cancel can end the calls early.
    const suite = backendUnderContract({ pendingPolls: 1 }, {
        waitTimeoutMs: 60_000, requestPolicy: { ...quickRequests, requestTimeoutMs: 60_000, backoffBaseMs: 1000, backoffMaxMs: 5000 },
    }, { pollInterval: { initialMs: 1000, maxMs: 5000 } });
    afterEach(() => {
        resetCancellation();
        suite.server.state.pendingPolls = 1;
    });

    async function cancelledAfter(ms: number, work: Promise<unknown>): Promise<{ error: Error; stoppedWithinMs: number }> {
        await new Promise((resolve) => setTimeout(resolve, ms));
        const cancelledAt = Date.now();
        cancelEverything();
        const error = await rejectionOf(work);
        return { error, stoppedWithinMs: Date.now() - cancelledAt };
    }

    it("while waiting for a create's operation: stops, sends nothing more, and the role it may leave carries the label a re-run adopts", async () => {
        suite.server.state.pendingPolls = 1_000_000;
        const { error, stoppedWithinMs } = await cancelledAfter(1500, createRole(suite.backend, roleSpec("cancelled-wait")));
        expect(error).to.be.instanceOf(CancelledError);
        expect(error.message).to.contain("pulumi up");
        expect(stoppedWithinMs).to.be.lessThan(2000);
        const sent = suite.server.state.requests.length;
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(suite.server.state.requests.length).to.equal(sent);
        const pending = suite.server.state.requestsFor("create-iam-role").filter((r) => JSON.parse(r.body).name === "cancelled-wait");
        expect(pending).to.have.length(1);
        expect(JSON.parse(pending[0].body).labels[ownerLabelKey]).to.equal(ownerLabelValue(identityOf("cancelled-wait")));
    });

    it("during a request that gets no answer", async () => {
        suite.server.state.injectFault({ kind: "stall", operation: "list-iam-roles" });
        const { error, stoppedWithinMs } = await cancelledAfter(300, createRole(suite.backend, roleSpec("cancelled-request")));
        expect(error).to.be.instanceOf(CancelledError);
        expect(stoppedWithinMs).to.be.lessThan(2000);
    });

    it("during the pause between retries", async () => {
        suite.server.state.injectFault({ kind: "503", operation: "get-iam-role", times: Infinity });
        const { error, stoppedWithinMs } = await cancelledAfter(300, suite.backend.readRole("00000000-0000-4000-8000-000000000000",
            { id: "00000000-0000-4000-8000-000000000000", ...roleSpec("any") }));
        expect(error).to.be.instanceOf(CancelledError);
        expect(stoppedWithinMs).to.be.lessThan(2000);
    });
});
