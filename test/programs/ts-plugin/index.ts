import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// First, before any resource: the plugin's custom resources instead of dynamic ones.
br.usePlugin();

const config = new pulumi.Config();
const prod = new br.LeaderFollower("prod", {
    leader: { zone: "local-a", forceDestroy: true },
    followers: [{ zone: "local-b", forceDestroy: true }],
});
const logs = new br.Bucket("logs", { zone: "local-a", forceDestroy: true, tags: { team: config.get("team") ?? "storage" } });

export const leader = prod.leader.name;
export const follower = prod.followers[0].name;
export const logsBucket = logs.name;
