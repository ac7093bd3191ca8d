"""Packaging: every imported package declared, ranges that hold the tested pins, and an
installer that refuses an unsupported Python before installing anything."""

import ast
import os
import shutil
import subprocess
import sys
import tomllib

from packaging.requirements import Requirement

from tests.workflow.helpers import REPO

# import name -> distribution name, where they differ
DISTRIBUTION = {"PIL": "pillow", "yaml": "pyyaml", "sklearn": "scikit-learn",
                "skimage": "scikit-image"}
OWN = {"vsc", "vsc_bench", "baselines"}


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _imported(folder: str) -> set[str]:
    names = set()
    for path in (REPO / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_imported_package_is_declared():
    declared = {Requirement(r).name.lower() for r in _project()["dependencies"]}
    third_party = {n for folder in OWN for n in _imported(folder)
                   if n not in sys.stdlib_module_names and n not in OWN}
    missing = {DISTRIBUTION.get(n, n).lower() for n in third_party} - declared
    assert not missing, f"imported but not in pyproject.toml's dependencies: {missing}"
    assert "tabulate" in declared  # pandas' to_markdown, which vsc compare calls


def test_ranges_hold_the_pinned_versions():
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.strip().split("==")
            pins[name.lower()] = version
    project = _project()
    requirements = [*project["dependencies"],
                    *(r for group in project["optional-dependencies"].values() for r in group)]
    for text in requirements:
        req = Requirement(text)
        assert req.name.lower() in pins, f"{req.name} is not pinned in requirements.txt"
        assert pins[req.name.lower()] in req.specifier, f"{text} excludes the pin"
        if req.name.lower() not in ("ruff", "snakefmt"):  # linters are exact on purpose
            assert "==" not in str(req.specifier), f"{text}: a range, not a pin"


def test_installer_refuses_another_python_before_installing(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "install.sh", tmp_path / "scripts" / "install.sh")
    fake = tmp_path / "python3.10"
    fake.write_text("#!/bin/sh\necho 3.10\n")
    fake.chmod(0o755)
    result = subprocess.run(["bash", str(tmp_path / "scripts" / "install.sh")],
                            capture_output=True, text=True,
                            env={**os.environ, "PYTHON": str(fake)})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Python 3.11 is needed" in result.stderr
    assert not (tmp_path / ".venv").exists()
