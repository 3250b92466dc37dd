"""`workbench import` at estate scale: an MCP scan of 5,000 configs and an IAM dump of 10,000 roles and
20,000 policies, each generated here (seeded), imported end to end on one core.

Rows:

- `import_mcp_5000_configs`: seconds to discover, read, import and render (YAML checked as a scenario) a
  folder of 5,000 client configs; baseline: `json.load` of the same files; `ratio` = import / load.
- `import_aws_iam_10k_roles_20k_policies`: the same for `get-account-authorization-details` JSON of
  10,000 roles, 20,000 managed policies (two versions each), 500 users and 50 groups.
- `peak_mib_import_aws_iam`: peak RSS of this process after the IAM import.

Targets (the issue's "well under a minute on one core"): `value <= 30 s` for both imports.

Run with `python -m benchmarks.imports` from the repository root.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from workbench.importers import (
    import_aws_iam,
    import_mcp,
    read_configs,
    read_json,
    render_scenario,
    scenario_document,
)

__all__ = ["iam_dump", "mcp_scan", "run"]

AS_OF = dt.date(2026, 12, 1)
ACCOUNT = "111122223333"
_SERVERS = ("github", "filesystem", "brave-search", "postgres", "slack", "linear", "sentry", "notion", "jira")
_CLIENTS = (
    ("claude_desktop_config.json", "mcpServers"),
    (".cursor/mcp.json", "mcpServers"),
    (".vscode/mcp.json", "servers"),
    (".mcp.json", "mcpServers"),
    (".codeium/windsurf/mcp_config.json", "mcpServers"),
)


def mcp_scan(folder: Path, configs: int, *, seed: int = 7) -> None:
    """Write `configs` client configs under `folder`: a few shared team keys, many personal ones, references."""
    rng = random.Random(seed)
    team_keys = [f"sk-team-{n:04d}-EXAMPLE" for n in range(40)]
    for number in range(configs):
        name, section = _CLIENTS[number % len(_CLIENTS)]
        path = folder / f"host-{number:05d}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        servers: dict[str, Any] = {}
        for server in rng.sample(_SERVERS, rng.randint(2, 6)):
            if server in ("linear", "sentry", "notion"):
                servers[server] = {
                    "url": f"https://mcp.{server}.example/mcp",
                    "headers": {"Authorization": f"Bearer {rng.choice(team_keys)}"},
                }
                continue
            roll = rng.random()
            key = (
                rng.choice(team_keys)
                if roll < 0.3
                else f"${{env:{server.upper()}_TOKEN}}"
                if roll < 0.6
                else f"ghp_personal{number:05d}{server}EXAMPLE"
            )
            servers[server] = {
                "command": "npx",
                "args": ["-y", f"@modelcontextprotocol/server-{server}"],
                "env": {f"{server.upper().replace('-', '_')}_API_KEY": key, "LOG_LEVEL": "info"},
            }
        path.write_text(json.dumps({section: servers}, indent=2))


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def iam_dump(roles: int, policies: int, *, users: int = 500, groups: int = 50, seed: int = 7) -> dict[str, Any]:
    """An authorization-details dump: managed policies over 2,000 named buckets and tables, some wildcards."""
    rng = random.Random(seed)
    buckets = [f"arn:aws:s3:::acme-data-{n:04d}" for n in range(1000)]
    tables = [f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/table-{n:04d}" for n in range(1000)]
    actions = [
        ["s3:GetObject", "s3:ListBucket"],
        ["s3:PutObject", "s3:DeleteObject"],
        ["dynamodb:GetItem", "dynamodb:Query"],
        ["dynamodb:PutItem", "dynamodb:UpdateItem"],
        ["s3:Get*"],
    ]

    def statement() -> dict[str, Any]:
        chosen = rng.choice(actions)
        pool = tables if chosen[0].startswith("dynamodb") else buckets
        resources = [f"{arn}/*" if pool is buckets else arn for arn in rng.sample(pool, 3)]
        if rng.random() < 0.05:
            resources = [pool[0].rsplit("-", 1)[0] + "-00*"]
        return {"Effect": "Allow", "Action": chosen, "Resource": resources}

    managed = []
    for number in range(policies):
        versions = [
            {"Document": _doc(statement(), statement(), statement()), "VersionId": "v2", "IsDefaultVersion": True},
            {"Document": _doc(statement()), "VersionId": "v1", "IsDefaultVersion": False},
        ]
        if number % 50 == 0:
            versions[0]["Document"]["Statement"].append({"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"})
        managed.append(
            {
                "PolicyName": f"policy-{number:05d}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:policy/policy-{number:05d}",
                "DefaultVersionId": "v2",
                "PolicyVersionList": versions,
            }
        )

    def attached(count: int) -> list[dict[str, str]]:
        return [{"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]} for p in rng.sample(managed, count)]

    role_list = []
    for number in range(roles):
        service = "bedrock.amazonaws.com" if number % 10 == 0 else "lambda.amazonaws.com"
        role_list.append(
            {
                "RoleName": f"role-{number:05d}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/role-{number:05d}",
                "AssumeRolePolicyDocument": _doc(
                    {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                ),
                "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": _doc(statement())}],
                "AttachedManagedPolicies": attached(2),
            }
        )
    group_list = [
        {"GroupName": f"group-{n:03d}", "GroupPolicyList": [], "AttachedManagedPolicies": attached(3)}
        for n in range(groups)
    ]
    user_list = [
        {
            "UserName": f"user-{n:04d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/user-{n:04d}",
            "UserPolicyList": [],
            "GroupList": [f"group-{rng.randrange(groups):03d}"],
            "AttachedManagedPolicies": attached(1),
        }
        for n in range(users)
    ]
    return {
        "UserDetailList": user_list,
        "GroupDetailList": group_list,
        "RoleDetailList": role_list,
        "Policies": managed,
    }


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed_mcp(folder: Path) -> tuple[float, float, int]:
    started = time.process_time()
    for path in sorted(folder.rglob("*.json")):
        json.loads(path.read_text())
    baseline = time.process_time() - started
    started = time.process_time()
    scenario = import_mcp(read_configs([folder]), as_of=AS_OF)
    render_scenario(scenario_document(scenario), header="bench", validated=scenario)
    return time.process_time() - started, baseline, len(scenario.agents)


def run() -> list[dict[str, Any]]:
    """The rows described in the module docstring."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        scan = Path(folder) / "scan"
        mcp_scan(scan, 5000)
        value, baseline, agents = _timed_mcp(scan)
        rows.append(
            {
                "name": "import_mcp_5000_configs",
                "value": value,
                "unit": "s",
                "baseline": baseline,
                "ratio": value / baseline if baseline else None,
                "target": "value <= 30 s",
                "note": f"CPU s to import {agents} configs, write checked YAML; baseline json.load; ratio import/load",
            }
        )
        dump = Path(folder) / "iam.json"
        dump.write_text(json.dumps(iam_dump(10_000, 20_000), indent=4))
        size = dump.stat().st_size / 2**20
        started = time.process_time()
        json.loads(dump.read_text())
        baseline = time.process_time() - started
        started = time.process_time()
        scenario = import_aws_iam(read_json(dump), as_of=AS_OF)
        render_scenario(scenario_document(scenario), header="bench", validated=scenario)
        value = time.process_time() - started
        rows.append(
            {
                "name": "import_aws_iam_10k_roles_20k_policies",
                "value": value,
                "unit": "s",
                "baseline": baseline,
                "ratio": value / baseline if baseline else None,
                "target": "value <= 30 s",
                "note": f"CPU s for a {size:.0f} MiB dump ({len(scenario.roles)} roles, {len(scenario.datasets)} "
                "resources); baseline json.load; ratio = import/load",
            }
        )
        rows.append({"name": "peak_mib_import_aws_iam", "value": _peak_mib(), "unit": "MiB", "note": "peak RSS"})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
