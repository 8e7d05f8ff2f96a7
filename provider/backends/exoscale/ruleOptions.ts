import type { RuleCheck } from "../contract";

/** What SOS replication cannot express, found at preview; each names the field and what to do instead. */
export function ruleProblems(rules: Readonly<Record<string, RuleCheck>>): { path: string[]; message: string }[] {
    const problems: { path: string[]; message: string }[] = [];
    for (const [id, rule] of Object.entries(rules)) {
        const refuse = (field: string, message: string) => problems.push({ path: [id, field], message: `Rule '${id}': ${message}` });
        if (rule.deleteReplication === true) {
            refuse("deleteReplication", "Exoscale SOS cannot replicate deletions of versions. Set 'deleteReplication: false' (delete markers follow 'deleteMarkerReplication').");
        }
        if (rule.tags && Object.keys(rule.tags).length > 0) refuse("tags", "Exoscale SOS filters replication by prefix only. Remove 'tags' and use 'prefix'.");
        if (Array.isArray(rule.prefixes)) refuse("prefixes", "Exoscale SOS filters a rule by one prefix, given as 'prefix'. Use 'prefix', or one rule per prefix.");
        if (rule.sseKms !== undefined) refuse("sseKms", "Exoscale SOS has no KMS. Remove 'sseKms' on the exoscale backend.");
        if (rule.replicationTimeControl !== undefined) refuse("replicationTimeControl", "Exoscale SOS offers no replication time control. Remove 'replicationTimeControl'.");
        if (rule.transferType !== undefined) refuse("transferType", "'transferType' is an Alibaba OSS option. Remove it on the exoscale backend.");
        // Not sent in the SOS document, so refused rather than dropped without a word.
        if (rule.existingObjectReplication === true) {
            refuse("existingObjectReplication", "this backend does not ask SOS to replicate objects written before the rule. Copy them once (for example with 'exo storage sync' or 'mc mirror'), and set 'existingObjectReplication: false'.");
        }
        if (rule.replicaModifications === true) {
            refuse("replicaModifications", "Exoscale SOS does not replicate changes made to replicas. Set 'replicaModifications: false'; for two-way replication declare a rule in each direction (BiDirectional does).");
        }
    }
    return problems;
}
