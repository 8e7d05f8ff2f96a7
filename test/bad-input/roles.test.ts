import { expect } from "chai";
import { provider as iamRole } from "../../provider/iamRole";
import { unknownValue } from "../../provider/validation";
import { replicationPolicyFor } from "../../provider/backends/registry";
import { configureStack, countingZones, expectFailure, Failure, minioStack, runToken } from "./support";

/**
 * Roles whose policy MinIO would refuse at `up` (after users were made on some zones) or, worse,
 * accept and ignore: each refused by the IamRole's check at preview, naming the key inside `policy`
 * and pointing at replicationPolicy(), with no request to any server.
 */
describe("bad input: roles and their MinIO policies, refused at preview", () => {
    const counter = countingZones();
    let serial = 0;
    const good = replicationPolicyFor("minio", { zone: "zone-a", bucket: "src" }, [{ zone: "zone-b", bucket: "dst" }]) as { Version: string; Statement: Record<string, unknown>[] };
    const statement = { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::src/*"] };
    const withStatement = (changes: Record<string, unknown>, drop: string[] = []) => {
        const s: Record<string, unknown> = { ...statement, ...changes };
        for (const key of drop) delete s[key];
        return { Version: "2012-10-17", Statement: [s] };
    };


    async function check(inputs: Record<string, unknown>): Promise<readonly Failure[]> {
        serial += 1;
        const news = { namePrefix: `bad-role-${serial}`, identity: `bad-role-${runToken}-${serial}`, policy: good, ...inputs };
        return (await iamRole.check!({} as any, news as any)).failures ?? [];
    }

    const fix = "replicationPolicy({ source, destinations })";

    it("accepts the policy replicationPolicy() builds, and one not known yet during preview", async () => {
        expect(await check({})).to.deep.equal([]);
        expect(await check({ policy: unknownValue })).to.deep.equal([]);
        expect(await check({ policy: { Version: "2012-10-17", Statement: [{ ...statement, Resource: [unknownValue] }] } })).to.deep.equal([]);
    });

    it("accepts an admin-only statement without Resource, as MinIO does", async () => {
        expect(await check({ policy: withStatement({ Action: ["admin:ServerInfo"] }, ["Resource"]) })).to.deep.equal([]);
    });

    it("no policy at all", async () => {
        expectFailure(await check({ policy: undefined }), "policy", "'policy' is required", fix);
    });

    it("a policy given as JSON text", async () => {
        expectFailure(await check({ policy: JSON.stringify(good) }), "policy", "not as JSON text (drop JSON.stringify)", fix);
    });

    it("a policy given as a list of statements", async () => {
        expectFailure(await check({ policy: good.Statement }), "policy", "'policy' is a list; it must be one policy document", fix);
    });

    it("a policy that is a number", async () => {
        expectFailure(await check({ policy: 42 }), "policy", "not a number", fix);
    });

    it("an object that is not a policy document at all", async () => {
        const failures = await check({ policy: { Allow: "everything" } });
        expectFailure(failures, "policy.Allow", "'policy.Allow' is not part of a MinIO policy document", fix);
        expectFailure(failures, "policy.Version", "'policy.Version' is missing", fix);
        expectFailure(failures, "policy.Statement", "'policy.Statement' is missing", fix);
    });

    it("no Version", async () => {
        expectFailure(await check({ policy: { Statement: good.Statement } }), "policy.Version", "'policy.Version' is missing; set it to \"2012-10-17\"", fix);
    });

    it("a Version MinIO does not accept", async () => {
        expectFailure(await check({ policy: { ...good, Version: "2008-10-17" } }), "policy.Version", "MinIO accepts only \"2012-10-17\"", fix);
    });

    it("Statement as a single object instead of a list", async () => {
        expectFailure(await check({ policy: { Version: "2012-10-17", Statement: statement } }), "policy.Statement", "must be a list of statements (an array), even for a single statement", fix);
    });

    it("an empty Statement list", async () => {
        expectFailure(await check({ policy: { Version: "2012-10-17", Statement: [] } }), "policy.Statement", "is empty, so the role could do nothing", fix);
    });

    it("a statement that is not an object", async () => {
        expectFailure(await check({ policy: { Version: "2012-10-17", Statement: ["s3:GetObject"] } }), "policy.Statement[0]", "must be an object with Effect, Action and Resource", fix);
    });

    it("a statement without Effect", async () => {
        expectFailure(await check({ policy: withStatement({}, ["Effect"]) }), "policy.Statement[0].Effect", "is missing; set it to \"Allow\" or \"Deny\"", fix);
    });

    it("an Effect other than Allow or Deny", async () => {
        expectFailure(await check({ policy: withStatement({ Effect: "Permit" }) }), "policy.Statement[0].Effect", "must be \"Allow\" or \"Deny\", not \"Permit\"", fix);
    });

    it("an Effect in the wrong case", async () => {
        expectFailure(await check({ policy: withStatement({ Effect: "allow" }) }), "policy.Statement[0].Effect", "not \"allow\"", fix);
    });

    it("a statement without Action", async () => {
        expectFailure(await check({ policy: withStatement({}, ["Action"]) }), "policy.Statement[0].Action", "is missing", fix);
    });

    it("both Action and NotAction", async () => {
        expectFailure(await check({ policy: withStatement({ NotAction: ["s3:PutObject"] }) }), "policy.Statement[0].NotAction", "has both Action and NotAction; keep one of them", fix);
    });

    it("an action without its service prefix", async () => {
        expectFailure(await check({ policy: withStatement({ Action: ["GetObject"] }) }), "policy.Statement[0].Action[0]", "'GetObject', which is not an action", "\"s3:GetObject\"", fix);
    });

    it("an Action that is a number", async () => {
        expectFailure(await check({ policy: withStatement({ Action: 3 }) }), "policy.Statement[0].Action", "must be a string or a non-empty list of strings", fix);
    });

    it("an S3 statement without Resource", async () => {
        expectFailure(await check({ policy: withStatement({}, ["Resource"]) }), "policy.Statement[0].Resource", "is missing", fix);
    });

    it("a Resource that is a bucket name, not an ARN", async () => {
        expectFailure(await check({ policy: withStatement({ Resource: ["src/*"] }) }), "policy.Statement[0].Resource[0]", "'src/*', which is not a resource ARN", "arn:aws:s3:::<bucket>/*", fix);
    });

    it("an empty Resource list", async () => {
        expectFailure(await check({ policy: withStatement({ Resource: [] }) }), "policy.Statement[0].Resource", "must be a string or a non-empty list of strings", fix);
    });

    it("a Principal copied from a bucket policy", async () => {
        expectFailure(await check({ policy: withStatement({ Principal: { AWS: ["*"] } }) }), "policy.Statement[0].Principal", "has no Principal", "MinIO would ignore it, so remove it", fix);
    });

    it("a misspelt top-level key ('Statements')", async () => {
        expectFailure(await check({ policy: { Version: "2012-10-17", Statement: good.Statement, Statements: [] } }), "policy.Statements", "is not part of a MinIO policy document", fix);
    });

    it("an ID, where this package keeps its ownership marker", async () => {
        expectFailure(await check({ policy: { ...good, ID: "mine" } }), "policy.ID", "ownership marker; remove it", fix);
    });

    it("a Condition that is not an object", async () => {
        expectFailure(await check({ policy: withStatement({ Condition: "s3:prefix=logs" }) }), "policy.Statement[0].Condition", "must be an object of condition operators", fix);
    });

    it("a role name with a space", async () => {
        expectFailure(await check({ name: "my role" }), "name", "'name' must be 3 to 128 letters, digits, dots, underscores or hyphens");
    });

    it("a description over 255 characters", async () => {
        expectFailure(await check({ description: "d".repeat(256) }), "description", "'description' must be at most 255 characters");
    });

    it("editable given as text", async () => {
        expectFailure(await check({ editable: "no" }), "editable", "'editable' must be true or false");
    });

    it("a label value that is not text", async () => {
        expectFailure(await check({ labels: { team: 7 } }), "labels.team", "Label values must be strings");
    });

    it("a stack configuration that makes every zone unusable (an endpoint with a path)", async () => {
        const zones = JSON.stringify({ "zone-a": { endpoint: `${counter.endpoint}/storage` }, "zone-b": { endpoint: counter.endpoint } });
        configureStack(minioStack(counter.endpoint, { zones }));
        try {
            serial += 1;
            const result = await iamRole.check!({} as any, { namePrefix: "bad-config", identity: `bad-config-${runToken}`, policy: good } as any);
            expectFailure(result.failures, "", "'bucket-replication:zones.zone-a.endpoint'", "give the service's base URL only");
            // `up` refuses unknown values before it shows failures, so the name must not be one.
            expect(result.inputs?.name).to.not.equal(unknownValue);
        } finally {
            configureStack(minioStack(counter.endpoint));
        }
    });

    it("two IamRoles of one program with the same explicit name", async () => {
        const name = `bad-role-twice-${runToken}`;
        expect(await check({ name, namePrefix: "first-role" })).to.deep.equal([]);
        expectFailure(await check({ name, namePrefix: "second-role" }), "name", `Role '${name}' is also declared by IamRole 'first-role'`, "give each IamRole its own 'name'");
    });
});
