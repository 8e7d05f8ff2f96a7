import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

/**
 * One wrong program per value of the `case` config key, for test/bad-input/engine.test.ts. Every
 * name starts with "badin" (explicit names also carry `run`), so the suite can tell that nothing of
 * ours appeared on the servers. The `as any` casts are the point: they stand for a program written
 * in JavaScript, or a value read from configuration, that the type checker never saw.
 */
const config = new pulumi.Config();
const which = config.require("case");
const run = config.require("run");
const named = (suffix: string) => `badin-${run}-${suffix}`;
const rule = { priority: 1, destination: { bucket: named("dst"), zone: "local-b" } };
const goodPolicy = br.replicationPolicy({ source: { name: named("src"), zone: "local-a" }, destinations: [{ name: named("dst"), zone: "local-b" }] });

const cases: Record<string, () => void> = {
    "followers-empty": () => new br.LeaderFollower("badin-lf", { leader: { zone: "local-a" }, followers: [] }),
    "followers-not-a-list": () => new br.LeaderFollower("badin-lf", { leader: { zone: "local-a" }, followers: { zone: "local-b" } as any }),
    "bidirectional-zone-missing": () => new br.BiDirectional("badin-bd", { a: { zone: "local-a" }, b: {} as any }),
    "replication-without-role": () => new br.ReplicationConfiguration("badin-rc", { bucket: named("src"), zone: "local-a", rules: { "to-b": rule } } as any),
    "replication-rules-a-list": () => {
        const role = new br.IamRole("badin-role", { policy: goodPolicy });
        new br.ReplicationConfiguration("badin-rc", { bucket: named("src"), zone: "local-a", role, rules: [rule] as any });
    },
    "policy-not-a-document": () => new br.IamRole("badin-role", { policy: { Allow: "everything" } }),
    "policy-statement-effect": () => new br.IamRole("badin-role", {
        policy: { Version: "2012-10-17", Statement: [{ Effect: "Permit", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${named("src")}/*`] }] },
    }),
    "policy-no-destinations": () => new br.IamRole("badin-role", {
        policy: br.replicationPolicy({ source: { name: named("src"), zone: "local-a" }, destinations: [] }),
    }),
    "bucket-reserved-prefix": () => new br.Bucket("badin-bucket", { zone: "local-a", name: `xn--${named("b")}` }),
    "bucket-reserved-by-minio": () => new br.Bucket("badin-bucket", { zone: "local-a", name: "minio" }),
    "tags-too-many": () => new br.Bucket("badin-bucket", {
        zone: "local-a", tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`tag-${i}`, "x"])),
    }),
    "tag-key-characters": () => new br.Bucket("badin-bucket", { zone: "local-a", tags: { "a<b>": "x" } }),
    "duplicate-bucket-names": () => {
        new br.Bucket("badin-first", { zone: "local-a", name: named("same") });
        new br.Bucket("badin-second", { zone: "local-a", name: named("same") });
    },
    "zone-not-configured": () => new br.Bucket("badin-bucket", { zone: "local-c" }),
    // The stack sets 'bucket-replication:zones' with a path in an endpoint for this case.
    "endpoint-with-path": () => new br.Bucket("badin-bucket", { zone: "local-a" }),
};

const declare = cases[which];
if (!declare) throw new pulumi.RunError(`Unknown case '${which}'; one of ${Object.keys(cases).join(", ")}.`);
declare();
