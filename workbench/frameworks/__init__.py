"""Catalogs of security-framework ids and the framework entries each workbench finding rule maps to.

The data ships as two YAML files in this package (catalog.yaml, mappings.yaml); `load_catalog()` turns them
into a validated, immutable `Catalog`:

>>> catalog = load_catalog()
>>> [str(ref) for ref in catalog.refs_for("WB103") if ref.framework == "owasp_nhi_top10_2025"]
['owasp_nhi_top10_2025:NHI7:2025']
>>> catalog.entry("owasp_agentic_top10_2026", "ASI03").name
'Identity and Privilege Abuse'
"""

from workbench.frameworks.atlas import (
    ATLAS_KEY,
    AtlasData,
    AtlasFileError,
    AtlasItem,
    enrich_with_atlas,
    read_atlas,
)
from workbench.frameworks.catalog import (
    Catalog,
    CatalogError,
    EntryKind,
    Framework,
    FrameworkEntry,
    FrameworkRef,
    RuleMapping,
    UnknownIdError,
)
from workbench.frameworks.loader import catalog_from_yaml, load_catalog

__all__ = [
    "ATLAS_KEY",
    "AtlasData",
    "AtlasFileError",
    "AtlasItem",
    "Catalog",
    "CatalogError",
    "EntryKind",
    "Framework",
    "FrameworkEntry",
    "FrameworkRef",
    "RuleMapping",
    "UnknownIdError",
    "catalog_from_yaml",
    "enrich_with_atlas",
    "load_catalog",
    "read_atlas",
]
