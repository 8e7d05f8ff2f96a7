import { expect } from "chai";
import {
    DeclaredTopology, declaredTopology, expectNewObjectsReplicate, expectServersAsDeclared, previewWithRefresh, RefreshPreview, ResourceLabel,
    upWithRefresh, valueAt,
} from "../support/drift";
import { PulumiStack } from "../support/pulumiStack";

/** A resource the refresh must find changed, and the outputs it must name (dotted paths, such as `zones.local-b.user`). */
export interface ExpectedChange {
    readonly resource: ResourceLabel;
    /** @default "update" */
    readonly op?: "update" | "create" | "replace";
    readonly properties?: readonly string[];
    /** Values the refresh must have read, by dotted path, such as `{ "zones.local-b.user": "missing" }`; their paths must be among the changed ones too. */
    readonly found?: Readonly<Record<string, unknown>>;
}

/**
 * A deployed topology that the cases of one file share: each case changes one thing outside Pulumi, and
 * its repair puts the topology back as declared, which the case checks before the next one runs.
 */
export class DriftedTopology {
    private constructor(readonly stack: PulumiStack, readonly declared: DeclaredTopology, readonly outputs: Record<string, any>) {}

    static async deploy(programDir: string): Promise<DriftedTopology> {
        // PULUMI_SKIP_CONFIRMATIONS off: `refresh --preview-only` refuses it (every other command here passes --yes).
        const stack = await PulumiStack.init(programDir, {}, { PULUMI_SKIP_CONFIRMATIONS: "false" });
        try {
            await stack.mustUp();
            return new DriftedTopology(stack, await declaredTopology(stack), await stack.outputs());
        } catch (error) {
            await stack.destroy().catch(() => undefined);
            await stack.dispose();
            throw error;
        }
    }

    /** The topology as deployed: the servers as declared, objects replicating, and nothing for a refresh to find or warn of. */
    async expectHealthy(label: string): Promise<void> {
        const preview = await previewWithRefresh(this.stack);
        expect(preview, "preview --refresh of the topology as deployed").to.deep.equal({ planned: [], warnings: [] });
        await expectServersAsDeclared(this.declared);
        await expectNewObjectsReplicate(this.declared, label);
    }

    /**
     * One drift case: `change` outside Pulumi, then (a) `preview --refresh` plans exactly the expected
     * resources, naming the changed outputs, without warnings (no object was written meanwhile); (b) `up
     * --refresh` puts the servers back as declared; (c) new objects replicate; and a second preview finds
     * nothing left to do.
     */
    async expectRepaired(label: string, change: () => Promise<void>, expected: readonly ExpectedChange[], afterUp?: () => Promise<void>): Promise<RefreshPreview> {
        await change();
        const preview = await previewWithRefresh(this.stack);
        this.expectPlanned(preview, expected);
        expect(preview.warnings, "warnings of preview --refresh (no object was written while drifted)").to.deep.equal([]);
        await upWithRefresh(this.stack);
        await expectServersAsDeclared(this.declared);
        await afterUp?.();
        await expectNewObjectsReplicate(this.declared, label);
        expect(await previewWithRefresh(this.stack), "preview --refresh after the repair").to.deep.equal({ planned: [], warnings: [] });
        return preview;
    }

    expectPlanned(preview: RefreshPreview, expected: readonly ExpectedChange[]): void {
        const seen = JSON.stringify(preview.planned);
        expect(preview.planned.map((p) => `${p.op} ${p.resource}`).sort(), `the resources preview --refresh plans to change: ${seen}`)
            .to.deep.equal(expected.map((e) => `${e.op ?? "update"} ${e.resource}`).sort());
        for (const e of expected) {
            const planned = preview.planned.find((p) => p.resource === e.resource)!;
            // A named output counts when it, or something inside it (`policy` for `policy.Statement`), changed.
            const named = [...(e.properties ?? []), ...Object.keys(e.found ?? {})];
            const unnamed = named.filter((n) => !planned.properties.some((p) => p === n || p.startsWith(`${n}.`)));
            expect(unnamed, `outputs of ${e.resource} the refresh should have found changed: ${seen}`).to.deep.equal([]);
            for (const [at, value] of Object.entries(e.found ?? {})) {
                expect(valueAt(planned.refreshed, at), `${e.resource}'s ${at} as the refresh read it`).to.deep.equal(value);
            }
        }
    }

    /** Best effort after a failed case, so that the next case starts from the declared topology. */
    async restore(): Promise<void> {
        await upWithRefresh(this.stack).catch((error) => console.error(`restoring the topology failed: ${error}`));
    }

    async dispose(): Promise<void> {
        await this.stack.destroy();
        await this.stack.dispose();
    }
}
