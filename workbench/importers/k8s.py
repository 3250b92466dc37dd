"""`kubectl get serviceaccounts,roles,clusterroles,rolebindings,clusterrolebindings,pods,deployments -A -o json`
-> service accounts, the roles their bindings give them, and the agents that run as them.

- Each ServiceAccount is a service account `k8s-sa:NAMESPACE.NAME`.
- Each binding is a role `k8s-binding:SCOPE.NAME` holding the bound Role's or ClusterRole's rules in the
  binding's scope (a RoleBinding's namespace, or the whole cluster for a ClusterRoleBinding), held by the
  service accounts it binds and by its users (`k8s-user:NAME`) and groups (`k8s-group:NAME`, one human
  standing for members the cluster does not list), each a human. Verbs map to actions (get/list/watch: read;
  create/update/patch: write; delete, deletecollection: delete; `pods/exec` and `pods/attach`: execute;
  escalate/bind/impersonate: write), and each (scope, resource type) is a system `k8s:SCOPE:RESOURCE`
  (`secrets` are confidential data).
- `cluster-admin`, and any rule with `*` verbs on `*` resources, is every action on every resource of its
  scope (each one the list names, and `k8s:SCOPE:all` for the rest; the whole cluster for a
  ClusterRoleBinding): the account is marked as the broad legacy account it is.
- Pods and Deployments matching `--agent-label`/`--agent-annotation KEY=VALUE` are agents that `runs_as`
  their service account (`default` when the spec names none). Pods owned by another workload are left to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import Problem, ScenarioError
from workbench.importers.documents import JsonDocument
from workbench.importers.merge import build_scenario
from workbench.importers.naming import IdAllocator, one_line, slug
from workbench.model.scenario import Scenario

__all__ = ["VERB_ACTIONS", "import_k8s"]

VERB_ACTIONS = {
    "get": "read",
    "list": "read",
    "watch": "read",
    "create": "write",
    "update": "write",
    "patch": "write",
    "delete": "delete",
    "deletecollection": "delete",
    "escalate": "write",
    "bind": "write",
    "impersonate": "write",
    "approve": "write",
    "sign": "write",
    "use": "read",
    "proxy": "execute",
}
"""The workbench action of each Kubernetes verb; `create` on `pods/exec` or `pods/attach` is `execute`."""

_EXECUTE_SUBRESOURCES = ("pods/exec", "pods/attach", "pods/portforward")
_SECRET_RESOURCES = ("secrets",)


@dataclass
class _Build:
    document: JsonDocument
    ids: IdAllocator = field(default_factory=IdAllocator)
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    broad: dict[str, str] = field(default_factory=dict)
    """Role id -> scope of each binding that grants everything in its scope (cluster-admin or equivalent)."""
    problems: list[Problem] = field(default_factory=list)

    def problem(self, path: Sequence[str | int], message: str) -> None:
        self.problems.append(self.document.problem(path, message, "import-shape"))

    def provenance(self, path: Sequence[str | int]) -> dict[str, Any]:
        return self.document.provenance(path, "k8s")


def _selector(text: str | None) -> tuple[str, str | None] | None:
    if not text:
        return None
    key, _, value = text.partition("=")
    return key, (value if "=" in text else None)


def _matches(meta: dict[str, Any], label: tuple[str, str | None] | None, note: tuple[str, str | None] | None) -> bool:
    for selector, section in ((label, "labels"), (note, "annotations")):
        if selector is None:
            continue
        values = meta.get(section) or {}
        if isinstance(values, dict) and selector[0] in values and selector[1] in (None, values[selector[0]]):
            return True
    return False


def import_k8s(
    document: JsonDocument,
    *,
    as_of: dt.date,
    name: str = "imported-k8s",
    agent_label: str | None = None,
    agent_annotation: str | None = None,
) -> Scenario:
    """A scenario of the service accounts, RBAC bindings and agent workloads of a `kubectl ... -o json` list."""
    data = document.data
    build = _Build(document)
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ScenarioError(
            [
                document.problem(
                    ("items",) if isinstance(data, dict) else (), "expected a kubectl List with 'items'", "import-shape"
                )
            ]
        )
    by_kind: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("metadata"), dict):
            build.problem(("items", index), "an item must be an object with 'metadata'")
            continue
        kind = item.get("kind")
        if not isinstance(kind, str) or not isinstance(item["metadata"].get("name"), str):
            build.problem(("items", index), "an item needs a 'kind' and a 'metadata.name'")
            continue
        by_kind.setdefault(kind, []).append((index, item))
    if build.problems:
        raise ScenarioError(build.problems)

    accounts: dict[tuple[str, str], dict[str, Any]] = {}
    for index, item in by_kind.get("ServiceAccount", []):
        meta = item["metadata"]
        namespace = str(meta.get("namespace", "default"))
        account_id = build.ids(f"sa\x00{namespace}\x00{meta['name']}", f"k8s-sa:{slug(namespace)}.{slug(meta['name'])}")
        accounts[(namespace, meta["name"])] = {
            "id": account_id,
            "description": one_line(f"Kubernetes service account {namespace}/{meta['name']}."),
            "roles": [],
            "provenance": [build.provenance(("items", index))],
        }
    rules: dict[tuple[str, str, str], tuple[int, list[Any]]] = {}
    for kind in ("Role", "ClusterRole"):
        for index, item in by_kind.get(kind, []):
            meta = item["metadata"]
            namespace = str(meta.get("namespace", "")) if kind == "Role" else ""
            listed = item.get("rules") or []
            if not isinstance(listed, list):
                build.problem(("items", index, "rules"), "'rules' must be a list")
                continue
            rules[(kind, namespace, meta["name"])] = (index, listed)
    roles: list[dict[str, Any]] = []
    for kind in ("RoleBinding", "ClusterRoleBinding"):
        for index, item in by_kind.get(kind, []):
            role = _binding(build, index, item, kind, rules, accounts)
            if role is not None:
                roles.append(role)
    if build.problems:
        raise ScenarioError(build.problems)

    _scope_everything(build, roles)
    label, note = _selector(agent_label), _selector(agent_annotation)
    agents: list[dict[str, Any]] = []
    for kind in ("Deployment", "Pod"):
        for index, item in by_kind.get(kind, []):
            meta = item["metadata"]
            if kind == "Pod" and meta.get("ownerReferences"):
                continue
            template = item.get("spec", {}) if kind == "Pod" else item.get("spec", {}).get("template", {})
            template_meta = template.get("metadata", {}) if isinstance(template, dict) else {}
            if not (_matches(meta, label, note) or _matches(template_meta or {}, label, note)):
                continue
            spec = template if kind == "Pod" else template.get("spec", {})
            namespace = str(meta.get("namespace", "default"))
            account_name = (spec or {}).get("serviceAccountName") or "default"
            account = accounts.get((namespace, str(account_name)))
            agents.append(
                {
                    "id": build.ids(
                        f"agent\x00{kind}\x00{namespace}\x00{meta['name']}",
                        f"k8s-agent:{slug(namespace)}.{slug(meta['name'])}",
                    ),
                    "name": one_line(f"{kind} {namespace}/{meta['name']}"),
                    "framework": "kubernetes",
                    **({"runs_as": account["id"]} if account is not None else {}),
                    "provenance": [build.provenance(("items", index))],
                }
            )
    return build_scenario(
        {
            "schema_version": 1,
            "name": name,
            "title": "Imported Kubernetes service accounts and RBAC",
            "as_of": as_of,
            "service_accounts": list(accounts.values()),
            "humans": list(build.people.values()),
            "agents": agents,
            "datasets": list(build.datasets.values()),
            "roles": roles,
        },
        file=document.file,
    )


def _binding(
    build: _Build,
    index: int,
    item: dict[str, Any],
    kind: str,
    rules: dict[tuple[str, str, str], tuple[int, list[Any]]],
    accounts: dict[tuple[str, str], dict[str, Any]],
) -> dict[str, Any] | None:
    meta = item["metadata"]
    reference = item.get("roleRef")
    if not isinstance(reference, dict) or reference.get("kind") not in ("Role", "ClusterRole"):
        build.problem(("items", index, "roleRef"), "'roleRef' must name a Role or a ClusterRole")
        return None
    namespace = str(meta.get("namespace", "")) if kind == "RoleBinding" else ""
    scope = namespace or "cluster"
    role_kind, role_name = reference["kind"], str(reference.get("name", ""))
    found = rules.get((role_kind, namespace if role_kind == "Role" else "", role_name))
    bound = _subjects(build, index, item, namespace, accounts)
    if not bound:
        return None
    permissions: dict[tuple[str, str], None] = {}
    described = [f"{kind} {scope}/{meta['name']} -> {role_kind} {role_name}."]
    broad = role_name == "cluster-admin" and role_kind == "ClusterRole" and kind == "ClusterRoleBinding"
    if found is None and not broad:
        described.append("The role is not in the dump: its permissions are unknown here.")
    role_index, role_rules = found if found is not None else (index, [])
    for number, rule in enumerate(role_rules):
        if not isinstance(rule, dict):
            build.problem(("items", role_index, "rules", number), "a rule must be an object")
            continue
        verbs = [str(v) for v in rule.get("verbs") or []]
        resources = [str(r) for r in rule.get("resources") or []]
        if not resources:  # nonResourceURLs (/healthz, /metrics): no data to reach
            continue
        if "*" in verbs and "*" in resources:
            broad = True
            continue
        for resource in resources:
            dataset = _dataset(build, scope, resource, ("items", role_index, "rules", number))
            for verb in verbs:
                if verb == "*":
                    permissions[("*", dataset)] = None
                elif resource in _EXECUTE_SUBRESOURCES and verb in ("create", "get"):
                    permissions[("execute", dataset)] = None
                else:
                    permissions[(VERB_ACTIONS.get(verb, "write"), dataset)] = None
        names = [str(n) for n in rule.get("resourceNames") or []]
        only = f" (names {', '.join(names)}: read as the whole type)" if names else ""
        described.append(f"- {', '.join(verbs)} on {', '.join(resources)} in {scope}{only}")
    if broad:
        permissions[("*", _dataset(build, scope, "*", ("items", index)))] = None
        described.append("Wildcard verbs on wildcard resources (cluster-admin or equivalent): a broad account.")
    role_id = build.ids(
        f"binding\x00{kind}\x00{namespace}\x00{meta['name']}", f"k8s-binding:{slug(scope)}.{slug(meta['name'])}"
    )
    if broad:
        build.broad[role_id] = scope
    for holder in bound:
        if role_id not in holder["roles"]:
            holder["roles"].append(role_id)
        if broad and holder["id"].startswith("k8s-sa:"):
            holder["legacy"] = True
    return {
        "id": role_id,
        "description": "\n".join(described)[:60_000],
        "permissions": [{"action": a, "resource": r} for a, r in permissions],
        "provenance": [build.provenance(("items", index))],
    }


def _scope_everything(build: _Build, roles: list[dict[str, Any]]) -> None:
    """A broad binding's "everything" as every resource of its scope that the list names, and the scope's
    catch-all (`k8s:SCOPE:all`); a cluster-wide one, every resource of the cluster. Never the scenario's `*`,
    which in an estate merged with IAM or MCP imports would reach their keys and data too."""
    for role in roles:
        scope = build.broad.get(role["id"])
        if scope is None:
            continue
        covered = [
            dataset["id"]
            for key, dataset in build.datasets.items()
            if scope == "cluster" or key.startswith(scope + "\x00")
        ]
        permissions = dict.fromkeys((p["action"], p["resource"]) for p in role["permissions"])
        permissions.update(dict.fromkeys(("*", resource) for resource in covered))
        role["permissions"] = [{"action": a, "resource": r} for a, r in permissions]


def _subjects(
    build: _Build, index: int, item: dict[str, Any], namespace: str, accounts: dict[tuple[str, str], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Who a binding binds, in subject order, each once: service accounts, and users and groups as humans.

    A user named `system:serviceaccount:NS:NAME` is that service account; the groups Kubernetes fills with
    service accounts (`system:serviceaccounts`, `system:serviceaccounts:NS`, `system:authenticated`) bind
    each account of the dump they hold. Any other user is a human `k8s-user:NAME`, and any other group (and
    `system:authenticated`, which holds people too) one human `k8s-group:NAME` standing for its members,
    whom no object of the cluster lists.
    """
    bound: dict[str, dict[str, Any]] = {}
    subjects = item.get("subjects") or []
    if not isinstance(subjects, list):
        build.problem(("items", index, "subjects"), "'subjects' must be a list")
        return []
    for number, subject in enumerate(subjects):
        if not isinstance(subject, dict) or not isinstance(subject.get("name"), str):
            build.problem(("items", index, "subjects", number), "a subject needs a 'kind' and a string 'name'")
            continue
        kind, name = subject.get("kind"), subject["name"]
        held: list[dict[str, Any]] = []
        if kind == "ServiceAccount":
            found = accounts.get((str(subject.get("namespace", namespace or "default")), name))
            held = [found] if found is not None else []
        elif kind == "User" and name.startswith("system:serviceaccount:"):
            account_namespace, _, account_name = name.removeprefix("system:serviceaccount:").partition(":")
            found = accounts.get((account_namespace, account_name))
            held = [found] if found is not None else []
        elif kind == "Group" and name in ("system:serviceaccounts", "system:authenticated"):
            held = list(accounts.values())
        elif kind == "Group" and name.startswith("system:serviceaccounts:"):
            within = name.removeprefix("system:serviceaccounts:")
            held = [account for (where, _), account in accounts.items() if where == within]
        person = (kind == "User" and not name.startswith("system:serviceaccount:")) or (
            kind == "Group" and not name.startswith("system:serviceaccounts")
        )
        if person:
            held.append(_person(build, str(kind), name, ("items", index, "subjects", number)))
        for holder in held:
            bound.setdefault(holder["id"], holder)
    return list(bound.values())


