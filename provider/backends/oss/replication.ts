import type { BucketRef, ObservedVersioning, ProgressLog, ReplicationRule, ReplicationSpec, RoleState } from "../backend";
import type { PathProblem } from "../contract";
import type { ReplicationLocation, ReplicationProgress } from "../../common/oss";
import { withNote } from "../../common/withNote";
import { isMissingBucket } from "../s3/missingBucket";
import { waitFor } from "../../transport/polling";
import { ServiceError } from "../../transport/serviceError";
import type { OssGrants } from "./crossAccount";
import { type OssClient, xml } from "./ossClient";
import { isCode } from "./ramClient";
import { locationOf, regionOfLocation } from "./regions";
import { deleteRulesXml, type OssRule, putRuleXml, readRules, sameRule, toModel } from "./rules";
import { type OssRuleCheck, ruleProblems as ossRuleProblems } from "./ruleOptions";
import { configKey } from "../../common/configKey";

/** What replication needs of the backend: the OSS client, the zones' regions and the buckets' versioning. */
export interface OssSite {
    readonly oss: OssClient;
    /** What the destinations' owners grant the role where they are not the source's (crossAccount.ts). */
    readonly grants: OssGrants;
    regionOf(zone: string): string;
    zoneOfLocation(location: string, preferred?: string): string;
    versioningOrMissing(ref: BucketRef): Promise<ObservedVersioning | "Missing">;
}

/**
 * Replication through OSS's native API: one PutBucketReplication (comp=add) per rule; OSS cannot edit
 * a rule, so a changed rule is deleted, its closing awaited, and added again. Also the replication
 * queries OSS answers: where a bucket can replicate to, and each rule's progress.
 */
export class OssReplication {
    constructor(private readonly at: OssSite, private readonly waitTimeoutMs: number, private readonly pollMs: { first: number; max: number }) {}

    async putReplication(spec: ReplicationSpec, previous: ReplicationSpec | undefined, log: ProgressLog): Promise<void> {
        // Judged by region: a zone may carry another name than its OSS region.
        const byRegion = spec.rules.map((rule) => [rule.id, { ...rule, destination: { ...rule.destination, zone: this.at.regionOf(rule.destination.zone) } } as OssRuleCheck]);
        const problems = ossRuleProblems(Object.fromEntries(byRegion), { zone: this.at.regionOf(spec.source.zone), bucket: spec.source.bucket });
        if (problems.length > 0) {
            throw new Error(`The replication rules of bucket '${spec.source.bucket}' cannot be written to Alibaba OSS:\n  - ${problems.map((p) => p.message).join("\n  - ")}`);
        }
        await this.waitForMatchingVersioning(spec, log);
        await this.refuseUnreachableDestinations(spec);
        // Across accounts: each destination's owner lets the role in (its bucket policy) before a rule names it.
        await this.at.grants.put(spec, previous, log);

        const source = spec.source;
        const wanted = new Map(spec.rules.map((rule) => [rule.id, rule]));
        let current = await this.rulesOf(source, log);
        const toDelete = current.filter((rule) => rule.status !== "closing" && (!wanted.has(rule.id)
            || !sameRule(rule, wanted.get(rule.id)!, spec.role.id, this.at.regionOf(wanted.get(rule.id)!.destination.zone))));
        if (toDelete.length > 0) {
            log(`deleting rule${toDelete.length > 1 ? "s" : ""} ${toDelete.map((r) => `'${r.id}'`).join(", ")} on '${source.bucket}' ` +
                `(${toDelete.map((r) => wanted.has(r.id) ? "changed: OSS cannot edit a rule, so it is added again" : "no longer declared").join("; ")})`);
            await this.deleteRules(source, toDelete.map((r) => r.id), log);
        }
        const keep = new Set(current.filter((rule) => !toDelete.includes(rule) && rule.status !== "closing").map((rule) => rule.id));
        const toAdd = spec.rules.filter((rule) => !keep.has(rule.id));
        // A rule ID that OSS is still closing cannot be added again until it is gone.
        const reused = toAdd.filter((rule) => current.some((r) => r.id === rule.id));
        if (reused.length > 0) current = await this.waitUntilClosed(source, reused.map((r) => r.id), log);
        for (const rule of toAdd) {
            log(`adding rule '${rule.id}' on '${source.bucket}': into '${rule.destination.bucket}' (${locationOf(this.at.regionOf(rule.destination.zone))})`);
            await this.at.oss.send({
                zone: source.zone, bucket: source.bucket, method: "POST", query: { replication: "", comp: "add" },
                body: putRuleXml(rule, spec.role.id, this.at.regionOf(rule.destination.zone)),
                operation: `PutBucketReplication (rule '${rule.id}') of '${source.bucket}'`, idempotent: false, log,
            }).catch(async (error) => {
                if (!(error instanceof ServiceError && error.retryable)) throw error;
                // An add that got no answer may have taken effect: look before failing, and say so when the look fails too.
                let rules: OssRule[];
                try {
                    rules = await this.rulesOf(source, log);
                } catch (lookError) {
                    throw withNote(error, `Whether rule '${rule.id}' was added anyway could not be read either: ${(lookError as Error).message}. ` +
                        `Run 'pulumi refresh', then 'pulumi up'.`);
                }
                if (rules.some((r) => r.id === rule.id)) return undefined;
                throw error;
            });
        }
        if (toAdd.length > 0) await this.waitWhileStarting(source, toAdd.map((r) => r.id), log);
    }

