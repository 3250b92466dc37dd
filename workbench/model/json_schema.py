"""The scenario language as a draft-07 JSON Schema and as a Markdown field reference, both from the models.

Editors validate and complete scenarios from the schema (`# yaml-language-server: $schema=...`); authors read
the field reference. Both are generated, committed, and checked for staleness by the tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from workbench.model.scenario import Scenario

__all__ = [
    "SCHEMA_FILE_NAME",
    "field_reference_markdown",
    "scenario_json_schema",
    "scenario_json_schema_text",
    "schema_directive",
]

SCHEMA_FILE_NAME = "scenario.schema.json"
_DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def schema_directive(directory: Path) -> str:
    """The editor's `yaml-language-server` line for a scenario written into `directory`: the schema committed
    beside this module, as a path relative to it (written scenarios validate and complete in the editor)."""
    schema = Path(__file__).resolve().parent / SCHEMA_FILE_NAME
    return f"yaml-language-server: $schema={Path(os.path.relpath(schema, directory.resolve())).as_posix()}"


def scenario_json_schema() -> dict[str, Any]:
    """Draft-07 JSON Schema of a scenario file (definitions under `definitions`, as draft-07 expects)."""
    schema = Scenario.model_json_schema(ref_template="#/definitions/{model}", mode="validation")
    definitions = schema.pop("$defs", {})
    return {
        "$schema": _DRAFT_07,
        "$id": "https://workbench.dev/schemas/scenario-1.json",
        **schema,
        "definitions": dict(sorted(definitions.items())),
    }


def scenario_json_schema_text() -> str:
    """The schema as the exact text committed to the repository."""
    return json.dumps(scenario_json_schema(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def field_reference_markdown() -> str:
    """A Markdown reference of every section and field, from the models' descriptions."""
    schema = scenario_json_schema()
    definitions = schema["definitions"]
    lines = [
        "# Scenario field reference",
        "",
        "Generated from the pydantic models by `workbench schema --markdown`; do not edit by hand.",
        "Durations are written like `30s`, `15m`, `1h30m`, `90d`; rates like `12/h` or `1/30d`.",
        "",
    ]
    order = ["Scenario", *sorted(name for name in definitions if name != "Scenario")]
    for name in order:
        node = schema if name == "Scenario" else definitions[name]
        if "properties" not in node:
            continue
        lines += [f"## {name}", ""]
        if node.get("description"):
            lines += [" ".join(node["description"].split()), ""]
        lines += ["| field | type | required | default | description |", "|---|---|---|---|---|"]
        required = set(node.get("required", []))
        for field, spec in node["properties"].items():
            default = spec.get("default", "")
            default_text = "" if default == "" else f"`{json.dumps(default)}`"
            description = " ".join(str(spec.get("description", "")).split()).replace("|", "\\|")
            lines.append(
                f"| `{field}` | {_type_of(spec)} | {'yes' if field in required else ''} | {default_text} | "
                f"{description} |"
            )
        lines.append("")
    return "\n".join(lines)


def _type_of(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "enum" in spec:
        return " \\| ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    if spec.get("type") == "array":
        return f"list of {_type_of(spec.get('items', {}))}"
    if spec.get("type") == "object" and "additionalProperties" in spec:
        return f"map of {_type_of(spec['additionalProperties'])}"
    for key in ("anyOf", "oneOf"):
        if key in spec:
            kinds = [_type_of(s) for s in spec[key]]
            return " or ".join(dict.fromkeys(k for k in kinds if k))
    if "pattern" in spec and spec.get("type") == "string":
        return "string (pattern)"
    fmt = spec.get("format")
    return f"{spec.get('type', 'any')}{f' ({fmt})' if fmt else ''}"


def model_fields_documented(model: type[BaseModel]) -> list[str]:
    """Names of fields of `model` that lack a description (for the documentation test)."""
    return [name for name, field in model.model_fields.items() if not field.description]
