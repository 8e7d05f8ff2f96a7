import type { z as Zod } from "zod";
import type { ReplicationRuleFields } from "./rule";

// The check of each field of a replication rule (./rule.ts), for the ReplicationConfiguration's schema.
// Only what holds on every service: a service's own values and limits live in its ruleOptions.ts. The
// compiler asks for one entry per field, so a new rule option cannot be declared without its check.

/** One zod schema per field of ReplicationRuleFields, each failing with a message that says what to write. */
export function ruleFieldSchemas(z: typeof Zod) {
    return {
        priority: z.number({ error: "'priority' is required: a whole number; the highest priority wins when rules overlap." })
            .int("'priority' must be a whole number.").min(0, "'priority' must not be negative."),
        status: z.enum(["Enabled", "Disabled"], { error: "'status' must be \"Enabled\" or \"Disabled\"." }).optional(),
        prefix: z.string({ error: "'prefix' must be text: the start of the object keys to replicate, such as \"logs/\"." })
            .max(1024, "'prefix' must be at most 1024 characters (the longest object key).").optional(),
        tags: z.record(z.string(), z.string({ error: "Tag filter values must be strings." }),
            { error: "'tags' must map tag keys to values, such as { team: \"storage\" }." }).optional(),
        deleteMarkerReplication: z.boolean({ error: "'deleteMarkerReplication' must be true or false." }).optional(),
        deleteReplication: z.boolean({ error: "'deleteReplication' must be true or false." }).optional(),
        existingObjectReplication: z.boolean({ error: "'existingObjectReplication' must be true or false." }).optional(),
        replicaModifications: z.boolean({ error: "'replicaModifications' must be true or false." }).optional(),
        prefixes: z.array(z.string({ error: "Each of 'prefixes' must be text, such as \"logs/\"." })
            .max(1024, "Each of 'prefixes' must be at most 1024 characters."), { error: "'prefixes' must be a list of key prefixes, such as [\"logs/\", \"images/\"]." })
            .min(1, "'prefixes' must name at least one prefix; leave it out to replicate every object.").optional(),
        sseKms: z.object({
            replicateEncryptedObjects: z.boolean({ error: "'sseKms.replicateEncryptedObjects' must be true or false." }),
            replicaKmsKeyId: z.string({ error: "'sseKms.replicaKmsKeyId' must be the destination's KMS key ID or ARN." }).min(1).optional(),
        }, { error: "'sseKms' must be an object such as { replicateEncryptedObjects: true, replicaKmsKeyId: \"...\" }." }).optional(),
        replicationTimeControl: z.boolean({ error: "'replicationTimeControl' must be true or false." }).optional(),
        transferType: z.string({ error: "'transferType' must be text: the service's name for how it moves the data, such as \"oss_acc\"." }).optional(),
        bandwidthLimit: z.number({ error: "'bandwidthLimit' must be a number of bytes per second, such as 200_000_000." })
            .int("'bandwidthLimit' must be a whole number of bytes per second.").positive("'bandwidthLimit' must be more than 0; leave it out for no limit.").optional(),
        synchronous: z.boolean({ error: "'synchronous' must be true or false." }).optional(),
        healthCheckPeriod: z.number({ error: "'healthCheckPeriod' must be a number of seconds, such as 30." })
            .int("'healthCheckPeriod' must be a whole number of seconds.").positive("'healthCheckPeriod' must be more than 0; leave it out for the service's own.").optional(),
        resync: z.string({ error: "'resync' must be text; change it to copy every existing object again, such as \"2026-12-04\"." })
            .min(1, "'resync' must not be empty; leave it out for no resync.").optional(),
        metrics: z.boolean({ error: "'metrics' must be true or false." }).optional(),
        destinationAccount: z.string({ error: "'destinationAccount' must be the destination owner's account ID, such as \"111122223333\"." })
            .min(1, "'destinationAccount' must not be empty; leave it out when the destination is the source's account.").optional(),
        ownerOverride: z.boolean({ error: "'ownerOverride' must be true or false." }).optional(),
        destination: z.object({
            bucket: z.string({ error: "'bucket' is required: the destination bucket's name, such as `destination.name`." }),
            zone: z.string({ error: "'zone' is required: the destination bucket's zone, such as `destination.zone`." }),
            storageClass: z.string({ error: "'storageClass' must be text, such as \"STANDARD\"." }).optional(),
        }, { error: "'destination' is required: { bucket: destination.name, zone: destination.zone }." }),
    } satisfies { readonly [K in keyof Required<ReplicationRuleFields>]: Zod.ZodType };
}
