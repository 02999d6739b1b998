"""The registry of grant kinds beyond S3 (pure): each kind is one module, listed in `KINDS` once.

Adding a kind is adding its module and a line below; `tests/test_grant_kinds.py` then puts it through every
check (the policy pack, parliament, the IAM simulator, the AWS authorization data, property tests, botocore's
parameter validation of the Job's calls), and `python -m components.core.grant_kinds.generate` rewrites the typed
component arguments and the README's tables from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from components.core import iam_eval
from components.core.config.collector import Collector
from components.core.documents import as_list
from components.core.grant_kinds import dynamodb, ecr, kms, parameters, secrets, sns, sqs
from components.core.grant_kinds.kind import GrantKind
from components.core.service_grants import Place, ServiceGrants, check
from components.core.wildcards import action_matches

KINDS: tuple[GrantKind, ...] = (dynamodb.KIND, sqs.KIND, sns.KIND, secrets.KIND, parameters.KIND, kms.KIND, ecr.KIND)
KEYS = tuple(k.key for k in KINDS)
BY_KEY = {k.key: k for k in KINDS}


def _items(c: Collector, path: str, raw: Any, kind: GrantKind) -> list[tuple[str, Mapping[str, Any]]]:
    keys = kind.field_names
    listed = c.items(path, raw, f"a list of {{{', '.join(keys)}}}", required=False) or []
    found = []
    for i, item in enumerate(listed):
        if not c.is_map(f"{path}[{i}]", item, f"a map with {', '.join(keys)}"):
            continue
        c.unknown_keys(f"{path}[{i}]", item, keys)
        found.append((f"{path}[{i}]", item))
    return found


def read(c: Collector, path: str, raw: Mapping[str, Any]) -> ServiceGrants:
    """Every kind's list in a workload (`path` names it), read by the kind's own rules; `verifyPublish` too."""
    kinds = []
    for kind in KINDS:
        grants = tuple(g for p, item in _items(c, f"{path}.{kind.key}", raw.get(kind.key), kind)
                       if (g := kind.read(c, p, item)) is not None)  # fmt: skip
        if grants:
            kinds.append((kind.key, grants))
    publish = c.boolean(f"{path}.verifyPublish", raw.get("verifyPublish"), False)
    if publish and not any(BY_KEY[key].publishes(g) for key, grants in kinds for g in grants):
        c.add(f"{path}.verifyPublish", "is only used with sns grants, or sqs send grants with a kmsKey",
              "remove it, or add such a grant")  # fmt: skip
    return ServiceGrants(tuple(kinds), publish)


def statements(grants: ServiceGrants, place: Place) -> list[dict[str, Any]]:
    """The statements of every grant beyond S3 in a stable order: each kind's, then each kind's key statements."""
    found: list[dict[str, Any]] = []
    for kind in KINDS:
        found += kind.statements(grants.of(kind.key), place)
    for kind in KINDS:
        found += kind.key_statements(grants.of(kind.key), place)
    return found


def verification_checks(grants: ServiceGrants, place: Place, s3_keys: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """What the verification Job proves per grant: one call the grant allows that changes nothing, and
    one just outside it that must be denied. A call "allowed" may still fail for another reason (a key
    that does not exist, a ciphertext that is not one): only an access-denied error fails it."""
    found: list[dict[str, Any]] = []
    for kind in KINDS:
        found += kind.checks(grants.of(kind.key), place, grants.verify_publish)
    for key in s3_keys:  # an S3-only key: its direct use is denied
        found.append(check("kms", "encrypt", {"KeyId": key, "Plaintext": "irsa"}, "denied"))
    return found


def summary_lines(grants: ServiceGrants) -> list[str]:
    """The reviewer's line for each grant, in the registry's order."""
    return [kind.summary(g) for kind in KINDS for g in grants.of(kind.key)]


def _action(chk: Mapping[str, Any]) -> str:
    """The IAM action a Job check's call makes (`get_queue_attributes` → `sqs:GetQueueAttributes`)."""
    return f"{chk['service']}:{''.join(part.title() for part in str(chk['call']).split('_'))}"


def denied_neighbour_check(
    own: Mapping[str, Any], neighbours: Iterable[ServiceGrants], place: Place
) -> dict[str, Any] | None:
    """On a shared role: the first call a neighbour's grant allows (its own Job's check) that `own`, this
    workload's session policy, allows on none of the resources the grant names — expected denied; None when there
    is none (every such call is this workload's too)."""
    for grants in neighbours:
        for kind in KINDS:
            for grant in grants.of(kind.key):
                theirs = {"Statement": kind.statements((grant,), place)}
                for chk in kind.checks((grant,), place, False):
                    if chk["expect"] != "allowed" or chk["call"] == "round_trip":
                        continue
                    action = _action(chk)
                    named = [r for st in theirs["Statement"] for r in as_list(st.get("Resource"))
                             if any(action_matches(a, action) for a in as_list(st.get("Action")))
                             and "*" not in r and "?" not in r]  # fmt: skip
                    requests = [iam_eval.Request(action, r) for r in named]
                    if requests and all(iam_eval.evaluate([theirs], q).allowed and
                                        not iam_eval.evaluate([own], q).allowed for q in requests):  # fmt: skip
                        return {**chk, "expect": "denied"}
    return None
