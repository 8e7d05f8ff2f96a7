import { ruleOptionInUse, type RuleCheck, type RuleOption } from "../common/rule";
import type { PathProblem, RuleOptionsOfService } from "./contract";

/** Each rule option a rule uses that the service does not take, with the service's reason or one that names the option. */
export function refusedRuleOptions(backend: string, options: RuleOptionsOfService, rules: Readonly<Record<string, RuleCheck>>): PathProblem[] {
    const problems: PathProblem[] = [];
    for (const [id, rule] of Object.entries(rules)) {
        if (!rule || typeof rule !== "object") continue;
        for (const option of Object.keys(ruleOptionInUse) as RuleOption[]) {
            const inUse = ruleOptionInUse[option] as (value: unknown) => boolean;
            if (options.takes.includes(option) || !inUse(rule[option])) continue;
            const message = options.whyNot?.[option]?.(id)
                ?? `Rule '${id}' sets '${option}', which the '${backend}' backend does not take; remove '${option}' on this backend.`;
            problems.push({ path: [id, option], message });
        }
    }
    return problems;
}
