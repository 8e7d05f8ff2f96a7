"""Alibaba's official OSS and RAM Python SDKs against the local OSS + RAM contract server.

Reads one JSON job from standard input.

OSS (alibabacloud-oss-v2): {"zones": {region: {"endpoint": url}}, "accessKey", "secretKey", "source": {...},
"destination": {...}, "syncRole": name, "ruleId": id, "bucketPolicy": document, "second": {"accessKey", "secretKey",
"bucket"}}. Runs the replication guide's calls with the SDK's own V4 signing and XML parsing, and prints what
the SDK parsed as one JSON document. A call the server refuses is reported with the code the SDK read from the
error answer. Then the bucket policy calls (put, get, delete) on the destination, and calls signed with a
second account's key pair ("second"): its own bucket, its bucket policy, and the first account's bucket.

With "mode": "read-policy" ({"zones", "accessKey", "secretKey", "region", "bucket"}): reads one bucket's policy
with the SDK and prints it, so that what the provider wrote is read back by Alibaba's client.

RAM (alibabacloud-ram20150501 on alibabacloud-tea-openapi), when the job has "mode": "ram":
{"ramEndpoint": "host:port", "accessKey", "secretKey", "trust": document, "policy": document, "ours": [requests
our RamClient sent, as the server received them: method, path, query, headers, body]}. Runs every RAM
operation the provider uses twice through the SDK, its typed calls (parameters in the query string) and
its generic call with the parameters as a form body (as our client sends them), each signed by the SDK's
ACS3-HMAC-SHA256; and recomputes the signature of each of our requests with the SDK's own signer.
"""
import hashlib
import json
import sys
from types import SimpleNamespace
from urllib.parse import parse_qsl

import alibabacloud_oss_v2 as oss


def client(job, region, secret=None, key=None):
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(key or job["accessKey"], secret or job["secretKey"])
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
    if job.get("mode") == "ram":
        print(json.dumps(ram_main(job)))
        return
    if job.get("mode") == "read-policy":
        # What another writer (the provider) put: the policy as the SDK reads it, signed with the owner's pair.
        c = client(job, job["region"])
        print(json.dumps({"policy": json.loads(c.get_bucket_policy(oss.GetBucketPolicyRequest(bucket=job["bucket"])).body)}))
        return
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
    out["policy"] = bucket_policy(destination, dst["bucket"], json.dumps(job["bucketPolicy"]))
    out["second"] = second_account(job, src, dst)
    print(json.dumps(out))


def bucket_policy(c, bucket, document):
    """PutBucketPolicy, GetBucketPolicy and DeleteBucketPolicy through the SDK: what it read, and the errors it parsed."""
    get = lambda: c.get_bucket_policy(oss.GetBucketPolicyRequest(bucket=bucket))
    out = {"missing": error_of(get)}
    out["putStatus"] = c.put_bucket_policy(oss.PutBucketPolicyRequest(bucket=bucket, body=document)).status_code
    out["read"] = get().body
    # Version as a number, not the string "1": outside the policy syntax.
    out["malformed"] = error_of(lambda: c.put_bucket_policy(oss.PutBucketPolicyRequest(
        bucket=bucket, body=document.replace('"Version": "1"', '"Version": 1'))))
    out["readAfterMalformed"] = get().body
    out["deleteStatus"] = c.delete_bucket_policy(oss.DeleteBucketPolicyRequest(bucket=bucket)).status_code
    out["afterDelete"] = error_of(get)
    return out


def second_account(job, src, dst):
    """Calls signed with the second account's key pair: a bucket and a policy of its own; the first account's bucket refused."""
    second = job["second"]
    c = client(job, dst["zone"], secret=second["secretKey"], key=second["accessKey"])
    first = client(job, dst["zone"])
    c.put_bucket(oss.PutBucketRequest(bucket=second["bucket"]))
    info = c.get_bucket_info(oss.GetBucketInfoRequest(bucket=second["bucket"])).bucket_info
    document = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["oss:GetObject"], "Principal": ["*"],
                                                          "Resource": ["acs:oss:*:*:" + second["bucket"] + "/*"]}]})
    c.put_bucket_policy(oss.PutBucketPolicyRequest(bucket=second["bucket"], body=document))
    return {
        "owner": info.owner.id if info.owner else None,
        "policyPut": document,
        "policyRead": c.get_bucket_policy(oss.GetBucketPolicyRequest(bucket=second["bucket"])).body,
        "firstAccountsBucket": error_of(lambda: c.get_bucket_versioning(oss.GetBucketVersioningRequest(bucket=dst["bucket"]))),
        "firstReadsSecondsPolicy": error_of(lambda: first.get_bucket_policy(oss.GetBucketPolicyRequest(bucket=second["bucket"]))),
    }


