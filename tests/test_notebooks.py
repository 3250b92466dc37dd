"""The tutorial notebooks run top to bottom, as a reader runs them, and use only the public API.

Notebooks are jupytext py:percent files without outputs. Each is converted to .ipynb and executed by papermill
in its own process, on a kernel of this very interpreter, from notebooks/ as working directory (notebooks find
scenarios/ by searching up from there), with the small parameters below injected after its `parameters`
cell. A cell that raises or runs longer than CELL_TIMEOUT_S fails its notebook, and a notebook that runs
longer than NOTEBOOK_LIMIT_S in all is killed and fails.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))

CELL_TIMEOUT_S = 90
NOTEBOOK_LIMIT_S = 150
KERNEL = "workbench-notebook-tests"

SMALL: dict[str, dict[str, Any]] = {
    "02_static_rbac_vs_jit": {"replications": 2},
    "03_tradeoff_sweep": {"replications": 2, "token_ttls": ["1m", "15m", "1h"], "workers": 1},
    "04_multi_agent_pipelines": {"replications": 2},
    "05_write_your_own": {"replications": 2},
    "06_governance_review": {"replications": 2},
}
"""Parameters per notebook for CI: few replications, a small grid, no process pool."""

pytestmark = pytest.mark.slow


def test_there_are_at_least_six_numbered_notebooks() -> None:
    assert len(NOTEBOOKS) >= 6, [p.name for p in NOTEBOOKS]
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert numbers == [f"{i:02d}" for i in range(1, len(NOTEBOOKS) + 1)], numbers


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_percent_script_with_title_and_one_parameters_cell(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ---\n# jupyter:\n"), "jupytext header missing"
    notebook = jupytext.reads(text, fmt="py:percent")
    assert notebook.metadata["jupytext"]["text_representation"]["format_name"] == "percent"
    assert notebook.metadata["kernelspec"]["language"] == "python"
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    tagged = [cell for cell in code if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0], "the first code cell, and only it, is tagged `parameters`"
    assert all(not cell.get("outputs") for cell in code)
    declared = _declared(tagged[0].source)
    unknown = sorted(set(SMALL.get(path.stem, {})) - declared)
    assert not unknown, f"test parameters the notebook does not declare: {unknown}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_imports_only_public_names(path: Path) -> None:
    """Notebooks define no domain logic: they import what `__all__` (or a sub-package) of workbench offers."""
    notebook = jupytext.reads(path.read_text(encoding="utf-8"), fmt="py:percent")
    source = "\n".join(
        "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%"))
        for cell in notebook.cells
        if cell.cell_type == "code"
    )
    private = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workbench"):
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                public = alias.name in getattr(module, "__all__", ()) or _is_subpackage(module.__name__, alias.name)
                if not public:
                    private.append(f"from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            private += [
                f"import {a.name}" for a in node.names if a.name.startswith("workbench") and a.name != "workbench"
            ]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            private.append(f"attribute {node.attr}")
    assert not private, private


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment whose Jupyter path has a kernel of this interpreter (so the .venv runs the notebooks)."""
    data_dir = tmp_path_factory.mktemp("jupyter")
    spec_dir = data_dir / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "workbench notebook tests",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    paths = [str(data_dir), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {
        **os.environ,
        "JUPYTER_PATH": os.pathsep.join(paths),
        "JUPYTER_PLATFORM_DIRS": "1",
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path, kernel_env: dict[str, str]) -> None:
    source = tmp_path / f"{path.stem}.ipynb"
    executed = tmp_path / f"{path.stem}.out.ipynb"
    nbformat.write(jupytext.read(path), source)
    parameters = dict(SMALL.get(path.stem, {}))
    if "work_dir" in _declared(_parameters_source(path)):
        parameters["work_dir"] = str(tmp_path / "work")
    command = [
        sys.executable, "-m", "papermill", str(source), str(executed),
        "--kernel", KERNEL,
        "--cwd", str(NOTEBOOK_DIR),
        "--execution-timeout", str(CELL_TIMEOUT_S),
        "--parameters_yaml", json.dumps(parameters),
        "--no-progress-bar",
    ]  # fmt: skip
    started = time.monotonic()
    try:
        run = subprocess.run(command, env=kernel_env, capture_output=True, text=True, timeout=NOTEBOOK_LIMIT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{path.name} ran longer than {NOTEBOOK_LIMIT_S}s")
    elapsed = time.monotonic() - started
    if run.returncode != 0:
        pytest.fail(f"{path.name} failed after {elapsed:.0f}s:\n{run.stderr[-6000:]}", pytrace=False)

    notebook = nbformat.read(executed, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    outputs = [output for cell in code for output in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})]
    assert figures, f"{path.name} drew no figure"


def _parameters_source(path: Path) -> str:
    notebook = jupytext.read(path)
    return next(c.source for c in notebook.cells if "parameters" in c.metadata.get("tags", []))


def _declared(source: str) -> set[str]:
    """Names a parameters cell assigns."""
    return {
        target.id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _is_subpackage(package: str, name: str) -> bool:
    return importlib.util.find_spec(f"{package}.{name}") is not None
