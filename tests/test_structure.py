"""The shape of the house: every room small enough to read, every function simple enough
to test at its boundaries (issue 18's done-when, kept true by the suite)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit

PACKAGE = Path(__file__).resolve().parents[1] / "voting"
#: A module past this is two concepts; split it where the domain splits.
MODULE_LINES = 600
#: Radon's grade C is complexity 11–20; D and worse want a table or smaller functions.
WORST_GRADE = "C"


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def test_there_are_modules_to_check() -> None:
    assert len(modules()) > 50


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_600_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MODULE_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_over_complexity_c(path: Path) -> None:
    too_complex = [
        f"{block.fullname} ({cc_rank(block.complexity)} {block.complexity})"
        for block in cc_visit(path.read_text(encoding="utf-8"))
        if cc_rank(block.complexity) > WORST_GRADE
    ]
    assert not too_complex, f"{path.relative_to(PACKAGE)}: {', '.join(too_complex)}"


def test_no_two_classes_share_a_name() -> None:
    # The API's schemas are exempt: their names are the public contract (OpenAPI
    # components), and each says which domain shape it describes.
    schemas = PACKAGE / "api" / "schemas"
    where: dict[str, list[str]] = {}
    for path in modules():
        if schemas in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(str(path.relative_to(PACKAGE)))
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}


def test_every_test_folder_is_a_package() -> None:
    # pytest imports a test file of a folder without __init__.py by its bare name: two
    # test_removal_wording.py in two such folders stopped the whole suite's collection.
    tests = Path(__file__).resolve().parent
    folders = {p.parent for p in tests.rglob("test_*.py")}
    loose = [f for f in folders if not (f / "__init__.py").exists()]
    assert sorted(str(f.relative_to(tests)) for f in loose) == []