    async getReplication(source: BucketRef, known: ReplicationSpec): Promise<ReplicationSpec | undefined> {
        let rules: OssRule[];
        try {
            rules = await this.rulesOf(source);
        } catch (error) {
            if (isMissingBucket(error)) return undefined;
            throw error;
        }
        const live = rules.filter((rule) => rule.status !== "closing");
        if (live.length === 0) return undefined;
        const knownById = new Map(known.rules.map((rule) => [rule.id, rule]));
        const model: ReplicationRule[] = live.map((rule) => {
            const before = knownById.get(rule.id);
            const zone = this.at.zoneOfLocation(rule.destinationLocation, before?.destination.bucket === rule.destinationBucket ? before?.destination.zone : undefined);
            return toModel(rule, before, zone);
        });
        const read = { source, role: syncRoleOf(live, known.role), rules: model };
        const destinationGrants = await this.at.grants.states(read);
        return Object.keys(destinationGrants).length > 0 ? { ...read, destinationGrants } : read;
    }

    /** GetBucketReplicationProgress of every rule (oss/status.ts). */
    async replicationStatus(spec: ReplicationSpec) {
        const { ossReplicationStatus } = require("./status") as typeof import("./status");
        return ossReplicationStatus(this, spec);
    }

    async deleteReplication(spec: ReplicationSpec, log: ProgressLog): Promise<void> {
        let rules: OssRule[];
        try {
            rules = await this.rulesOf(spec.source, log);
        } catch (error) {
            if (isMissingBucket(error)) return;
            throw error;
        }
        const open = rules.filter((rule) => rule.status !== "closing").map((rule) => rule.id);
        if (open.length > 0) await this.deleteRules(spec.source, open, log);
        // Versioning stays frozen until OSS has closed every rule: wait, so that what comes next can change it.
        if (rules.length > 0) await this.waitUntilClosed(spec.source, rules.map((rule) => rule.id), log);
        await this.at.grants.remove(await this.at.grants.grantsOf(spec, log), log);
    }