def ram_error(error):
    return {"code": getattr(error, "code", type(error).__name__), "status": getattr(error, "status_code", None)}


def ram_main(job):
    from alibabacloud_ram20150501 import models as ram
    from alibabacloud_ram20150501.client import Client as RamClient
    from alibabacloud_tea_openapi import utils_models as openapi
    from alibabacloud_tea_openapi.utils import Utils
    from darabonba.runtime import RuntimeOptions

    config = openapi.Config(access_key_id=job["accessKey"], access_key_secret=job["secretKey"],
                            endpoint=job["ramEndpoint"], protocol="http")
    client = RamClient(config)
    trust, policy = json.dumps(job["trust"]), json.dumps(job["policy"])
    out = {"typed": {}, "form": {}, "ours": []}

    def attempt(where, name, call):
        try:
            where[name] = {"ok": True, "value": call()}
        except Exception as error:  # the SDK raises its own exception types; keep what it read
            where[name] = {"ok": False, **ram_error(error)}

    # The typed calls: what a program on Alibaba's SDK sends (parameters in the query string).
    role, pol = "py-ram-role", "py-ram-policy"
    t = out["typed"]
    attempt(t, "GetRole.missing", lambda: client.get_role(ram.GetRoleRequest(role_name=role)).body.role.role_name)
    attempt(t, "CreateRole", lambda: client.create_role(ram.CreateRoleRequest(
        role_name=role, assume_role_policy_document=trust, description="made by the RAM SDK")).body.role.arn)
    attempt(t, "GetRole", lambda: client.get_role(ram.GetRoleRequest(role_name=role)).body.role.description)
    attempt(t, "UpdateRole", lambda: client.update_role(ram.UpdateRoleRequest(role_name=role, new_description="changed by the RAM SDK")).body.role.description)
    attempt(t, "CreatePolicy", lambda: client.create_policy(ram.CreatePolicyRequest(
        policy_name=pol, policy_document=policy, description="made by the RAM SDK")).body.policy.policy_name)
    attempt(t, "GetPolicy", lambda: json.loads(client.get_policy(ram.GetPolicyRequest(policy_name=pol, policy_type="Custom")).body.default_policy_version.policy_document))
    attempt(t, "CreatePolicyVersion", lambda: client.create_policy_version(ram.CreatePolicyVersionRequest(
        policy_name=pol, policy_document=policy, set_as_default=True, rotate_strategy="DeleteOldestNonDefaultVersionWhenLimitExceeded")).body.policy_version.version_id)
    attempt(t, "DeletePolicyVersion", lambda: client.delete_policy_version(ram.DeletePolicyVersionRequest(policy_name=pol, version_id="v1")).body.request_id is not None)
    attempt(t, "AttachPolicyToRole", lambda: client.attach_policy_to_role(ram.AttachPolicyToRoleRequest(
        policy_type="Custom", policy_name=pol, role_name=role)).body.request_id is not None)
    attempt(t, "ListPoliciesForRole", lambda: [p.policy_name for p in client.list_policies_for_role(
        ram.ListPoliciesForRoleRequest(role_name=role)).body.policies.policy])
    attempt(t, "DetachPolicyFromRole", lambda: client.detach_policy_from_role(ram.DetachPolicyFromRoleRequest(
        policy_type="Custom", policy_name=pol, role_name=role)).body.request_id is not None)
    attempt(t, "DeletePolicy", lambda: client.delete_policy(ram.DeletePolicyRequest(policy_name=pol)).body.request_id is not None)
    attempt(t, "DeleteRole", lambda: client.delete_role(ram.DeleteRoleRequest(role_name=role)).body.request_id is not None)

    # The same operations with a form body, signed by the SDK: the shape our RamClient sends.
    def form(action, parameters):
        params = openapi.Params(action=action, version="2015-05-01", protocol="HTTP", pathname="/", method="POST",
                                auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
        return client.call_api(params, openapi.OpenApiRequest(body=parameters), RuntimeOptions())["body"]

    role, pol = "py-form-role", "py-form-policy"
    f = out["form"]
    attempt(f, "CreateRole", lambda: form("CreateRole", {"RoleName": role, "AssumeRolePolicyDocument": trust, "Description": "a form body: spaces, /:+&="})["Role"]["Description"])
    attempt(f, "GetRole", lambda: form("GetRole", {"RoleName": role})["Role"]["RoleName"])
    attempt(f, "UpdateRole", lambda: form("UpdateRole", {"RoleName": role, "NewDescription": "changed"})["Role"]["Description"])
    attempt(f, "CreatePolicy", lambda: form("CreatePolicy", {"PolicyName": pol, "PolicyDocument": policy, "Description": "d"})["Policy"]["PolicyName"])
    attempt(f, "GetPolicy", lambda: form("GetPolicy", {"PolicyType": "Custom", "PolicyName": pol})["DefaultPolicyVersion"]["VersionId"])
    attempt(f, "CreatePolicyVersion", lambda: form("CreatePolicyVersion", {"PolicyName": pol, "PolicyDocument": policy, "SetAsDefault": "true",
                                                                           "RotateStrategy": "DeleteOldestNonDefaultVersionWhenLimitExceeded"})["PolicyVersion"]["VersionId"])
    attempt(f, "DeletePolicyVersion", lambda: "RequestId" in form("DeletePolicyVersion", {"PolicyName": pol, "VersionId": "v1"}))
    attempt(f, "AttachPolicyToRole", lambda: "RequestId" in form("AttachPolicyToRole", {"PolicyType": "Custom", "PolicyName": pol, "RoleName": role}))
    attempt(f, "ListPoliciesForRole", lambda: [p["PolicyName"] for p in form("ListPoliciesForRole", {"RoleName": role})["Policies"]["Policy"]])
    attempt(f, "DetachPolicyFromRole", lambda: "RequestId" in form("DetachPolicyFromRole", {"PolicyType": "Custom", "PolicyName": pol, "RoleName": role}))
    attempt(f, "DeletePolicy", lambda: "RequestId" in form("DeletePolicy", {"PolicyName": pol}))
    attempt(f, "DeleteRole", lambda: "RequestId" in form("DeleteRole", {"RoleName": role}))
    attempt(f, "GetRole.missing", lambda: form("GetRole", {"RoleName": role})["Role"]["RoleName"])

    # Our requests, signed again by the SDK's own signer over exactly the headers we signed.
    for request in job["ours"]:
        authorization = request["headers"].get("authorization", "")
        signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";") if "SignedHeaders=" in authorization else []
        body = request["body"].encode("utf-8")
        payload = Utils.hex_encode(Utils.hash(body, "ACS3-HMAC-SHA256"))
        shaped = SimpleNamespace(method=request["method"], pathname=request["path"] or "/",
                                 query=dict(parse_qsl(request["query"], keep_blank_values=True)),
                                 headers={name: request["headers"].get(name, "") for name in signed})
        sdk_authorization = Utils.get_authorization(shaped, "ACS3-HMAC-SHA256", payload, job["accessKey"], job["secretKey"])
        parameters = dict(parse_qsl(request["body"], keep_blank_values=True))
        out["ours"].append({
            "action": request["headers"].get("x-acs-action"),
            "signatureMatches": sdk_authorization == authorization,
            "payloadHashMatches": payload == request["headers"].get("x-acs-content-sha256") == hashlib.sha256(body).hexdigest(),
            "contentType": request["headers"].get("content-type"),
            "parameters": sorted(parameters),
            # The SDK's own form encoding of our parameters decodes to the same parameters.
            "formRoundTrip": dict(parse_qsl(Utils.to_form(parameters), keep_blank_values=True)) == parameters,
        })
    return out


if __name__ == "__main__":
    main()
