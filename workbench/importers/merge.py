"""An imported scenario as YAML, merged into a hand-written overlay that survives every re-import.

What no inventory knows (dataset sensitivity, owners, workload, threats, control designs, approvals) lives in
an overlay scenario; `workbench import ... --merge OVERLAY` lays the import under it:

- top-level settings (name, as_of, workload, controls, simulation, ...) come from the overlay when it has them;
- an entity in both, by id, is the imported one with the overlay's keys laid over it (the overlay wins, key
  by key, each key's whole value), and keeps the import's provenance;
- an entity the overlay holds from an earlier import of the same source (it carries that source's
  provenance) is replaced by what this import finds, keeping only keys the import does not write, and is
  dropped when the inventory no longer has it;
- everything else in the overlay is kept as written, after the imported entities.

The result is checked as a scenario before it is returned, and the same input gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workbench.errors import Problem, ScenarioError
from workbench.escaping import printable
from workbench.model.common import ImportSource
from workbench.model.loading import parse_scenario
from workbench.model.references import check_files, check_references
from workbench.model.scenario import ENTITY_SECTIONS, Scenario
from workbench.model.todos import import_todos
from workbench.model.yaml_safe import LoadLimits, format_path, load_yaml, read_scenario_bytes

__all__ = [
    "build_scenario",
    "leading_comments",
    "load_overlay",
    "merge_overlay",
    "merged_header",
    "render_scenario",
    "scenario_document",
    "yaml_text",
]


def build_scenario(document: dict[str, Any], *, file: str) -> Scenario:
    """Validate an importer's document; a value the importer let through is a located problem, not a crash."""
    try:
        return Scenario.model_validate(document)
    except ValidationError as error:
        problems = [
            Problem(file, 1, 1, format_path(tuple(detail["loc"])), printable(detail["msg"]), "import-model")
            for detail in error.errors(include_url=False)
        ]
        raise ScenarioError(problems) from None


