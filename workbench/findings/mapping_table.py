"""The framework mapping table for documentation: every rule, and the entries it maps to in each framework.

Generated from the rule registry and the shipped catalog (never written by hand), and checked for staleness
by the tests, so docs/framework-mapping.md cannot drift from what reports actually cite.
"""

from __future__ import annotations

from workbench.findings.rules import RULES
from workbench.frameworks import Catalog, load_catalog

__all__ = ["SHORT_NAMES", "mapping_table_markdown"]

SHORT_NAMES: dict[str, str] = {
    "csa_maestro": "MAESTRO",
    "mitre_atlas": "ATLAS",
    "owasp_agentic_top10_2026": "OWASP Agentic Top 10",
    "owasp_agentic_threats_mitigations": "OWASP Agentic T&M",
    "owasp_nhi_top10_2025": "OWASP NHI Top 10",
    "owasp_llm_top10_2025": "OWASP LLM Top 10",
    "nist_ai_rmf_1_0": "NIST AI RMF",
    "nist_sp_800_53_r5": "NIST SP 800-53",
}
"""Column headings for wide tables; the full names head each framework's own section."""


def mapping_table_markdown(catalog: Catalog | None = None) -> str:
    """Markdown: one section per rule with its refs per framework, then each framework's entries used."""
    catalog = catalog or load_catalog()
    names = {framework.key: SHORT_NAMES.get(framework.key, framework.name) for framework in catalog.frameworks}
    lines = [
        "# Framework mapping",
        "",
        "Generated from `workbench/findings/rules.py` and `workbench/frameworks/` by `make docs`; do not edit by",
        "hand. Ids and names come from the verified reference material; the",
        "summaries are workbench's own words. The mapping from a rule to an entry is a judgement, not part of any",
        "standard. MAESTRO publishes no ids: its `maestro.*` keys are workbench-local.",
        "",
        "| rule | title | severity | " + " | ".join(names[f.key] for f in catalog.frameworks) + " |",
        "|---|---|---|" + "---|" * len(catalog.frameworks),
    ]
    for rule in RULES:
        if rule.id not in catalog.rule_ids:
            cells = [""] * len(catalog.frameworks)
        else:
            refs = catalog.mapping(rule.id).refs
            cells = [", ".join(f"`{i}`" for i in refs.get(f.key, ())) for f in catalog.frameworks]
        anchor = f'<a id="{rule.id.lower()}"></a>'  # SARIF rules' helpUri points here
        lines.append(f"| {anchor}{rule.id} | {rule.title} | {rule.severity} | " + " | ".join(cells) + " |")
    lines.append("")
    for framework in catalog.frameworks:
        lines += [
            f"## {framework.name}",
            "",
            f"Version: {framework.version}. Source: <{framework.url}>. {framework.id_note}",
            "",
            "| id | name | summary (our words) |",
            "|---|---|---|",
        ]
        for entry in framework.entries:
            name, summary = (text.replace("|", "\\|") for text in (entry.name or "", entry.summary))
            lines.append(f"| `{entry.id}` | {name} | {summary} |")
        lines.append("")
    return "\n".join(lines)
