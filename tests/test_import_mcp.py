"""`workbench import mcp`: client configs become agents, one tool per server, one secret per key, no values."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.cli import run
from workbench.importers import fingerprint, import_mcp, parse_json, read_configs, scenario_document
from workbench.importers.mcp import McpConfig
from workbench.model import parse_scenario

REPO = Path(__file__).resolve().parents[1]
FIXTURES = "tests/fixtures/mcp"
AS_OF = dt.date(2026, 12, 1)
INLINE_VALUES = (
    "ghp_EXAMPLEexampleEXAMPLEexample0000alice",
    "BSA-EXAMPLE-shared-team-key-0000000000",
    "lin_api_EXAMPLEexampleEXAMPLE0000bob",
    "EXAMPLE-not-a-password",
    "ntn_EXAMPLEexampleEXAMPLE0000reporting",
    "mk_EXAMPLEexampleEXAMPLE0000",
)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # provenance records paths as given: relative to the repository here


def _imported() -> dict:
    return scenario_document(import_mcp(read_configs([Path(FIXTURES)]), as_of=AS_OF))


def _one(items: list[dict], item_id: str) -> dict:
    return next(item for item in items if item["id"] == item_id)


def test_each_config_is_an_agent_and_a_server_used_by_several_clients_is_one_tool() -> None:
    document = _imported()
    assert [agent["framework"] for agent in document["agents"]] == [
        "claude-desktop",
        "cursor",
        "windsurf",
        "claude-code",
        "vscode",
        "claude-code",
    ]
    github = _one(document["tools"], "mcp:github")
    assert github["kind"] == "mcp_server"
    assert [p["file"] for p in github["provenance"]] == [
        f"{FIXTURES}/laptops/alice/claude_desktop_config.json",
        f"{FIXTURES}/laptops/bob/.cursor/mcp.json",
        f"{FIXTURES}/repos/payments/.mcp.json",
    ]
    assert sum("mcp:github" in agent["tools"] for agent in document["agents"]) == 3
    assert "owner" not in document["agents"][0]  # left for the overlay; findings flag the agent as orphaned


def test_the_same_inline_key_in_three_configs_is_one_shared_secret_and_no_value_is_copied(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _imported()
    brave = _one(document["secrets"], "secret:brave_api_key")
    assert brave["stored_in"] == "agent_config"
    assert brave["fingerprint"] == fingerprint("BSA-EXAMPLE-shared-team-key-0000000000", "workbench-mcp-import")
    assert len(brave["provenance"]) == 3
    holders = [
        a["id"]
        for a in document["agents"]
        if {"secret": brave["id"], "stored_in": "agent_config"} in a.get("credentials", [])
    ]
    assert len(holders) == 3
    assert run(["import", "mcp", FIXTURES, "--as-of", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert not [value for value in INLINE_VALUES if value in out]
    assert "workspace=acme" not in out  # a remote URL's query is dropped: keys hide there too


def test_a_salt_of_your_own_changes_every_fingerprint() -> None:
    configs = read_configs([Path(FIXTURES)])
    default = scenario_document(import_mcp(configs, as_of=AS_OF))
    salted = scenario_document(import_mcp(configs, as_of=AS_OF, salt="our private salt"))
    prints = [s.get("fingerprint") for s in default["secrets"] if "fingerprint" in s]
    assert prints and not set(prints) & {s.get("fingerprint") for s in salted["secrets"]}


def test_references_are_secrets_kept_by_the_client_or_the_environment() -> None:
    document = _imported()
    stripe = _one(document["secrets"], "secret:stripe-key")
    assert stripe.get("stored_in", "vault") == "vault" and "fingerprint" not in stripe
    assert "Stripe restricted key" in stripe["description"]
    assert _one(document["secrets"], "secret:github_token")["stored_in"] == "env"
    linear = _one(document["tools"], "mcp:linear")
    assert linear["external"] is True and linear["credential"] == "secret:linear-authorization"
    assert _one(document["secrets"], "secret:linear-authorization")["kind"] == "token"


def test_credentials_on_the_command_line_and_in_urls_are_secrets_whose_values_are_never_copied(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _imported()
    reporting = _one(document["agents"], "claude-code:tests-fixtures-mcp-repos-reporting")
    held = {c["secret"]: c["stored_in"] for c in reporting["credentials"]}
    assert held == {
        "secret:database_url": "agent_config",  # a DSN argument: the same string as payments' DATABASE_URL
        "secret:notion-authorization": "agent_config",  # mcp-remote --header "Authorization: Bearer ..."
        "secret:metrics-api_key": "agent_config",  # ?api_key=... in a remote server's URL
        "secret:warehouse_token": "env",  # --token ${env:WAREHOUSE_TOKEN}
    }
    database = _one(document["secrets"], "secret:database_url")
    assert [p["pointer"] for p in database["provenance"]] == [
        "/mcpServers/postgres/env/DATABASE_URL",
        "/mcpServers/postgres/args/2",
    ]
    for where in database["provenance"]:  # each occurrence at the line that holds it, even in a long `args` list
        line = Path(where["file"]).read_text().splitlines()[where["line"] - 1]
        assert "EXAMPLE-not-a-password" in line
    assert _one(document["secrets"], "secret:notion-authorization")["kind"] == "token"
    assert _one(document["tools"], "mcp:metrics")["description"].endswith("https://metrics.example/mcp (http).")
    assert run(["import", "mcp", FIXTURES, "--as-of", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert not [value for value in INLINE_VALUES if value in out]
    assert "team=reporting" not in out


@pytest.mark.parametrize(
    ("args", "found"),
    [
        (["--api-key", "wx-0000"], ("/mcpServers/s/args/1", "api-key")),
        (["--token=abc123"], ("/mcpServers/s/args/0", "token")),
        (["--config=ghp_x0000"], ("/mcpServers/s/args/0", "argument 2")),
        (["run", "-e", "GITHUB_TOKEN=ghp_x0000", "image"], ("/mcpServers/s/args/2", "GITHUB_TOKEN")),
        (["--header", "X-API-Key: k-0000"], ("/mcpServers/s/args/1", "X-API-Key")),
        (["sk-live0000"], ("/mcpServers/s/args/0", "argument 2")),
        (["mysql://root:pw0000@db:3306/app"], ("/mcpServers/s/args/0", "mysql connection string")),
    ],
)
def test_each_way_of_passing_a_key_as_an_argument_is_found(args: list[str], found: tuple[str, str]) -> None:
    server = (
        {"command": "npx", "args": ["-y", "pkg", *args]} if args[0] != "run" else {"command": "docker", "args": args}
    )
    shift = 2 if args[0] != "run" else 0
    pointer, name = found
    head, _, index = pointer.rpartition("/")
    text = json.dumps({"mcpServers": {"s": server}})
    (secret,) = scenario_document(import_mcp([_config(text)], as_of=AS_OF))["secrets"]
    assert secret["provenance"][0]["pointer"] == f"{head}/{int(index) + shift}"
    assert secret["description"].startswith(name + " written inline")
    assert "0000" not in json.dumps(scenario_document(import_mcp([_config(text)], as_of=AS_OF)))


@pytest.mark.parametrize(
    "args",
    [["--api-key-file", "/etc/key"], ["--token-env", "WX_TOKEN"], ["--verbose", "--port", "8080"], ["pkg@1.2.3"]],
)
def test_arguments_that_only_name_where_a_key_is_are_no_secret(args: list[str]) -> None:
    text = json.dumps({"mcpServers": {"s": {"command": "npx", "args": ["-y", "pkg", *args]}}})
    assert scenario_document(import_mcp([_config(text)], as_of=AS_OF)).get("secrets", []) == []


def test_the_same_server_given_different_keys_is_one_tool_whose_id_owes_nothing_to_the_keys() -> None:
    configs = [
        _config(json.dumps({"mcpServers": {"wx": {"command": "uvx", "args": ["wx-mcp", "--api-key", key]}}}), name)
        for key, name in (
            ("first-0000", "a/claude_desktop_config.json"),
            ("second-1111", "b/claude_desktop_config.json"),
        )
    ]
    document = scenario_document(import_mcp(configs, as_of=AS_OF))
    assert [t["id"] for t in document["tools"]] == ["mcp:wx"]
    assert len(document["secrets"]) == 2 and "0000" not in json.dumps(document) and "1111" not in json.dumps(document)


def test_a_password_and_keys_in_a_remote_url_are_secrets_and_the_url_is_kept_without_them() -> None:
    url = "https://user:pw-0000@mcp.example/mcp?api_key=k-1111&region=eu&sig=s-2222"
    document = scenario_document(import_mcp([_config(json.dumps({"mcpServers": {"r": {"url": url}}}))], as_of=AS_OF))
    assert [s["description"].split(" written")[0] for s in document["secrets"]] == [
        "URL password",
        "URL parameter api_key",
        "URL parameter sig",
    ]
    assert all(s["provenance"][0]["pointer"] == "/mcpServers/r/url" for s in document["secrets"])
    text = json.dumps(document)
    assert not [v for v in ("pw-0000", "k-1111", "s-2222", "region=eu") if v in text]


def test_provenance_points_at_the_line_that_holds_the_key() -> None:
    document = _imported()
    where = _one(document["secrets"], "secret:database_url")["provenance"][0]
    assert where["pointer"] == "/mcpServers/postgres/env/DATABASE_URL"
    line = Path(where["file"]).read_text().splitlines()[where["line"] - 1]
    assert line[where["column"] - 1 :].startswith('"DATABASE_URL"')


def test_jsonc_comments_and_trailing_commas_are_read_where_vscode_writes_them() -> None:
    document = _imported()
    sentry = _one(document["tools"], "mcp:sentry")
    assert sentry["provenance"][0]["pointer"] == "/servers/sentry"
    assert sentry["provenance"][0]["line"] == 27


def test_the_output_validates_and_reimport_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert run(["import", "mcp", FIXTURES, "--as-of", "2026-12-01", "-o", str(first)]) == 0
    assert run(["import", "mcp", FIXTURES, "--as-of", "2026-12-01", "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert run(["validate", str(first)]) == 0


def test_merge_keeps_what_the_overlay_knows_and_survives_reimport(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        "schema_version: 1\nname: laptops\nas_of: 2026-11-30\n"
        "humans: [{id: alice}]\n"
        "agents:\n  - id: claude-desktop:tests-fixtures-mcp-laptops-alice\n    owner: alice\n"
        "    business_purpose: Alice's coding assistant\n"
        "datasets: [{id: repos, sensitivity: confidential}]\n"
        "controls: [{kind: static_rbac}]\n"
    )
    out = tmp_path / "estate.yaml"
    assert run(["import", "mcp", FIXTURES, "--merge", str(overlay), "-o", str(out)]) == 0
    merged = yaml.safe_load(out.read_text())
    assert merged["name"] == "laptops" and str(merged["as_of"]) == "2026-11-30"
    alice = merged["agents"][0]
    assert alice["owner"] == "alice" and alice["tools"] == ["mcp:github", "mcp:filesystem", "mcp:brave-search"]
    assert merged["datasets"] == [{"id": "repos", "sensitivity": "confidential"}]
    again = tmp_path / "again.yaml"
    assert run(["import", "mcp", FIXTURES, "--merge", str(overlay), "-o", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()
    # Merging into the previous output: imported entities the inventory no longer has are dropped.
    only_alice = tmp_path / "alice"
    (only_alice / "laptops/alice").mkdir(parents=True)
    source = REPO / FIXTURES / "laptops/alice/claude_desktop_config.json"
    (only_alice / "laptops/alice/claude_desktop_config.json").write_bytes(source.read_bytes())
    shrunk = tmp_path / "shrunk.yaml"
    assert run(["import", "mcp", str(only_alice), "--merge", str(out), "-o", str(shrunk)]) == 0
    after = yaml.safe_load(shrunk.read_text())
    assert len(after["agents"]) == 1 and after["agents"][0]["provenance"][0]["file"].startswith(str(only_alice))
    assert after["datasets"] == [{"id": "repos", "sensitivity": "confidential"}]  # hand-written: kept
    assert "mcp:linear" not in {t["id"] for t in after["tools"]}


def _config(text: str, name: str = "claude_desktop_config.json") -> McpConfig:
    return McpConfig("claude-desktop", parse_json(text, file=name, comments=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"mcpServers": {"a": {"command": "x",}', "claude_desktop_config.json:1:"),
        ('{"mcpServers": []}', "claude_desktop_config.json:1:16: /mcpServers: 'mcpServers' must be an object"),
        ('{"mcpServers": {"a": {"command": 1}}}', "/mcpServers/a/command: 'command' must be a string"),
        ('{"mcpServers": {"a": {"url": "file:///etc/passwd"}}}', "/mcpServers/a/url: not an http(s) URL"),
        ('{"mcpServers": {"a": {"command": "x", "env": {"TOKEN": 5}}}}', "/mcpServers/a/env/TOKEN: a value must"),
        ('{"mcpServers": {"a": {}}}', "/mcpServers/a: a server needs a 'command' or a 'url'"),
        ("[" * 100_000, "nesting is too deep"),
        ('{"a": NaN}', "NaN is not a JSON number"),
    ],
)
def test_malformed_configs_are_located_problems(text: str, expected: str) -> None:
    from workbench.errors import ScenarioError

    with pytest.raises(ScenarioError) as caught:
        import_mcp([_config(text)], as_of=AS_OF)
    assert expected in str(caught.value)


def test_bad_input_exits_3_naming_every_file_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".cursor").mkdir()
    (tmp_path / ".cursor/mcp.json").write_text('{"mcpServers": {"a": {"command": "x"}}')
    (tmp_path / "claude_desktop_config.json").write_bytes(b'{"mcpServers": {"\xff": 1}}')
    out = tmp_path / "out.yaml"
    assert run(["import", "mcp", str(tmp_path), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert f"{tmp_path.as_posix()}/.cursor/mcp.json:1:" in err
    assert "claude_desktop_config.json:1:18: <document>: invalid UTF-8-SIG text [import-encoding]" in err
    assert "Traceback" not in err and not out.exists()


def test_nothing_from_a_config_reaches_the_terminal_unescaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "\x1b]8;;https://evil.example\x07gh\u202e"
    config = tmp_path / "claude_desktop_config.json"
    servers = {hostile: {"command": "\x1b[2J", "env": {"API_KEY": "k"}}, "b": {"url": 3}}
    config.write_text(json.dumps({"mcpServers": servers}))
    assert run(["import", "mcp", str(config), "--as-of", "2026-12-01"]) == 3
    captured = capsys.readouterr()
    assert "\x1b" not in captured.err + captured.out and "\u202e" not in captured.err
    config.write_text(config.read_text().replace('"url": 3', '"url": "https://x.example"'))
    assert run(["import", "mcp", str(config), "--as-of", "2026-12-01"]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out and "\u202e" not in captured.out and "\x07" not in captured.out
    parse_scenario(captured.out)


def test_a_folder_scan_skips_symlinks_and_other_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/claude_desktop_config.json").write_text('{"mcpServers": {}}')
    (tmp_path / "a/notes.json").write_text("not json")
    os.symlink(tmp_path, tmp_path / "a/loop")
    configs = read_configs([tmp_path])
    assert [c.document.file for c in configs] == [f"{tmp_path.as_posix()}/a/claude_desktop_config.json"]


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20)
    | st.sampled_from(["yes", "No", "null", "~", "1:30", "0x1f", "010", "2026-01-01", "a: b", "- x", "#c", "mcp:x"])
)
_KEYS = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8)
_DATA = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3), max_leaves=12
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _DATA, max_size=4))
def test_the_yaml_writer_reads_back_as_the_same_data(document: dict) -> None:
    from workbench.importers.merge import yaml_text
    from workbench.model.yaml_safe import load_yaml

    loaded = load_yaml(yaml_text(document) if document else "{}\n", filename="t.yaml").data
    assert loaded == _as_loaded(document)


def _as_loaded(value: object) -> object:
    # The scenario loader keeps a date as its text, and `str()`s integer keys; nothing else changes.
    if isinstance(value, dict):
        return {k: _as_loaded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_loaded(v) for v in value]
    return value


def test_a_command_line_of_thousands_of_keys_is_imported_in_linear_work_each_at_its_own_line() -> None:
    """Each argument's line was found by searching every argument before it again: quadratic in the list."""
    keys = [f"sk-{n:020d}" for n in range(20_000)]
    text = json.dumps({"mcpServers": {"s": {"command": "npx", "args": ["-y", "pkg", *keys]}}}, indent=1)
    done: list[dict] = []
    worker = threading.Thread(
        target=lambda: done.append(scenario_document(import_mcp([_config(text)], as_of=AS_OF))), daemon=True
    )
    worker.start()
    worker.join(120)
    assert done, "the import did not finish"
    (document,) = done
    lines = text.splitlines()
    secrets = document["secrets"]
    assert len(secrets) == len(keys) and len(document["agents"][0]["credentials"]) == len(keys)
    for secret, key in zip(secrets, keys, strict=True):
        (where,) = secret["provenance"]
        assert key in lines[where["line"] - 1]
        assert lines[where["line"] - 1][where["column"] - 1 :].startswith(json.dumps(key))
