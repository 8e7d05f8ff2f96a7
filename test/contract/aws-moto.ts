import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { BackendSettings } from "../../provider/backends/backend";
import { resolveSettings } from "../../provider/settings";
import { PulumiStack } from "../support/pulumiStack";
import { repoRoot } from "../support/toolchain";

/**
 * moto in server mode as the stand-in for AWS: an independent implementation of the S3 and IAM APIs
 * (PyPI moto[server]), started by scripts/moto.sh on 127.0.0.1. moto stores buckets, versioning,
 * roles, inline policies and replication configurations; it never copies an object between buckets,
 * so these tests assert on what it stores, not on replication happening.
 *
 * What moto answers differently from AWS, seen in its source (moto/s3/responses.py,
 * get_bucket_replication) and proved by a test in aws-backend.contract.test.ts: GetBucketReplication
 * returns every rule with `DeleteMarkerReplication: Disabled` and `Filter: {Prefix: ""}` and without
 * SourceSelectionCriteria or ExistingObjectReplication, whatever was stored. The stored document, as
 * moto parsed it from our request, is in its model dump (/moto-api/data.json), which the tests read.
 */

/**
 * Keys moto accepts (it takes any, for its default account 123456789012), distinctive enough that a
 * test can look for them in a state file.
 */
export const motoCredentials = { accessKey: "AKIAMOTOSTANDIN00001", secretKey: "moto-stand-in-secret-never-in-state" };
export const motoAccount = "123456789012";

/** The zones the AWS examples use, both served by one moto. */
export const motoRegions = ["eu-west-1", "us-east-1"] as const;

export interface Moto {
    readonly endpoint: string;
    /** Environment under which the AWS SDK's default credential chain finds moto's keys and nothing of the machine's. */
    readonly chainEnv: NodeJS.ProcessEnv;
    /** Stack configuration (short keys) that points the 'aws' backend at this moto. */
    readonly config: Record<string, string>;
    /**
     * Backend settings for this moto, with moto's keys in the stack configuration; `extra` adds or
     * overrides configuration (an `undefined` value removes a key).
     */
    settings(extra?: Record<string, string | undefined>): BackendSettings;
    /** moto's own model dump: what it stores, independent of the backend's reading code. */
    stored(): Promise<MotoStore>;
    stop(): Promise<void>;
}

export interface StoredRole {
    readonly arn: string;
    readonly name: string;
    readonly description: string;
    readonly trust: unknown;
    readonly tags: Record<string, string>;
    /** Inline policies by name, parsed. */
    readonly policies: Record<string, unknown>;
}

export interface MotoStore {
    /** The replication configuration of the live bucket of that name, as moto parsed our XML (rules always a list); null when none. */
    replicationOf(bucket: string): StoredReplication | null;
    /** The last role of that name moto made (moto's dump keeps deleted ones: check existence with GetRole). */
    roleNamed(name: string): StoredRole | undefined;
    bucketNames(): string[];
    /** The account that owns the live bucket of that name (moto keeps buckets per account), undefined when none. */
    bucketAccount(bucket: string): string | undefined;
}

/** A stored replication document: xmltodict's reading of the XML, with every value as text. */
export interface StoredReplication {
    readonly Role: string;
    readonly Rule: Record<string, any>[];
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(command, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error) reject(new Error(`${command} ${args.join(" ")} failed (${error.message}):\n${stderr}`));
            else resolve(stdout);
        });
    });
}

/**
 * Starts a moto of its own for one test file (installing moto on first use). Fails loudly when moto
 * cannot be installed or started: these tests never skip.
 */
