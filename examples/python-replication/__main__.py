"""Leader-follower the long way, a BiDirectional component and an imported bucket, on the plugin
pulumi-bucket-replication through its generated Python SDK (examples/yaml-replication in Python)."""
import pulumi
import pulumi_bucket_replication as pbr

team = pulumi.Config().require("team")  # Pulumi.yaml gives it a default

# Leader-follower the long way: two buckets, versioning on each, a least-privilege role and one rule.
leader = pbr.Bucket("leader", zone="local-a", force_destroy=True, tags={"team": team})
leader_versioning = pbr.BucketVersioning("leaderVersioning", bucket=leader.name, zone=leader.zone, status="Enabled")
follower = pbr.Bucket("follower", zone="local-b", force_destroy=True)
follower_versioning = pbr.BucketVersioning("followerVersioning", bucket=follower.name, zone=follower.zone, status="Enabled")

# The function pulumi-bucket-replication:index:replicationPolicy, in its Output form: the buckets' names are outputs.
policy = pbr.replication_policy_output(
    source={"name": leader.name, "zone": leader.zone},
    destinations=[{"name": follower.name, "zone": follower.zone}],
)
role = pbr.IamRole("role", policy=policy.policy)

replication = pbr.ReplicationConfiguration(
    "replication",
    bucket=leader_versioning.bucket,
    zone=leader_versioning.zone,
    role={"id": role.id, "name": role.name},
    role_secret_key=role.secret_key,
    rules={
        "to-follower": {
            "priority": 1,
            "delete_marker_replication": True,
            "destination": {"bucket": follower_versioning.bucket, "zone": follower_versioning.zone},
        },
    },
)

# The same kind of topology in one declaration, both ways.
pair = pbr.BiDirectional(
    "pair",
    a={"zone": "local-a", "force_destroy": True},
    b={"zone": "local-b", "force_destroy": True},
    verify={"timeout_seconds": 60},
)

# A bucket made outside Pulumi (`mc mb local-a/handmade-python` before the first `up`), imported by its ID,
# <zone>/<name>: taken over with everything in it, and left in place with every object version on destroy.
# Its declared inputs must match what it is (no tags); change them after the import, and `up` updates it.
imported = pbr.Bucket(
    "imported",
    name="handmade-python",
    zone="local-a",
    opts=pulumi.ResourceOptions(import_="local-a/handmade-python", retain_on_delete=True),
)

# How replication of the leader is doing, as the service reports it: read by the configuration's ID, so once it exists.
status = pbr.get_replication_status_output(configuration_id=replication.id)

pulumi.export("leader", leader.name)
pulumi.export("follower", follower.name)
pulumi.export("role", role.name)
pulumi.export("pairA", pair.a_name)
pulumi.export("pairB", pair.b_name)
pulumi.export("replicationState", status.rules[0].state)
pulumi.export("importedEndpoint", imported.endpoint)
