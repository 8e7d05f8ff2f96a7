import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// The topology comes from stack configuration, so that a test can change it between two `up`s:
//   topology: "leader-follower" (default) or "bidirectional"
//   deleteMarkerReplication: "true" (default) or "false"
//   timeoutSeconds: the verification's bound, default the component's own
const config = new pulumi.Config();
const topology = config.get("topology") ?? "leader-follower";
const timeoutSeconds = config.getNumber("timeoutSeconds");
const deleteMarkerReplication = config.getBoolean("deleteMarkerReplication") ?? true;
const verify = timeoutSeconds === undefined ? {} : { timeoutSeconds };

function leaderFollower() {
    const prod = new br.LeaderFollower("prod", {
        leader: { zone: "local-a", forceDestroy: true },
        followers: [{ zone: "local-b", forceDestroy: true }],
        deleteMarkerReplication,
        verify,
    });
    return {
        buckets: pulumi.all([prod.leader, ...prod.followers].map((b) => pulumi.all([b.zone, b.name]))),
        roles: pulumi.all([prod.role.name]),
        replicationLag: prod.replicationLag,
    };
}

function biDirectional() {
    const ab = new br.BiDirectional("ab", {
        a: { zone: "local-a", forceDestroy: true },
        b: { zone: "local-b", forceDestroy: true },
        deleteMarkerReplication,
        verify,
    });
    return {
        buckets: pulumi.all([ab.a, ab.b].map((b) => pulumi.all([b.zone, b.name]))),
        roles: pulumi.all([ab.roles.aToB.name, ab.roles.bToA.name]),
        replicationLag: ab.replicationLag,
    };
}

const made = topology === "bidirectional" ? biDirectional() : leaderFollower();
export const buckets = made.buckets;
export const roles = made.roles;
export const replicationLag = made.replicationLag;
