"""Plan output: a preview-like text tree with the rendered IAM JSON and manifests, or JSON/YAML."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import yaml

from components.core import summary
from components.core.resource_types import DOCUMENT_INPUTS as IAM_DOCUMENT_INPUTS

IAM_DOCUMENT_KEYS = frozenset(IAM_DOCUMENT_INPUTS.values())


def is_manifest(resource: dict[str, Any]) -> bool:
    """Whether a planned resource is a Kubernetes object (not the provider)."""
    return resource["type"].startswith("kubernetes:") and "providers" not in resource["type"]


def manifests(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The Kubernetes objects of a plan, as they would be applied."""
    return [r["inputs"] for r in plan["resources"] if is_manifest(r)]


def iam_documents(plan: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(resource, parsed document) for every IAM policy document in a plan."""
    docs = []
    for r in plan["resources"]:
        key = IAM_DOCUMENT_INPUTS.get(r["type"])
        if key and isinstance(r["inputs"].get(key), str):
            docs.append((r, json.loads(r["inputs"][key])))
    return docs


TOP_LEVEL_ORDER = ("apiVersion", "kind", "metadata")


class _Dumper(yaml.SafeDumper):
    """YAML dumper that prints multi-line strings (scripts, JSON) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def manifest_yaml(obj: dict[str, Any]) -> str:
    """A Kubernetes object as YAML, apiVersion/kind/metadata first."""
    ordered = {k: obj[k] for k in TOP_LEVEL_ORDER if k in obj}
    ordered.update({k: obj[k] for k in sorted(obj) if k not in ordered})
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, width=120)


def to_json(plan: dict[str, Any]) -> str:
    return json.dumps(plan, indent=2, sort_keys=False) + "\n"


def to_yaml(plan: dict[str, Any]) -> str:
    return yaml.safe_dump(plan, sort_keys=False, width=120)


SCRIPT_REFERENCE = "(the verification script: printed once, at the end)"


def is_script_config_map(resource: dict[str, Any]) -> bool:
    """Whether a resource is a verification Job's script ConfigMap (the same script every time)."""
    return resource["type"] == "kubernetes:core/v1:ConfigMap" and resource["name"].endswith("-verify-script")


def without_script(inputs: dict[str, Any]) -> dict[str, Any]:
    """A script ConfigMap with its script replaced by a reference (reviewers read it once)."""
    data = {k: SCRIPT_REFERENCE for k in inputs.get("data") or {}}
    return {**inputs, "data": data}


# The AWS resources irsa registers that take tags: the provider adds aws:defaultTags to each (its tagsAll).
TAGGED_BY_DEFAULT = (
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
)


def inputs_yaml(inputs: dict[str, Any]) -> str:
    """Resource inputs for a reader: plain values as YAML, IAM JSON documents pretty-printed as blocks."""
    shown: dict[str, Any] = {}
    for key in sorted(inputs, key=lambda k: (k in IAM_DOCUMENT_KEYS, k)):
        value = inputs[key]
        if key in IAM_DOCUMENT_KEYS and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.dumps(json.loads(value), indent=2) + "\n"
        shown[key] = value
    return yaml.dump(shown, Dumper=_Dumper, sort_keys=False, width=120)


def _outputs_shown(outputs: dict[str, Any]) -> dict[str, Any]:
    """Outputs for a reader: a deprecated alias that repeats its value is named, not printed again."""
    workloads = outputs.get("workloads")
    if not isinstance(workloads, dict):
        return outputs
    shown = {}
    for name, values in workloads.items():
        if (
            isinstance(values, dict)
            and "tokenFragment" in values
            and values.get("podIdentity") == values["tokenFragment"]
        ):
            values = {**values, "podIdentity": "(deprecated name of tokenFragment: the same value)"}
        shown[name] = values
    return {**outputs, "workloads": shown}


def _tree(resources: list[dict[str, Any]], imports: dict[str, str] | None = None) -> list[str]:
    children: dict[str | None, list[dict[str, Any]]] = {}
    for r in resources:
        children.setdefault(r["parent"], []).append(r)
    rows: list[tuple[str, str, str, str]] = []  # (symbol, type, name, flags): + create, = import

    def walk(parent: str | None, prefix: str) -> None:
        kids = children.get(parent, [])
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            branch = "" if parent is None else ("└─ " if last else "├─ ")
            imported = (imports or {}).get(r["urn"])
            flag = ("  [protect]" if r["protect"] else "") + (f"  [import {imported}]" if imported else "")
            rows.append(("=" if imported else "+", prefix + branch + r["type"], r["name"], flag))
            walk(r["urn"], prefix + ("" if parent is None else ("   " if last else "│  ")))

    walk(None, "")
    width = max([len("Type"), *(len(t) for _, t, _, _ in rows)])
    return [f"     {'Type':<{width}}  Name"] + [f" {s}   {t:<{width}}  {n}{flag}" for s, t, n, flag in rows]


def to_text(plan: dict[str, Any]) -> str:
    """A summary per workload, a `pulumi preview`-like tree, then outputs and every resource's inputs."""
    resources = plan["resources"]
    lines = [f"Plan of {plan['project']}/{plan['stack']} (offline: mock engine, no cloud calls)", ""]
    if plan.get("summary"):
        lines.append("Workloads:")
        for row in plan["summary"]:
            lines += [f"  {line}" for line in summary.row_text(row)]
        lines.append("")
    if plan.get("unmodeled"):
        lines += [
            "Not modeled by this plan (Pulumi or a provider applies them at deploy; not shown below): "
            + ", ".join(sorted(plan["unmodeled"])),
            "",
        ]
    imports = plan.get("imports") or {}
    lines += _tree(resources, imports)
    counts = f"    + {len(resources) - len(imports)} to create"
    counts += f"\n    = {len(imports)} to import" if imports else ""
    lines += ["", f"Resources:\n{counts}", ""]
    if plan.get("lookups"):
        lines.append("Lookups (answered with <unknown ...> placeholders offline):")
        lines += [f"    {lk['token']} {json.dumps(lk['args'], sort_keys=True)}" for lk in plan["lookups"]]
        lines.append("")
    lines.append("Outputs:")
    lines += [
        "    " + line
        for line in yaml.safe_dump(_outputs_shown(plan["outputs"]), sort_keys=True, width=120).splitlines()
    ]
    script = None
    # Every resource the engine would create, with every input: AWS first (what grants), then Kubernetes.
    for r in sorted(resources, key=lambda r: (not r["type"].startswith(("aws:", "pulumi:providers:aws")), r["urn"])):
        if r["type"].startswith(("irsa:", "pulumi:pulumi:")):
            continue
        inputs = r["inputs"]
        if is_script_config_map(r):
            script = script or next(iter((inputs.get("data") or {}).values()), None)
            inputs = without_script(inputs)
        body = manifest_yaml(inputs) if is_manifest(r) else inputs_yaml(inputs)
        lines += ["", f"--- {r['type']} {r['name']}", body.rstrip()]
        if plan.get("defaultTags") and r["type"] in TAGGED_BY_DEFAULT:
            merged = {**plan["defaultTags"], **(inputs.get("tags") or {})}
            lines.append(f"tagsAll (with the provider's aws:defaultTags): {json.dumps(merged, sort_keys=True)}")
    if script is not None:
        lines += ["", "--- the verification script (data of every *-verify-script ConfigMap)", script.rstrip()]
    return "\n".join(lines) + "\n"


FORMATS = {"text": to_text, "json": to_json, "yaml": to_yaml}
