import * as br from "pulumi-bucket-replication";

// Both directions between two MinIO sites with different owners; which key pair signs for each zone is
// stack configuration only (test/engine/minio-owners.engine.test.ts).
const shared = new br.BiDirectional("owners", {
    a: { zone: "local-a", forceDestroy: true },
    b: { zone: "local-b", forceDestroy: true },
});

export const a = shared.a.name;
export const b = shared.b.name;
export const roleAToB = shared.roles.aToB.name;
export const roleBToA = shared.roles.bToA.name;
export const roleSecretKeys = [shared.roles.aToB.secretKey, shared.roles.bToA.secretKey];
