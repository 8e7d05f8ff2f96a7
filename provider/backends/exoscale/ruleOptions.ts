import type { PathProblem, RuleCheck, RuleOptionsOfService } from "../contract";
import { refusedRuleOptions } from "../ruleOptionRefusals";

const refuse = (message: string) => (id: string) => `Rule '${id}': ${message}`;

/** SOS replication filters by one prefix and replicates new objects and delete markers: no other option. */
export const ruleOptions: RuleOptionsOfService = {
    takes: [],
    whyNot: {
        deleteReplication: refuse("Exoscale SOS cannot replicate deletions of versions. Set 'deleteReplication: false' (delete markers follow 'deleteMarkerReplication')."),
        tags: refuse("Exoscale SOS filters replication by prefix only. Remove 'tags' and use 'prefix'."),
        prefixes: refuse("Exoscale SOS filters a rule by one prefix, given as 'prefix'. Use 'prefix', or one rule per prefix."),
        sseKms: refuse("Exoscale SOS has no KMS. Remove 'sseKms' on the exoscale backend."),
        replicationTimeControl: refuse("Exoscale SOS offers no replication time control. Remove 'replicationTimeControl'."),
        transferType: refuse("'transferType' is an Alibaba OSS option. Remove it on the exoscale backend."),
        // Not sent in the SOS document, so refused rather than dropped without a word.
        existingObjectReplication: refuse("this backend does not ask SOS to replicate objects written before the rule. Copy them once (for example with 'exo storage sync' or 'mc mirror'), and set 'existingObjectReplication: false'."),
        replicaModifications: refuse("Exoscale SOS does not replicate changes made to replicas. Set 'replicaModifications: false'; for two-way replication declare a rule in each direction (BiDirectional does)."),
    },
};

/** What SOS replication cannot express: the options it does not take; nothing more today. */
export function ruleProblems(rules: Readonly<Record<string, RuleCheck>>): PathProblem[] {
    return refusedRuleOptions("exoscale", ruleOptions, rules);
}
