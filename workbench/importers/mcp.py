"""MCP client configurations -> agents, MCP-server tools and the secrets the configs hold.

Reads the files MCP clients keep (Claude Desktop, Claude Code, Cursor, VS Code, Windsurf). Each config is an
agent; each server a tool (`kind: mcp_server`), one tool however many clients use the same server; each
credential in a server's `env` or `headers` a secret. A secret's value is never copied: an inline value is
recorded only as a salted HMAC-SHA256 fingerprint, so that the same key pasted into two configs is one shared
secret; a `${input:...}` or `${VAR}` reference is a secret kept in the client's prompt store (`vault`) or the
environment (`env`). Server commands are never run and URLs never fetched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from workbench.errors import Problem, ScenarioError
from workbench.importers.documents import JsonDocument, read_json
from workbench.importers.merge import build_scenario
from workbench.importers.naming import IdAllocator, one_line, slug
from workbench.model.scenario import Scenario

__all__ = [
    "CLIENT_FILES",
    "DEFAULT_SALT",
    "Client",
    "McpConfig",
    "discover_configs",
    "fingerprint",
    "import_mcp",
    "read_configs",
]

Client = Literal["claude-desktop", "claude-code", "cursor", "vscode", "windsurf", "mcp-client"]

CLIENT_FILES: dict[Client, str] = {
    "claude-desktop": "claude_desktop_config.json",
    "claude-code": ".mcp.json",
    "cursor": ".cursor/mcp.json",
    "vscode": ".vscode/mcp.json",
    "windsurf": "mcp_config.json",
}
"""The file each client keeps its MCP servers in; a folder scan finds these and only these."""

_CLIENT_NAMES: dict[Client, str] = {
    "claude-desktop": "Claude Desktop",
    "claude-code": "Claude Code",
    "cursor": "Cursor",
    "vscode": "VS Code",
    "windsurf": "Windsurf",
    "mcp-client": "MCP client",
}

DEFAULT_SALT = "workbench-mcp-import"
"""Salt used when none is given. With a salt of your own (`--salt`, or WORKBENCH_IMPORT_SALT), nobody who
reads the scenario can confirm a guessed key against its fingerprint."""

MAX_CONFIG_BYTES = 4 * 1024 * 1024
MAX_CONFIGS = 100_000
MAX_SCAN_DEPTH = 32

_CREDENTIAL_NAME = re.compile(
    r"(api[_-]?key|apikey|token|secret|passw(or)?d|passphrase|credential|auth|bearer|cookie|session|"
    r"private[_-]?key|access[_-]?key|client[_-]?secret|(^|[_-])pat($|[_-])|dsn|connection[_-]?string|database[_-]?url)",
    re.IGNORECASE,
)
_CREDENTIAL_VALUE = re.compile(
    r"^(sk-|sk_live_|rk_live_|ghp_|gho_|ghs_|github_pat_|glpat-|xox[abpr]-|AKIA|ASIA|AIza|ya29\.|eyJ|Bearer\s)"
)
_REFERENCE = re.compile(r"\$\{(?:(input|env):)?([^}]{1,200})\}")
_PACKAGE = re.compile(r"^@?[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)?(@[A-Za-z0-9._^~-]+)?$")


@dataclass(frozen=True)
class McpConfig:
    """One client configuration file, parsed."""

    client: Client
    document: JsonDocument


def fingerprint(value: str, salt: str) -> str:
    """`hmac-sha256:` and the first 32 hex digits of HMAC-SHA256(salt, value): equal keys, equal prints."""
    mac = hmac.new(salt.encode("utf-8", "surrogatepass"), value.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return "hmac-sha256:" + mac.hexdigest()[:32]


def client_of(path: Path) -> Client | None:
    """Which client keeps a config file at `path`, by its name and folder; None if none does."""
    parts = path.parts
    for client, name in CLIENT_FILES.items():
        wanted = PurePosixPath(name).parts
        if tuple(parts[-len(wanted) :]) == wanted:
            return client
    return None


def discover_configs(paths: Iterable[Path]) -> list[tuple[Path, Client]]:
    """The client configs named by `paths` (files, or folders scanned for the files clients keep), sorted.

    A file named on the command line is read whatever its name (its client is guessed from its content);
    a folder is walked without following symbolic links, at most MAX_SCAN_DEPTH deep.
    """
    found: dict[str, tuple[Path, Client]] = {}
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for base, folders, files in os.walk(path, followlinks=False):
                depth = len(Path(base).relative_to(path).parts)
                if depth >= MAX_SCAN_DEPTH:
                    folders.clear()
                folders.sort()
                for name in sorted(files):
                    candidate = Path(base) / name
                    client = client_of(candidate)
                    if client is not None and not candidate.is_symlink():
                        found.setdefault(candidate.as_posix(), (candidate, client))
                if len(found) > MAX_CONFIGS:
                    problems.append(Problem(str(path), 1, 1, "", f"more than {MAX_CONFIGS:,} configs", "import-size"))
                    raise ScenarioError(problems)
        else:
            found.setdefault(path.as_posix(), (path, client_of(path) or "mcp-client"))
    return [found[key] for key in sorted(found)]


def read_configs(paths: Iterable[Path]) -> list[McpConfig]:
    """Discover and parse every config under `paths`; one ScenarioError listing every unreadable file."""
    configs: list[McpConfig] = []
    problems: list[Problem] = []
    for path, client in discover_configs(paths):
        try:
            document = read_json(path, comments=True, max_bytes=MAX_CONFIG_BYTES, name=path.as_posix())
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        if client == "mcp-client" and isinstance(document.data, dict) and "servers" in document.data:
            client = "vscode"
        configs.append(McpConfig(client, document))
    if problems:
        raise ScenarioError(problems)
    return configs


@dataclass
class _Tool:
    id: str
    name: str
    remote: bool
    description: str
    provenance: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)


@dataclass
class _Secret:
    id: str
    kind: str
    stored_in: str
    description: str
    fingerprint: str | None
    provenance: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Build:
    salt: str
    ids: IdAllocator = field(default_factory=IdAllocator)
    agents: list[dict[str, Any]] = field(default_factory=list)
    tools: dict[str, _Tool] = field(default_factory=dict)
    secrets: dict[str, _Secret] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def import_mcp(
    configs: Sequence[McpConfig],
    *,
    as_of: dt.date,
    name: str = "imported-mcp",
    salt: str = DEFAULT_SALT,
) -> Scenario:
    """A scenario of the agents, tools and secrets in `configs`; ScenarioError (every problem, located) if
    any config is not the shape its client writes."""
    build = _Build(salt)
    for config in configs:
        _read_config(build, config)
    if build.problems:
        raise ScenarioError(build.problems)
    tools = []
    for tool in build.tools.values():
        distinct = sorted(set(tool.secrets), key=tool.secrets.index)
        tools.append(
            {
                "id": tool.id,
                "kind": "mcp_server",
                "description": tool.description,
                "external": tool.remote,
                **({"credential": distinct[0]} if len(distinct) == 1 else {}),
                "provenance": tool.provenance,
            }
        )
    secrets = [
        {
            "id": secret.id,
            "kind": secret.kind,
            "description": secret.description,
            "stored_in": secret.stored_in,
            **({"fingerprint": secret.fingerprint} if secret.fingerprint else {}),
            "provenance": secret.provenance,
        }
        for secret in build.secrets.values()
    ]
    return build_scenario(
        {
            "schema_version": 1,
            "name": name,
            "title": "Imported MCP client configurations",
            "as_of": as_of,
            "agents": build.agents,
            "tools": tools,
            "secrets": secrets,
        },
        file=configs[0].document.file if configs else "<import>",
    )


def _read_config(build: _Build, config: McpConfig) -> None:
    document = config.document
    data = document.data
    if not isinstance(data, dict):
        build.problems.append(document.problem((), "an MCP client config is a JSON object", "import-shape"))
        return
    vscode = config.client == "vscode" or ("servers" in data and "mcpServers" not in data)
    section = "servers" if vscode else "mcpServers"
    servers = data.get(section, {})
    if not isinstance(servers, dict):
        build.problems.append(document.problem((section,), f"'{section}' must be an object", "import-shape"))
        return
    inputs = _inputs(build, document, data.get("inputs"))
    within = len(PurePosixPath(CLIENT_FILES.get(config.client, "x")).parts)
    location = PurePosixPath(*PurePosixPath(document.file).parts[:-within] or ["."]).as_posix()
    agent_id = build.ids(f"agent\x00{document.file}", f"{config.client}:{slug(location, fallback='local')}")
    agent_tools: list[str] = []
    credentials: list[dict[str, str]] = []
    for server_name, server in servers.items():
        pointer = (section, server_name)
        if not isinstance(server, dict):
            build.problems.append(document.problem(pointer, "a server must be an object", "import-shape"))
            continue
        tool = _tool(build, document, pointer, server_name, server)
        if tool is None:
            continue
        if tool.id not in agent_tools:
            agent_tools.append(tool.id)
        for key in ("env", "headers"):
            block = server.get(key)
            for secret, stored_in in _credentials(build, document, (*pointer, key), block, inputs, server_name):
                tool.secrets.append(secret)
                held = {"secret": secret, "stored_in": stored_in}
                if held not in credentials:
                    credentials.append(held)
    build.agents.append(
        {
            "id": agent_id,
            "name": one_line(f"{_CLIENT_NAMES[config.client]} ({document.file})"),
            "framework": config.client,
            "tools": agent_tools,
            "credentials": credentials,
            "provenance": [_provenance(document, ())],
        }
    )


def _inputs(build: _Build, document: JsonDocument, inputs: Any) -> dict[str, tuple[int, str]]:
    """VS Code's `inputs`: id -> (index, description) of each prompted value."""
    if inputs is None:
        return {}
    if not isinstance(inputs, list):
        build.problems.append(document.problem(("inputs",), "'inputs' must be a list", "import-shape"))
        return {}
    found: dict[str, tuple[int, str]] = {}
    for index, item in enumerate(inputs):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            build.problems.append(document.problem(("inputs", index), "an input needs a string 'id'", "import-shape"))
            continue
        description = item.get("description")
        found[item["id"]] = (index, description if isinstance(description, str) else "")
    return found


