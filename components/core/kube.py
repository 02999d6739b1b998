"""Kubernetes and Azure naming rules (pure): namespaces, ServiceAccounts, subjects, images, AKS names."""

from __future__ import annotations

import re

CLUSTER_NAME = {
    "eks": (
        re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}", re.ASCII),
        "an EKS cluster name: 1-100 letters, digits, '-' and '_', starting with a letter or digit",
    ),
    "aks": (
        re.compile(r"[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?", re.ASCII),
        "an AKS cluster name: 1-63 letters, digits, '-' and '_', starting and ending with a letter or digit",
    ),
}
RESOURCE_GROUP = re.compile(r"[\w().-]{1,90}")
IMAGE = re.compile(
    r"([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?/)?"
    r"[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?",
    re.ASCII,
)
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", re.ASCII)
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", re.ASCII)
WORKLOAD_NAME = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?", re.ASCII)
AKS_HOST = re.compile(r"[a-z0-9-]+\.oic\.prod-aks\.azure\.com", re.ASCII)
SUBJECT = re.compile(r"system:serviceaccount:([a-z0-9*?-]{1,63}):([a-z0-9.*?-]{1,253})", re.ASCII)
