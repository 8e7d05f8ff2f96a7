import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { BiDirectional } from "../../sdk/biDirectional";
import { Bucket } from "../../sdk/bucket";
import { IamRole } from "../../sdk/iamRole";
import { LeaderFollower } from "../../sdk/leaderFollower";
import { ReplicationConfiguration } from "../../sdk/replicationConfiguration";
import { replicationPolicy } from "../../sdk/replicationPolicy";

/**
 * Program mistakes in the components and in ReplicationConfiguration: each fails in the constructor,
 * before anything is registered that a provider could create, with a message that names the argument
 * and the fix, as an error Pulumi shows without a stack trace (a ResourceError with hideStack, or a
 * RunError where no resource exists yet). The engine is mocked: it records what was registered.
 */
describe("bad input: program mistakes in components, reported without a stack trace", () => {
    const registered: { type: string; name: string; custom: boolean }[] = [];

    before(async () => {
        await pulumi.runtime.setMocks({
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, custom: args.custom ?? false });
                return { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs };
            },
            call: (args) => args.inputs,
        }, "bad-input", "test", true);
    });
    beforeEach(() => settle().then(() => { registered.length = 0; }));

    /** Runs `declare`, which must throw; returns the message after checking that Pulumi hides its stack. */
    function programMistake(declare: () => unknown): string {
        let thrown: unknown;
        try {
            declare();
        } catch (error) {
            thrown = error;
        }
        expect(thrown, "an error from the constructor").to.be.instanceOf(Error);
        const hidden = pulumi.RunError.isInstance(thrown) || (pulumi.ResourceError.isInstance(thrown) && thrown.hideStack === true);
        expect(hidden, `a RunError or a ResourceError with hideStack, not ${(thrown as Error).constructor.name}`).to.equal(true);
        return (thrown as Error).message;
    }

    let sentinels = 0;

    /**
     * Waits until every registration started so far has reached the (mocked) engine: registrations are
     * asynchronous, so a sentinel declared now is registered only after the ones declared before it.
     */
    async function settle(): Promise<void> {
        const name = `sentinel-${++sentinels}`;
        new pulumi.ComponentResource("bad-input:test:Sentinel", name);
        for (let waited = 0; !registered.some((r) => r.name === name); waited += 10) {
            if (waited > 10_000) throw new Error("the mocked engine never saw the sentinel registration");
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }

    /** Nothing a provider could create was registered: at most the component itself. */
    async function expectNothingCreated(): Promise<void> {
        await settle();
        expect(registered.filter((r) => r.custom), "custom resources registered").to.deep.equal([]);
    }

    async function expectMistake(declare: () => unknown, ...says: string[]): Promise<string> {
        const message = programMistake(declare);
        for (const phrase of says) expect(message).to.contain(phrase);
        await expectNothingCreated();
        return message;
    }

    describe("LeaderFollower", () => {
        const leader = { zone: "zone-a" };
        const follower = { zone: "zone-b" };

        it("accepts correct arguments (the control case)", async () => {
            new LeaderFollower("fine", { leader, followers: [follower] });
            await settle();
            expect(registered.filter((r) => r.custom).map((r) => r.name)).to.include.members(["fine-leader", "fine-follower-1", "fine-replication"]);
        });

        it("no arguments at all", async () => {
            await expectMistake(() => new LeaderFollower("lf", undefined as any), "LeaderFollower 'lf'", "its arguments are missing", "leader:", "followers:");
        });

        it("followers: []", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: [] }), "'followers' is empty; name at least one follower bucket", "followers: [{ zone:");
        });

        it("followers given as one object instead of a list", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: follower as any }), "'followers' must be a list (an array), even for one follower", "followers: [ ... ]");
        });

        it("followers given as text", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: "zone-b" as any }), "'followers' must be a list (an array) of buckets");
        });

        it("no followers", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader } as any), "'followers' is required");
        });

        it("a follower that is null", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: [follower, null as any] }), "'followers[1]' is required: a bucket such as");
        });

        it("a follower without zone", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: [{} as any] }), "'followers[0].zone' is required: the zone the bucket lives in");
        });

        it("a follower zone that is a number", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: [{ zone: 2 as any }] }), "'followers[0].zone' must be a zone name (text), not the number 2");
        });

        it("no leader", async () => {
            await expectMistake(() => new LeaderFollower("lf", { followers: [follower] } as any), "'leader' is required");
        });

        it("a leader with an empty zone", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader: { zone: "" }, followers: [follower] }), "'leader.zone' is required");
        });

        it("a misspelt argument ('follower' for 'followers')", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, follower: [follower] } as any), "'follower' is not an argument here; use 'leader', 'followers'", "'followers' is required");
        });

        it("'bucket' where the bucket's 'name' goes", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader: { zone: "zone-a", bucket: "logs" } as any, followers: [follower] }), "'leader.bucket' is not an argument here; use 'zone', 'name', 'forceDestroy'");
        });

        it("leader and follower naming the same bucket", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader: { zone: "zone-a", name: "logs" }, followers: [{ zone: "zone-a", name: "logs" }] }),
                "'followers[0]' and 'leader' both name bucket 'logs' in zone zone-a", "give each its own 'name'");
        });

        it("deleteMarkerReplication given as text", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: [follower], deleteMarkerReplication: "yes" as any }), "'deleteMarkerReplication' must be true or false, not the text \"yes\"");
        });

        it("forceDestroy given as text", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader: { zone: "zone-a", forceDestroy: "true" as any }, followers: [follower] }), "'leader.forceDestroy' must be true or false");
        });

        it("verify: {} adds the verification; without verify there is none (the control cases)", async () => {
            new LeaderFollower("checked", { leader, followers: [follower], verify: {} });
            new LeaderFollower("unchecked", { leader, followers: [follower] });
            await settle();
            const names = registered.filter((r) => r.custom).map((r) => r.name);
            expect(names).to.include("checked-verification").and.not.include("unchecked-verification");
        });

        it("verify: true instead of an object", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: [follower], verify: true as any }),
                "'verify' must be an object such as { timeoutSeconds: 120 } (or {} for the defaults), not the value true");
        });

        it("verify.timeoutSeconds given as text", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: [follower], verify: { timeoutSeconds: "60" as any } }),
                "'verify.timeoutSeconds' must be a number of seconds, such as 120, not the text \"60\"");
        });

        it("verify.timeoutSeconds of 0, and of more than an hour", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: [follower], verify: { timeoutSeconds: 0 } }),
                "'verify.timeoutSeconds' must be more than 0 and at most 3600 (one hour), not 0");
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: [follower], verify: { timeoutSeconds: 7200 } }),
                "'verify.timeoutSeconds' must be more than 0 and at most 3600 (one hour), not 7200");
        });

        it("a misspelt verify setting ('timeout' for 'timeoutSeconds')", async () => {
            await expectMistake(() => new LeaderFollower("lf", { leader, followers: [follower], verify: { timeout: 60 } as any }),
                "'verify.timeout' is not an argument here; use 'timeoutSeconds'");
        });

        it("every problem at once", async () => {
            const message = await expectMistake(() => new LeaderFollower("lf", { leader: {} as any, followers: [] }), "LeaderFollower 'lf' has 2 problems");
            expect(message).to.contain("'leader.zone' is required").and.contain("'followers' is empty");
        });
    });

    describe("BiDirectional", () => {
        it("accepts correct arguments (the control case)", async () => {
            new BiDirectional("fine", { a: { zone: "zone-a" }, b: { zone: "zone-b" } });
            await settle();
            expect(registered.filter((r) => r.custom).map((r) => r.name)).to.include.members(["fine-a", "fine-b", "fine-a-to-b", "fine-b-to-a"]);
        });

        it("no 'b'", async () => {
            await expectMistake(() => new BiDirectional("bd", { a: { zone: "zone-a" } } as any), "BiDirectional 'bd'", "'b' is required");
        });

        it("'a' without zone", async () => {
            await expectMistake(() => new BiDirectional("bd", { a: {} as any, b: { zone: "zone-b" } }), "'a.zone' is required");
        });

        it("'a' and 'b' naming the same bucket", async () => {
            await expectMistake(() => new BiDirectional("bd", { a: { zone: "zone-a", name: "x1" }, b: { zone: "zone-a", name: "x1" } }), "'b' and 'a' both name bucket 'x1' in zone zone-a");
        });

        it("verify given as a number of seconds instead of { timeoutSeconds }", async () => {
            await expectMistake(() => new BiDirectional("bd", { a: { zone: "zone-a" }, b: { zone: "zone-b" }, verify: 60 as any }),
                "BiDirectional 'bd'", "'verify' must be an object such as { timeoutSeconds: 120 }", "not the number 60");
        });

        it("verify: { timeoutSeconds } adds the verification of both directions (the control case)", async () => {
            new BiDirectional("checked", { a: { zone: "zone-a" }, b: { zone: "zone-b" }, verify: { timeoutSeconds: 30 } });
            await settle();
            expect(registered.filter((r) => r.custom).map((r) => r.name)).to.include("checked-verification");
        });

        it("'a' given as a list", async () => {
            await expectMistake(() => new BiDirectional("bd", { a: [{ zone: "zone-a" }] as any, b: { zone: "zone-b" } }), "'a' must be a bucket such as { zone:", "not a list");
        });
    });

    describe("ReplicationConfiguration", () => {
        const rules = { "to-b": { priority: 1, destination: { bucket: "dst", zone: "zone-b" } } };
        const role = () => new IamRole("role", { policy: { Version: "2012-10-17", Statement: [] } });
        // The role is declared by the program before the mistake; only the configuration is judged here.
        const withoutRole = async (declare: (r: IamRole) => unknown, ...says: string[]) => {
            const r = role();
            await settle();
            registered.length = 0;
            await expectMistake(() => declare(r), ...says);
        };

        it("no role", async () => {
            await expectMistake(() => new ReplicationConfiguration("rc", { bucket: "src", zone: "zone-a", rules } as any),
                "ReplicationConfiguration 'rc'", "'role' is required", "role: replicationRole");
        });

        it("the role's name instead of the role", async () => {
            await expectMistake(() => new ReplicationConfiguration("rc", { bucket: "src", zone: "zone-a", role: "replicator" as any, rules }),
                "'role' is the text \"replicator\"", "not its name or ID");
        });

        it("one of the role's outputs instead of the role", async () => {
            await withoutRole((r) => new ReplicationConfiguration("rc", { bucket: "src", zone: "zone-a", role: r.name as any, rules }), "'role' is an Output", "not one of its outputs");
        });

        it("a Bucket where the role goes", async () => {
            const bucket = new Bucket("not-a-role", { zone: "zone-a" });
            await settle();
            registered.length = 0;
            await expectMistake(() => new ReplicationConfiguration("rc", { bucket: "src", zone: "zone-a", role: bucket as any, rules }), "'role' is a resource, not an IamRole");
        });

        it("rules given as a list", async () => {
            await withoutRole((r) => new ReplicationConfiguration("rc", { bucket: "src", zone: "zone-a", role: r, rules: [rules["to-b"]] as any }), "'rules' is a list; it must be an object keyed by rule ID");
        });

        it("no rules", async () => {
            await withoutRole((r) => new ReplicationConfiguration("rc", { bucket: "src", zone: "zone-a", role: r } as any), "'rules' is required");
        });

        it("a rule without priority", async () => {
            await withoutRole((r) => new ReplicationConfiguration("rc", { bucket: "src", zone: "zone-a", role: r, rules: { "to-b": { destination: rules["to-b"].destination } as any } }),
                "'rules.to-b.priority' is required");
        });

        it("a rule without destination", async () => {
            await withoutRole((r) => new ReplicationConfiguration("rc", { bucket: "src", zone: "zone-a", role: r, rules: { "to-b": { priority: 1 } as any } }), "'rules.to-b.destination' is required");
        });

        it("no source bucket", async () => {
            await withoutRole((r) => new ReplicationConfiguration("rc", { zone: "zone-a", role: r, rules } as any), "'bucket' is required", "versioning.bucket");
        });
    });

    describe("replicationPolicy()", () => {
        const source = { name: "src", zone: "zone-a" };

        it("no destinations", async () => {
            await expectMistake(() => replicationPolicy({ source, destinations: [] }), "replicationPolicy: 'destinations' is empty");
        });

        it("destinations given as one bucket instead of a list", async () => {
            await expectMistake(() => replicationPolicy({ source, destinations: { name: "dst", zone: "zone-b" } as any }), "'destinations' must be a list (an array)");
        });

        it("no source", async () => {
            await expectMistake(() => replicationPolicy({ destinations: [source] } as any), "'source' is required; pass a Bucket resource, or { name, zone }");
        });

        it("a backend this package does not know", async () => {
            await expectMistake(() => replicationPolicy({ source, destinations: [{ name: "dst", zone: "zone-b" }], backend: "swift" }), "'backend' is 'swift'; use one of 'minio'");
        });
    });
});
