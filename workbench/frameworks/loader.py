"""Loading the shipped catalog (catalog.yaml + mappings.yaml) into a validated `Catalog`.

Nothing is cached at module level: each call parses the package data afresh (a few milliseconds), so callers
can never share, and accidentally alter, one another's catalog.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.errors import Problem
from workbench.frameworks.atlas import enrich_with_atlas, read_atlas
from workbench.frameworks.catalog import Catalog, CatalogError, Framework, RuleMapping, check_mappings
from workbench.frameworks.documents import locate, parse_yaml, problems_from_validation

__all__ = ["CATALOG_FILE", "MAPPINGS_FILE", "catalog_from_yaml", "load_catalog"]

CATALOG_FILE = "catalog.yaml"
MAPPINGS_FILE = "mappings.yaml"


class _CatalogFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    frameworks: tuple[Framework, ...] = Field(min_length=1)


class _MappingsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    rules: tuple[RuleMapping, ...]


_File = TypeVar("_File", _CatalogFile, _MappingsFile)


def load_catalog(atlas_path: Path | None = None) -> Catalog:
    """The catalog shipped with workbench, optionally enriched from a full ATLAS.yaml at `atlas_path`.

    Raises CatalogError if the shipped files are malformed and AtlasFileError if the ATLAS file is.
    """
    package = resources.files("workbench.frameworks")
    catalog = catalog_from_yaml(
        package.joinpath(CATALOG_FILE).read_text(encoding="utf-8"),
        package.joinpath(MAPPINGS_FILE).read_text(encoding="utf-8"),
    )
    if atlas_path is not None:
        catalog = enrich_with_atlas(catalog, read_atlas(atlas_path))
    return catalog


def catalog_from_yaml(
    catalog_text: str,
    mappings_text: str,
    *,
    catalog_file: str = CATALOG_FILE,
    mappings_file: str = MAPPINGS_FILE,
) -> Catalog:
    """A catalog from the text of its two files; every problem in both is reported at once, with file:line."""
    catalog_doc, catalog_problems = _parse(_CatalogFile, catalog_text, catalog_file)
    mappings_doc, mappings_problems = _parse(_MappingsFile, mappings_text, mappings_file)
    if catalog_doc is None or mappings_doc is None:
        raise CatalogError(catalog_problems + mappings_problems)
    keys = [fw.key for fw in catalog_doc.frameworks]
    duplicates = [
        (("frameworks", i, "key"), f"duplicate framework key '{key}'", "duplicate-id")
        for i, key in enumerate(keys)
        if key in keys[:i]
    ]
    dangling = check_mappings(catalog_doc.frameworks, mappings_doc.rules)
    if duplicates or dangling:
        raise CatalogError(
            locate(catalog_text, catalog_file, duplicates) + locate(mappings_text, mappings_file, dangling)
        )
    return Catalog(frameworks=catalog_doc.frameworks, rules=mappings_doc.rules)


def _parse(model: type[_File], text: str, file: str) -> tuple[_File | None, list[Problem]]:
    try:
        return model.model_validate(parse_yaml(text, file)), []
    except CatalogError as exc:
        return None, exc.problems
    except ValidationError as exc:
        return None, locate(text, file, problems_from_validation(exc))
