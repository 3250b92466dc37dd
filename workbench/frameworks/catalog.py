"""The framework catalog as typed models: frameworks, their entries, and the entries each rule maps to.

A `Catalog` is immutable and validated as a whole when built: every id a rule maps to must name an entry of
the catalog, so a report can never cite an identifier the catalog does not define.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workbench.errors import ProblemsError, WorkbenchError

__all__ = [
    "Catalog",
    "CatalogError",
    "EntryKind",
    "Framework",
    "FrameworkEntry",
    "FrameworkRef",
    "Location",
    "RuleMapping",
    "UnknownIdError",
    "check_mappings",
]

EntryKind = Literal["layer", "threat", "technique", "mitigation", "risk", "subcategory", "control"]
"""What an entry is within its framework; lets a report group ATLAS techniques apart from mitigations."""

MaestroLayer = Literal["L1", "L2", "L3", "L4", "L5", "L6", "L7", "Cross-Layer"]

Location = tuple[str | int, ...]
"""A path into a YAML document, e.g. ("rules", 3, "refs", "mitre_atlas", 0)."""


class CatalogError(ProblemsError):
    """A catalog, mapping or ATLAS file is malformed; carries every problem found, located by file:line."""


class UnknownIdError(WorkbenchError, LookupError):
    """A rule id, framework key or entry id that the catalog does not define was looked up."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FrameworkEntry(_Frozen):
    """One identifiable item of a framework: an ATLAS technique, an OWASP risk, an 800-53 control, …"""

    id: str = Field(min_length=1, description="Identifier exactly as the framework writes it (or a local key).")
    kind: EntryKind = Field(description="What the entry is within its framework.")
    name: str | None = Field(
        None, description="Official name; absent where the framework names nothing (AI RMF subcategories)."
    )
    summary: str = Field(min_length=1, description="One line in workbench's own words, not the publisher's.")
    aliases: tuple[str, ...] = Field((), description="Other spellings of the name in circulation.")
    parent: str | None = Field(
        None, description="Id of the entry this one refines (ATLAS sub-technique, 800-53 enhancement)."
    )
    layer: MaestroLayer | None = Field(None, description="MAESTRO layer a MAESTRO threat belongs to.")
    description: str | None = Field(
        None, description="The publisher's own description; filled only from a user-supplied ATLAS file."
    )

    @property
    def label(self) -> str:
        """`id name` for tables, or just the id when the framework gives no name."""
        return f"{self.id} {self.name}" if self.name else self.id


class Framework(_Frozen):
    """A framework findings map to, with the entries workbench uses."""

    key: str = Field(pattern=r"^[a-z0-9_]+$", description="Stable workbench key, e.g. `mitre_atlas`.")
    name: str = Field(min_length=1, description="The framework's full name.")
    version: str = Field(min_length=1, description="Edition or release the ids and names were taken from.")
    url: str = Field(pattern=r"^https://", description="Where the framework is published.")
    licence: str = Field(min_length=1, description="Licence of the framework's own text.")
    official_ids: bool = Field(
        description="False when the framework publishes no ids and the entry ids are workbench-local keys."
    )
    id_note: str = Field(min_length=1, description="How ids are written, and what they are not.")
    entries: tuple[FrameworkEntry, ...] = Field(min_length=1, description="Entries, in display order.")

    @model_validator(mode="after")
    def _ids_unique_and_parents_known(self) -> Framework:
        seen: set[str] = set()
        for entry in self.entries:
            if entry.id in seen:
                raise ValueError(f"duplicate entry id '{entry.id}' in framework '{self.key}'")
            seen.add(entry.id)
        dangling = [e.id for e in self.entries if e.parent is not None and e.parent not in seen]
        if dangling:
            raise ValueError(f"entries with a parent not in '{self.key}': {', '.join(dangling)}")
        return self

    def entry(self, entry_id: str) -> FrameworkEntry:
        """The entry with this id; raises UnknownIdError if the framework has none."""
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise UnknownIdError(f"framework '{self.key}' has no entry '{entry_id}'")


class FrameworkRef(_Frozen):
    """A pointer from a finding to one framework entry."""

    framework: str = Field(description="Framework key, e.g. `owasp_agentic_top10_2026`.")
    id: str = Field(description="Entry id within that framework, e.g. `ASI03`.")

    def __str__(self) -> str:
        return f"{self.framework}:{self.id}"


