"""`workbench import k8s`: service accounts, RBAC bindings in their scope, and labelled workloads as agents."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from workbench.cli import run
from workbench.errors import ScenarioError
from workbench.findings import evaluate
from workbench.graph import blast_radius
from workbench.importers import import_k8s, parse_json, read_json, scenario_document
from workbench.model import load_scenario

REPO = Path(__file__).resolve().parents[1]
CLUSTER = "tests/fixtures/k8s/cluster.json"
AS_OF = dt.date(2026, 12, 1)
SELECT = {"agent_label": "app.kubernetes.io/component=agent", "agent_annotation": "workbench.io/agent"}


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _scenario():
    return import_k8s(read_json(CLUSTER), as_of=AS_OF, **SELECT)


def _one(items: list[dict], item_id: str) -> dict:
    return next(item for item in items if item["id"] == item_id)


def test_selected_workloads_are_agents_running_as_their_service_account() -> None:
    document = scenario_document(_scenario())
    assert [(a["id"], a["runs_as"]) for a in document["agents"]] == [
        ("k8s-agent:support.support-agent", "k8s-sa:support.support-agent"),  # by label
        ("k8s-agent:ops.ops-agent", "k8s-sa:ops.ops-agent"),  # by annotation
    ]  # the Deployment's own Pod is left to it; the unlabelled debug pod is no agent


def test_a_namespaced_binding_grants_its_rules_in_its_namespace_only() -> None:
    document = scenario_document(_scenario())
    role = _one(document["roles"], "k8s-binding:support.support-agent-reads-tickets")
    assert {(p["action"], p["resource"]) for p in role["permissions"]} == {
        ("read", "k8s:support:configmaps"),
        ("read", "k8s:support:secrets"),
        ("write", "k8s:support:jobs"),
        ("delete", "k8s:support:jobs"),
    }
    debug = _one(document["roles"], "k8s-binding:support.support-agent-debugs-pods")  # a ClusterRole, bound in support
    assert ("execute", "k8s:support:pods.exec") in {(p["action"], p["resource"]) for p in debug["permissions"]}
    assert _one(document["datasets"], "k8s:support:secrets")["sensitivity"] == "confidential"


def test_cluster_admin_is_everything_and_marks_a_broad_legacy_account() -> None:
    document = scenario_document(_scenario())
    admin = _one(document["roles"], "k8s-binding:cluster.ops-agent-admin")
    # Everything in the cluster: each resource the list names and the cluster's catch-all, never the
    # scenario-wide `*` (an estate merged with IAM or MCP imports keeps their keys out of the cluster's reach).
    cluster = [d["id"] for d in document["datasets"]]
    assert "k8s:cluster:all" in cluster
    assert {(p["action"], p["resource"]) for p in admin["permissions"]} == {("*", r) for r in cluster}
    legacy = {a["id"] for a in document["service_accounts"] if a.get("legacy")}
    assert legacy == {"k8s-sa:ops.ops-agent", "k8s-sa:kube-system.legacy-ci"}


def test_administrators_of_one_source_reach_nothing_of_another_in_a_merged_estate(tmp_path: Path) -> None:
    laptops, aws, estate = tmp_path / "laptops.yaml", tmp_path / "aws.yaml", tmp_path / "estate.yaml"
    assert run(["import", "mcp", "tests/fixtures/mcp", "--as-of", "2026-12-01", "-o", str(laptops)]) == 0
    dump = "tests/fixtures/aws/account-authorization-details.json"
    assert run(["import", "aws-iam", dump, "--merge", str(laptops), "-o", str(aws)]) == 0
    assert run(["import", "k8s", CLUSTER, "--merge", str(aws), "-o", str(estate)]) == 0
    scenario = load_scenario(estate)
    cluster_admin = blast_radius(scenario, "k8s-sa:ops.ops-agent").assets
    aws_admin = blast_radius(scenario, "iam-role:legacy-admin").assets
    assert "k8s:support:secrets" in cluster_admin and "aws:s3:::acme-support-tickets" in aws_admin
    assert not [a for a in cluster_admin if not a.startswith("k8s:")]
    assert not [a for a in aws_admin if not a.startswith("aws:")]


def test_an_agent_bound_to_cluster_admin_is_a_critical_finding_at_its_binding() -> None:
    (found,) = [f for f in evaluate(_scenario()) if f.rule_id == "WB124"]
    assert found.entity_id == "k8s-agent:ops.ops-agent" and found.severity == "critical"
    line = Path(CLUSTER).read_text().splitlines()[found.location.line - 1]
    assert found.location.file == CLUSTER and line.strip() == "{"
    assert '"ops-agent-admin"' in Path(CLUSTER).read_text().splitlines()[found.location.line + 3]


def test_users_and_groups_in_bindings_are_humans_holding_the_binding() -> None:
    document = scenario_document(_scenario())
    humans = {h["id"]: h for h in document["humans"]}
    assert humans["k8s-user:alice-example.com"]["roles"] == ["k8s-binding:cluster.ops-agent-admin"]
    group = humans["k8s-group:oidc:support-engineers"]
    assert group["roles"] == ["k8s-binding:support.support-engineers-read-tickets"]
    assert "members not listed" in group["name"]
    assert group["provenance"][0]["pointer"].endswith("/subjects/0")
    assert humans["k8s-user:bob-example.com"]["roles"] == group["roles"]
    # A binding of only people is still a role, with its rules in its namespace.
    role = _one(document["roles"], "k8s-binding:support.support-engineers-read-tickets")
    assert ("read", "k8s:support:secrets") in {(p["action"], p["resource"]) for p in role["permissions"]}
    # A user bound to cluster-admin reaches what the account bound beside them does; the group, its namespace.
    scenario = _scenario()
    alice = blast_radius(scenario, "k8s-user:alice-example.com")
    assert alice.assets == blast_radius(scenario, "k8s-sa:ops.ops-agent").assets
    assert "k8s:support:secrets" in blast_radius(scenario, "k8s-group:oidc:support-engineers").assets


def _binding(subjects: list[dict]) -> dict:
    accounts = [
        {"kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}}
        for namespace, name in (("a", "one"), ("a", "two"), ("b", "three"))
    ]
    binding = {
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "bind"},
        "roleRef": {"kind": "ClusterRole", "name": "view"},
        "subjects": subjects,
    }
    role = {"kind": "ClusterRole", "metadata": {"name": "view"}, "rules": [{"verbs": ["get"], "resources": ["pods"]}]}
    return {"items": [*accounts, role, binding]}


@pytest.mark.parametrize(
    ("subject", "accounts", "humans"),
    [
        ({"kind": "User", "name": "system:serviceaccount:a:two"}, ["k8s-sa:a.two"], []),
        ({"kind": "Group", "name": "system:serviceaccounts:a"}, ["k8s-sa:a.one", "k8s-sa:a.two"], []),
        ({"kind": "Group", "name": "system:serviceaccounts"}, ["k8s-sa:a.one", "k8s-sa:a.two", "k8s-sa:b.three"], []),
        (
            {"kind": "Group", "name": "system:authenticated"},
            ["k8s-sa:a.one", "k8s-sa:a.two", "k8s-sa:b.three"],
            ["k8s-group:system:authenticated"],
        ),
        ({"kind": "Group", "name": "devs"}, [], ["k8s-group:devs"]),
    ],
)
def test_groups_kubernetes_fills_with_service_accounts_bind_those_accounts(
    subject: dict, accounts: list[str], humans: list[str]
) -> None:
    document = scenario_document(import_k8s(parse_json(json.dumps(_binding([subject])), file="c.json"), as_of=AS_OF))
    holding = [a["id"] for a in document["service_accounts"] if "k8s-binding:cluster.bind" in a.get("roles", [])]
    assert holding == accounts
    assert [h["id"] for h in document.get("humans", [])] == humans


def test_the_output_validates_and_reimport_is_byte_identical(tmp_path: Path) -> None:
    outs = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for out in outs:
        command = ["import", "k8s", CLUSTER, "--agent-label", SELECT["agent_label"], "--as-of", "2026-12-01"]
        assert run([*command, "-o", str(out)]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert run(["validate", str(outs[0])]) == 0


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"kind": "List"}, ": expected a kubectl List with 'items'"),
        ({"items": [{"kind": "Pod"}]}, "/items/0: an item must be an object with 'metadata'"),
        (
            {"items": [{"kind": "RoleBinding", "metadata": {"name": "b"}, "roleRef": {"kind": "Group"}}]},
            "/items/0/roleRef: 'roleRef' must name a Role or a ClusterRole",
        ),
        (
            {
                "items": [
                    {"kind": "RoleBinding", "metadata": {"name": "b"}, "roleRef": {"kind": "Role"}, "subjects": [7]}
                ]
            },
            "/items/0/subjects/0: a subject needs a 'kind' and a string 'name'",
        ),
    ],
)
def test_malformed_lists_are_located_problems(document: dict, expected: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        import_k8s(parse_json(json.dumps(document), file="c.json"), as_of=AS_OF)
    assert expected in str(caught.value)
