// The ownership markers this package writes on what it makes, read by every backend and by identity.ts.

/** The tag a bucket made by this package carries; hidden from the Bucket's own `tags`. */
export const ownerTagKey = "pulumi-bucket-replication:owner";

/** The prefix of the `ID` element of a policy document made by this package. */
export const ownerPolicyIdPrefix = "pulumi-bucket-replication:";
