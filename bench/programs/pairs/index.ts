import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// `pairs` leader-follower topologies between the two local zones, for bench/run.ts's series.
const config = new pulumi.Config();
const pairs = config.getNumber("pairs") ?? 1;

for (let i = 1; i <= pairs; i++) {
    new br.LeaderFollower(`pair-${i}`, {
        leader: { zone: "local-a", forceDestroy: true },
        followers: [{ zone: "local-b", forceDestroy: true }],
    });
}

export const declaredPairs = pairs;
