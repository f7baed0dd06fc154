"""The drafts' wording is data: a malformed file is refused at start-up, naming the file
and the field, and an edited copy changes the documents."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voting.app import create_app
from voting.drafts.wording import DEFAULT_DIR, WordingError, load_wording


def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "wording"
    shutil.copytree(DEFAULT_DIR, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused_at_start_up(tmp_path: Path, folder: Path) -> WordingError:
    with pytest.raises(WordingError) as info:
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}",
                "VOTING_DRAFTS": str(folder),
            }
        )
    return info.value


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "says"),
    [
        # a placeholder the document does not fill in
        ("submission.toml", "{percent}% so với {base};", "{percentage}%;", "submission.vote",
         "unknown placeholder {percentage}"),
        # a required field left out
        ("decision.toml", 'decides = "QUYẾT ĐỊNH:"\n', "", "decision.decides", "Field required"),
        # a column the register does not have
        ("people.toml", 'field = "ethnicity"', 'field = "religion"', "people.columns.4.field",
         "Input should be"),
        # a field of the wrong type
        ("plan.toml", 'code = "KH"', "code = 7", "plan.code", "valid string"),
        # a brace left open
        ("letter.toml", '"Kính gửi: {agency}"', '"Kính gửi: {agency"', "letter.addressee",
         "not a valid template"),
        # a level that issues from nowhere
        ("plan.toml", 'issuer = "department"', 'issuer = "phong"', "plan.levels.phong.issuer",
         "Input should be"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_refused_at_start_up_naming_file_and_field(
    tmp_path: Path, file: str, old: str, new: str, field: str, says: str
) -> None:
    folder = copy(tmp_path)
    edit(folder / file, old, new)
    error = refused_at_start_up(tmp_path, folder)
    assert error.path == str(folder / file)
    assert error.field == field
    assert says in str(error) and file in str(error) and f"'{field}'" in str(error)


def test_a_missing_file_or_broken_toml_is_refused(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    (folder / "letter.toml").unlink()
    error = refused_at_start_up(tmp_path, folder)
    assert error.path.endswith("letter.toml") and "cannot be read" in str(error)
    shutil.copy(DEFAULT_DIR / "letter.toml", folder / "letter.toml")
    (folder / "common.toml").write_text("[common\n", encoding="utf-8")
    error = refused_at_start_up(tmp_path, folder)
    assert error.path.endswith("common.toml") and "not valid TOML" in str(error)


def test_columns_wider_than_a_landscape_page_are_refused(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    edit(folder / "people.toml", "width_mm = 42", "width_mm = 80")
    with pytest.raises(WordingError) as info:
        load_wording(folder)
    assert info.value.field == "people.columns" and "wider than the page" in str(info.value)


def test_an_edited_copy_is_what_the_app_uses(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    edit(folder / "submission.toml", 'title = "Tờ trình"', 'title = "Tờ trình đề nghị"')
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}",
            "VOTING_DRAFTS": str(folder),
        }
    )
    assert app.extensions["voting.drafts"].submission.title == "Tờ trình đề nghị"
    assert load_wording().submission.title == "Tờ trình"  # the shipped default is untouched
