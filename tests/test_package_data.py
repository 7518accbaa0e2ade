"""A built wheel carries the schemas: sheets validate in an install without the source tree.

The wheel is built from a copy of the sources (pip would otherwise write build/ into the
checkout) without build isolation, so the test needs no network: setuptools and wheel are pinned
in the test extra. The fresh venv gets evsynth from the wheel only; its dependencies come from this
venv's site-packages on PYTHONPATH, where evsynth itself is just an editable-install .pth file
that PYTHONPATH does not process, so the import cannot fall back to the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import sys
from pathlib import Path

import evsynth
from evsynth.contracts.schemas import load_schema, schema_dir
from evsynth.errors import InputError
from evsynth.extraction.schema import read_sheet

assert Path(evsynth.__file__).is_relative_to(Path(sys.prefix)), evsynth.__file__
print("schemas:", schema_dir())
rows = read_sheet("studies.csv", "studies")
print("rows:", len(rows))
assert load_schema("config/pooling")["properties"]["test"]["enum"] == ["z", "knha"]
try:
    read_sheet("bad.csv", "studies")
except InputError as error:
    print("error:", error)
else:
    raise SystemExit("the bad sheet passed")
"""


def _copy_sources(dest: Path) -> None:
    for name in ("pyproject.toml", "README.md", "Snakefile"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "workflow", dest / "workflow")
    shutil.copytree(
        ROOT / "src", dest / "src", symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
    )


def test_wheel_installed_without_the_source_tree_validates_a_sheet(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    _copy_sources(source)
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", ".", "-w", str(dist)],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = dist.glob("evsynth-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for sheet in ("screening_decisions", "dedup_decisions", "extraction_studies"):
        assert f"evsynth/scaffold/workflow/schemas/{sheet}.schema.yaml" in names, sheet
    assert "evsynth/scaffold/workflow/schemas/config/pooling.schema.yaml" in names

    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    installed = subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]

    work = tmp_path / "work"
    work.mkdir()
    shutil.copy2(ROOT / "resources" / "extraction" / "studies.csv", work / "studies.csv")
    lines = (work / "studies.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    year = header.index("year")
    cells = lines[1].split(",")
    cells[year] = "nineteen"
    (work / "bad.csv").write_text("\n".join([lines[0], ",".join(cells)]) + "\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
    run = subprocess.run(
        [str(python), "-c", CHECK], cwd=work, env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert str(env_dir) in run.stdout.splitlines()[0]
    assert f"rows: {len(lines) - 1}" in run.stdout
    assert "error: 1 problem(s) in the studies sheet:\n  bad.csv:2: column 'year'" in run.stdout
