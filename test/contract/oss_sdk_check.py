"""Alibaba's official OSS Python SDK (alibabacloud-oss-v2) against the local OSS contract server.

Reads one JSON job from standard input: {"zones": {region: {"endpoint": url}}, "accessKey", "secretKey",
"source": {...}, "destination": {...}, "syncRole": name, "ruleId": id}. Runs the replication guide's
calls with the SDK's own V4 signing and XML parsing, and prints what the SDK parsed as one JSON document.
A call the server refuses is reported with the code the SDK read from the error answer.
"""
import json
import sys

import alibabacloud_oss_v2 as oss


def client(job, region, secret=None):
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(job["accessKey"], secret or job["secretKey"])
    cfg.region = region
    cfg.endpoint = job["zones"][region]["endpoint"]
    cfg.use_path_style = True
    cfg.retry_max_attempts = 1
    return oss.Client(cfg)


def error_of(call):
    try:
        call()
        return None
    except Exception as error:  # the SDK wraps service errors; read the code it parsed
        inner = getattr(error, "unwrap", lambda: error)()
        return {"code": getattr(inner, "code", type(inner).__name__), "status": getattr(inner, "status_code", None),
                "ec": getattr(inner, "ec", None)}


def main():
    job = json.load(sys.stdin)
    src, dst = job["source"], job["destination"]
    source = client(job, src["zone"])
    destination = client(job, dst["zone"])
    out = {}

    source.put_bucket(oss.PutBucketRequest(bucket=src["bucket"]))
    destination.put_bucket(oss.PutBucketRequest(bucket=dst["bucket"]))
    for c, b in ((source, src["bucket"]), (destination, dst["bucket"])):
        c.put_bucket_versioning(oss.PutBucketVersioningRequest(
            bucket=b, versioning_configuration=oss.VersioningConfiguration(status="Enabled")))
    out["versioning"] = source.get_bucket_versioning(oss.GetBucketVersioningRequest(bucket=src["bucket"])).version_status
    put = source.put_object(oss.PutObjectRequest(bucket=src["bucket"], key="docs/historic.txt", body=b"from before the rule"))
    out["putObjectVersionId"] = put.version_id

    rule = oss.ReplicationRule(
        id=job["ruleId"],
        prefix_set=oss.ReplicationPrefixSet(prefixs=["docs/", "images/"]),
        action="ALL",
        destination=oss.ReplicationDestination(bucket=dst["bucket"], location="oss-" + dst["zone"], transfer_type="internal"),
        historical_object_replication="enabled",
        sync_role=job["syncRole"],
        rtc=oss.ReplicationTimeControl(status="enabled"),
    )
    added = source.put_bucket_replication(oss.PutBucketReplicationRequest(
        bucket=src["bucket"], replication_configuration=oss.ReplicationConfiguration(rules=[rule])))
    # SDK 1.4.1 parses only the (empty) body of this answer, so read the rule ID header it kept.
    out["addedRuleId"] = added.replication_rule_id or added.headers.get("x-oss-replication-rule-id")

    got = source.get_bucket_replication(oss.GetBucketReplicationRequest(bucket=src["bucket"]))
    out["rules"] = [{
        "id": r.id, "status": r.status, "action": r.action,
        "prefixes": r.prefix_set.prefixs if r.prefix_set else [],
        "destination": {"bucket": r.destination.bucket, "location": r.destination.location, "transferType": r.destination.transfer_type},
        "historicalObjectReplication": r.historical_object_replication, "syncRole": r.sync_role,
        "rtc": r.rtc.status if r.rtc else None,
    } for r in got.replication_configuration.rules]

    located = source.get_bucket_replication_location(oss.GetBucketReplicationLocationRequest(bucket=src["bucket"]))
    loc = located.replication_location
    out["locations"] = loc.locations
    out["transferTypeConstraints"] = {
        t.location: t.transfer_types.types for t in (loc.location_transfer_type_constraint.location_transfer_types or [])
    } if loc.location_transfer_type_constraint else {}
    out["rtcLocations"] = loc.locationrtc_constraint.locations if loc.locationrtc_constraint else []

    progress = source.get_bucket_replication_progress(oss.GetBucketReplicationProgressRequest(bucket=src["bucket"], rule_id=job["ruleId"]))
    p = progress.replication_progress.rules[0]
    out["progress"] = {"id": p.id, "status": p.status,
                       "historicalObject": p.progress.historical_object if p.progress else None,
                       "newObject": p.progress.new_object if p.progress else None}

    out["wrongSecret"] = error_of(lambda: client(job, src["zone"], secret="not-the-secret").get_bucket_versioning(
        oss.GetBucketVersioningRequest(bucket=src["bucket"])))
    out["missingRule"] = error_of(lambda: source.get_bucket_replication_progress(
        oss.GetBucketReplicationProgressRequest(bucket=src["bucket"], rule_id="no-such-rule")))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
