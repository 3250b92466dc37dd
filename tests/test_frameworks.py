"""The framework catalog: every shipped id and name is checked against the verified reference data, every
finding rule is mapped, and broken catalog or ATLAS files fail loudly with file:line."""

from __future__ import annotations

import difflib
import doctest
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

import workbench.frameworks
from workbench.errors import WorkbenchError
from workbench.frameworks import (
    AtlasFileError,
    Catalog,
    CatalogError,
    FrameworkRef,
    UnknownIdError,
    catalog_from_yaml,
    load_catalog,
    read_atlas,
)

REFERENCE = Path(
    os.environ.get("WORKBENCH_REFERENCE_DIR") or Path(__file__).resolve().parents[1].parent / "shared" / "reference"
)
needs_reference = pytest.mark.skipif(
    not (REFERENCE / "frameworks.yaml").is_file(), reason=f"reference data not found at {REFERENCE}"
)

FRAMEWORK_KEYS = [
    "csa_maestro",
    "mitre_atlas",
    "owasp_agentic_top10_2026",
    "owasp_agentic_threats_mitigations",
    "owasp_nhi_top10_2025",
    "owasp_llm_top10_2025",
    "nist_ai_rmf_1_0",
    "nist_sp_800_53_r5",
]
RULE_IDS = ["WB001", "WB002", *(f"WB{n}" for n in range(101, 125)), "WB201", "WB202", "WB203"]
CATALOG = load_catalog()


def _shipped(name: str) -> str:
    return resources.files("workbench.frameworks").joinpath(name).read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    """1-based line of the only occurrence of `needle`."""
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


# --- reference data -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    if not (REFERENCE / "frameworks.yaml").is_file():
        pytest.skip(f"reference data not found at {REFERENCE}")
    data: dict[str, Any] = yaml.load((REFERENCE / "frameworks.yaml").read_text(), Loader=yaml.CSafeLoader)
    return data


