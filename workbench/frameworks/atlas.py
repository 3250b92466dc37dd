"""Reading a full MITRE ATLAS data file (dist/ATLAS.yaml) to enrich the catalog's ATLAS entries.

The catalog ships only ids, names and our own summaries; a user who has ATLAS.yaml can point workbench at
it to get MITRE's names and descriptions, e.g. for a newer ATLAS release than the catalog was written for.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench.errors import Problem
from workbench.frameworks.catalog import Catalog, CatalogError
from workbench.frameworks.documents import locate, parse_yaml, problems_from_validation
from workbench.model.yaml_safe import FileProblem, read_limited

__all__ = ["ATLAS_KEY", "AtlasData", "AtlasFileError", "AtlasItem", "enrich_with_atlas", "read_atlas"]

MAX_ATLAS_BYTES = 64 * 1024 * 1024
"""Largest ATLAS.yaml read (MITRE's full file is about 2 MB)."""

ATLAS_KEY = "mitre_atlas"
"""Key of the ATLAS framework in the catalog."""


class AtlasFileError(CatalogError):
    """A user-supplied ATLAS file is malformed or lacks ids the catalog uses."""


class _Foreign(BaseModel):
    # ATLAS.yaml carries many fields workbench does not use (dates, references, ATT&CK links); ignoring them
    # keeps newer ATLAS releases readable. Only the fields below are validated.
    model_config = ConfigDict(extra="ignore", frozen=True)


class AtlasItem(_Foreign):
    """A technique or mitigation as ATLAS.yaml defines it."""

    id: str = Field(pattern=r"^AML\.[A-Z]+\d{4}(\.\d{3})?$", description="ATLAS id, e.g. `AML.T0051.001`.")
    name: str = Field(min_length=1, description="ATLAS name.")
    description: str = Field("", description="ATLAS description (Markdown).")


class _Matrix(_Foreign):
    id: str
    name: str
    techniques: tuple[AtlasItem, ...] = ()
    mitigations: tuple[AtlasItem, ...] = ()


class _AtlasFile(_Foreign):
    id: str
    name: str
    version: str
    matrices: tuple[_Matrix, ...]

    @field_validator("matrices", mode="after")
    @classmethod
    def _not_empty(cls, value: tuple[_Matrix, ...]) -> tuple[_Matrix, ...]:
        # Checked here rather than with min_length, which would also fire when a matrix merely has errors.
        if not value:
            raise ValueError("an ATLAS file needs at least one matrix")
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        # `version: 5.6` would load as a float; a version is text.
        return str(value) if isinstance(value, int | float) else value


class AtlasData(BaseModel):
    """The techniques and mitigations of one ATLAS release, by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(description="The file this was read from.")
    version: str = Field(description="ATLAS release the file declares.")
    items: dict[str, AtlasItem] = Field(description="Techniques and mitigations by id; first matrix wins on a clash.")


def read_atlas(path: Path) -> AtlasData:
    """Parse an ATLAS.yaml; raises AtlasFileError, with file:line for each problem, if it is malformed."""
    file = str(path)
    try:  # a regular file of bounded size only: a FIFO would hang, /dev/zero fill memory
        text = read_limited(path, MAX_ATLAS_BYTES).decode("utf-8")
    except FileProblem as problem:
        message = f"cannot read ATLAS file: {problem.message}"
        raise AtlasFileError([Problem(file, 1, 1, "", message, "unreadable")]) from None
    except UnicodeDecodeError as exc:
        raise AtlasFileError([Problem(file, 1, 1, "", f"cannot read ATLAS file: {exc}", "unreadable")]) from None
    try:
        data = parse_yaml(text, file)
    except CatalogError as exc:
        raise AtlasFileError(exc.problems) from None
    try:
        parsed = _AtlasFile.model_validate(data)
    except ValidationError as exc:
        raise AtlasFileError(locate(text, file, problems_from_validation(exc))) from None
    items: dict[str, AtlasItem] = {}
    for matrix in parsed.matrices:
        for item in (*matrix.techniques, *matrix.mitigations):
            items.setdefault(item.id, item)
    return AtlasData(source=file, version=parsed.version, items=items)


def enrich_with_atlas(catalog: Catalog, atlas: AtlasData) -> Catalog:
    """A copy of the catalog whose ATLAS entries carry ATLAS's own names and descriptions and its version.

    A name that differs from the shipped one is kept as an alias, so both spellings stay recognisable. Raises
    AtlasFileError listing every catalog id the file lacks: mapping to ids a release does not define would
    make reports cite techniques that, for that release, do not exist.
    """
    framework = catalog.framework(ATLAS_KEY)
    missing = [e.id for e in framework.entries if e.id not in atlas.items]
    if missing:
        message = f"ATLAS {atlas.version} lacks ids the catalog maps to: {', '.join(missing)}"
        raise AtlasFileError([Problem(atlas.source, 1, 1, "matrices", message, "atlas-missing-id")])
    entries = []
    for entry in framework.entries:
        item = atlas.items[entry.id]
        aliases = entry.aliases
        if entry.name and entry.name != item.name and entry.name not in aliases:
            aliases = (*aliases, entry.name)
        entries.append(
            entry.model_copy(update={"name": item.name, "description": item.description, "aliases": aliases})
        )
    enriched = framework.model_copy(update={"version": atlas.version, "entries": tuple(entries)})
    frameworks = tuple(enriched if fw.key == ATLAS_KEY else fw for fw in catalog.frameworks)
    return catalog.model_copy(update={"frameworks": frameworks})
