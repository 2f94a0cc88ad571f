"""`raci-tracker.toml`: valid files load; every mistake names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from raci_tracker import config
from raci_tracker.config import load_config
from raci_tracker.errors import InputError
from tests.helpers import TESTS

VALID = """\
[output]
snapshots = "data/snapshots"

[[documents]]
id = "managed-kubernetes"
repo = "upstream"
ref = "develop"
path = "pages/guide.{locale}.md"
locales = ["fr-fr", "en-gb"]
permalink = "https://github.com/ovh/docs/blob/{commit}/{path}"
[documents.parties]
customer = ["Partenaire"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "raci-tracker.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    (document,) = config.documents

    assert config.snapshots == tmp_path / "data/snapshots"
    assert config.reports == tmp_path / "reports"
    assert config.cache == tmp_path / ".cache/raci-tracker"
    assert config.templates is None
    assert config.base_url is None
    assert (document.id, document.ref, document.locales) == (
        "managed-kubernetes",
        "develop",
        ("fr-fr", "en-gb"),
    )
    assert document.page_path("en-gb") == "pages/guide.en-gb.md"
    assert document.parties == {"customer": ("Partenaire",)}


@pytest.mark.parametrize(
    ("given", "kept"),
    [("https://example.org/raci", "https://example.org/raci/"), ("http://h//", "http://h/")],
)
def test_base_url_is_kept_with_one_trailing_slash(tmp_path: Path, given: str, kept: str) -> None:
    config = load_config(
        write(tmp_path, VALID.replace("[output]", f"[output]\nbase_url = '{given}'"))
    )

    assert config.base_url == kept


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[output]", "[output]\nsnapshot = 'x'"), "output.snapshot: unknown key"),
        (("[[documents]]", "colour = 'red'\n[[documents]]"), "colour: unknown key"),
        (('ref = "develop"', 'ref = "develop"\nbranch = "x"'), "documents[0].branch: unknown key"),
        (('id = "managed-kubernetes"', 'id = "../escape"'), "documents[0].id: '../escape' must be"),
        (('id = "managed-kubernetes"', 'id = "a/b"'), "documents[0].id: 'a/b' must be"),
        (('["fr-fr", "en-gb"]', '["fr-fr", "../../etc"]'), "documents[0].locales[1]: "),
        (('["fr-fr", "en-gb"]', '"fr-fr"'), "documents[0].locales: expected a non-empty list"),
        (('id = "managed-kubernetes"', "id = 3"), "documents[0].id: expected a non-empty string"),
        (('repo = "upstream"\n', ""), "documents[0].repo: is required"),
        (("guide.{locale}.md", "guide.md"), "documents[0].path: must contain {locale}"),
        (("{commit}/{path}", "{sha}/{path}"), "documents[0].permalink: unknown placeholder {sha}"),
        (('customer = ["Partenaire"]', 'customer = "Partenaire"'), "documents[0].parties.customer"),
        (
            ('snapshots = "data/snapshots"', "snapshots = 1"),
            "output.snapshots: expected a non-empty",
        ),
        (("[output]", "[output]\nbase_url = 'example.org/raci'"), "output.base_url: 'example.org"),
        (("[output]", "[output]\nbase_url = 'ftp://x/'"), "output.base_url: 'ftp://x/' must be"),
        (("[output]", "[output]\nbase_url = 'https://x/a b'"), "output.base_url: 'https://x/a b'"),
    ],
)
def test_mistakes_name_their_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, VALID.replace(*change, 1))

    with pytest.raises(
        InputError, match=message.replace("{", r"\{").replace("[", r"\[").replace("(", r"\(")
    ) as caught:
        load_config(path)

    assert str(caught.value).startswith(f"{path}: ")


def test_duplicate_ids(tmp_path: Path) -> None:
    document = VALID[VALID.index("[[documents]]") : VALID.index("[documents.parties]")]
    doubled = VALID + document

    with pytest.raises(InputError, match=r"documents\[1\].id: duplicate id 'managed-kubernetes'"):
        load_config(write(tmp_path, doubled))


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such config file"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(InputError, match=r"raci-tracker.toml:3: is not valid TOML"):
        load_config(write(tmp_path, "[output]\nsnapshots = 'x'\nbroken = \n"))


def test_provider_names_join_the_provider_aliases(tmp_path: Path) -> None:
    """`provider = [...]` names the provider once; it adds to `[documents.parties]`."""
    text = VALID.replace("[documents.parties]", 'provider = ["Cloud Temple"]\n[documents.parties]')
    (document,) = load_config(write(tmp_path, text)).documents

    assert document.parties == {"customer": ("Partenaire",), "provider": ("Cloud Temple",)}


def test_provider_must_be_a_list_of_names(tmp_path: Path) -> None:
    text = VALID.replace("[documents.parties]", 'provider = "Cloud Temple"\n[documents.parties]')

    with pytest.raises(InputError, match=r"documents\[0\]\.provider"):
        load_config(write(tmp_path, text))


def test_every_key_the_config_accepts_is_documented() -> None:
    documented = (TESTS.parent / "docs" / "config.md").read_text(encoding="utf-8")
    keys = [f"`output.{key}`" for key in sorted(config._OUTPUT_KEYS)]
    keys += [f"`documents[].{key}`" for key in sorted(config._DOCUMENT_KEYS)]

    assert [key for key in keys if key not in documented] == []
