import type { BucketRef, ReplicationRule } from "../backend";
import { child, childrenNamed, parseXml, textOf, toXml, XmlElement } from "../s3/xml";

/**
 * MinIO's replication document: the AWS shape plus DeleteReplication, which the AWS SDK's model
 * lacks, with each destination named by the ARN of a remote target registered on the source bucket.
 */
export function replicationXml(rules: readonly ReplicationRule[], arnOf: (rule: ReplicationRule) => string): string {
    const status = (on: boolean) => ({ Status: on ? "Enabled" : "Disabled" });
    const document = {
        Role: "",
        Rule: rules.map((rule) => ({
            ID: rule.id,
            Status: rule.status,
            Priority: rule.priority,
            DeleteMarkerReplication: status(rule.deleteMarkerReplication),
            DeleteReplication: status(rule.deleteReplication),
            Filter: filterOf(rule),
            ExistingObjectReplication: status(rule.existingObjectReplication),
            SourceSelectionCriteria: { ReplicaModifications: status(rule.replicaModifications) },
            Destination: { Bucket: arnOf(rule), StorageClass: rule.destination.storageClass },
        })),
    };
    return toXml("ReplicationConfiguration", document)
        .replace("<ReplicationConfiguration>", '<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
}

function filterOf(rule: ReplicationRule): object {
    const tags = Object.entries(rule.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    if (tags.length === 0) return { Prefix: rule.prefix ?? "" };
    if (tags.length === 1 && !rule.prefix) return { Tag: tags[0] };
    return { And: { Prefix: rule.prefix || undefined, Tag: tags } };
}

/**
 * The rules of a GetBucketReplication answer (the text, or its document when the caller has it).
 * A text that is not a ReplicationConfiguration document throws UnexpectedDocumentError; the S3
 * client has already refused such answers with the zone and endpoint named (ZoneS3.call).
 */
export function readReplicationXml(xml: string | XmlElement, destinationOf: (arn: string) => BucketRef): ReplicationRule[] {
    const root = typeof xml === "string" ? parseXml(xml, "ReplicationConfiguration") : xml;
    return childrenNamed(root, "Rule").map((rule) => {
        const destination = child(rule, "Destination");
        const filter = child(rule, "Filter");
        const and = child(filter, "And");
        const tagElements = [...childrenNamed(filter, "Tag"), ...childrenNamed(and, "Tag")];
        const prefix = textOf(and, "Prefix") ?? textOf(filter, "Prefix") ?? textOf(rule, "Prefix") ?? "";
        return {
            id: textOf(rule, "ID") ?? "",
            priority: Number(textOf(rule, "Priority") ?? 0),
            status: textOf(rule, "Status") === "Enabled" ? "Enabled" : "Disabled",
            prefix,
            tags: tagElements.length > 0 ? Object.fromEntries(tagElements.map((t) => [textOf(t, "Key") ?? "", textOf(t, "Value") ?? ""])) : undefined,
            deleteMarkerReplication: enabled(child(rule, "DeleteMarkerReplication")),
            deleteReplication: enabled(child(rule, "DeleteReplication")),
            existingObjectReplication: enabled(child(rule, "ExistingObjectReplication")),
            replicaModifications: enabled(child(child(rule, "SourceSelectionCriteria"), "ReplicaModifications")),
            destination: { ...destinationOf(textOf(destination, "Bucket") ?? ""), storageClass: textOf(destination, "StorageClass") || undefined },
        };
    });
}

function enabled(element: XmlElement | undefined): boolean {
    return textOf(element, "Status") === "Enabled";
}
