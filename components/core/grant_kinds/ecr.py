"""ECR: pull images from named repositories (and the registry login every pull starts with)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.core.config.collector import Collector
from components.core.grant_kinds.kind import Field, GrantKind, arn_rule, named
from components.core.service_grants import Place, arn_of, check, pair, sibling

PULL = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
LOGIN = "ecr:GetAuthorizationToken"  # no resource type: AWS authorizes it only on "*"
# ECR's CreateRepository rules: lowercase components joined by `.`, `_`, `-`, namespaced by `/`, 2–256 characters
NAME = r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
RULES = (re.compile(NAME, re.ASCII), arn_rule("ecr", f"repository/{NAME}"))
FIELDS = (Field("repository", "Repository name (e.g. team/app) or ARN.", pattern=RULES[0]),)
NO_LAYER = "sha256:" + "0" * 64  # a digest no image has: the check changes and downloads nothing


@dataclass(frozen=True)
class RepositoryGrant:
    repository: str  # name or ARN

    def names(self) -> tuple[str, ...]:
        return (self.repository,)


def read(c: Collector, path: str, item: Mapping[str, Any]) -> RepositoryGrant | None:
    repository = named(c, f"{path}.repository", item.get("repository"), RULES, "ECR repository")
    name = (repository or "").split(":repository/", 1)[-1]
    if repository is not None and not 2 <= len(name) <= 256:
        c.add(f"{path}.repository", f"names a repository of {len(name)} characters", "a name of 2 to 256 characters")
        return None
    return RepositoryGrant(repository) if repository is not None else None


def repository_arn(grant: RepositoryGrant, place: Place) -> str:
    return arn_of(grant.repository, place, "ecr", f"repository/{grant.repository}")


def statements(grants: tuple[RepositoryGrant, ...], place: Place) -> list[dict[str, Any]]:
    if not grants:
        return []
    repositories = [repository_arn(g, place) for g in grants]
    return [
        {"Sid": "Repositories", "Effect": "Allow", "Action": list(PULL), "Resource": repositories},
        {"Sid": "RegistryLogin", "Effect": "Allow", "Action": [LOGIN], "Resource": "*"},
    ]


def _where(grant: RepositoryGrant) -> dict[str, Any]:
    """The repository as the ECR API names it: its name, and the registry (account) when an ARN gives one."""
    if not grant.repository.startswith("arn:"):
        return {"repositoryName": grant.repository}
    account, name = grant.repository.split(":")[4], grant.repository.split(":repository/", 1)[1]
    return {"registryId": account, "repositoryName": name}


def checks(grants: tuple[RepositoryGrant, ...], place: Place, publish: bool) -> list[dict[str, Any]]:
    if not grants:
        return []
    found = [check("ecr", "get_authorization_token", {}, "allowed")]
    for grant in grants:
        where = _where(grant)
        outside = {**where, "repositoryName": sibling(where["repositoryName"])}
        found += pair("ecr", "batch_check_layer_availability", {**where, "layerDigests": [NO_LAYER]},
                      {**outside, "layerDigests": [NO_LAYER]})  # fmt: skip
    return found


KIND = GrantKind(
    key="ecr",
    type_name="EcrGrant",
    doc="One ECR grant: pull images from a repository.",
    list_doc="ECR grants (pull images from named repositories).",
    fields=FIELDS,
    read=read,
    statements=statements,
    checks=checks,
    summary=lambda g: f"ecr pull {g.repository}",
    config_row="pull images from a repository (name or ARN); the registry login (`GetAuthorizationToken`) comes "
    "with it",
    rows=(
        ("—", "`BatchGetImage`, `GetDownloadUrlForLayer`, `BatchCheckLayerAvailability`",
         "`repository/<name>`"),
        ("—", "`GetAuthorizationToken`, in its own statement", "`*` (it has no resource type: AWS authorizes it "
         "on `*` only)"),
    ),  # fmt: skip
    examples=({"repository": "team/app"}, {"repository": "arn:aws:ecr:eu-west-1:210987654321:repository/base/python"}),
    unscoped=(LOGIN,),
)
