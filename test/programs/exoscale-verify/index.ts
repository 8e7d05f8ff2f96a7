import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// A LeaderFollower with `verify` on, on whatever backend the stack configures: the Exoscale contract test
// (test/contract/exoscale-replication.contract.test.ts) points it at the local SOS stand-in, which
// replicates, so that the canaries really arrive. Configuration:
//   leaderZone / followerZone (ch-dk-2 / at-vie-1), timeoutSeconds (the verification's bound, default 30).
const config = new pulumi.Config();

const reports = new br.LeaderFollower("reports", {
    leader: { zone: config.get("leaderZone") ?? "ch-dk-2", forceDestroy: true },
    followers: [{ zone: config.get("followerZone") ?? "at-vie-1", forceDestroy: true }],
    verify: { timeoutSeconds: config.getNumber("timeoutSeconds") ?? 30 },
});

export const leader = pulumi.all([reports.leader.zone, reports.leader.name]);
export const follower = pulumi.all([reports.followers[0].zone, reports.followers[0].name]);
export const roleName = reports.role.name;
export const replicationLag = reports.replicationLag;