export async function startMoto(): Promise<Moto> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pbr-moto-"));
    const script = path.join(repoRoot, "scripts", "moto.sh");
    const endpoint = (await run("bash", [script, "start", dir])).trim().split("\n").pop()!;
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint)) throw new Error(`scripts/moto.sh start printed '${endpoint}', not a URL`);
    const zones = Object.fromEntries(motoRegions.map((region) => [region, { endpoint, region }]));
    const config: Record<string, string> = { backend: "aws", zones: JSON.stringify(zones), iamEndpoint: endpoint };
    const chainEnv: NodeJS.ProcessEnv = {
        AWS_ACCESS_KEY_ID: motoCredentials.accessKey,
        AWS_SECRET_ACCESS_KEY: motoCredentials.secretKey,
        // Keep the machine's own AWS files and instance metadata out of the chain.
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
        AWS_CONFIG_FILE: path.join(dir, "no-config"),
        AWS_EC2_METADATA_DISABLED: "true",
    };
    return {
        endpoint, chainEnv, config,
        settings: (extra = {}) => {
            const all: Record<string, string | undefined> = {
                ...config, accessKey: motoCredentials.accessKey, secretKey: motoCredentials.secretKey, maxRetries: "1", requestTimeoutSeconds: "10", ...extra,
            };
            return resolveSettings((key) => all[key], { ...process.env, ...chainEnv });
        },
        stored: () => readStore(endpoint),
        stop: async () => {
            await run("bash", [script, "stop", dir]);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

async function readStore(endpoint: string): Promise<MotoStore> {
    const answer = await fetch(`${endpoint}/moto-api/data.json`);
    if (!answer.ok) throw new Error(`moto's model dump answered HTTP ${answer.status}`);
    const data = await answer.json() as { s3?: { FakeBucket?: any[] }; iam?: { Role?: any[] } };
    const lastNamed = <T extends { name?: string }>(items: T[] | undefined, name: string) => (items ?? []).filter((item) => item.name === name).pop();
    return {
        replicationOf(bucket) {
            const stored = lastNamed(data.s3?.FakeBucket, bucket)?.replication;
            if (!stored) return null;
            return { ...stored, Rule: Array.isArray(stored.Rule) ? stored.Rule : [stored.Rule] };
        },
        roleNamed(name) {
            const role = lastNamed(data.iam?.Role, name);
            if (!role) return undefined;
            return {
                arn: role.arn, name: role.name, description: role.description ?? "",
                trust: JSON.parse(role.assume_role_policy_document),
                tags: Object.fromEntries((role.tags ?? []).map((tag: { Key: string; Value: string }) => [tag.Key, tag.Value])),
                policies: Object.fromEntries(Object.entries(role.policies ?? {}).map(([policy, text]) => [policy, JSON.parse(text as string)])),
            };
        },
        bucketNames: () => (data.s3?.FakeBucket ?? []).map((bucket) => bucket.name),
        bucketAccount: (bucket) => lastNamed(data.s3?.FakeBucket, bucket)?.account_id,
    };
}

/** SDK clients of our own, for reading moto independently of the backend under test. */
export function independentClients(moto: Moto, region: string) {
    const credentials = { accessKeyId: motoCredentials.accessKey, secretAccessKey: motoCredentials.secretKey };
    const { S3Client } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const { IAMClient } = require("@aws-sdk/client-iam") as typeof import("@aws-sdk/client-iam");
    return {
        s3: new S3Client({ endpoint: moto.endpoint, region, credentials, forcePathStyle: true }),
        iam: new IAMClient({ endpoint: moto.endpoint, region: "us-east-1", credentials }),
    };
}

/** Type tokens as the engine names the dynamic resources. */
export const types = {
    bucket: "pulumi-nodejs:dynamic/bucket-replication:Bucket",
    versioning: "pulumi-nodejs:dynamic/bucket-replication:BucketVersioning",
    role: "pulumi-nodejs:dynamic/bucket-replication:IamRole",
    replication: "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration",
};

export interface ProgramOnMoto {
    moto: Moto;
    stack: PulumiStack;
    /** Set once a test has destroyed the stack, so that clean-up does not try again. */
    destroyed: boolean;
    /** The steps a preview plans other than "same", as "op type name". */
    changedSteps(): Promise<string[]>;
    /** The resources in the state, as `pulumi stack export` shows them. */
    stateResources(): Promise<{ type: string; id?: string; outputs?: Record<string, any> }[]>;
}

/**
 * The lifecycle every program test on moto shares: a moto of its own, a fresh stack of `programDir`
 * on the 'aws' backend pointed at it, and at the end `pulumi destroy` (unless a test did) and moto stopped.
 * Credentials come from the AWS credential chain (moto's keys in the environment) unless
 * `credentials: "config"` puts them into the stack configuration as secrets instead.
 */
export function programOnMoto(programDir: string, options: { credentials?: "chain" | "config"; zones?: Record<string, string>; config?: Record<string, string> } = {}): ProgramOnMoto {
    const context = { destroyed: false } as ProgramOnMoto;
    before(async function () {
        this.timeout(600_000);
        context.moto = await startMoto();
        const fromChain = (options.credentials ?? "chain") === "chain";
        context.stack = await PulumiStack.init(programDir, {}, fromChain ? context.moto.chainEnv : { ...context.moto.chainEnv, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });
        const zones = options.zones
            ? Object.fromEntries(Object.entries(options.zones).map(([zone, region]) => [zone, { endpoint: context.moto.endpoint, region }]))
            : JSON.parse(context.moto.config.zones);
        await context.stack.setConfig("bucket-replication:backend", "aws");
        await context.stack.setConfig("bucket-replication:zones", JSON.stringify(zones));
        await context.stack.setConfig("bucket-replication:iamEndpoint", context.moto.endpoint);
        if (!fromChain) {
            await context.stack.setConfig("bucket-replication:accessKey", motoCredentials.accessKey, { secret: true });
            await context.stack.setConfig("bucket-replication:secretKey", motoCredentials.secretKey, { secret: true });
        }
        for (const [key, value] of Object.entries(options.config ?? {})) await context.stack.setConfig(key, value);
    });
    after(async function () {
        this.timeout(600_000);
        if (context.stack) {
            if (!context.destroyed) await context.stack.destroy();
            await context.stack.dispose();
        }
        await context.moto?.stop();
    });
    context.changedSteps = async () => (await context.stack.previewSteps()).filter((step) => step.op !== "same")
        .map((step) => `${step.op} ${step.type} ${step.urn.split("::").pop()}`);
    context.stateResources = async () =>
        JSON.parse((await context.stack.run(["stack", "export", "--stack", context.stack.stackName])).stdout).deployment.resources ?? [];
    return context;
}

/**
 * Several accounts on one moto. moto picks the account of each request (moto/core/responses.py,
 * get_current_account) from, in order: the MOTO_ACCOUNT_ID environment variable of the server, an
 * `x-moto-account-id` request header, then the access key that signed it: a key that moto issued for an
 * account (an IAM user's, or one that STS AssumeRole handed out) belongs to that account, and any other
 * key to the default one, 123456789012. The header would need a middleware on every client of the
 * backend; the key needs nothing, and is how a real second account arrives: its owner's key pair. So a
 * second account is reached as AWS allows it, by STS AssumeRole into a role of that account (moto needs
 * no such role to exist: "The ARN can point to another account, providing an opportunity to switch
 * accounts", moto/sts/models.py), and the key pair it returns is given to the zones of that account
 * (`zones.<zone>.accessKey`/`secretKey`). moto does not check signatures, so the session token that
 * goes with the pair is not needed, and S3 and IAM calls of the AWS SDK v3 signed with the pair land in
 * that account: buckets, their policies and IAM roles are kept per account (bucket names stay global).
 * moto lets any account reach any bucket by name (its cross-account access is on by default), so the
 * tests read what belongs where from moto's dump (each bucket's account_id, each role's ARN) rather
 * than from access being refused.
 */
export const motoSecondAccount = "222222222222";

/** A key pair of `account` on this moto, from STS AssumeRole (signed with the default account's keys; moto checks no signature). */
export async function motoAccountKeys(moto: Moto, account: string): Promise<{ accessKey: string; secretKey: string }> {
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, "");
    const body = new URLSearchParams({
        Action: "AssumeRole", Version: "2011-06-15", RoleArn: `arn:aws:iam::${account}:role/pbr-contract-deployer`, RoleSessionName: "pbr-contract",
    });
    const answer = await fetch(`${moto.endpoint}/`, {
        method: "POST",
        headers: {
            "content-type": "application/x-www-form-urlencoded",
            // The credential scope names the service: moto's server routes the request to STS by it.
            authorization: `AWS4-HMAC-SHA256 Credential=${motoCredentials.accessKey}/${day}/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body,
    });
    const text = await answer.text();
    const accessKey = /<AccessKeyId>([^<]+)</.exec(text)?.[1];
    const secretKey = /<SecretAccessKey>([^<]+)</.exec(text)?.[1];
    if (!answer.ok || !accessKey || !secretKey) throw new Error(`moto's STS AssumeRole into account ${account} answered HTTP ${answer.status}: ${text.slice(0, 300)}`);
    return { accessKey, secretKey };
}

/** An S3 client of this moto signing with `keys` (the default account's when none). */
export function motoS3As(moto: Moto, keys?: { accessKey: string; secretKey: string }, region = "us-east-1") {
    const { S3Client } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const { accessKey, secretKey } = keys ?? motoCredentials;
    return new S3Client({ endpoint: moto.endpoint, region, forcePathStyle: true, credentials: { accessKeyId: accessKey, secretAccessKey: secretKey } });
}

/**
 * A bucket's policy, parsed, read with GetBucketPolicy as the bucket's owner (moto's dump leaves policies
 * out: it keeps them as bytes); null when the bucket has none.
 */
export async function motoBucketPolicy(moto: Moto, bucket: string, keys?: { accessKey: string; secretKey: string }): Promise<{ Statement: Record<string, any>[] } | null> {
    const { GetBucketPolicyCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    try {
        const answer = await motoS3As(moto, keys).send(new GetBucketPolicyCommand({ Bucket: bucket }));
        return answer.Policy ? JSON.parse(answer.Policy) : null;
    } catch (error) {
        if ((error as { name?: string }).name === "NoSuchBucketPolicy") return null;
        throw error;
    }
}
