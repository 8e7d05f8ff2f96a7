import type { BackendSettings, StorageBackend } from "../backend";
import type { BackendDefaults, PathProblem, RoleChangeView } from "../contract";
import { descriptionCannotBeCleared } from "./roleLimits";
import { configKey } from "../../common/configKey";

/**
 * The 'exoscale' backend as the registry loads it: defaults, open, and the preview-time checks. The
 * backend itself (exoscaleBackend.ts) and its jobs (roles.ts, replication.ts) load only when it is opened.
 */

export { replicationPolicy } from "./policy";
export { ownerLabelKey, ownerLabelValue } from "./roleLimits";

/** Every zone with an SOS endpoint (egoscale v3 schemas). */
export const exoscaleZones: readonly string[] = [
    "ch-gva-2", "ch-dk-2", "de-fra-1", "de-muc-1", "at-vie-1", "at-vie-2", "bg-sof-1", "hr-zag-1",
];

export { ruleOptions, ruleProblems } from "./ruleOptions";

/**
 * A description cannot be cleared in place (see descriptionChange): said at preview, where the change
 * would otherwise show on every run and fail only in `up`.
 */
export function roleChangeProblems(olds: RoleChangeView, news: RoleChangeView): PathProblem[] {
    if (news.description !== "" || !olds.description || olds.name !== news.name) return [];
    return [{ path: ["description"], message: descriptionCannotBeCleared(olds.description) }];
}

export function sosEndpoint(zone: string): string {
    return `https://sos-${zone}.exo.io`;
}

export function defaults(env: NodeJS.ProcessEnv): BackendDefaults {
    return {
        zones: Object.fromEntries(exoscaleZones.map((zone) => [zone, { endpoint: sosEndpoint(zone), region: zone }])),
        credentials: { accessKey: env.EXOSCALE_API_KEY, secretKey: env.EXOSCALE_API_SECRET },
        howToConfigureZones: `Every Exoscale zone (${exoscaleZones.join(", ")}) is known by default; to choose others, set ` +
            `'${configKey("zones")}' to an object such as {"ch-dk-2": {"endpoint": "https://sos-ch-dk-2.exo.io"}}.`,
        howToSetCredentials: "set the EXOSCALE_API_KEY and EXOSCALE_API_SECRET environment variables to an Exoscale API key " +
            "whose IAM role may manage SOS buckets and IAM roles.",
        waitTimeoutMs: 5 * 60 * 1000,
        // Exoscale's replication guide: source and destination belong to the same organization.
        zonesOfOtherOwnersRefused: "SOS replicates only between buckets of one Exoscale organization, so every zone uses the stack's API key.",
    };
}

export function open(settings: BackendSettings): StorageBackend {
    const { ExoscaleBackend } = require("./exoscaleBackend") as typeof import("./exoscaleBackend");
    return new ExoscaleBackend(settings);
}
