// The plugin's Pulumi package schema: what `pulumi package get-schema` prints and what SDKs of other languages
// are generated from. Resources and components are described here for programs in other languages; the rule
// fields are checked against the rule model (common/rule.ts), so a new rule option fails the build until it
// is described here too.
import type { ReplicationRuleFields, RuleDestination } from "../common/rule";
import { ruleDefaults } from "../common/rule";
import { resourceKinds } from "./resources";
import { functions } from "./functions";

type Property = Record<string, unknown> & { description: string };

const text = (description: string, extra: Record<string, unknown> = {}): Property => ({ type: "string", description, ...extra });
const flag = (description: string, extra: Record<string, unknown> = {}): Property => ({ type: "boolean", description, ...extra });
const number = (description: string, extra: Record<string, unknown> = {}): Property => ({ type: "number", description, ...extra });
const textMap = (description: string): Property => ({ type: "object", additionalProperties: { type: "string" }, description });
const anything = (description: string): Property => ({ $ref: "pulumi.json#/Any", description });

/** One schema entry per rule field; `satisfies` makes a field missing here a compile error. */
const ruleProperties = (pkg: string) => ({
    priority: { type: "integer", description: "Which rule wins where rules overlap: the highest. Unique within the configuration." },
    status: text("Whether the rule is in force: \"Enabled\" or \"Disabled\".", { default: ruleDefaults.status }),
    prefix: text("Replicate only keys that start with this prefix; empty for every object.", { default: ruleDefaults.prefix }),
    tags: textMap("Replicate only objects with all of these tags. Default: no tag filter."),
    deleteMarkerReplication: flag("Whether deletes on the source (delete markers) are replicated.", { default: ruleDefaults.deleteMarkerReplication }),
    deleteReplication: flag("Whether deletes of specific object versions are replicated (MinIO only).", { default: ruleDefaults.deleteReplication }),
    existingObjectReplication: flag("Whether objects that existed before the rule are replicated too, where the service supports it.",
        { default: ruleDefaults.existingObjectReplication }),
    replicaModifications: flag("Whether metadata changes on replicas are replicated back (bi-directional setups).", { default: ruleDefaults.replicaModifications }),
    destination: { $ref: `#/types/${pkg}:index:RuleDestination`, description: "Where objects are replicated to." },
    prefixes: { type: "array", items: { type: "string" }, description: "Several key prefixes for one rule (Alibaba OSS: up to 10); only one of `prefix` and `prefixes`." },
    sseKms: { $ref: `#/types/${pkg}:index:RuleSseKms`, description: "Replication of SSE-KMS encrypted objects (AWS, Alibaba OSS). Default: not replicated." },
    replicationTimeControl: flag("Replication time control (AWS RTC, Alibaba OSS RTC where the region offers it). Default: off."),
    transferType: text("How Alibaba OSS moves the data: `internal` or `oss_acc` (transfer acceleration). Other services refuse it."),
    bandwidthLimit: number("The most bytes per second replication may send to this rule's destination (MinIO, at least 100 MB/s). Default: no limit."),
    synchronous: flag("Whether each write waits until its copy has reached the destination (MinIO). Default: false."),
    healthCheckPeriod: { type: "integer", description: "How often the service checks that the destination is reachable, in seconds (MinIO). Default: the service's own." },
    resync: text("Any text: when it changes, `up` has the service copy every existing object to the destination again (MinIO). Default: no resync."),
    metrics: flag("Replication metrics of this rule (AWS). Default: off."),
    destinationAccount: text("The account that owns the destination bucket, where it is not the source's (AWS, Alibaba OSS). Default: the source's account."),
    ownerOverride: flag("Whether the replicas belong to the destination's owner (AWS; needs `destinationAccount`). Default: false."),
}) satisfies Record<keyof ReplicationRuleFields, Property | { $ref: string; description: string } | { type: string; description: string }>;

const destinationProperties = {
    bucket: text("The destination bucket's name."),
    zone: text("The destination bucket's zone."),
    storageClass: text("The storage class of the replicas, where the service lets a rule choose one. Default: the destination bucket's own."),
} satisfies Record<keyof RuleDestination, Property>;

function objectType(description: string, properties: Record<string, unknown>, required: readonly string[] = []) {
    return { type: "object", description, properties, required: [...required] };
}