    /** The rules on a bucket, with their states; empty when it has none. */
    async rulesOf(source: BucketRef, log?: ProgressLog): Promise<OssRule[]> {
        try {
            const answer = await this.at.oss.send({ zone: source.zone, bucket: source.bucket, method: "GET", query: { replication: "" },
                operation: `GetBucketReplication of '${source.bucket}'`, log });
            return readRules(answer.xml());
        } catch (error) {
            if (isCode(error, "NoSuchReplicationConfiguration")) return [];
            throw error;
        }
    }

    private async deleteRules(source: BucketRef, ids: readonly string[], log: ProgressLog): Promise<void> {
        for (const id of ids) {
            try {
                await this.at.oss.send({ zone: source.zone, bucket: source.bucket, method: "POST", query: { replication: "", comp: "delete" },
                    body: deleteRulesXml([id]), operation: `DeleteBucketReplication (rule '${id}') of '${source.bucket}'`, log });
            } catch (error) {
                if (isCode(error, "NoSuchReplicationRule") || isCode(error, "NoSuchReplicationConfiguration")) continue;
                throw error;
            }
        }
    }

    /** Waits until OSS has closed the rules `ids` (they no longer appear), logging each wait. */
    private async waitUntilClosed(source: BucketRef, ids: readonly string[], log: ProgressLog): Promise<OssRule[]> {
        let closing: OssRule[] = [];
        let latest: OssRule[] = [];
        await waitFor({
            probe: async () => {
                latest = await this.rulesOf(source, log);
                closing = latest.filter((rule) => ids.includes(rule.id));
                return closing.length === 0 ? true : undefined;
            },
            waitingFor: () => `OSS to close rule${closing.length > 1 ? "s" : ""} ${closing.map((r) => `'${r.id}' (${r.status})`).join(", ")} on '${source.bucket}'`,
            log, timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollMs.first, maxPauseMs: this.pollMs.max,
            onTimeout: () => new Error(`OSS is still closing the replication rule${closing.length > 1 ? "s" : ""} ${closing.map((r) => `'${r.id}'`).join(", ")} ` +
                `of bucket '${source.bucket}' after ${Math.round(this.waitTimeoutMs / 1000)} s. It finishes on its own: run 'pulumi up' again later, ` +
                `or raise '${configKey("waitTimeoutSeconds")}'.`),
        });
        return latest;
    }

    /** Waits, bounded, while OSS prepares new rules ("starting"); a rule still starting at the end is left to OSS, with a note. */
    private async waitWhileStarting(source: BucketRef, ids: readonly string[], log: ProgressLog): Promise<void> {
        let starting: OssRule[] = [];
        try {
            await waitFor({
                probe: async () => {
                    const rules = await this.rulesOf(source, log);
                    const missing = ids.filter((id) => !rules.some((rule) => rule.id === id));
                    if (missing.length > 0) {
                        throw new Error(`OSS accepted the replication rule${missing.length > 1 ? "s" : ""} ${missing.map((id) => `'${id}'`).join(", ")} ` +
                            `of bucket '${source.bucket}' but does not list ${missing.length > 1 ? "them" : "it"}; check the bucket's replication in the OSS console.`);
                    }
                    starting = rules.filter((rule) => ids.includes(rule.id) && rule.status === "starting");
                    return starting.length === 0 ? true : undefined;
                },
                waitingFor: () => `OSS to start rule${starting.length > 1 ? "s" : ""} ${starting.map((r) => `'${r.id}'`).join(", ")} on '${source.bucket}' (starting)`,
                log, timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollMs.first, maxPauseMs: this.pollMs.max,
                onTimeout: () => new StillStarting(),
            });
        } catch (error) {
            if (!(error instanceof StillStarting)) throw error;
            log(`rule${starting.length > 1 ? "s" : ""} ${starting.map((r) => `'${r.id}'`).join(", ")} on '${source.bucket}' ` +
                `still starting after ${Math.round(this.waitTimeoutMs / 1000)} s; OSS finishes ${starting.length > 1 ? "them" : "it"} on its own`);
        }
    }

