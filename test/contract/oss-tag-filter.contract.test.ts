import { expect } from "chai";
import { eventually } from "./ossHarness";
import { changedSteps, ossExampleUnderContract } from "./ossGuide";

// test/programs/oss-tag-filter under the real Pulumi CLI, against the local OSS + RAM contract server: a rule
// with a tag filter (PutBucketReplication's UserTaggings) previews, converges on one up, reads back as the
// program's rule, replicates only the objects that carry every tag, shows a filter changed outside Pulumi on
// refresh, is put back by up, and follows a change of the program's tags.

const replicationType = "pulumi-nodejs:dynamic/bucket-replication:ReplicationConfiguration";

describe("contract: a tag-filtered OSS rule (test/programs/oss-tag-filter) under the Pulumi CLI against the OSS contract server", function () {
    const program = ossExampleUnderContract("test/programs/oss-tag-filter");
    const state = () => program.server.state;
    const live = () => state().rulesOf("tagsrcbucket").filter((rule) => rule.closingSince === undefined);
    const outputsOf = async (type: string): Promise<Record<string, any>> => {
        const resources = JSON.parse((await program.stack.run(["stack", "export", "--stack", program.stack.stackName])).stdout).deployment.resources ?? [];
        return resources.find((r: { type: string }) => r.type === type).outputs;
    };

    it("previews the rule with its tags", async () => {
        const preview = await program.stack.previewJson();
        const step = (preview.steps ?? []).find((s) => s.urn.endsWith("ReplicationConfiguration::tagsrcbucket"));
        expect(step?.newState?.inputs?.rules?.["tagged-docs"]).to.deep.include({ prefix: "docs/", tags: { team: "ops", env: "prod" } });
    });

    it("converges on one up, sending UserTaggings with FilterType AND, and previews no changes after", async () => {
        await program.stack.mustUp();
        expect(live()).to.have.length(1);
        expect(live()[0]).to.deep.include({ id: "tagged-docs", prefixes: ["docs/"], action: "PUT", tagFilterType: "AND",
            tags: [{ key: "env", value: "prod" }, { key: "team", value: "ops" }] });
        const add = state().requestsFor("PutBucketReplication").find((r) => r.status === 200)!;
        expect(add.body).to.contain("<UserTaggings><FilterType>AND</FilterType><UserTagging><Key>env</Key><Value>prod</Value></UserTagging>");
        expect(await changedSteps(program.stack)).to.deep.equal([]);
    });

    it("replicates only the objects under the prefix that carry every tag", async () => {
        state().putObject("tagsrcbucket", "docs/match.txt", "m", { tags: { team: "ops", env: "prod" } });
        state().putObject("tagsrcbucket", "docs/half.txt", "h", { tags: { team: "ops" } });
        state().putObject("tagsrcbucket", "logs/match.txt", "l", { tags: { team: "ops", env: "prod" } });
        await eventually(() => state().latest("tagdstbucket", "docs/match.txt") !== undefined, "docs/match.txt to replicate");
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(state().latest("tagdstbucket", "docs/half.txt")).to.equal(undefined);
        expect(state().latest("tagdstbucket", "logs/match.txt")).to.equal(undefined);
    });

    it("refresh shows a tag filter changed outside Pulumi, and up puts the program's back", async () => {
        Object.assign(live()[0], { tags: [{ key: "team", value: "ops" }, { key: "env", value: "staging" }], tagFilterType: "OR" });
        await program.stack.mustRefresh();
        const configuration = await outputsOf(replicationType);
        expect(configuration.rules["tagged-docs"].tags).to.deep.equal({ team: "ops", env: "staging", "(OSS FilterType)": "OR" });
        expect(await changedSteps(program.stack)).to.deep.equal(["update ReplicationConfiguration tagsrcbucket"]);
        await program.stack.mustUp();
        expect(live()).to.have.length(1);
        expect(live()[0]).to.deep.include({ tagFilterType: "AND", tags: [{ key: "env", value: "prod" }, { key: "team", value: "ops" }] });
        expect(await changedSteps(program.stack)).to.deep.equal([]);
    });

    it("follows a change of the program's tags: the rule is added again with the new filter", async () => {
        await program.stack.setConfig("ruleTags", JSON.stringify({ team: "ops" }));
        expect(await changedSteps(program.stack)).to.deep.equal(["update ReplicationConfiguration tagsrcbucket"]);
        await program.stack.mustUp();
        expect(live()).to.have.length(1);
        expect(live()[0]).to.deep.include({ tagFilterType: "AND", tags: [{ key: "team", value: "ops" }] });
        expect(await changedSteps(program.stack)).to.deep.equal([]);
    });

    it("destroys everything", async () => {
        await program.stack.mustDestroy();
        program.destroyed = true;
        expect([...state().buckets.keys()]).to.deep.equal([]);
        expect([...state().roles.keys()]).to.deep.equal([]);
    });
});