@pytest.fixture(scope="module")
def reference_frameworks(reference: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {fw["key"]: fw for fw in reference["frameworks"]}


@pytest.fixture(scope="module")
def atlas_names() -> dict[str, str]:
    if not (REFERENCE / "ATLAS.yaml").is_file():
        pytest.skip(f"ATLAS.yaml not found at {REFERENCE}")
    data = yaml.load((REFERENCE / "ATLAS.yaml").read_text(), Loader=yaml.CSafeLoader)
    return {
        item["id"]: item["name"]
        for matrix in data["matrices"]
        for item in [*matrix["techniques"], *matrix["mitigations"]]
    }


@pytest.fixture(scope="module")
def nist_titles() -> dict[str, str]:
    path = REFERENCE / "nist-sp800-53r5-baseline-titles.json"
    if not path.is_file():
        pytest.skip(f"{path.name} not found at {REFERENCE}")
    titles: dict[str, str] = json.loads(path.read_text())["titles"]
    return titles


def _reference_entries(framework: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Reference entries of one framework by the id the catalog uses (MAESTRO threats by local_key)."""
    entries: dict[str, dict[str, Any]] = {}
    for section in ("entries", "layers", "techniques_selected", "mitigations"):
        for entry in framework.get(section, []):
            entries[entry["id"]] = entry
    for threat in framework.get("threats", []):
        entries[threat["local_key"]] = threat
    # ATLAS parents of selected sub-techniques are named only in the children's 'Parent: Child' full names.
    for entry in framework.get("techniques_selected", []):
        if entry.get("parent") and entry["parent"] not in entries:
            parent_name = entry["full_name"].rsplit(": ", 1)[0]
            entries[entry["parent"]] = {"id": entry["parent"], "name": parent_name}
    return entries


# --- the catalog against the reference ------------------------------------------------------------------


def test_catalog_holds_exactly_the_eight_frameworks() -> None:
    assert [fw.key for fw in CATALOG.frameworks] == FRAMEWORK_KEYS


@needs_reference
def test_framework_names_are_the_reference_names(reference_frameworks: dict[str, dict[str, Any]]) -> None:
    assert {fw.key: fw.name for fw in CATALOG.frameworks} == {
        key: reference_frameworks[key]["name"] for key in FRAMEWORK_KEYS
    }


@needs_reference
@pytest.mark.parametrize("key", FRAMEWORK_KEYS)
def test_every_id_and_name_is_in_the_reference(key: str, reference_frameworks: dict[str, dict[str, Any]]) -> None:
    framework = CATALOG.framework(key)
    known = _reference_entries(reference_frameworks[key])
    wrong = []
    for entry in framework.entries:
        ref = known.get(entry.id)
        if ref is None:
            if key == "nist_ai_rmf_1_0" and entry.id in reference_frameworks[key]["all_subcategory_ids"]:
                continue
            wrong.append(f"{entry.id}: not in the reference")
        elif entry.name != ref.get("name") and entry.name not in ref.get("aliases", []):
            wrong.append(f"{entry.id}: name {entry.name!r}, reference says {ref.get('name')!r}")
        elif not set(entry.aliases) <= set(ref.get("aliases", [])):
            wrong.append(f"{entry.id}: aliases {entry.aliases} not all documented")
        elif ref.get("layer") != entry.layer:
            wrong.append(f"{entry.id}: layer {entry.layer}, reference says {ref.get('layer')}")
    assert wrong == []


@needs_reference
def test_ai_rmf_subcategories_exist_and_carry_no_invented_names(
    reference_frameworks: dict[str, dict[str, Any]],
) -> None:
    framework = reference_frameworks["nist_ai_rmf_1_0"]
    for entry in CATALOG.framework("nist_ai_rmf_1_0").entries:
        assert entry.id in framework["all_subcategory_ids"]
        assert entry.name is None


def test_atlas_ids_and_names_are_in_atlas_yaml(atlas_names: dict[str, str]) -> None:
    shipped = {e.id: e.name for e in CATALOG.framework("mitre_atlas").entries}
    assert shipped == {entry_id: atlas_names.get(entry_id) for entry_id in shipped}


def test_800_53_titles_are_nist_titles(
    nist_titles: dict[str, str], reference_frameworks: dict[str, dict[str, Any]]
) -> None:
    reference = _reference_entries(reference_frameworks["nist_sp_800_53_r5"])
    for entry in CATALOG.framework("nist_sp_800_53_r5").entries:
        if entry.id in nist_titles:
            assert entry.name == nist_titles[entry.id], entry.id
        else:  # outside the HIGH/PRIVACY baselines: only acceptable where the reference says how it checked
            assert reference[entry.id]["verification"].startswith("secondary"), entry.id


@needs_reference
@pytest.mark.parametrize("key", FRAMEWORK_KEYS)
def test_summaries_are_our_own_words(key: str, reference_frameworks: dict[str, dict[str, Any]]) -> None:
    known = _reference_entries(reference_frameworks[key])
    copied = [
        entry.id
        for entry in CATALOG.framework(key).entries
        if entry.id in known
        and "summary" in known[entry.id]
        and difflib.SequenceMatcher(None, entry.summary.lower(), known[entry.id]["summary"].lower()).ratio() > 0.7
    ]
    assert copied == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("owasp_agentic_top10_2026", [f"ASI{n:02d}" for n in range(1, 11)]),
        ("owasp_agentic_threats_mitigations", [f"T{n}" for n in range(1, 16)]),
        ("owasp_nhi_top10_2025", [f"NHI{n}:2025" for n in range(1, 11)]),
        ("owasp_llm_top10_2025", [f"LLM{n:02d}:2025" for n in range(1, 11)]),
    ],
)
def test_short_lists_are_complete(key: str, expected: list[str]) -> None:
    assert [e.id for e in CATALOG.framework(key).entries] == expected


def test_maestro_has_all_layers_and_says_its_keys_are_local() -> None:
    maestro = CATALOG.framework("csa_maestro")
    assert [e.id for e in maestro.entries if e.kind == "layer"] == [f"L{n}" for n in range(1, 8)]
    assert not maestro.official_ids
    assert all(e.id.startswith("maestro.") for e in maestro.entries if e.kind == "threat")
    assert all(fw.official_ids for fw in CATALOG.frameworks if fw.key != "csa_maestro")


def test_selective_frameworks_list_only_what_mappings_use() -> None:
    used = {(ref.framework, ref.id) for rule in RULE_IDS for ref in CATALOG.refs_for(rule)}
    for key in ("mitre_atlas", "nist_ai_rmf_1_0", "nist_sp_800_53_r5", "csa_maestro"):
        entries = CATALOG.framework(key).entries
        parents = {e.parent for e in entries if (key, e.id) in used}
        unused = [e.id for e in entries if (key, e.id) not in used and e.id not in parents and e.kind != "layer"]
        assert unused == [], key


# --- mappings -------------------------------------------------------------------------------------------


def test_every_rule_is_mapped_once() -> None:
    assert CATALOG.rule_ids == RULE_IDS


@pytest.mark.parametrize("rule", [r for r in RULE_IDS if not r.startswith("WB0")])
def test_rule_maps_to_maestro_agentic_top10_and_atlas_or_nhi(rule: str) -> None:
    frameworks = {ref.framework for ref in CATALOG.refs_for(rule)}
    assert {"csa_maestro", "owasp_agentic_top10_2026"} <= frameworks
    assert frameworks & {"mitre_atlas", "owasp_nhi_top10_2025"}


def test_scenario_problems_map_to_nothing() -> None:
    assert CATALOG.refs_for("WB001") == CATALOG.refs_for("WB002") == []


@pytest.mark.parametrize("rule", RULE_IDS)
def test_every_ref_resolves_to_a_catalog_entry(rule: str) -> None:
    for ref in CATALOG.refs_for(rule):
        assert CATALOG.entry(ref.framework, ref.id).id == ref.id


def _suggested(reference: dict[str, Any], slug: str, maestro: dict[str, Any]) -> set[tuple[str, str]]:
    """A reference finding's suggestions in catalog terms ('L7: Agent Tool Misuse' -> its local key)."""
    local_keys = {f"{t['layer']}: {t['name']}": t["local_key"] for t in maestro["threats"]}
    mapping = next(m for m in reference["finding_mappings"] if m["finding"] == slug)
    refs = set()
    for key, ids in mapping["suggested_mappings"].items():
        for entry_id in ids:
            if key == "csa_maestro":
                entry_id = entry_id.removesuffix(" (layer)") if entry_id.endswith(" (layer)") else local_keys[entry_id]
            refs.add((key, entry_id))
    return refs


@needs_reference
@pytest.mark.parametrize("rule", RULE_IDS)
def test_refs_follow_the_reference_suggestions_or_say_why(
    rule: str, reference: dict[str, Any], reference_frameworks: dict[str, dict[str, Any]]
) -> None:
    mapping = CATALOG.mapping(rule)
    suggested: set[tuple[str, str]] = set()
    for slug in mapping.basis:
        suggested |= _suggested(reference, slug, reference_frameworks["csa_maestro"])
    beyond = [str(ref) for ref in CATALOG.refs_for(rule) if (ref.framework, ref.id) not in suggested]
    assert not beyond or mapping.rationale, f"{rule} goes beyond its basis without a rationale: {beyond}"


def test_refs_come_in_catalog_order_most_relevant_first() -> None:
    assert CATALOG.refs_for("WB103") == [
        FrameworkRef(framework="csa_maestro", id="maestro.l7.agent_identity_attack"),
        FrameworkRef(framework="mitre_atlas", id="AML.T0091.000"),
        FrameworkRef(framework="mitre_atlas", id="AML.T0012"),
        FrameworkRef(framework="mitre_atlas", id="AML.M0027"),
        FrameworkRef(framework="owasp_agentic_top10_2026", id="ASI03"),
        FrameworkRef(framework="owasp_agentic_threats_mitigations", id="T9"),
        FrameworkRef(framework="owasp_nhi_top10_2025", id="NHI7:2025"),
        FrameworkRef(framework="nist_sp_800_53_r5", id="IA-5"),
    ]


def test_unknown_lookups_raise() -> None:
    with pytest.raises(UnknownIdError, match="WB999"):
        CATALOG.refs_for("WB999")
    with pytest.raises(UnknownIdError, match="ASI03:2026"):
        CATALOG.entry("owasp_agentic_top10_2026", "ASI03:2026")
    with pytest.raises(UnknownIdError, match="owasp_top10"):
        CATALOG.entry("owasp_top10", "A01:2025")


# --- coverage -------------------------------------------------------------------------------------------


def test_coverage_lists_touched_entries_with_their_rules() -> None:
    coverage = CATALOG.coverage(["WB202", "WB103", "WB103"])
    assert list(coverage) == FRAMEWORK_KEYS
    assert [(e.id, rules) for e, rules in coverage["owasp_nhi_top10_2025"]] == [("NHI7:2025", ["WB103", "WB202"])]
    assert [(e.id, rules) for e, rules in coverage["mitre_atlas"]] == [
        ("AML.T0012", ["WB103"]),
        ("AML.T0091.000", ["WB103", "WB202"]),
        ("AML.M0027", ["WB103", "WB202"]),
    ]
    assert coverage["owasp_llm_top10_2025"] == []


def test_coverage_does_not_depend_on_finding_order() -> None:
    assert CATALOG.coverage(RULE_IDS) == CATALOG.coverage(reversed(RULE_IDS))


def test_coverage_of_no_findings_is_empty_per_framework() -> None:
    assert CATALOG.coverage([]) == {key: [] for key in FRAMEWORK_KEYS}


def test_coverage_of_an_unknown_rule_raises() -> None:
    with pytest.raises(UnknownIdError):
        CATALOG.coverage(["WB101", "WB998"])


# --- loading --------------------------------------------------------------------------------------------


def test_each_load_builds_a_fresh_immutable_catalog() -> None:
    first, second = load_catalog(), load_catalog()
    assert first == second and first is not second
    with pytest.raises(pydantic.ValidationError):
        first.frameworks[0].entries[0].name = "changed"  # type: ignore[misc]


def test_package_docstring_examples_run() -> None:
    assert doctest.testmod(workbench.frameworks).failed == 0


def _atlas_yaml(items: list[dict[str, str]], version: str = "9.9.9") -> str:
    techniques = [i for i in items if ".T" in i["id"]]
    mitigations = [i for i in items if ".M" in i["id"]]
    document = {
        "id": "ATLAS",
        "name": "Adversarial Threat Landscape for AI Systems",
        "version": version,
        "matrices": [{"id": "ATLAS", "name": "ATLAS Matrix", "techniques": techniques, "mitigations": mitigations}],
    }
    return yaml.safe_dump(document, sort_keys=False)


def test_a_user_atlas_file_enriches_names_descriptions_and_version(tmp_path: Path) -> None:
    shipped = CATALOG.framework("mitre_atlas").entries
    items = [{"id": e.id, "name": e.name or "", "description": f"About {e.id}."} for e in shipped]
    items[0]["name"] = "Renamed In A Later Release"
    path = tmp_path / "ATLAS.yaml"
    path.write_text(_atlas_yaml(items))

    enriched = load_catalog(path)

    atlas = enriched.framework("mitre_atlas")
    assert atlas.version == "9.9.9"
    assert [(e.id, e.description) for e in atlas.entries] == [(e.id, f"About {e.id}.") for e in shipped]
    first = atlas.entries[0]
    assert (first.name, first.aliases) == ("Renamed In A Later Release", (shipped[0].name,))
    assert enriched.framework("owasp_nhi_top10_2025") == CATALOG.framework("owasp_nhi_top10_2025")
    assert enriched.rules == CATALOG.rules


def test_the_reference_atlas_file_enriches_without_renaming() -> None:
    path = REFERENCE / "ATLAS.yaml"
    if not path.is_file():
        pytest.skip(f"ATLAS.yaml not found at {REFERENCE}")
    enriched = load_catalog(path).framework("mitre_atlas")
    shipped = CATALOG.framework("mitre_atlas")
    assert [(e.id, e.name) for e in enriched.entries] == [(e.id, e.name) for e in shipped.entries]
    assert all(e.description for e in enriched.entries)
    assert enriched.version == read_atlas(path).version


def test_an_atlas_file_without_our_ids_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ATLAS.yaml"
    path.write_text(_atlas_yaml([{"id": "AML.T0012", "name": "Valid Accounts", "description": ""}]))
    with pytest.raises(AtlasFileError, match=r"lacks ids the catalog maps to: AML\.T0002, AML\.T0002\.002"):
        load_catalog(path)


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("id: ATLAS\nname: x\nversion: '1'\nmatrices: []\n", 4, "value_error"),
        (
            "id: ATLAS\nname: x\nversion: '1'\nmatrices:\n- id: M\n  name: m\n  techniques:\n  - id: T1\n",
            8,
            "string_pattern_mismatch",
        ),
        ("id: ATLAS\nmatrices: [\n", 3, "yaml-syntax"),
    ],
    ids=["no-matrices", "bad-technique", "yaml-syntax"],
)
def test_a_malformed_atlas_file_is_refused_with_its_line(tmp_path: Path, text: str, line: int, code: str) -> None:
    path = tmp_path / "ATLAS.yaml"
    path.write_text(text)
    with pytest.raises(AtlasFileError) as caught:
        load_catalog(path)
    assert (caught.value.problems[0].file, caught.value.problems[0].line) == (str(path), line)
    assert code in {p.code for p in caught.value.problems}


