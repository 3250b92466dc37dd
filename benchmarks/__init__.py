"""workbench's benchmarks: `python -m benchmarks` runs them all and writes `benchmarks/results.json`.

Each module (`blast_radius`, `simulation`, `sweep`, `report`) has `run() -> list[dict]`; `suite` runs them,
judges every figure against its target and prints one table. See benchmarks/README.md.
"""

__all__: list[str] = []
