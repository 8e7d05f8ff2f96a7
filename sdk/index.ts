export { Bucket, BucketArgs } from "./bucket";
export { BucketVersioning, BucketVersioningArgs } from "./bucketVersioning";
export { IamRole, IamRoleArgs } from "./iamRole";
export { ReplicationConfiguration, ReplicationConfigurationArgs, ReplicationRuleArgs, ReplicationDestination } from "./replicationConfiguration";
export { replicationPolicy, ReplicationPolicyArgs, PolicyBucket } from "./replicationPolicy";
export { LeaderFollower, LeaderFollowerArgs, TopologyBucketArgs } from "./leaderFollower";
export { BiDirectional, BiDirectionalArgs } from "./biDirectional";
export { ReplicationVerification, ReplicationVerificationArgs, VerifiedRuleArgs, VerifyArgs } from "./replicationVerification";
export { topologyDiagram, topologyChangeDiagram, topologyOf, Topology, TopologyBucket, TopologyRule, TopologyEnd, RecordedResource } from "./diagram";
export {
    getReplicationStatus, getReplicationStatusOutput, ReplicationStatusArgs, ReplicationStatusResult, ReplicationRuleStatus,
    ReplicationStatusFigure, SampledReplicationStatus,
} from "./replicationStatus";
export * as oss from "./oss";
export { usePlugin } from "./providerStub";
