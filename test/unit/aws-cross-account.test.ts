import { expect } from "chai";
import { Readable } from "stream";
import type { ReplicationRule } from "../../provider/backends/backend";
import { AwsBackend } from "../../provider/backends/aws/awsBackend";
import {
    accountOfRoleArn, grantSids, grantStatements, grantsOf, holdsGrant, sourceBucketOfPolicy, withGrant,
} from "../../provider/backends/aws/crossAccount";
import { replicationPolicy } from "../../provider/backends/aws/policy";
import { ownerOverrideProblems } from "../../provider/backends/aws/ruleOptions";
import { fromS3Rule, toS3Rule } from "../../provider/backends/aws/rules";
import { toSosRule } from "../../provider/backends/exoscale/rules";
import { acceptsRuleOption, ruleProblemsFor } from "../../provider/backends/registry";
import { resolveSettings } from "../../provider/settings";
import { ServiceError } from "../../provider/transport/serviceError";

// The rule options of issue 20 on AWS (metrics, destinationAccount, ownerOverride), replication across
// accounts (the destination's grant, the role's account) and what the preview refuses.

const destination = { zone: "us-east-1", bucket: "replicas" };

function rule(overrides: Partial<ReplicationRule> = {}): ReplicationRule {
    return {
        id: "to-replicas", priority: 1, status: "Enabled", prefix: "", deleteMarkerReplication: false, deleteReplication: false,
        existingObjectReplication: false, replicaModifications: false, destination, ...overrides,
    };
}

