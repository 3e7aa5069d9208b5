"""Kubeconfigs for the clusters inferfleet creates; credentials come from the cloud CLIs at use."""

from __future__ import annotations

from typing import Any

import yaml


def _config(name: str, endpoint: str, ca_data: str | None, exec_: dict[str, Any]) -> str:
    server: dict[str, str] = {"server": f"https://{endpoint.removeprefix('https://')}"}
    if ca_data is not None:
        server["certificate-authority-data"] = ca_data
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": server}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [{"name": name, "user": {"exec": exec_}}],
        },
        sort_keys=False,
    )


def gke(name: str, endpoint: str, ca_data: str | None) -> str:
    """None for `ca_data` when `endpoint` is the DNS endpoint, whose certificate is publicly trusted."""
    return _config(
        name,
        endpoint,
        ca_data,
        {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "gke-gcloud-auth-plugin",
            "installHint": "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
            "provideClusterInfo": True,
        },
    )


def eks(name: str, endpoint: str, ca_data: str, region: str) -> str:
    return _config(
        name,
        endpoint,
        ca_data,
        {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"],
        },
    )