def _tool(
    build: _Build, document: JsonDocument, pointer: tuple[str, ...], name: str, server: dict[str, Any]
) -> _Tool | None:
    url = server.get("url", server.get("serverUrl"))
    command = server.get("command")
    args = server.get("args", [])
    for key, value in (("command", command), ("url", url), ("type", server.get("type"))):
        if value is not None and not isinstance(value, str):
            build.problems.append(document.problem((*pointer, key), f"'{key}' must be a string", "import-shape"))
            return None
    if not isinstance(args, list) or not all(isinstance(arg, str) for arg in args):
        build.problems.append(document.problem((*pointer, "args"), "'args' must be a list of strings", "import-shape"))
        return None
    if url is not None:
        where = _public_url(url)
        if where is None:
            build.problems.append(document.problem((*pointer, "url"), "not an http(s) URL", "import-shape"))
            return None
        key = f"remote\x00{where}"
        transport = server.get("type") or "http"
        description = f"Remote MCP server {name!r} at {where} ({transport})."
    elif command is not None:
        key = f"stdio\x00{command}\x00" + "\x00".join(args)
        package = next((arg for arg in args if not arg.startswith("-")), None)
        shown = f" {package}" if package is not None and _PACKAGE.match(package) and len(package) <= 100 else ""
        description = f"Local MCP server {name!r}: runs {PurePosixPath(command).name}{shown} over stdio."
    else:
        build.problems.append(document.problem(pointer, "a server needs a 'command' or a 'url'", "import-shape"))
        return None
    tool = build.tools.get(key)
    if tool is None:
        tool_id = build.ids(f"tool\x00{key}", f"mcp:{slug(name, fallback='server')}")
        tool = _Tool(tool_id, name, url is not None, one_line(description))
        build.tools[key] = tool
    tool.provenance.append(_provenance(document, pointer))
    return tool