/** GetBucketReplication's answer as AWS documents it, parsed by the pinned S3 client itself. */
async function replicationAnswer(xml: string) {
    const { S3Client, GetBucketReplicationCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const client = new S3Client({
        region: "eu-west-1", credentials: { accessKeyId: "AKIAUNIT", secretAccessKey: "unit" },
        requestHandler: { handle: async () => ({ response: { statusCode: 200, headers: { "content-type": "application/xml" }, body: Readable.from([Buffer.from(xml)]) } }) } as never,
    });
    return (await client.send(new GetBucketReplicationCommand({ Bucket: "source" }))).ReplicationConfiguration!;
}

const documented = (destinationXml: string) => `<?xml version="1.0" encoding="UTF-8"?>
<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Role>arn:aws:iam::111122223333:role/replication</Role>
  <Rule>
    <ID>to-replicas</ID>
    <Priority>1</Priority>
    <Status>Enabled</Status>
    <Filter><Prefix></Prefix></Filter>
    <DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>
    <Destination>
      <Bucket>arn:aws:s3:::replicas</Bucket>
      ${destinationXml}
    </Destination>
  </Rule>
</ReplicationConfiguration>`;

describe("AWS rule options metrics, destinationAccount, ownerOverride", () => {
    it("are taken by the aws backend and still refused by the others", () => {
        for (const [option, value] of [["metrics", true], ["destinationAccount", "444455556666"], ["ownerOverride", true]] as const) {
            expect(acceptsRuleOption("aws", option, value), option).to.equal(true);
            for (const other of ["minio", "exoscale", "oss"]) expect(acceptsRuleOption(other, option, value), `${other} ${option}`).to.equal(false);
        }
    });

    it("write Metrics without RTC, Destination/Account and AccessControlTranslation only when used", () => {
        expect(toS3Rule(rule({ metrics: true, destinationAccount: "444455556666", ownerOverride: true })).Destination).to.deep.equal({
            Bucket: "arn:aws:s3:::replicas", Metrics: { Status: "Enabled" }, Account: "444455556666", AccessControlTranslation: { Owner: "Destination" },
        });
        expect(toS3Rule(rule({ metrics: false, ownerOverride: false })).Destination).to.deep.equal({ Bucket: "arn:aws:s3:::replicas" });
        // RTC keeps its own Metrics, with the 15-minute threshold, whether or not 'metrics' is said.
        const rtc = { ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } }, Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } } };
        expect(toS3Rule(rule({ replicationTimeControl: true, metrics: true })).Destination).to.deep.equal({ Bucket: "arn:aws:s3:::replicas", ...rtc });
        expect(toS3Rule(rule({ replicationTimeControl: true })).Destination).to.deep.equal({ Bucket: "arn:aws:s3:::replicas", ...rtc });
    });

    it("leave the documents of rules without them as they were (Exoscale's too)", () => {
        const plain = rule({ deleteMarkerReplication: true, prefix: "logs/" });
        expect(JSON.stringify(toS3Rule(plain))).to.equal(JSON.stringify({
            ID: "to-replicas", Priority: 1, Status: "Enabled", Filter: { Prefix: "logs/" },
            DeleteMarkerReplication: { Status: "Enabled" }, Destination: { Bucket: "arn:aws:s3:::replicas" },
        }));
        expect(JSON.stringify(toSosRule(plain))).to.equal(JSON.stringify({
            ID: "to-replicas", Priority: 1, Status: "Enabled", Filter: { Prefix: "logs/" },
            DeleteMarkerReplication: { Status: "Enabled" }, Destination: { Bucket: "replicas" },
        }));
    });

    it("are read back from AWS's documented answer: Account, AccessControlTranslation and Metrics", async () => {
        const answer = await replicationAnswer(documented(`<Account>444455556666</Account>
      <AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation>
      <Metrics><Status>Enabled</Status></Metrics>`));
        const read = fromS3Rule(answer.Rules![0], undefined, () => "us-east-1");
        expect(read).to.deep.include({ destinationAccount: "444455556666", ownerOverride: true, metrics: true, deleteMarkerReplication: true });
        expect(read.destination).to.deep.equal(destination);
    });

    it("read an answer without them as the known rule spells them: absent, or false where the state says false", async () => {
        const answer = await replicationAnswer(documented(""));
        const bare = fromS3Rule(answer.Rules![0], rule(), () => "us-east-1");
        expect(bare).to.not.have.any.keys("metrics", "ownerOverride", "destinationAccount");
        const spelled = fromS3Rule(answer.Rules![0], rule({ metrics: false, ownerOverride: false }), () => "us-east-1");
        expect(spelled).to.deep.include({ metrics: false, ownerOverride: false });
        // An override removed out of band reads as false, a change from the state's true.
        expect(fromS3Rule(answer.Rules![0], rule({ ownerOverride: true }), () => "us-east-1").ownerOverride).to.equal(false);
    });

    it("read RTC's Metrics as RTC's: metrics as the known rule has it (absent or true)", async () => {
        const answer = await replicationAnswer(documented(`<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>
      <Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics>`));
        expect(fromS3Rule(answer.Rules![0], rule({ replicationTimeControl: true }), () => "us-east-1")).to.not.have.any.keys("metrics");
        expect(fromS3Rule(answer.Rules![0], rule({ replicationTimeControl: true, metrics: true }), () => "us-east-1").metrics).to.equal(true);
    });

    it("are refused at preview where AWS cannot take them: an account that is not a 12-digit ID, metrics off beside RTC", () => {
        const problems = ruleProblemsFor("aws", {
            "by-alias": { priority: 1, destinationAccount: "prod-account", destination },
            "rtc-no-metrics": { priority: 2, replicationTimeControl: true, metrics: false, destination },
            fine: { priority: 3, destinationAccount: "444455556666", ownerOverride: true, metrics: true, destination },
        });
        expect(problems.map((p) => p.path)).to.deep.equal([["by-alias", "destinationAccount"], ["rtc-no-metrics", "metrics"]]);
        expect(problems[0].message).to.match(/12-digit ID/);
        expect(problems[1].message).to.match(/needs replication metrics on for replication time control/);
    });

    it("refuse ownerOverride without an account: neither destinationAccount nor a destination zone of another account", () => {
        const accounts: Record<string, string | undefined> = { "a-eu": "111122223333", "b-us": "444455556666", "a-us": "111122223333", plain: undefined };
        const problems = ownerOverrideProblems({
            "to-plain": { priority: 1, ownerOverride: true, destination: { zone: "plain", bucket: "x" } },
            "same-account": { priority: 2, ownerOverride: true, destination: { zone: "a-us", bucket: "x" } },
            "other-account": { priority: 3, ownerOverride: true, destination: { zone: "b-us", bucket: "x" } },
            "named-account": { priority: 4, ownerOverride: true, destinationAccount: "444455556666", destination: { zone: "plain", bucket: "x" } },
        }, "a-eu", (zone) => accounts[zone]);
        expect(problems.map((p) => p.path)).to.deep.equal([["to-plain", "ownerOverride"], ["same-account", "ownerOverride"]]);
        expect(problems[0].message).to.match(/set 'destinationAccount' on the rule, or 'account' on zone 'plain'/);
    });
});

