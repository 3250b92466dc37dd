"""Safe YAML parsing for the catalog files, and turning a path into a document back into file:line:column.

Documents are parsed fast with libyaml; node positions are only composed again when a problem has to be
located, so the common case (a valid file) pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import ValidationError

from workbench.errors import Problem
from workbench.frameworks.catalog import CatalogError, Location

__all__ = ["locate", "parse_yaml", "problems_from_validation"]


def parse_yaml(text: str, file: str) -> Any:
    """The data of a single-document YAML text; raises CatalogError with the position of a syntax error."""
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise CatalogError([Problem(file, line, column, "", str(exc.problem or exc), "yaml-syntax")]) from None
    except yaml.YAMLError as exc:
        raise CatalogError([Problem(file, 1, 1, "", str(exc), "yaml-syntax")]) from None


def locate(text: str, file: str, problems: Sequence[tuple[Location, str, str]]) -> list[Problem]:
    """Problems given as (path, message, code), placed at the deepest node of each path that exists."""
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    located = []
    for path, message, code in problems:
        line, column = _position(root, path)
        located.append(Problem(file, line, column, ".".join(str(p) for p in path), message, code))
    return located


def problems_from_validation(error: ValidationError) -> list[tuple[Location, str, str]]:
    """Each pydantic error as (path, message, code), ready for `locate`."""
    return [(tuple(e["loc"]), e["msg"], e["type"]) for e in error.errors()]


def _position(root: yaml.Node | None, path: Location) -> tuple[int, int]:
    if root is None:
        return 1, 1
    node = root
    for step in path:
        child = _child(node, step)
        if child is None:
            break
        node = child
    return node.start_mark.line + 1, node.start_mark.column + 1


def _child(node: yaml.Node, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                return value
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]
    return None
