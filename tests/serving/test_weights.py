"""Model weights read in place from a bucket: GCS FUSE on GKE (Workload Identity), Mountpoint for S3 on
EKS (Pod Identity), each identity allowed to read that bucket only; the pods run offline from the mount."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.core.problems import ConfigError
from stacks.plan import render, validate

from ..conftest import EKS, GKE, config, resolved

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"  # gated: a bucket source needs no token


def bucket_stack(base: dict[str, Any], source: str, **weights: Any) -> dict[str, Any]:
    model = {"model": LLAMA, "pool": "l4", "weights": {"source": source, "bucket": "acme-weights", "prefix": "hub", **weights}}
    return config(base, models={"llama": model})


def of_type(plan, type_: str) -> list[Any]:
    return [r for r in plan.resources if r.type == type_]


def manifests(plan) -> dict[str, dict[str, Any]]:
    return {f"{o['kind']}/{o['metadata']['name']}": o for o in render.manifests(plan)}


def test_gcs_weights_mount_through_gcs_fuse_read_only_and_vllm_runs_offline(plan_of) -> None:
    plan = plan_of(bucket_stack(GKE, "gcs"))
    objects = manifests(plan)
    assert validate.validate_all(list(objects.values()), plan.loaded.platform.pins).ok
    pod = objects["Deployment/llama"]["spec"]["template"]
    assert pod["metadata"]["annotations"]["gke-gcsfuse/volumes"] == "true"
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["weights"] == {
        "name": "weights",
        "csi": {
            "driver": "gcsfuse.csi.storage.gke.io",
            "readOnly": True,
            "volumeAttributes": {"bucketName": "acme-weights", "mountOptions": "implicit-dirs,only-dir=hub"},
        },
    }
    container = pod["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["HF_HUB_CACHE"] == "/models" and env["HF_HUB_OFFLINE"] == "1"
    assert "HF_TOKEN_PATH" not in env  # offline: the gated model's token is never needed
    assert {"name": "weights", "mountPath": "/models", "readOnly": True} in container["volumeMounts"]
    assert pod["spec"]["serviceAccountName"] == "llama-weights"
    assert pod["spec"]["automountServiceAccountToken"] is False
    account = objects["ServiceAccount/llama-weights"]
    email = account["metadata"]["annotations"]["iam.gke.io/gcp-service-account"]
    assert email.endswith("@acme-inference.iam.gserviceaccount.com")
    # The cloud side: a Google service account that views this bucket only, impersonated by that KSA only.
    [gsa] = [r for r in of_type(plan, "gcp:serviceaccount/account:Account") if "weights" in r.name]
    assert f"{gsa.inputs['accountId']}@acme-inference.iam.gserviceaccount.com" == email
    assert 6 <= len(gsa.inputs["accountId"]) <= 30
    [viewer] = of_type(plan, "gcp:storage/bucketIAMMember:BucketIAMMember")
    assert viewer.inputs["bucket"] == "acme-weights" and viewer.inputs["role"] == "roles/storage.objectViewer"
    [wi] = of_type(plan, "gcp:serviceaccount/iAMMember:IAMMember")
    assert wi.inputs["role"] == "roles/iam.workloadIdentityUser"
    assert wi.inputs["member"] == "serviceAccount:acme-inference.svc.id.goog[inference/llama-weights]"
    assert all("storage" not in r.inputs["role"] for r in of_type(plan, "gcp:projects/iAMMember:IAMMember"))  # never project-wide
    assert any("gs://acme-weights/hub/" in line for line in resolved(bucket_stack(GKE, "gcs")).serving.models[0].summary())


def test_s3_weights_mount_through_mountpoint_with_pod_identity_on_that_bucket_only(plan_of) -> None:
    plan = plan_of(bucket_stack(EKS, "s3"))
    objects = manifests(plan)
    assert validate.validate_all(list(objects.values()), plan.loaded.platform.pins).ok
    pv = objects["PersistentVolume/inference-llama-weights"]
    assert pv["spec"]["csi"] == {
        "driver": "s3.csi.aws.com",
        "volumeHandle": "inference-llama-weights",
        "volumeAttributes": {"bucketName": "acme-weights", "authenticationSource": "pod"},
    }
    assert pv["spec"]["accessModes"] == ["ReadOnlyMany"] and pv["spec"]["storageClassName"] == ""
    assert pv["spec"]["claimRef"] == {"namespace": "inference", "name": "llama-weights"}
    assert {"read-only", "allow-other", "uid=10001", "region us-east-1", "prefix hub/"} <= set(pv["spec"]["mountOptions"])
    pvc = objects["PersistentVolumeClaim/llama-weights"]
    assert pvc["spec"]["volumeName"] == "inference-llama-weights" and pvc["spec"]["accessModes"] == ["ReadOnlyMany"]
    pod = objects["Deployment/llama"]["spec"]["template"]
    assert {"name": "weights", "persistentVolumeClaim": {"claimName": "llama-weights", "readOnly": True}} in pod["spec"]["volumes"]
    assert pod["spec"]["serviceAccountName"] == "llama-weights"
    assert "gke-gcsfuse/volumes" not in pod["metadata"]["annotations"]
    env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}
    assert env["HF_HUB_OFFLINE"] == "1"
    assert "iam.gke.io/gcp-service-account" not in objects["ServiceAccount/llama-weights"]["metadata"].get("annotations", {})
    [addon] = [r for r in of_type(plan, "aws:eks/addon:Addon") if r.inputs["addonName"] == "aws-mountpoint-s3-csi-driver"]
    [association] = [r for r in of_type(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation") if "weights" in r.name]
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == ("inference", "llama-weights")
    [policy] = of_type(plan, "aws:iam/rolePolicy:RolePolicy")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    assert statements == [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-weights",
         "Condition": {"StringLike": {"s3:prefix": ["hub", "hub/*"]}}},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-weights/hub/*"},
    ]


def test_hub_weights_get_no_bucket_identity_or_csi_driver(plan_of) -> None:
    plan = plan_of(config(EKS, hfToken={"secure": "v1:placeholder"}, models={"llama": {"model": LLAMA, "pool": "l4"}}))
    assert not [r for r in of_type(plan, "aws:eks/addon:Addon") if r.inputs["addonName"] == "aws-mountpoint-s3-csi-driver"]
    assert not of_type(plan, "aws:iam/rolePolicy:RolePolicy")
    assert "ServiceAccount/llama-weights" not in manifests(plan)


@pytest.mark.parametrize(
    ("base", "source", "weights", "expected"),
    [
        (EKS, "gcs", {}, "inferfleet:models.llama.weights.source: gcs buckets are mounted on GKE clusters only, this one is eks; valid: hub, pvc, s3"),
        (GKE, "s3", {}, "inferfleet:models.llama.weights.source: s3 buckets are mounted on EKS clusters only, this one is gke; valid: hub, pvc, gcs"),
        (GKE, "gcs", {"bucket": None}, "inferfleet:models.llama.weights.bucket: source gcs needs the bucket holding the hub cache; valid: a bucket name such as acme-weights"),
        (GKE, "hub", {}, "inferfleet:models.llama.weights.bucket: bucket and prefix are for source gcs or s3, not hub; valid: drop them, or source: gcs/s3"),
    ],
)
def test_bucket_sources_are_checked(base, source, weights, expected) -> None:
    values = bucket_stack(base, source, **weights)
    w = values["models"]["llama"]["weights"]
    values["models"]["llama"]["weights"] = {k: v for k, v in w.items() if v is not None}
    with pytest.raises(ConfigError) as error:
        resolved(config(values, hfToken="hf_test"))
    assert expected in [p.line() for p in error.value.problems]


def test_the_google_account_id_keeps_googles_rule_for_the_longest_model_names() -> None:
    # IAM account ids: 6-30 characters, [a-z]([-a-z0-9]*[a-z0-9]) (the serviceAccounts.create reference).
    import re

    from components.cloud.values import BucketReader

    for name in ("a", "x" * 30, "ab-" * 9 + "abc"):
        reader = BucketReader("gcs", "acme-weights", None, "inference", f"{name}-weights")
        account = reader.google_account_id("inferfleet-prod")
        assert re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", account) and 6 <= len(account) <= 30, account
    other = BucketReader("gcs", "acme-weights", None, "inference", "a-weights").google_account_id("inferfleet-dev")
    assert other != BucketReader("gcs", "acme-weights", None, "inference", "a-weights").google_account_id("inferfleet-prod")
