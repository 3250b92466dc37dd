"""Deterministic SVG export: the same figure gives the same bytes on every run, machine and hash seed.

Reports are committed and checked byte for byte, so everything matplotlib would vary is pinned here: the
ids it hashes (clip paths, markers) are renumbered in order of appearance, because matplotlib hashes the
full-precision floats of a clip rectangle and so changes an id when a layout differs in its last bit between
machines while every printed coordinate is equal; text kept as text (`svg.fonttype: none`, so no glyph
outlines that depend on the installed fonts' versions), no creation date, and a fixed creator string so a
matplotlib upgrade does not touch every file's header.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

__all__ = ["SVG_RC", "figure_svg", "report_style", "svg_for_html"]

SVG_RC: dict[str, Any] = {
    "svg.hashsalt": "workbench",
    "svg.fonttype": "none",
    "svg.id": None,
    "svg.image_inline": True,
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "legend.fontsize": 8.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "path.simplify": True,
    "figure.dpi": 100.0,
    "figure.constrained_layout.use": True,
}
"""rcParams every report figure is drawn and saved under."""

_METADATA = {"Date": None, "Creator": "workbench"}


@contextmanager
def report_style() -> Iterator[None]:
    """Draw and save report figures inside this context: it fixes fonts, sizes and the SVG settings."""
    with mpl.rc_context(SVG_RC):  # type: ignore[arg-type]  # stubs key rcParams by a Literal of names
        yield


def figure_svg(figure: Figure) -> str:
    """The figure as SVG text, byte-identical for identical figures."""
    buffer = io.StringIO()
    with report_style():
        figure.savefig(buffer, format="svg", metadata=_METADATA, bbox_inches=None)
    return _renumber_hashed_ids(buffer.getvalue())


_HASHED_ID = re.compile(r'(?<=id=")([mp])[0-9a-f]{10}(?=")|(?<=#)([mp])[0-9a-f]{10}(?=[")])')


def _renumber_hashed_ids(svg: str) -> str:
    """Replace matplotlib's hashed clip-path (`p…`) and marker (`m…`) ids by `p1`, `m1`, … in order of first use."""
    names: dict[str, str] = {}
    counts = {"m": 0, "p": 0}

    def rename(match: re.Match[str]) -> str:
        old = match.group(0)
        new = names.get(old)
        if new is None:
            kind = match.group(1) or match.group(2)
            counts[kind] += 1
            new = names[old] = f"{kind}{counts[kind]}"
        return new

    return _HASHED_ID.sub(rename, svg)


_PROLOGUE = re.compile(r"\A(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?", re.DOTALL)


def svg_for_html(svg: str, *, figure_id: str) -> str:
    """SVG text ready to inline in HTML: no XML prologue, and ids prefixed so that figures cannot clash."""
    body = _PROLOGUE.sub("", svg)
    prefix = f"{figure_id}-"
    body = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', body)
    body = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", body)
    return re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}{m.group(1)}"', body)