class RuleMapping(_Frozen):
    """The framework entries one finding rule maps to."""

    rule: str = Field(pattern=r"^WB\d{3}$", description="Finding rule id, e.g. `WB101`.")
    basis: tuple[str, ...] = Field((), description="Slugs of the reviewed reference mappings the refs are drawn from.")
    rationale: str | None = Field(None, description="Why refs go beyond what the basis suggests, if they do.")
    refs: dict[str, tuple[str, ...]] = Field(description="Entry ids per framework key, most relevant first.")


def check_mappings(frameworks: Iterable[Framework], rules: Iterable[RuleMapping]) -> list[tuple[Location, str, str]]:
    """Every dangling or duplicate reference from rules to frameworks, as (path, message, code)."""
    known = {fw.key: {e.id for e in fw.entries} for fw in frameworks}
    problems: list[tuple[Location, str, str]] = []
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.rule in seen:
            problems.append((("rules", i, "rule"), f"rule '{rule.rule}' is mapped twice", "duplicate-id"))
        seen.add(rule.rule)
        for key, ids in rule.refs.items():
            path: Location = ("rules", i, "refs", key)
            if key not in known:
                problems.append((path, f"unknown framework '{key}'", "unknown-reference"))
                continue
            for j, entry_id in enumerate(ids):
                if entry_id not in known[key]:
                    message = f"'{entry_id}' is not an entry of '{key}'"
                    problems.append(((*path, j), message, "unknown-reference"))
                elif entry_id in ids[:j]:
                    problems.append(((*path, j), f"'{entry_id}' is listed twice", "duplicate-id"))
    return problems


class Catalog(_Frozen):
    """The frameworks workbench maps to and the per-rule mappings, cross-checked against each other."""

    frameworks: tuple[Framework, ...] = Field(description="Frameworks in display order.")
    rules: tuple[RuleMapping, ...] = Field(description="One mapping per finding rule.")

    @model_validator(mode="after")
    def _consistent(self) -> Catalog:
        keys = [fw.key for fw in self.frameworks]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"duplicate framework keys: {', '.join(duplicates)}")
        problems = check_mappings(self.frameworks, self.rules)
        if problems:
            raise ValueError("; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg, _code in problems))
        return self

    @property
    def rule_ids(self) -> list[str]:
        """Every mapped rule id, sorted."""
        return sorted(r.rule for r in self.rules)

    def framework(self, key: str) -> Framework:
        """The framework with this key; raises UnknownIdError if there is none."""
        for fw in self.frameworks:
            if fw.key == key:
                return fw
        raise UnknownIdError(f"no framework '{key}' in the catalog")

    def entry(self, framework: str, entry_id: str) -> FrameworkEntry:
        """One entry, e.g. `catalog.entry("owasp_agentic_top10_2026", "ASI03")`."""
        return self.framework(framework).entry(entry_id)

    def mapping(self, rule_id: str) -> RuleMapping:
        """The mapping of one finding rule; raises UnknownIdError for a rule the catalog does not map."""
        for rule in self.rules:
            if rule.rule == rule_id:
                return rule
        raise UnknownIdError(f"finding rule '{rule_id}' has no framework mapping")

    def refs_for(self, rule_id: str) -> list[FrameworkRef]:
        """The refs of a rule, frameworks in catalog order and entries most relevant first."""
        refs = self.mapping(rule_id).refs
        return [
            FrameworkRef(framework=fw.key, id=entry_id) for fw in self.frameworks for entry_id in refs.get(fw.key, ())
        ]

    def coverage(self, rule_ids: Iterable[str]) -> dict[str, list[tuple[FrameworkEntry, list[str]]]]:
        """Per framework (all, in catalog order), the entries the given rules touch and by which rules.

        Entries come in catalog order and rule ids sorted, so the same findings give the same coverage table
        whatever order they were raised in; untouched entries are left out, untouched frameworks map to [].
        """
        touched: dict[tuple[str, str], set[str]] = {}
        for rule_id in rule_ids:
            for ref in self.refs_for(rule_id):
                touched.setdefault((ref.framework, ref.id), set()).add(rule_id)
        return {
            fw.key: [(e, sorted(touched[fw.key, e.id])) for e in fw.entries if (fw.key, e.id) in touched]
            for fw in self.frameworks
        }
