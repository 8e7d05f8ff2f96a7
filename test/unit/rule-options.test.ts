import { expect } from "chai";
import { ruleOptionInUse, type RuleCheck, type RuleOption } from "../../provider/common/rule";
import { knownBackends, ruleProblemsFor } from "../../provider/backends/registry";

// The rule model (provider/common/rule.ts) declares each service option once; every backend lists those it
// takes (its ruleOptions.ts), and the registry refuses the rest, so that a new option is refused by every
// service that does not list it, without a word in their folders.

/** A value that uses each option. */
const inUse: { readonly [K in RuleOption]: RuleCheck[K] } = {
    tags: { team: "storage" },
    prefixes: ["logs/"],
    deleteReplication: true,
    existingObjectReplication: true,
    replicaModifications: true,
    sseKms: { replicateEncryptedObjects: true, replicaKmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc" },
    replicationTimeControl: true,
    transferType: "oss_acc",
    bandwidthLimit: 200_000_000,
    synchronous: true,
    healthCheckPeriod: 30,
    resync: "2026-12-04",
    metrics: true,
    destinationAccount: "111122223333",
    ownerOverride: true,
};

describe("rule options: each service takes what it lists and refuses the rest", () => {
    for (const backend of knownBackends) {
        const { ruleOptions } = require(`../../provider/backends/${backend}`) as { ruleOptions: { takes: readonly RuleOption[] } };
        for (const option of Object.keys(ruleOptionInUse) as RuleOption[]) {
            const takes = ruleOptions.takes.includes(option);
            it(`${backend} ${takes ? "takes" : "refuses"} '${option}'`, () => {
                const rule = { priority: 1, destination: { bucket: "b", zone: "z" }, [option]: inUse[option] } as RuleCheck;
                const atOption = ruleProblemsFor(backend, { r1: rule }).filter((problem) => problem.path[0] === "r1" && problem.path[1] === option && problem.path.length === 2);
                expect(atOption.map((problem) => problem.message), takes ? `'${option}' refused on ${backend}` : `no refusal of '${option}' on ${backend}`)
                    .to.have.length(takes ? 0 : 1);
            });
        }
    }

    it("refuses an option a service never heard of, naming it and the fix", () => {
        const problems = ruleProblemsFor("exoscale", { r1: { priority: 1, destination: { bucket: "b", zone: "z" }, bandwidthLimit: 200_000_000 } });
        expect(problems.map((p) => p.message)).to.deep.equal(["Rule 'r1' sets 'bandwidthLimit', which the 'exoscale' backend does not take; remove 'bandwidthLimit' on this backend."]);
    });

    it("MinIO: a bandwidth limit of at least 100 MB/s, one per destination", () => {
        const destination = { bucket: "b", zone: "z" };
        const low = ruleProblemsFor("minio", { r1: { priority: 1, destination, bandwidthLimit: 1_000_000 } });
        expect(low.map((p) => p.path.join("."))).to.deep.equal(["r1.bandwidthLimit"]);
        expect(low[0].message).to.contain("at least 100000000 (100 MB/s)");
        const split = ruleProblemsFor("minio", { r1: { priority: 1, destination, bandwidthLimit: 200_000_000 }, r2: { priority: 2, destination, prefix: "x/" } });
        expect(split.map((p) => p.path.join("."))).to.deep.equal(["r2.bandwidthLimit"]);
        expect(ruleProblemsFor("minio", { r1: { priority: 1, destination, bandwidthLimit: 200_000_000 } })).to.deep.equal([]);
    });

    it("gives the service's own reason where it has one", () => {
        const problems = ruleProblemsFor("minio", { r1: { priority: 1, destination: { bucket: "b", zone: "z" }, prefixes: ["a/"] } });
        expect(problems.find((p) => p.path[1] === "prefixes")?.message).to.contain("MinIO filters a rule by one prefix");
    });
});
