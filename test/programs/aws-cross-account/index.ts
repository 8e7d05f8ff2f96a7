import * as br from "pulumi-bucket-replication";

// Zone a-eu belongs to one account, zone b-us to another (its own key pair and 'account' in the stack
// configuration). The components say nothing of accounts: the backend takes them from the zones.
const leaderFollower = new br.LeaderFollower("xlf", {
    leader: { zone: "a-eu", forceDestroy: true },
    followers: [{ zone: "b-us", forceDestroy: true }],
});
const pair = new br.BiDirectional("xbi", { a: { zone: "a-eu", forceDestroy: true }, b: { zone: "b-us", forceDestroy: true } });

// The long way, with the replicas handed to the destination's owner and replication metrics on.
const source = new br.Bucket("xown-source", { zone: "a-eu", forceDestroy: true });
const destination = new br.Bucket("xown-destination", { zone: "b-us", forceDestroy: true });
const sourceVersioning = new br.BucketVersioning("xown-source", { bucket: source.name, zone: source.zone, status: "Enabled" });
const destinationVersioning = new br.BucketVersioning("xown-destination", { bucket: destination.name, zone: destination.zone, status: "Enabled" });
const role = new br.IamRole("xown", { description: "owner override across accounts", policy: br.replicationPolicy({ source, destinations: [destination] }) });
new br.ReplicationConfiguration("xown", {
    bucket: sourceVersioning.bucket, zone: sourceVersioning.zone, role,
    rules: {
        "to-b": { priority: 1, deleteMarkerReplication: true, ownerOverride: true, metrics: true,
                  destination: { bucket: destinationVersioning.bucket, zone: destinationVersioning.zone } },
    },
});

export const leader = leaderFollower.leader.name;
export const follower = leaderFollower.followers[0].name;
export const leaderRole = leaderFollower.role.name;
export const bucketA = pair.a.name;
export const bucketB = pair.b.name;
export const roleAToB = pair.roles.aToB.name;
export const roleBToA = pair.roles.bToA.name;
export const ownSource = source.name;
export const ownDestination = destination.name;
export const ownRole = role.name;
