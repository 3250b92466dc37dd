"""Load a scenario file: safe YAML or JSON, schema validation, cross-references, referenced files; all errors
at once.

Every problem comes back as `FILE:LINE:COL: path: message [code]` inside one ScenarioError (the path as
`agents[3].id` for YAML, as the JSON pointer `/agents/3/id` for JSON). A `.json` file is read by the fast JSON
loader (`json_safe`, for the large machine-written scenarios), anything else as YAML; both keep the limits of
`LoadLimits`. Nothing here executes scenario content, follows a path out of the scenario's folder, or lets an
exception other than ScenarioError escape for bad input.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from workbench.errors import Problem, ScenarioError
from workbench.escaping import quote
from workbench.model.common import Distribution, discriminator_tags
from workbench.model.controls import Control
from workbench.model.json_safe import JsonPositions, json_pointer, load_json
from workbench.model.references import check_files, check_references
from workbench.model.scenario import SCHEMA_VERSION, Scenario, SourceInfo
from workbench.model.yaml_safe import LoadLimits, format_path, load_yaml, read_scenario_bytes

__all__ = ["LoadLimits", "load_scenario", "parse_scenario"]

YamlPath = tuple[str | int, ...]


def load_scenario(path: str | Path, *, limits: LoadLimits | None = None) -> Scenario:
    """Load and fully validate the scenario file at `path`."""
    path = Path(path)
    limits = limits or LoadLimits()
    source = read_scenario_bytes(path, limits)
    return parse_scenario(source, filename=str(path), base_dir=path.parent, limits=limits)


def parse_scenario(
    source: bytes | str,
    *,
    filename: str = "<string>",
    base_dir: Path | None = None,
    limits: LoadLimits | None = None,
    language: Literal["yaml", "json"] | None = None,
) -> Scenario:
    """Validate scenario text. `base_dir` is where referenced files (Cedar policies) are resolved.

    `language` is how to read it; by default JSON for a `filename` ending in `.json`, else YAML.
    """
    if language is None:
        language = "json" if filename.lower().endswith(".json") else "yaml"
    limits = limits or LoadLimits()
    located: JsonPositions | dict[YamlPath, tuple[int, int]]
    if language == "json":
        parsed = load_json(source, filename=filename, limits=limits)
        data, located, show = parsed.data, parsed.source, json_pointer
    else:
        document = load_yaml(source, filename=filename, limits=limits)
        data, located, show = document.data, document.positions, format_path
    source_info = SourceInfo(filename, located)
    problems: list[Problem] = []

    def problem(path: YamlPath, message: str, code: str) -> None:
        line, column = source_info.locate(path)
        problems.append(Problem(filename, line, column, show(path), message, code))

    version = data.get("schema_version")
    if "schema_version" not in data:
        problem((), "missing 'schema_version' (this workbench reads schema_version 1)", "schema-version")
        raise ScenarioError(problems)
    if version != SCHEMA_VERSION or isinstance(version, bool):
        problem(
            ("schema_version",),
            f"unsupported schema_version {version!r}; this workbench reads schema_version {SCHEMA_VERSION}",
            "schema-version",
        )
        raise ScenarioError(problems)

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            path = _data_path(data, detail["loc"])
            problem(path, _message(detail, data, path), f"schema:{detail['type']}")
        raise ScenarioError(problems) from None

    for ref in [*check_references(scenario), *check_files(scenario, base_dir)]:
        problem(ref.path, ref.message, ref.code)
    if problems:
        raise ScenarioError(problems)

    scenario._source = source_info
    scenario._base_dir = base_dir
    return scenario


def _data_path(data: Any, loc: tuple[int | str, ...]) -> YamlPath:
    """Map a pydantic error location onto the YAML path, dropping union tags and validator names."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if _has(node, part):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            path.append(part)  # a missing or unknown key: point at its parent, name the key
            break
    return tuple(path)


def _has(node: Any, part: int | str) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _is_tag(part: str) -> bool:
    # Union members and discriminator tags show up in pydantic locations but not in the data.
    return part[:1].isupper() or part.startswith("function-") or part in _TAGS


_TAGS = frozenset(discriminator_tags(Distribution) + discriminator_tags(Control))


def _message(detail: Any, data: Any, path: YamlPath) -> str:
    kind = detail["type"]
    if kind == "extra_forbidden":
        key = path[-1] if path else "?"
        allowed = _allowed_keys(data, path[:-1])
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"; did you mean {quote(close[0])}?" if close else ""
        return f"unknown field {_short(key)}{hint}"
    if kind == "missing":
        return f"missing required field {quote(path[-1]) if path else '?'}"
    message = str(detail["msg"])
    return message.removeprefix("Value error, ")


def _short(value: Any) -> str:
    """A user's key for a message: quoted with escapes, cut so that a huge key cannot flood the output."""
    text = str(value)
    return quote(text if len(text) <= 60 else text[:60] + "…")


def _allowed_keys(data: Any, parent: YamlPath) -> list[str]:
    """Field names allowed at `parent`, found by walking the model classes along the path."""
    model: Any = Scenario
    for part in parent:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return []
        model = _model_in(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(model.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