    /**
     * OSS replicates between two versioned buckets or two unversioned ones. A BucketVersioning of the
     * same program may still be on its way, so this waits (bounded, logged) while the two ends differ.
     */
    private async waitForMatchingVersioning(spec: ReplicationSpec, log: ProgressLog): Promise<void> {
        let mismatched: string[] = [];
        await waitFor({
            probe: async () => {
                mismatched = [];
                const source = await this.at.versioningOrMissing(spec.source);
                for (const rule of spec.rules) {
                    const destination = await this.at.versioningOrMissing(rule.destination);
                    const ok = source !== "Missing" && destination !== "Missing"
                        && (source === "Enabled" ? destination === "Enabled" : source === "Unversioned" && destination === "Unversioned");
                    if (!ok) {
                        mismatched.push(`rule '${rule.id}': source '${spec.source.bucket}' is ${describeVersioning(source)}, ` +
                            `destination '${rule.destination.bucket}' in ${rule.destination.zone} is ${describeVersioning(destination)}`);
                    }
                }
                return mismatched.length === 0 ? true : undefined;
            },
            waitingFor: () => `versioning to match at both ends (${mismatched.join("; ")})`,
            log, timeoutMs: this.waitTimeoutMs, firstPauseMs: this.pollMs.first, maxPauseMs: this.pollMs.max,
            onTimeout: () => new Error(`OSS replicates only between two versioned buckets (or two unversioned ones), and here ${mismatched.join("; ")}. ` +
                `Declare a BucketVersioning with status "Enabled" for each bucket, and pass its 'bucket' output to the ReplicationConfiguration so that it is applied first.`),
        });
    }

    /** Before writing: every destination must be a location the source can replicate to, with a transfer type and RTC it allows. */
    private async refuseUnreachableDestinations(spec: ReplicationSpec): Promise<void> {
        const problems = await this.destinationProblems(spec.source, spec.rules);
        if (problems.length > 0) {
            throw new Error(`The replication rules of bucket '${spec.source.bucket}' name destinations OSS cannot serve:\n  - ${problems.map((p) => p.message).join("\n  - ")}`);
        }
    }

    /**
     * What GetBucketReplicationLocation says against these rules: destinations the source cannot
     * replicate to, transfer types and RTC OSS does not offer there. Paths are relative to `rules`
     * (rule ID first). Empty when the source bucket does not exist yet (nothing to ask): a preview
     * hook can call this while the source exists; `up` always runs it before writing.
     */
    rulesPreviewProblems(source: BucketRef, rules: readonly ReplicationRule[]): Promise<PathProblem[]> {
        return this.destinationProblems(source, rules);
    }

    async destinationProblems(source: BucketRef, rules: readonly Pick<ReplicationRule, "id" | "destination" | "transferType" | "replicationTimeControl">[]): Promise<PathProblem[]> {
        let locations: ReplicationLocation[];
        try {
            locations = await this.replicationLocations(source);
        } catch (error) {
            if (isMissingBucket(error)) return [];
            throw error;
        }
        const problems: PathProblem[] = [];
        for (const rule of rules) {
            const region = this.at.regionOf(rule.destination.zone);
            const location = locationOf(region);
            if (region === this.at.regionOf(source.zone)) continue;
            const reachable = locations.find((l) => l.location === location);
            if (!reachable) {
                problems.push({ path: [rule.id, "destination", "zone"], message: `Rule '${rule.id}': '${source.bucket}' cannot replicate to ${location}; OSS lists ` +
                    `${locations.map((l) => l.location).join(", ") || "no location"} for it (see getReplicationLocations). Choose a destination in one of those regions.` });
                continue;
            }
            const transferType = rule.transferType ?? "internal";
            if (!reachable.transferTypes.includes(transferType)) {
                problems.push({ path: [rule.id, "transferType"], message: `Rule '${rule.id}': OSS carries replication from ${source.zone} to ${location} only with transfer type ` +
                    `${reachable.transferTypes.map((t) => `"${t}"`).join(" or ")}; set 'transferType: "${reachable.transferTypes[0]}"'.` });
            }
            if (rule.replicationTimeControl && !reachable.rtc) {
                problems.push({ path: [rule.id, "replicationTimeControl"], message: `Rule '${rule.id}': OSS offers no replication time control from ${source.zone} to ${location}; ` +
                    `set 'replicationTimeControl: false'.` });
            }
        }
        return problems;
    }

