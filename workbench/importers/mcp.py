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
from urllib.parse import parse_qsl, urlsplit

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
        distinct = list(dict.fromkeys(tool.secrets))  # each once, in the order first held
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
    agent_tools: dict[str, None] = {}  # each tool once, in the order its server is listed
    credentials: dict[tuple[str, str], dict[str, str]] = {}  # each (secret, stored_in) once, in the order found
    for server_name, server in servers.items():
        pointer = (section, server_name)
        if not isinstance(server, dict):
            build.problems.append(document.problem(pointer, "a server must be an object", "import-shape"))
            continue
        made = _tool(build, document, pointer, server_name, server)
        if made is None:
            continue
        tool, found = made
        agent_tools.setdefault(tool.id)
        for key in ("env", "headers"):
            found += _credentials(build, document, (*pointer, key), server.get(key), server_name)
        for credential in found:
            secret, stored_in = _secret(build, document, credential, inputs, server_name)
            tool.secrets.append(secret)
            credentials.setdefault((secret, stored_in), {"secret": secret, "stored_in": stored_in})
    build.agents.append(
        {
            "id": agent_id,
            "name": one_line(f"{_CLIENT_NAMES[config.client]} ({document.file})"),
            "framework": config.client,
            "tools": list(agent_tools),
            "credentials": list(credentials.values()),
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


@dataclass(frozen=True)
class _Found:
    """A credential found in a server's config: where, under what name, its value, and how to name it."""

    where: tuple[str | int, ...]
    name: str
    value: str
    named: str
    place: str
    header: bool = False


def _tool(
    build: _Build, document: JsonDocument, pointer: tuple[str, ...], name: str, server: dict[str, Any]
) -> tuple[_Tool, list[_Found]] | None:
    """The server's tool, and the credentials its command line or URL carries."""
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
    found = _argument_credentials(pointer, name, args)
    if url is not None:
        where = _public_url(url)
        if where is None:
            build.problems.append(document.problem((*pointer, "url"), "not an http(s) URL", "import-shape"))
            return None
        url_key = "url" if "url" in server else "serverUrl"
        found += _url_credentials((*pointer, url_key), name, url, whole=False)
        key = f"remote\x00{where}"
        transport = server.get("type") or "http"
        description = f"Remote MCP server {name!r} at {where} ({transport})."
    elif command is not None:
        secret_args = {f.where[-1] for f in found}
        # The tool is the same server whatever key it is given: credential arguments are left out of its key.
        key = f"stdio\x00{command}\x00" + "\x00".join(
            "\x00secret" if i in secret_args else arg for i, arg in enumerate(args)
        )
        package = next((a for i, a in enumerate(args) if not a.startswith("-") and i not in secret_args), None)
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
    return tool, found


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


_FLAG = re.compile(r"^--?([A-Za-z][A-Za-z0-9_.-]{0,100})(?:=(.*))?$", re.DOTALL)
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]{0,100})=(.+)$", re.DOTALL)
_NOT_A_VALUE = re.compile(r"(file|path|dir|directory|env|var|variable|name|url|uri|type|header)s?$", re.IGNORECASE)
"""A flag named like a credential that takes something else (`--token-file PATH`, `--api-key-env VAR`)."""
_QUERY_KEY = re.compile(r"^(key|k|sig|signature|code|access_token|auth)$", re.IGNORECASE)


def _argument_credentials(pointer: tuple[str, ...], server: str, args: list[str]) -> list[_Found]:
    """Credentials passed on a server's command line: `--api-key VALUE`, `--token=VALUE`, `-e KEY=VALUE`,
    `--header "Authorization: Bearer ..."`, a bare key (`sk-...`), or a URL with a password (a DSN)."""
    found: list[_Found] = []
    taken: set[int] = set()
    for index, arg in enumerate(args):
        if index in taken:
            continue
        where: tuple[str | int, ...] = (*pointer, "args", index)
        flag = _FLAG.match(arg)
        if flag is not None:
            flag_name, inline = flag.group(1), flag.group(2)
            value_at = index
            if inline is None and index + 1 < len(args) and not args[index + 1].startswith("-"):
                inline, value_at = args[index + 1], index + 1
            if inline is None:
                continue
            if flag_name.lower() == "header":
                header_name, colon, header_value = inline.partition(":")
                if colon and (_CREDENTIAL_NAME.search(header_name) or _CREDENTIAL_VALUE.match(header_value.strip())):
                    taken.add(value_at)
                    found.append(
                        _Found(
                            (*pointer, "args", value_at),
                            header_name.strip(),
                            header_value.strip(),
                            f"{server}-{header_name.strip()}",
                            "in a header on the command line of",
                            header=True,
                        )
                    )
                continue
            if _CREDENTIAL_NAME.search(flag_name) and not _NOT_A_VALUE.search(flag_name):
                taken.add(value_at)
                found.append(
                    _Found(
                        (*pointer, "args", value_at),
                        flag_name,
                        inline,
                        f"{server}-{flag_name}",
                        "on the command line of",
                    )
                )
                continue
            if value_at != index:
                continue  # the next argument, maybe this flag's value, is judged on its own next
            arg = inline  # `--flag=VALUE`: the value is judged by its shape below
        assignment = _ASSIGNMENT.match(arg)
        if assignment is not None and (
            _CREDENTIAL_NAME.search(assignment.group(1)) or _CREDENTIAL_VALUE.match(assignment.group(2))
        ):
            found.append(
                _Found(where, assignment.group(1), assignment.group(2), assignment.group(1), "on the command line of")
            )
        elif _CREDENTIAL_VALUE.match(arg):
            found.append(_Found(where, f"argument {index}", arg, f"{server}-argument", "on the command line of"))
        elif "://" in arg:
            found += _url_credentials(where, server, arg, whole=True)
    return found


