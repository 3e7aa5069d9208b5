"""Kubeconfigs for the clusters inferfleet creates; credentials come from the cloud CLIs at use."""

from __future__ import annotations

from typing import Any

import yaml


def _config(name: str, endpoint: str, ca_data: str, exec_: dict[str, Any]) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": f"https://{endpoint.removeprefix('https://')}", "certificate-authority-data": ca_data}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [{"name": name, "user": {"exec": exec_}}],
        },
        sort_keys=False,
    )


def gke(name: str, endpoint: str, ca_data: str) -> str:
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