def _public_url(url: str) -> str | None:
    """scheme://host/path of an http(s) URL: user, password, query and fragment (where keys hide) dropped."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}{parts.path}"


def _credentials(
    build: _Build,
    document: JsonDocument,
    pointer: tuple[str, ...],
    block: Any,
    inputs: dict[str, tuple[int, str]],
    server: str,
) -> list[tuple[str, str]]:
    """(secret id, stored_in) of each credential in an `env` or `headers` block."""
    if block is None:
        return []
    if not isinstance(block, dict):
        build.problems.append(document.problem(pointer, f"'{pointer[-1]}' must be an object", "import-shape"))
        return []
    held: list[tuple[str, str]] = []
    for key, value in block.items():
        where = (*pointer, key)
        if not isinstance(value, str):
            build.problems.append(document.problem(where, "a value must be a string", "import-shape"))
            continue
        if not value.strip() or not (_CREDENTIAL_NAME.search(key) or _CREDENTIAL_VALUE.match(value)):
            continue
        reference = _REFERENCE.search(value)
        header = pointer[-1] == "headers"
        kind = _kind(key, value, header=header)
        named = slug(f"{server}-{key}" if header else key, fallback="key")
        if reference is None:
            secret_key = f"inline\x00{fingerprint(value, build.salt)}"
            secret = build.secrets.get(secret_key)
            if secret is None:
                secret_id = build.ids(secret_key, f"secret:{named}")
                secret = _Secret(
                    secret_id,
                    kind,
                    "agent_config",
                    one_line(f"{key} written inline in an MCP client config (value not copied)."),
                    fingerprint(value, build.salt),
                )
                build.secrets[secret_key] = secret
            stored_in = "agent_config"
        else:
            scope, variable = reference.group(1) or "env", reference.group(2)
            stored_in = "vault" if scope == "input" else "env"
            secret_key = f"ref\x00{document.file}\x00{scope}\x00{variable}"
            secret = build.secrets.get(secret_key)
            if secret is None:
                prompt = inputs.get(variable, (0, ""))[1] if scope == "input" else ""
                if scope == "input":
                    text = f"{key}: prompted by the client as input {variable!r}" + (f" ({prompt})" if prompt else "")
                else:
                    text = f"{key}: read from environment variable {variable!r}"
                secret_id = build.ids(secret_key, f"secret:{slug(variable, fallback='key')}")
                secret = _Secret(secret_id, kind, stored_in, one_line(text + "."), None)
                build.secrets[secret_key] = secret
        secret.provenance.append(_provenance(document, where))
        held.append((secret.id, stored_in))
    return held


def _kind(name: str, value: str, *, header: bool) -> str:
    lowered = name.lower()
    if header and (lowered in ("authorization", "proxy-authorization") or value.startswith("Bearer ")):
        return "token"
    if value.startswith(("ghp_", "github_pat_", "glpat-")) or re.search(r"(^|[_-])pat($|[_-])|personal", lowered):
        return "personal_access_token"
    if value.startswith(("AKIA", "ASIA")) or "aws" in lowered:
        return "cloud_access_key"
    if re.search(r"passw|passphrase", lowered):
        return "password"
    if re.search(r"dsn|database|connection|postgres|mysql|mongo", lowered):
        return "database_credential"
    if "token" in lowered:
        return "token"
    return "api_key"


def _provenance(document: JsonDocument, pointer: Sequence[str | int]) -> dict[str, Any]:
    return document.provenance(pointer, "mcp")