def test_a_missing_atlas_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AtlasFileError, match="cannot read ATLAS file"):
        load_catalog(tmp_path / "nowhere.yaml")


def test_a_malformed_catalog_reports_every_problem_with_file_and_line() -> None:
    catalog, mappings = _shipped("catalog.yaml"), _shipped("mappings.yaml")
    catalog = catalog.replace(
        "        kind: layer\n        name: Foundation Models",
        "        kind: stratum\n        name: Foundation Models",
    )
    catalog = catalog.replace("    version: 2026 (v1.0)\n", "    version: 2026 (v1.0)\n    edition: first\n")

    with pytest.raises(CatalogError) as caught:
        catalog_from_yaml(catalog, mappings)

    assert [(p.file, p.line, p.code) for p in caught.value.problems] == [
        ("catalog.yaml", _line_of(catalog, "kind: stratum"), "literal_error"),
        ("catalog.yaml", _line_of(catalog, "edition: first"), "extra_forbidden"),
    ]
    assert isinstance(caught.value, WorkbenchError)


def test_mappings_to_ids_outside_the_catalog_are_refused_with_their_lines() -> None:
    catalog, mappings = _shipped("catalog.yaml"), _shipped("mappings.yaml")
    mappings = mappings.replace("owasp_nhi_top10_2025: [NHI2:2025]", "owasp_nhi_top10_2025: [NHI02:2025]")
    mappings = mappings.replace("csa_maestro: [maestro.l4.lateral_movement,", "maestro: [maestro.l4.lateral_movement,")

    with pytest.raises(CatalogError) as caught:
        catalog_from_yaml(catalog, mappings)

    assert [(p.line, p.message) for p in caught.value.problems] == [
        (_line_of(mappings, "[NHI02:2025]"), "'NHI02:2025' is not an entry of 'owasp_nhi_top10_2025'"),
        (_line_of(mappings, "maestro: [maestro.l4"), "unknown framework 'maestro'"),
    ]


def test_a_catalog_yaml_syntax_error_is_located() -> None:
    with pytest.raises(CatalogError, match=r"catalog\.yaml:3:1: .*\[yaml-syntax\]"):
        catalog_from_yaml("schema_version: 1\nframeworks: [\n", _shipped("mappings.yaml"))


def test_a_catalog_built_in_code_is_cross_checked_too() -> None:
    rule = CATALOG.mapping("WB101").model_copy(update={"refs": {"mitre_atlas": ("AML.T9999",)}})
    with pytest.raises(pydantic.ValidationError, match=r"'AML\.T9999' is not an entry of 'mitre_atlas'"):
        Catalog(frameworks=CATALOG.frameworks, rules=(rule,))