/** The schema of the plugin served as `pkg` at `version`. */
export function packageSchema(pkg: string, version: string): Record<string, unknown> {
    const ref = (type: string) => `#/types/${pkg}:index:${type}`;
    const bucketRef = objectType("A bucket: its name and zone.", { name: text("The bucket's name."), zone: text("The bucket's zone.") }, ["name", "zone"]);
    const zoneBucket = objectType("A bucket by zone and name.", { zone: text("The bucket's zone."), bucket: text("The bucket's name.") }, ["zone", "bucket"]);
    const topologyBucket = {
        zone: text("The zone the bucket lives in: one of the configured zones."),
        name: text("The bucket's name. Default: the component's name and the bucket's role in it, plus 8 characters derived from project, stack, zone and account."),
        forceDestroy: flag("Whether destroying the topology may delete the objects in this bucket.", { default: false }),
    };
    const verify = { timeoutSeconds: number("How long each canary may take to arrive, in seconds (at most 3600).", { default: 300 }) };
    const lag = { type: "object", additionalProperties: { type: "number" }, description: "Seconds each rule's canary took to arrive, by rule ID; empty when `verify` is off." };
    const diagram = text("A Mermaid graph of the topology: zones, buckets, one arrow per rule.");

    const resources: Record<string, unknown> = {
        [`${pkg}:index:Bucket`]: resource("An object-storage bucket in one zone of the configured backend.", {
            name: text("The bucket's name: 3 to 63 lowercase letters, digits, dots and hyphens. Changing it replaces the bucket. Default: the resource's name plus 8 characters derived from project, stack, resource, zone and account."),
            zone: text("The zone the bucket lives in, one of the configured zones (such as local-a on the local MinIO pair). Changing it replaces the bucket."),
            forceDestroy: flag("Whether destroy (or a replacement) may delete every object version and delete marker in the bucket; without it, deleting a bucket that holds anything fails and deletes nothing.", { default: false }),
            tags: textMap("Tags of the bucket, changed in place. Default: no tags."),
            adoptExisting: flag("Take over a bucket of this `name` that already exists instead of failing: nothing is recreated or deleted, and its tags become the program's.", { default: false }),
        }, ["zone"], { endpoint: text("The S3 endpoint of the bucket's zone.") }, ["name", "zone", "endpoint", "forceDestroy", "tags"]),
        [`${pkg}:index:BucketVersioning`]: resource("Versioning of a bucket: required at both ends of replication. Deleting it suspends versioning and keeps every version.", {
            bucket: text("The bucket's name, such as the Bucket's `name` output. Changing it replaces this resource."),
            zone: text("The bucket's zone, such as the Bucket's `zone` output. Changing it replaces this resource."),
            status: text("\"Enabled\" (replication needs it at both ends) or \"Suspended\"; S3 cannot turn versioning off once on."),
        }, ["bucket", "zone", "status"], {}, ["bucket", "zone", "status"]),
        [`${pkg}:index:IamRole`]: resource("The identity a storage service replicates as: an IAM role on Exoscale, AWS and OSS; on MinIO a user with a canned policy on every zone, whose generated secret is a secret output.", {
            name: text("The role's name. Changing it replaces the role. Default: the resource's name plus 8 characters derived from project, stack, resource and account."),
            description: text("A description of the role.", { default: "" }),
            editable: flag("Whether the role's policy may be changed later (Exoscale); a non-editable role is replaced to change its policy.", { default: true }),
            labels: textMap("Labels of the role (Exoscale). Default: none."),
            policy: anything("The backend's policy document; the `replicationPolicy` function builds the least-privilege one for replication. Updated in place."),
            adoptExisting: flag("Take over a role of this `name` that already exists instead of failing.", { default: false }),
        }, ["policy"], {
            secretKey: text("The credentials' secret where the service needs one (MinIO); always a secret.", { secret: true }),
            zones: anything("How the role stands on each zone, as the last read found it (MinIO): user, attached policies, policy document, ownership marker, credentials."),
        }, ["name", "description", "editable", "labels", "policy"]),
        [`${pkg}:index:ReplicationConfiguration`]: resource("The replication configuration of one source bucket: every rule that copies its objects into other buckets. Deleting it leaves every replicated object where it is.", {
            bucket: text("The source bucket's name; pass the source's BucketVersioning `bucket` output so that versioning is applied first. Changing it replaces this resource."),
            zone: text("The source bucket's zone. Changing it replaces this resource."),
            role: { $ref: ref("RoleReference"), description: "The role the service replicates as: the IamRole's `id` and `name` outputs." },
            roleSecretKey: text("The role's secret key where the service needs one (MinIO): the IamRole's `secretKey` output.", { secret: true }),
            rules: { type: "object", additionalProperties: { $ref: ref("ReplicationRule") }, description: "The rules, keyed by rule ID." },
        }, ["bucket", "zone", "role", "rules"], {
            destinationGrants: { type: "object", additionalProperties: { type: "string" },
                description: "As the last refresh found them: whether each destination of another owner still lets the role replicate into it (`<zone>/<bucket>`: granted or missing; OSS). A missing grant is put back by the next `up`." },
        }, ["bucket", "zone", "role", "rules"]),
        [`${pkg}:index:ReplicationVerification`]: resource("A check on `up` that replication delivers: a canary object per rule must arrive in time. Runs again when the rules or the fingerprint change.", {
            rules: { type: "object", additionalProperties: { $ref: ref("VerifiedRule") }, description: "The rules to verify, keyed by rule ID." },
            timeoutSeconds: number("How long each canary may take to arrive, in seconds (at most 3600).", { default: 300 }),
            fingerprint: text("Any text; a change runs the verification again (such as the configuration's rules as JSON).", { default: "" }),
        }, ["rules"], {
            lagSeconds: { type: "object", additionalProperties: { type: "number" }, description: "Seconds each canary took to arrive, by rule ID." },
            verifiedAt: text("When the verification ran (ISO 8601)."),
            runId: text("The run's ID."),
        }, ["rules", "lagSeconds", "verifiedAt", "runId"]),
        [`${pkg}:index:LeaderFollower`]: {
            isComponent: true,
            description: "Leader-follower replication in one declaration: the buckets, versioning on each, a least-privilege role, and one rule per follower on the leader.",
            inputProperties: {
                leader: { $ref: ref("TopologyBucket"), description: "The bucket that is written to." },
                followers: { type: "array", items: { $ref: ref("TopologyBucket") }, description: "The buckets that receive a copy of everything written to the leader. At least one." },
                deleteMarkerReplication: flag("Whether deleting an object on the leader is replicated to the followers as a delete marker.", { default: true }),
                verify: { $ref: ref("Verify"), description: "Verify on `up` that each follower receives a canary object; off when unset." },
            },
            requiredInputs: ["leader", "followers"],
            properties: {
                leaderName: text("The leader bucket's name."),
                followerNames: { type: "array", items: { type: "string" }, description: "The follower buckets' names, in the order of `followers`." },
                roleName: text("The name of the role replication runs as."),
                diagram, replicationLag: lag,
            },
            required: ["leaderName", "followerNames", "roleName", "diagram", "replicationLag"],
        },
        [`${pkg}:index:BiDirectional`]: {
            isComponent: true,
            description: "Two buckets that replicate into each other: both buckets, versioning, one role and one rule per direction.",
            inputProperties: {
                a: { $ref: ref("TopologyBucket"), description: "One side." },
                b: { $ref: ref("TopologyBucket"), description: "The other side." },
                deleteMarkerReplication: flag("Whether deletes on either side are replicated to the other as delete markers.", { default: true }),
                verify: { $ref: ref("Verify"), description: "Verify on `up` that each side receives a canary object from the other; off when unset." },
            },
            requiredInputs: ["a", "b"],
            properties: {
                aName: text("Bucket a's name."), bName: text("Bucket b's name."),
                aToBRoleName: text("The name of the role that replicates from a to b."), bToARoleName: text("The name of the role that replicates from b to a."),
                diagram, replicationLag: lag,
            },
            required: ["aName", "bName", "aToBRoleName", "bToARoleName", "diagram", "replicationLag"],
        },
    };

    const types: Record<string, unknown> = {
        [`${pkg}:index:RuleDestination`]: objectType("Where a rule replicates to.", destinationProperties, ["bucket", "zone"]),
        [`${pkg}:index:RuleSseKms`]: objectType("Replication of SSE-KMS encrypted objects.", {
            replicateEncryptedObjects: flag("Whether KMS-encrypted objects are replicated."),
            replicaKmsKeyId: text("The destination's KMS key for the replicas."),
        }, ["replicateEncryptedObjects"]),
        [`${pkg}:index:ReplicationRule`]: objectType("One replication rule; its ID is its key in `rules`.", ruleProperties(pkg), ["priority", "destination"]),
        [`${pkg}:index:RoleReference`]: objectType("The role a configuration replicates as.", { id: text("The IamRole's `id`."), name: text("The IamRole's `name`.") }, ["id", "name"]),
        [`${pkg}:index:VerifiedRule`]: objectType("One rule to verify.", {
            source: { $ref: ref("ZoneBucket"), description: "The source bucket." },
            destination: { $ref: ref("ZoneBucket"), description: "The destination bucket." },
            prefix: text("The rule's key prefix, under which the canary is written.", { default: "" }),
        }, ["source", "destination"]),
        [`${pkg}:index:ZoneBucket`]: zoneBucket,
        [`${pkg}:index:PolicyBucket`]: bucketRef,
        [`${pkg}:index:TopologyBucket`]: objectType("One bucket of a topology.", topologyBucket, ["zone"]),
        [`${pkg}:index:Verify`]: objectType("A check on `up` that replication delivers.", verify),
        [`${pkg}:index:ReplicationStatusFigure`]: objectType("A count or volume the service reports, and over what.", {
            count: number("How many objects."), bytes: number("How many bytes."), over: text("Over what period or scope the figure counts."),
        }, ["over"]),
        [`${pkg}:index:SampledReplicationStatus`]: objectType("The replication status of a sample of the latest object versions.", {
            objects: number("Versions sampled."), pending: number("PENDING."), failed: number("FAILED."), completed: number("COMPLETED."),
            replica: number("REPLICA (written by replication from elsewhere)."), none: number("No replication status."),
        }, ["objects", "pending", "failed", "completed", "replica", "none"]),
        [`${pkg}:index:ReplicationRuleStatus`]: objectType("How one rule is doing.", {
            ruleId: text("The rule's ID."),
            destination: { $ref: ref("ZoneBucket"), description: "The rule's destination." },
            state: text("The rule's state as the service reports it: Enabled or Disabled (S3, MinIO, SOS), starting, doing or closing (OSS)."),
            pending: { $ref: ref("ReplicationStatusFigure"), description: "What waits to be replicated." },
            failed: { $ref: ref("ReplicationStatusFigure"), description: "What failed to replicate." },
            replicated: { $ref: ref("ReplicationStatusFigure"), description: "What was replicated." },
            lag: anything("How far replication lags: seconds, or until when everything is replicated, and over what."),
            historicalObjectsPercent: number("How far the replication of existing objects is, in percent (OSS)."),
            sample: { $ref: ref("SampledReplicationStatus"), description: "The status of a sample of the latest object versions." },
            metrics: anything("The service's own figures, by name."),
            source: text("Where the figures come from."),
            notes: { type: "array", items: { type: "string" }, description: "What the figures cannot tell." },
        }, ["ruleId", "destination", "state", "source"]),
    };

    const functionSchemas: Record<string, unknown> = {
        [`${pkg}:index:replicationPolicy`]: {
            description: "The least-privilege replication policy, in the configured backend's language, for an IamRole that replicates `source` into `destinations`.",
            inputs: objectType("", {
                source: { $ref: ref("PolicyBucket"), description: "The source bucket's name and zone." },
                destinations: { type: "array", items: { $ref: ref("PolicyBucket") }, description: "The destination buckets' names and zones." },
                ownerOverride: flag("Whether the rules hand the replicas to the destinations' owner (AWS `ownerOverride`): the role may then also change the replicas' owner.", { default: false }),
                backend: text("The backend whose policy language to use. Default: the configured backend."),
            }, ["source", "destinations"]),
            outputs: objectType("", { policy: anything("The policy document, for the IamRole's `policy`.") }, ["policy"]),
        },
        [`${pkg}:index:getReplicationStatus`]: {
            description: "How replication of one source bucket is doing, rule by rule, as the service reports it (and a sample of the latest object versions).",
            inputs: objectType("", {
                zone: text("The source bucket's zone."), bucket: text("The source bucket's name."),
                configurationId: text("Instead of `zone` and `bucket`: a ReplicationConfiguration's `id`, so that the status is read once the configuration exists (in a preview its ID is not known yet)."),
                destinations: { type: "array", items: { $ref: ref("ZoneBucket") }, description: "Destinations to report on where the service cannot name them. Default: those of the configuration." },
                sampleSize: { type: "integer", description: "How many of the latest object versions to sample.", default: 5 },
            }),
            outputs: objectType("", {
                zone: text("The source bucket's zone."), bucket: text("The source bucket's name."),
                backend: text("The backend that answered."), readAt: text("When the status was read (ISO 8601)."),
                rules: { type: "array", items: { $ref: ref("ReplicationRuleStatus") }, description: "Each rule's status." },
            }, ["zone", "bucket", "backend", "readAt", "rules"]),
        },
        [`${pkg}:oss:getReplicationLocations`]: {
            description: "Alibaba OSS: the regions a bucket can replicate to, with their transfer types and RTC.",
            inputs: objectType("", { zone: text("The bucket's zone (OSS region)."), bucket: text("The bucket's name.") }, ["zone", "bucket"]),
            outputs: objectType("", {
                zone: text("The bucket's zone."), bucket: text("The bucket's name."),
                locations: { type: "array", items: anything("A region: location, region, transferTypes, rtc."), description: "The regions a rule may replicate to." },
            }, ["zone", "bucket", "locations"]),
        },
        [`${pkg}:oss:getReplicationProgress`]: {
            description: "Alibaba OSS: the progress of one replication rule.",
            inputs: objectType("", { zone: text("The bucket's zone (OSS region)."), bucket: text("The bucket's name."), ruleId: text("The rule's ID.") }, ["zone", "bucket", "ruleId"]),
            outputs: objectType("", {
                zone: text("The bucket's zone."), bucket: text("The bucket's name."), ruleId: text("The rule's ID."), status: text("The rule's status."),
                destination: anything("The destination bucket and location."),
                historicalObjectReplication: flag("Whether existing objects are replicated."),
                historicalObjectsPercent: number("How far the replication of existing objects is, in percent."),
                newObjectsReplicatedUntil: text("Objects written before this time are replicated."),
            }, ["zone", "bucket", "ruleId", "status", "destination", "historicalObjectReplication"]),
        },
    };
    // Each function served has its schema, and each resource kind too.
    for (const name of Object.keys(functions)) if (!Object.keys(functionSchemas).some((token) => token.endsWith(`:${name}`))) throw new Error(`no schema for function ${name}`);
    for (const kind of resourceKinds) if (!resources[`${pkg}:index:${kind.name}`]) throw new Error(`no schema for resource ${kind.name}`);

    return {
        name: pkg,
        displayName: "Bucket replication",
        version,
        description: "Object-storage buckets and the replication between them on MinIO, Exoscale SOS, AWS S3 and Alibaba OSS.",
        keywords: ["pulumi", "s3", "minio", "replication", "category/storage"],
        license: "Apache-2.0",
        repository: "https://github.com/pulumi-bucket-replication/pulumi-bucket-replication",
        publisher: "pulumi-bucket-replication",
        config: {
            variables: {
                backend: text("The storage service: minio, exoscale, aws or oss.", { default: "minio" }),
                zones: anything("The zones: an object of zone name to { endpoint, region }, and where a zone belongs to another owner its own accessKey and secretKey (set them with --secret) and account."),
                accessKey: text("The access key ID.", { secret: true }),
                secretKey: text("The secret access key.", { secret: true }),
                iamEndpoint: text("The IAM (Exoscale, AWS) or RAM (OSS) endpoint, where it differs from the default."),
                waitTimeoutSeconds: number("How long to wait for the service to settle."),
                requestTimeoutSeconds: number("How long one request may take."),
                connectTimeoutSeconds: number("How long a connection may take."),
                maxRetries: { type: "integer", description: "How often a failed request is tried again." },
            },
        },
        provider: { description: "The provider of bucket-replication resources.", inputProperties: {}, properties: {} },
        resources,
        types,
        functions: functionSchemas,
        language: {
            // respectSchemaVersion: the SDK asks the engine for this version of the plugin, not for 0.0.0.
            python: { packageName: pkg.replace(/-/g, "_").replace(/^(?!pulumi_)/, "pulumi_"), requires: { pulumi: ">=3.0.0,<4.0.0" }, respectSchemaVersion: true },
            nodejs: { packageName: "pulumi-bucket-replication" },
        },
    };
}

function resource(description: string, inputs: Record<string, Property | Record<string, unknown>>, requiredInputs: readonly string[],
    outputsOnly: Record<string, Property>, required: readonly string[]) {
    return {
        description,
        inputProperties: inputs,
        requiredInputs: [...requiredInputs],
        properties: { ...Object.fromEntries(Object.entries(inputs).filter(([key]) => key !== "adoptExisting")), ...outputsOnly },
        required: [...required],
    };
}
