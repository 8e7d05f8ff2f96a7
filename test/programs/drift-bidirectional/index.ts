import * as pulumi from "@pulumi/pulumi";
import * as br from "pulumi-bucket-replication";

// The drift suite (test/drift) changes one thing at a time outside Pulumi with mc on either direction of
// this topology, then checks that refresh names it and up puts it back.
const topology = new br.BiDirectional("bd", {
    a: { zone: "local-a", forceDestroy: true },
    b: { zone: "local-b", forceDestroy: true },
});

export const a = topology.a.name;
export const b = topology.b.name;
export const roleAToB = topology.roles.aToB.name;
export const roleBToA = topology.roles.bToA.name;
/** Each role's key by its name: the suite checks that every zone still accepts it. */
export const roleSecretKeys = pulumi.all([topology.roles.aToB, topology.roles.bToA].map((role) => pulumi.all([role.name, role.secretKey])))
    .apply((pairs) => Object.fromEntries(pairs));