def _url_credentials(where: tuple[str | int, ...], server: str, url: str, *, whole: bool) -> list[_Found]:
    """Credentials in a URL: a password in its userinfo, and query parameters named or shaped like keys.

    `whole`: a connection string given as an argument is one credential, fingerprinted whole (as the same
    string in an `env` block is); the password of a server's own URL is fingerprinted alone.
    """
    try:
        parts = urlsplit(url.strip())
        password = parts.password
    except ValueError:
        return []
    found: list[_Found] = []
    if password:
        scheme = slug(parts.scheme, fallback="url")
        if whole:
            found.append(
                _Found(
                    where, f"{parts.scheme} connection string", url, f"{server}-{scheme}-url", "on the command line of"
                )
            )
        else:
            found.append(_Found(where, "URL password", password, f"{server}-url-password", "in the URL of"))
    for param, value in parse_qsl(parts.query, keep_blank_values=False):
        if _CREDENTIAL_NAME.search(param) or _QUERY_KEY.match(param) or _CREDENTIAL_VALUE.match(value):
            found.append(_Found(where, f"URL parameter {param}", value, f"{server}-{param}", "in the URL of"))
    return found


def _credentials(
    build: _Build,
    document: JsonDocument,
    pointer: tuple[str, ...],
    block: Any,
    server: str,
) -> list[_Found]:
    """The credentials of an `env` or `headers` block."""
    if block is None:
        return []
    if not isinstance(block, dict):
        build.problems.append(document.problem(pointer, f"'{pointer[-1]}' must be an object", "import-shape"))
        return []
    found: list[_Found] = []
    header = pointer[-1] == "headers"
    for key, value in block.items():
        where = (*pointer, key)
        if not isinstance(value, str):
            build.problems.append(document.problem(where, "a value must be a string", "import-shape"))
            continue
        if not value.strip() or not (_CREDENTIAL_NAME.search(key) or _CREDENTIAL_VALUE.match(value)):
            continue
        named = f"{server}-{key}" if header else key
        found.append(_Found(where, key, value, named, "in", header=header))
    return found


def _secret(
    build: _Build, document: JsonDocument, found: _Found, inputs: dict[str, tuple[int, str]], server: str
) -> tuple[str, str]:
    """(secret id, stored_in) of a credential found in a config; an inline value is kept only as a fingerprint."""
    reference = _REFERENCE.search(found.value)
    kind = _kind(found.name, found.value, header=found.header)
    if reference is None:
        print_ = fingerprint(found.value, build.salt)
        secret_key = f"inline\x00{print_}"
        secret = build.secrets.get(secret_key)
        if secret is None:
            secret_id = build.ids(secret_key, f"secret:{slug(found.named, fallback='key')}")
            where = "an MCP client config" if found.place == "in" else f"MCP server {server!r}"
            text = f"{found.name} written inline {found.place} {where} (value not copied)."
            secret = _Secret(secret_id, kind, "agent_config", one_line(text), print_)
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
                text = f"{found.name}: prompted by the client as input {variable!r}" + (
                    f" ({prompt})" if prompt else ""
                )
            else:
                text = f"{found.name}: read from environment variable {variable!r}"
            secret_id = build.ids(secret_key, f"secret:{slug(variable, fallback='key')}")
            secret = _Secret(secret_id, kind, stored_in, one_line(text + "."), None)
            build.secrets[secret_key] = secret
    secret.provenance.append(_provenance(document, found.where))
    return secret.id, stored_in


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
