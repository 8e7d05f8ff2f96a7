import * as br from "pulumi-bucket-replication";

// Two MinIO sites run by different owners: each zone's root key pair is the stack configuration's
// 'bucket-replication:zones.<zone>.accessKey/secretKey' (the secrets set with --secret). The program is
// the same as on one owner's pair; `verify` makes the first `up` prove that the follower receives writes.
const backups = new br.LeaderFollower("owners", {
    leader: { zone: "local-a", forceDestroy: true },
    followers: [{ zone: "local-b", forceDestroy: true }],
    verify: { timeoutSeconds: 60 },
});

export const leader = backups.leader.name;
export const follower = backups.followers[0].name;
export const role = backups.role.name;
export const roleSecretKey = backups.role.secretKey;
export const replicationLag = backups.replicationLag;