describe("AWS across accounts: what the backend refuses at preview from the zones", () => {
    const zones = (extra: Record<string, unknown> = {}) => JSON.stringify({
        "a-eu": { endpoint: "http://127.0.0.1:1", region: "eu-west-1", account: "111122223333" },
        "b-us": { endpoint: "http://127.0.0.1:1", region: "us-east-1", account: "444455556666", accessKey: "AKIAB", secretKey: "b-secret" },
        "a-us": { endpoint: "http://127.0.0.1:1", region: "us-east-1" },
        ...extra,
    });
    const backendWith = (zonesJson: string) => new AwsBackend(resolveSettings((key) => ({
        backend: "aws", zones: zonesJson, accessKey: "AKIAA", secretKey: "a-secret", iamEndpoint: "http://127.0.0.1:1",
    } as Record<string, string>)[key], {}));

    it("takes a rule into a zone of another account with nothing said: the zone's account is the destination's", async () => {
        const problems = await backendWith(zones()).rulesPreviewProblems({ zone: "a-eu", bucket: "src" },
            [rule({ ownerOverride: true, destination: { zone: "b-us", bucket: "dst" } })]);
        expect(problems).to.deep.equal([]);
    });

    it("refuses ownerOverride into a zone of the same account, and a rule across key pairs whose destination names no account", async () => {
        const problems = await backendWith(zones({ "c-ap": { endpoint: "http://127.0.0.1:1", region: "ap-south-1", accessKey: "AKIAC", secretKey: "c", account: "777788889999" } }))
            .rulesPreviewProblems({ zone: "c-ap", bucket: "src" }, [
                rule({ id: "to-a-us", destination: { zone: "a-us", bucket: "dst" } }),
                rule({ id: "override-same", priority: 2, ownerOverride: true, destination: { zone: "c-ap", bucket: "dst2" } }),
            ]);
        expect(problems.map((p) => p.path)).to.deep.equal([["override-same", "ownerOverride"], ["to-a-us", "destination", "zone"]]);
        expect(problems[1].message).to.match(/sign with different key pairs, but the destination's account is not known: set 'bucket-replication:zones.a-us.account'/);
    });

    it("refuses a zone with a key pair of its own and no account, where a rule touches it", async () => {
        const problems = await backendWith(zones({ "d-eu": { endpoint: "http://127.0.0.1:1", region: "eu-central-1", accessKey: "AKIAD", secretKey: "d" } }))
            .rulesPreviewProblems({ zone: "a-eu", bucket: "src" }, [rule({ destinationAccount: "555555555555", destination: { zone: "d-eu", bucket: "dst" } })]);
        expect(problems.map((p) => p.message)).to.deep.equal([`Zone 'd-eu' signs with a key pair of its own but names no account; on AWS, replication across ` +
            `accounts names the destination's account and the role's. Set 'bucket-replication:zones.d-eu.account' to the 12-digit ID of the account that key pair belongs to.`]);
    });

    // The state places no destination yet (an imported configuration), so the read asks S3 where each bucket is.
    const unplacedKnown = { source: { zone: "a-eu", bucket: "source" }, rules: [],
        role: { id: "arn:aws:iam::111122223333:role/replication", name: "replication", description: "", editable: true, labels: {}, policy: {} } };

    it("places a destination bucket of another account by asking its owner, when the source's owner is refused GetBucketLocation", async () => {
        const backend = backendWith(JSON.stringify({
            "a-eu": { endpoint: "http://127.0.0.1:1", region: "eu-west-1", account: "111122223333" },
            "b-us": { endpoint: "http://127.0.0.1:1", region: "us-east-1", account: "444455556666", accessKey: "AKIAB", secretKey: "b-secret" },
        }));
        const asked: string[] = [];
        // The S3 of each zone, as the service answers: only the bucket's owner (zone b-us's pair) may read its location.
        (backend as unknown as { s3: (zone: string) => unknown }).s3 = (zone: string) => ({
            send: async (operation: string, command: object) => {
                const name = command.constructor.name;
                if (name === "GetBucketReplicationCommand") return { ReplicationConfiguration: await replicationAnswer(documented("<Account>444455556666</Account>")) };
                if (name === "GetBucketLocationCommand") {
                    asked.push(zone);
                    if (zone === "b-us") return { LocationConstraint: "us-east-1" };
                    throw new ServiceError({ where: { service: "Amazon S3", zone, endpoint: "http://127.0.0.1:1", credentialHint: "" }, operation, httpStatus: 403, code: "AccessDenied", message: "Access Denied" });
                }
                if (name === "GetBucketPolicyCommand") return { Policy: undefined };
                throw new Error(`unexpected ${name}`);
            },
        });
        const read = await backend.getReplication({ zone: "a-eu", bucket: "source" }, unplacedKnown);
        expect(asked).to.deep.equal(["a-eu", "b-us"]);
        expect(read?.rules.map((r) => r.destination)).to.deep.equal([{ zone: "b-us", bucket: "replicas" }]);
    });

    it("fails the read when GetBucketLocation fails for another reason than a refusal, instead of guessing the zone", async () => {
        const backend = backendWith(zones());
        (backend as unknown as { s3: (zone: string) => unknown }).s3 = (zone: string) => ({
            send: async (operation: string, command: object) => {
                if (command.constructor.name === "GetBucketReplicationCommand") return { ReplicationConfiguration: await replicationAnswer(documented("")) };
                throw new ServiceError({ where: { service: "Amazon S3", zone, endpoint: "http://127.0.0.1:1", credentialHint: "" }, operation, httpStatus: 503, code: "SlowDown", message: "Please reduce your request rate." });
            },
        });
        const failure = await backend.getReplication({ zone: "a-eu", bucket: "source" }, unplacedKnown).then(() => undefined, (error: Error) => error);
        expect(failure?.message).to.match(/GetBucketLocation of 'replicas'.*SlowDown/s);
    });

    it("says nothing for zones that all sign with the stack's key pair", async () => {
        const backend = backendWith(JSON.stringify({ "eu-west-1": { endpoint: "http://127.0.0.1:1" }, "us-east-1": { endpoint: "http://127.0.0.1:1" } }));
        expect(await backend.rulesPreviewProblems({ zone: "eu-west-1", bucket: "s" }, [rule()])).to.deep.equal([]);
    });
});

describe("AWS across accounts: the destination's grant", () => {
    const role = "arn:aws:iam::111122223333:role/replication";
    const grant = { source: "src", roleArn: role, destination: { zone: "us-east-1", bucket: "dst" }, ownerOverride: false };

    it("allows the role to replicate into the objects and to list and read the bucket's versioning, nothing more", () => {
        const sids = grantSids("src");
        expect(grantStatements(grant)).to.deep.equal([
            { Sid: sids.objects, Effect: "Allow", Principal: { AWS: role }, Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: "arn:aws:s3:::dst/*" },
            { Sid: sids.bucket, Effect: "Allow", Principal: { AWS: role }, Action: ["s3:List*", "s3:GetBucketVersioning"], Resource: "arn:aws:s3:::dst" },
        ]);
        expect(grantStatements({ ...grant, ownerOverride: true })[0].Action).to.include("s3:ObjectOwnerOverrideToBucketOwner");
        expect(sids.objects).to.match(/^[A-Za-z0-9]+$/);
        expect(grantSids("other").objects).to.not.equal(sids.objects);
    });

    it("is put beside the owner's own statements and another source's grant, and taken out alone", () => {
        const owner = { Sid: "OwnersOwn", Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::dst" };
        const other = grantStatements({ ...grant, source: "other-src" });
        const policy = { Version: "2012-10-17", Id: "kept", Statement: [owner, ...other] };
        const withOurs = withGrant(policy, "src", grantStatements(grant))!;
        expect(withOurs.Id).to.equal("kept");
        expect(withOurs.Statement).to.deep.equal([owner, ...other, ...grantStatements(grant)]);
        expect(holdsGrant(withOurs, grant)).to.equal(true);
        expect(holdsGrant(policy, grant)).to.equal(false);
        expect(withGrant(withOurs, "src", [])!.Statement).to.deep.equal([owner, ...other]);
        expect(withGrant({ Statement: grantStatements(grant) }, "src", [])).to.equal(undefined);
        expect(withGrant(undefined, "src", grantStatements(grant))).to.deep.equal({ Version: "2012-10-17", Statement: grantStatements(grant) });
    });

    it("is not held when it names another role or lacks an action", () => {
        const [objects, bucket] = grantStatements(grant);
        expect(holdsGrant({ Statement: [{ ...objects, Principal: { AWS: "arn:aws:iam::111122223333:role/other" } }, bucket] }, grant)).to.equal(false);
        expect(holdsGrant({ Statement: [{ ...objects, Action: ["s3:ReplicateObject"] }, bucket] }, grant)).to.equal(false);
        // Order and single values as S3 may answer them do not matter.
        expect(holdsGrant({ Statement: [bucket, { ...objects, Action: [...(objects.Action as string[])].reverse(), Principal: { AWS: [role] } }] }, grant)).to.equal(true);
    });

    it("is one per destination reached across accounts, with ownerOverride when any rule into it asks", () => {
        const rules = [
            rule({ id: "a", destination: { zone: "b-us", bucket: "dst" } }),
            rule({ id: "b", priority: 2, ownerOverride: true, prefix: "x/", destination: { zone: "b-us", bucket: "dst" } }),
            rule({ id: "c", priority: 3, destination: { zone: "a-us", bucket: "same-account" } }),
        ];
        expect(grantsOf("src", role, rules, (r) => r.destination.zone === "b-us")).to.deep.equal([
            { source: "src", roleArn: role, destination: { zone: "b-us", bucket: "dst" }, ownerOverride: true },
        ]);
    });
});

describe("AWS across accounts: the role's own policy", () => {
    it("adds s3:ObjectOwnerOverrideToBucketOwner on the destinations whose rules hand replicas over, and nothing without", () => {
        const source = { zone: "eu-west-1", bucket: "src" };
        const plain = replicationPolicy(source, [destination]) as { Statement: Record<string, unknown>[] };
        expect(plain.Statement.map((s) => s.Sid)).to.deep.equal(["ReadSourceReplicationConfiguration", "ReadSourceObjectVersions", "ReplicateIntoDestinations"]);
        const overridden = replicationPolicy(source, [destination], { rules: [{ destination, ownerOverride: true }, { destination: { zone: "us-east-1", bucket: "kept" } }] }) as { Statement: Record<string, unknown>[] };
        expect(overridden.Statement.slice(3)).to.deep.equal([
            { Sid: "OverrideReplicaOwner", Effect: "Allow", Action: ["s3:ObjectOwnerOverrideToBucketOwner"], Resource: ["arn:aws:s3:::replicas/*"] },
        ]);
    });
});

describe("AWS across accounts: where a role lives", () => {
    it("finds the source bucket of a replication policy and the account of a role ARN", () => {
        expect(sourceBucketOfPolicy(replicationPolicy({ zone: "eu-west-1", bucket: "my-source" }, [{ zone: "us-east-1", bucket: "dst" }]))).to.equal("my-source");
        expect(sourceBucketOfPolicy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] })).to.equal(undefined);
        expect(accountOfRoleArn("arn:aws:iam::444455556666:role/path/name")).to.equal("444455556666");
        expect(accountOfRoleArn("not-an-arn")).to.equal(undefined);
    });
});