def scenario_document(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain YAML-ready data, leaving out every value that is the default."""
    return scenario.model_dump(mode="json", exclude_defaults=True, by_alias=True) | {
        "schema_version": scenario.schema_version
    }


def merge_overlay(imported: dict[str, Any], overlay: dict[str, Any], *, source: ImportSource) -> dict[str, Any]:
    """`imported` laid under `overlay` (see the module docstring); neither argument is changed."""
    merged: dict[str, Any] = {}
    for key in Scenario.model_fields:
        if key in ENTITY_SECTIONS:
            items = _merge_items(imported.get(key, []), overlay.get(key, []), source)
            if items or key in overlay:
                merged[key] = items
        elif key in overlay:
            merged[key] = overlay[key]
        elif key in imported:
            merged[key] = imported[key]
    for key in overlay:  # unknown keys stay, so that validation names them in the overlay's own words
        merged.setdefault(key, overlay[key])
    return merged


def _merge_items(imported: list[dict[str, Any]], overlay: Any, source: ImportSource) -> Any:
    if not isinstance(overlay, list):
        return overlay if overlay else imported
    written: dict[str, dict[str, Any]] = {}
    rest: list[Any] = []
    for item in overlay:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"] not in written:
            written[item["id"]] = item
        else:
            rest.append(item)
    result: list[Any] = []
    seen: set[str] = set()
    for item in imported:
        hand = written.get(item["id"])
        seen.add(item["id"])
        if hand is None:
            result.append(item)
        elif _from(hand, source):
            result.append({**hand, **item})
        else:
            result.append({**item, **hand, "provenance": item.get("provenance", [])})
    for entity_id, item in written.items():
        if entity_id not in seen and not _from(item, source):
            result.append(item)
    return result + rest


def _from(item: dict[str, Any], source: ImportSource) -> bool:
    provenance = item.get("provenance")
    return isinstance(provenance, list) and any(
        isinstance(entry, dict) and entry.get("source") == source for entry in provenance
    )


def render_scenario(
    document: dict[str, Any],
    *,
    header: str,
    file: str = "<import>",
    base_dir: Path | None = None,
    validated: Scenario | None = None,
) -> str:
    """The document as scenario YAML text, after checking it is a valid scenario (ScenarioError if not).

    The check validates the document itself (models, references, referenced files), or takes `validated`,
    the model the document was dumped from; only when the check fails is the text parsed as the loader
    would, so that every problem is located in the text that would have been written (named `file`).
    """
    head = "".join(f"# {printable(line)}\n" if line else "#\n" for line in header.splitlines())
    try:
        scenario = validated if validated is not None else Scenario.model_validate(document)
        valid = not check_references(scenario) and not check_files(scenario, base_dir)
    except ValidationError:
        valid = False
    if not valid:
        parse_scenario(head + yaml_text(document), filename=file, base_dir=base_dir)
    notes = {todo.path: todo.message for todo in import_todos(scenario)}
    return head + yaml_text(document, notes=notes)


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*(:[A-Za-z0-9_./-]+)*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RESOLVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    text = str(value)
    if _DATE.fullmatch(text):
        return text
    if _PLAIN.fullmatch(text) and text.lower() not in _RESOLVED:
        return text
    quoted = json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return _RAW.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


# What JSON leaves raw but YAML reads as a line break or refuses as unprintable: written as escapes.
_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def yaml_text(document: dict[str, Any], *, notes: Mapping[tuple[str | int, ...], str] | None = None) -> str:
    """Block-style YAML of plain data (dicts, lists, str, int, float, bool, None), always the same bytes.

    `notes` are comments written on the line above an item of a top-level list, by its path (`("agents", 3)`).

    Written here rather than by PyYAML's representer, which costs seconds per megabyte: an import of 10,000
    IAM roles writes tens of megabytes. Ids stay plain scalars; any other string is JSON-quoted, which YAML
    reads back as the same string (tests/test_import_mcp.py checks the round trip).
    """
    lines: list[str] = []
    by_section: dict[str | int, dict[int, str]] = {}
    for path, note in (notes or {}).items():
        section, index = path
        if isinstance(index, int):
            by_section.setdefault(section, {})[index] = note
    for key, value in document.items():
        if isinstance(value, list) and value and key in by_section:
            lines.append(f"{_scalar(key)}:")
            _sequence(value, "", lines, notes=by_section[key])
        else:
            _entry(f"{_scalar(key)}:", value, "", lines)
    return "\n".join(lines) + "\n"


def _mapping(mapping: dict[str, Any], indent: str, lines: list[str], first: str | None = None) -> None:
    for number, (key, value) in enumerate(mapping.items()):
        lead = first if number == 0 and first is not None else indent
        _entry(f"{lead}{_scalar(key)}:", value, indent, lines)


def _entry(head: str, value: Any, indent: str, lines: list[str]) -> None:
    if isinstance(value, dict) and value:
        lines.append(head)
        _mapping(value, indent + "  ", lines)
    elif isinstance(value, list) and value:
        lines.append(head)
        _sequence(value, indent, lines)
    elif isinstance(value, dict | list):
        lines.append(f"{head} {'{}' if isinstance(value, dict) else '[]'}")
    else:
        lines.append(f"{head} {_scalar(value)}")


def _sequence(items: list[Any], indent: str, lines: list[str], notes: Mapping[int, str] | None = None) -> None:
    for index, item in enumerate(items):
        if notes and index in notes:
            lines.append(f"{indent}# {printable(notes[index])}")
        if isinstance(item, dict) and item:
            _mapping(item, indent + "  ", lines, first=f"{indent}- ")
        elif isinstance(item, list) and item:
            lines.append(f"{indent}-")
            _sequence(item, indent + "  ", lines)
        elif isinstance(item, dict | list):
            lines.append(f"{indent}- {'{}' if isinstance(item, dict) else '[]'}")
        else:
            lines.append(f"{indent}- {_scalar(item)}")


_GENERATED_LINES = ("yaml-language-server:", "Generated: edit the files given to --merge")
_IMPORT_LINE = "Imported by `workbench import "


def merged_header(headers: list[list[str]], imported: str) -> str:
    """The header comment of an import merged into overlays whose own header comments are `headers`.

    Each overlay's prose (its "What to expect") is kept, in order, then every "Imported by ..." line the
    overlays carry from earlier imports and this import's own, so a chain of imports into one estate says
    what it was built from; the lines only the writer adds are dropped, and written again by it.
    """
    prose: list[str] = []
    sources: list[str] = []
    for header in headers:
        for line in header:
            if line.startswith(_GENERATED_LINES):
                continue
            (sources if line.startswith(_IMPORT_LINE) else prose).append(line)
    while prose and not prose[-1].strip():
        prose.pop()
    return "\n".join([*prose, *([""] if prose else []), *sources, imported])


def leading_comments(path: Path) -> list[str]:
    """The comment lines a scenario file (an overlay, the base of a traces import) starts with, `#` and one
    space removed: the prose an import carries into the file it writes."""
    text = read_scenario_bytes(Path(path), LoadLimits()).decode("utf-8", errors="replace")
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[2:] if line.startswith("# ") else line[1:])
    return lines


def load_overlay(path: Path) -> dict[str, Any]:
    """The overlay file's top-level mapping, read as safely as any scenario (located errors, size caps)."""
    return load_yaml(read_scenario_bytes(Path(path), LoadLimits()), filename=str(path)).data
