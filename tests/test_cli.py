"""The command line as a user runs it: output, exit codes, one-line errors and no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from raci_tracker.cli import main
from tests.helpers import CORPUS

SEED = CORPUS / "managed-kubernetes/fr-fr/2023-07-06__seed.md"
PLACEHOLDER = CORPUS / "public-cloud-instances/fr-fr/unknown__4376e65.md"


def run(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_snapshot_prints_the_snapshot_json(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["snapshot", str(SEED), "--locale", "fr-fr"])
    data = json.loads(capsysbinary.readouterr().out)

    assert done.value.code == 0
    assert len(data["activities"]) == 58
    assert data["document"]["locale"] == "fr-fr"


def test_snapshot_takes_the_locale_from_the_path(tmp_path: Path) -> None:
    """`guide.fr-fr.md` names its locale; `-o` writes the file instead of printing it."""
    page = tmp_path / "guide.de-de.md"
    page.write_bytes(SEED.read_bytes())
    output = tmp_path / "out" / "snapshot.json"

    with pytest.raises(SystemExit) as done:
        main(["snapshot", str(page), "-o", str(output)])

    assert done.value.code == 0
    assert json.loads(output.read_bytes())["document"]["locale"] == "de-de"


def test_lint_text_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    """Warnings alone pass the default `--fail-on error`; `--fail-on warning` makes them fail."""
    code, out, _ = run("lint", PLACEHOLDER, capsys=capsys)
    strict, _, _ = run("lint", "--fail-on", "warning", PLACEHOLDER, capsys=capsys)

    assert code == 0
    assert strict == 1
    assert f"{PLACEHOLDER}:8: warning [date-placeholder]" in out
    assert f"{PLACEHOLDER}: warning [date-missing]" in out


def test_lint_fails_on_error_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "bad.md"
    page.write_text("| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n| Run | X | RA |\n")

    code, out, _ = run("lint", page, capsys=capsys)

    assert code == 1
    assert f"{page}:3: error [unknown-letter]" in out


def test_lint_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("lint", "--format", "json", SEED, PLACEHOLDER, capsys=capsys)
    files = json.loads(out)["files"]

    assert code == 0
    assert [f["activity_count"] for f in files] == [58, 58]
    assert [f["rule"] for f in files[0]["findings"]].count("no-responsible") == 3


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.md", "missing.md: no such file"),
        (lambda d: d, "is a directory, not a file"),
        (lambda d: _write(d / "x.md", b"\x00\x01binary"), "x.md: is a binary file"),
        (lambda d: _write(d / "x.md", "Gérer".encode("latin-1")), "x.md:1: is not UTF-8 text"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, message: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]

    code, out, err = run("snapshot", path, capsys=capsys)

    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_lint_reports_every_file_then_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run("lint", tmp_path / "missing.md", PLACEHOLDER, capsys=capsys)

    assert code == 2
    assert "missing.md: no such file" in err
    assert "date-placeholder" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("lint", "--format", "xml", SEED, capsys=capsys)

    assert code == 2
    assert "Invalid value for '--format'" in err


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    """The installed entry point, in a real process."""
    command = [sys.executable, "-m", "raci_tracker", "snapshot", str(tmp_path / "nope")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)

    assert done.returncode == 2
    assert done.stderr.strip() == f"raci-tracker: {tmp_path / 'nope'}: no such file"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BLOCK_OLD = CORPUS / "block-storage/fr-fr/unknown__3217656.md"
BLOCK_NEW = CORPUS / "block-storage/fr-fr/unknown__025ffae.md"
MK_OLD = CORPUS / "managed-kubernetes/fr-fr/2023-07-05__2255c02.md"


@pytest.mark.parametrize("output_format", ["text", "md", "json"])
def test_diff_golden_outputs(
    output_format: str,
    capsys: pytest.CaptureFixture[str],
    golden: Callable[[str, bytes], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real pair (Block Storage fr-fr: a section removed, others renumbered) in every format."""
    monkeypatch.chdir(CORPUS)  # the JSON names the files it compared, as they were given
    old, new = (path.relative_to(CORPUS) for path in (BLOCK_OLD, BLOCK_NEW))
    code, out, _ = run("diff", old, new, "--format", output_format, capsys=capsys)

    assert code == 0
    golden(f"diff/block-storage-fr-fr.{output_format}", out.encode("utf-8"))


def test_diff_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run("diff", BLOCK_OLD, BLOCK_NEW, "--format", "json", capsys=capsys)
    data = json.loads(out)

    assert set(data) == {"from", "to", "changes", "summary", "findings"}
    assert data["from"] == {"path": str(BLOCK_OLD), "updated": "2022-11-22", "commit": None}
    assert data["to"]["updated"] == "2022-11-24"
    assert set(data["findings"]) == {"introduced", "resolved"}
    assert data["summary"]["major"] == 9
    assert {c["kind"] for c in data["changes"]} >= {
        "section-removed",
        "section-renamed",
        "role-changed",
        "activity-added",
    }


def test_diff_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """1 with --exit-code when roles moved, 0 for wording only, 2 for bad input."""
    shifted, _, _ = run("diff", "--exit-code", BLOCK_OLD, BLOCK_NEW, capsys=capsys)
    wording, _, _ = run("diff", "--exit-code", MK_OLD, SEED, capsys=capsys)
    without_flag, _, _ = run("diff", BLOCK_OLD, BLOCK_NEW, capsys=capsys)
    broken, _, err = run("diff", "--exit-code", BLOCK_OLD, tmp_path / "gone.json", capsys=capsys)

    assert (shifted, wording, without_flag, broken) == (1, 0, 0, 2)
    assert "gone.json: no such file" in err


def test_diff_reads_snapshot_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stored snapshot and a page compare like two pages."""
    stored = tmp_path / "old.json"
    with pytest.raises(SystemExit):
        main(["snapshot", str(BLOCK_OLD), "-o", str(stored)])
    capsys.readouterr()

    from_json = run("diff", "--format", "json", stored, BLOCK_NEW, capsys=capsys)[1]
    from_pages = run("diff", "--format", "json", BLOCK_OLD, BLOCK_NEW, capsys=capsys)[1]

    assert from_json == from_pages