def _person(build: _Build, kind: str, name: str, path: Sequence[str | int]) -> dict[str, Any]:
    key = f"{kind}\x00{name}"
    found = build.people.get(key)
    if found is None:
        prefix = "k8s-user" if kind == "User" else "k8s-group"
        label = f"Kubernetes user {name}" if kind == "User" else f"Kubernetes group {name} (members not listed)"
        found = {
            "id": build.ids(f"person\x00{key}", f"{prefix}:{slug(name)}"),
            "name": one_line(label),
            "roles": [],
            "provenance": [],
        }
        build.people[key] = found
    found["provenance"].append(build.provenance(path))
    return found


def _dataset(build: _Build, scope: str, resource: str, path: Sequence[str | int]) -> str:
    key = f"{scope}\x00{resource}"
    found = build.datasets.get(key)
    if found is not None:
        return str(found["id"])
    name = "all" if resource == "*" else resource
    dataset_id = build.ids(f"res\x00{key}", f"k8s:{slug(scope)}:{slug(name.replace('/', '.'))}")
    secret = resource in _SECRET_RESOURCES
    build.datasets[key] = {
        "id": dataset_id,
        "kind": "dataset" if secret else "system",
        "description": one_line(f"Kubernetes {'resources of every type' if name == 'all' else name} in {scope}."),
        **({"sensitivity": "confidential"} if secret else {}),
        "provenance": [build.provenance(path)],
    }
    return dataset_id