    /** GetBucketReplicationLocation: where the bucket can replicate to, with each location's transfer types and RTC. */
    async replicationLocations(source: BucketRef): Promise<ReplicationLocation[]> {
        const answer = await this.at.oss.send({ zone: source.zone, bucket: source.bucket, method: "GET", query: { replicationLocation: "" },
            operation: `GetBucketReplicationLocation of '${source.bucket}'` });
        const document = answer.xml();
        const constraints = new Map(xml.childrenNamed(xml.child(document, "LocationTransferTypeConstraint"), "LocationTransferType").map((entry) => [
            xml.textOf(entry, "Location") ?? "",
            xml.childrenNamed(xml.child(entry, "TransferTypes"), "Type").map((t) => t.text.trim()),
        ]));
        const rtc = new Set(xml.childrenNamed(xml.child(document, "LocationRTCConstraint"), "Location").map((l) => l.text.trim()));
        return xml.childrenNamed(document, "Location").map((l) => l.text.trim()).map((location) => ({
            location,
            region: regionOfLocation(location),
            transferTypes: constraints.get(location) ?? ["internal", "oss_acc"],
            rtc: rtc.has(location),
        }));
    }

    /** GetBucketReplicationProgress of one rule. */
    async replicationProgress(source: BucketRef, ruleId: string): Promise<ReplicationProgress> {
        const answer = await this.at.oss.send({ zone: source.zone, bucket: source.bucket, method: "GET", query: { replicationProgress: "", "rule-id": ruleId },
            operation: `GetBucketReplicationProgress (rule '${ruleId}') of '${source.bucket}'` });
        const rule = xml.child(answer.xml(), "Rule");
        const progress = xml.child(rule, "Progress");
        const historical = xml.textOf(progress, "HistoricalObject");
        const newObject = xml.textOf(progress, "NewObject");
        const newObjectTime = newObject ? new Date(newObject) : undefined;
        return {
            ruleId: xml.textOf(rule, "ID") ?? ruleId,
            status: xml.textOf(rule, "Status") ?? "",
            destination: { bucket: xml.textOf(xml.child(rule, "Destination"), "Bucket") ?? "", location: xml.textOf(xml.child(rule, "Destination"), "Location") ?? "" },
            historicalObjectReplication: xml.textOf(rule, "HistoricalObjectReplication") === "enabled",
            ...(historical !== undefined && historical !== "" ? { historicalObjectsPercent: Math.round(Number(historical) * 10000) / 100 } : {}),
            ...(newObjectTime && !Number.isNaN(newObjectTime.getTime()) ? { newObjectsReplicatedUntil: newObjectTime.toISOString() } : {}),
        };
    }
}

class StillStarting extends Error {}

function describeVersioning(state: ObservedVersioning | "Missing"): string {
    return state === "Missing" ? "not there yet" : state === "Unversioned" ? "unversioned" : `versioning ${state}`;
}

/**
 * The role the rules replicate as: their SyncRole, the RAM role's name (which is also the role's id
 * here). Each rule names its own; one that names another role than the known one (or none) is what
 * the configuration's role reads as, so that a refresh shows it and the next 'up' adds the rule again.
 */
export function syncRoleOf(rules: readonly OssRule[], known: RoleState): RoleState {
    const other = rules.map((rule) => rule.syncRole ?? "").find((name) => name !== known.id);
    return other === undefined ? known : { ...known, id: other, name: other };
}
