"""moto's server, with the session policy of an assumed role applied (tests only).

moto 5.2.5 keeps the `Policy` of an AssumeRole call (sts/models.py, AssumedRole.policy) but authorizes a request by
the role's policies alone (iam/access_control.py, AssumedRoleAccessKey.collect_policies). This applies the session
policy too, as the IAM user guide states it ("Session policies"): the request must also be allowed by it, judged by
moto's own per-document evaluator (IAMPolicy.is_action_permitted). A session without a policy is unchanged.
Run as moto's server: `python tests/moto_session_policies.py -H 127.0.0.1 -p PORT`.
"""

from __future__ import annotations

from typing import Any

from moto import server
from moto.iam import access_control
from moto.sts.models import sts_backends

_authorized_by_role = access_control.IAMRequestBase.check_action_permitted


def _session_policy(key: Any) -> str | None:
    """The session policy of the assumed-role credentials `key`, if it is one."""
    if not isinstance(key, access_control.AssumedRoleAccessKey):
        return None
    for role in sts_backends[key.account_id][key.partition].assumed_roles:
        if role.access_key_id == key._access_key_id:
            return role.policy or None
    return None


def check_action_permitted(self: Any, resource: str) -> None:
    _authorized_by_role(self, resource)  # raises AccessDenied when the role's policies do not allow it
    if self._action == "sts:GetCallerIdentity":
        return
    policy = _session_policy(self._access_key)
    if policy is not None:
        result = access_control.IAMPolicy(policy).is_action_permitted(self._action, resource)
        if result != access_control.PermissionResult.PERMITTED:
            self._raise_access_denied()


access_control.IAMRequestBase.check_action_permitted = check_action_permitted  # type: ignore[method-assign]

if __name__ == "__main__":
    server.main()
