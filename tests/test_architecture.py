"""The arrows run one way: the application over the baselines over the library."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def imported_packages(package: str) -> dict[str, set[str]]:
    """Top-level packages each module of ``package`` imports (at any depth of the file)."""
    found = {}
    for path in (REPO / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


@pytest.mark.parametrize("package, forbidden", [
    ("vsc", {"baselines", "vsc_bench", "snakemake"}),
    ("baselines", {"vsc_bench", "snakemake"}),
])
def test_no_arrow_points_up(package, forbidden):
    offenders = {module: names & forbidden
                 for module, names in imported_packages(package).items() if names & forbidden}
    assert not offenders, offenders


def test_output_flags_mean_one_thing_in_every_command():
    """--run is a run folder, --out a file, --out-dir a folder of files (tables), --figure a
    figure stem, --figure-dir a folder of figures: no command has another flag for where its
    output goes."""
    from vsc_bench.cli import build_parser

    subcommands = next(a for a in build_parser()._actions if a.dest == "command").choices
    allowed = {"--run", "--out", "--out-dir", "--figure", "--figure-dir"}
    for name, parser in subcommands.items():
        flags = {f for action in parser._actions for f in action.option_strings}
        output_like = {f for f in flags if set(f.strip("-").split("-"))
                       & {"out", "csv", "figure", "dir", "stem", "file", "folder"}}
        assert output_like <= allowed, (name, output_like - allowed)
