"""Hostile and broken input, interrupted runs, unwritable outputs: every case of
docs/robustness.md. Each ends in a clear message and exit 2, or a finding; never a traceback,
never a partial file, never a stored snapshot made worse."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from raci_tracker import files
from raci_tracker.cli import main
from raci_tracker.files import TEMPORARY_SUFFIX
from raci_tracker.page.parse import parse_page
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[1]
HEADER = "| Activité | Client | OVHcloud |\n| --- | --- | --- |\n"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command in a real process, as a scheduler runs it."""
    return subprocess.run(
        [sys.executable, "-m", "raci_tracker", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_input_error(done: subprocess.CompletedProcess[str], message: str) -> None:
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


# --- pages ---------------------------------------------------------------------------------------


def snapshot_of(tmp_path: Path, content: bytes) -> dict[str, object]:
    page = tmp_path / "guide.fr-fr.md"
    page.write_bytes(content)
    done = cli("snapshot", str(page))
    assert done.returncode == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    return data


def rules(data: dict[str, object]) -> list[str]:
    return [f["rule"] for f in data["findings"]]  # type: ignore[attr-defined, index]


def test_a_50_mb_page_is_refused_at_once(tmp_path: Path) -> None:
    page = tmp_path / "huge.md"
    page.write_bytes(b"---\nupdated: 2023-01-01\n---\n" + b"| a | RA | I |\n" * 3_600_000)

    started = time.monotonic()
    done = cli("snapshot", str(page))

    assert_input_error(done, "huge.md: is 51.5 MiB; pages over 5 MiB are not RACI pages")
    assert time.monotonic() - started < 10


def test_a_10000_row_table_parses(tmp_path: Path) -> None:
    rows = "".join(
        f"| Activité numéro {i} | {'RA' if i % 2 else 'I'} | C |\n" for i in range(10_000)
    )
    data = snapshot_of(
        tmp_path, f"---\nupdated: 2023-01-01\n---\n### 1. Tout\n\n{HEADER}{rows}".encode()
    )

    activities = data["activities"]
    assert isinstance(activities, list)
    assert len(activities) == 10_000
    assert len({a["id"] for a in activities}) == 10_000
    assert rules(data).count("no-accountable") == 5_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "guide.fr-fr.md: is a binary file"),
        ("---\ntitle: Gérer\n---\n".encode("latin-1"), "guide.fr-fr.md:2: is not UTF-8 text"),
    ],
)
def test_binary_and_non_utf8_pages(tmp_path: Path, content: bytes, message: str) -> None:
    page = tmp_path / "guide.fr-fr.md"
    page.write_bytes(content)

    assert_input_error(cli("snapshot", str(page)), message)


def test_empty_bom_and_crlf_pages(tmp_path: Path) -> None:
    body = f"---\nupdated: 2023-01-01\n---\n### 1. A\n\n{HEADER}| Faire | RA | I |\n"
    plain = snapshot_of(tmp_path, body.encode())
    windows = snapshot_of(tmp_path, b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode())
    empty = snapshot_of(tmp_path, b"")

    assert windows["activities"] == plain["activities"]
    assert rules(empty) == ["date-missing", "no-raci-table"]


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: [unclosed", "front-matter-invalid"),
        (
            'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
            "b: &b [*a,*a,*a,*a,*a,*a]\n"
            "c: &c [*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d]",
            "front-matter-invalid",
        ),
    ],
)
def test_hostile_front_matter_is_a_finding(tmp_path: Path, front: str, expected: str) -> None:
    started = time.monotonic()
    data = snapshot_of(tmp_path, f"---\n{front}\n---\n### 1. A\n".encode())

    assert expected in rules(data)
    assert data["document"]["front_matter"] == {}  # type: ignore[index]
    assert time.monotonic() - started < 10


def test_python_tags_build_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = snapshot_of(
        tmp_path, f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n".encode()
    )

    assert not marker.exists()
    assert data["document"]["front_matter"] == {"title": [f"touch {marker}"]}  # type: ignore[index]


def test_unterminated_front_matter(tmp_path: Path) -> None:
    data = snapshot_of(
        tmp_path, f"---\ntitle: RACI\nupdated: 2023-01-01\n\n{HEADER}| A | RA | I |\n".encode()
    )

    assert "front-matter-invalid" in rules(data)
    # the unread `updated:` line still reads as an in-body date
    assert data["document"]["date_source"] == "body"  # type: ignore[index]


def test_cells_that_do_not_fit_the_header(tmp_path: Path) -> None:
    data = snapshot_of(
        tmp_path,
        (
            f"### 1. A\n\n{HEADER}| Trop | RA | I | C | X |\n| Peu | RA |\n"
            "| Tube a \\| b | A | R |\n"
        ).encode(),
    )

    assert rules(data).count("extra-cells") == 1
    assert [a["assignments"] for a in data["activities"]] == [  # type: ignore[attr-defined]
        {"customer": "RA", "provider": "I"},
        {"customer": "RA", "provider": ""},
        {"customer": "A", "provider": "R"},
    ]
    assert data["activities"][2]["text"] == "Tube a | b"  # type: ignore[index]


def test_html_in_cells_stays_text(tmp_path: Path) -> None:
    data = snapshot_of(
        tmp_path,
        f"### 1. A\n\n{HEADER}| <script>alert(1)</script> <b>x</b> | RA | <i>I</i> |\n".encode(),
    )
    (activity,) = data["activities"]  # type: ignore[misc]

    assert activity["text"] == "<script>alert(1)</script> <b>x</b>"
    assert "unknown-letter" in rules(data)


def test_invisible_and_bidirectional_characters_are_removed(tmp_path: Path) -> None:
    """Trojan Source: a right-to-left override and zero-width spaces in an activity name."""
    sneaky = "Sauve\u200bgarder les \u202edonnées\u202c du\u2066 client\u2069"
    data = snapshot_of(tmp_path, f"### 1. A\n\n{HEADER}| {sneaky} | RA | I |\n".encode())
    (activity,) = data["activities"]  # type: ignore[misc]

    assert activity["text"] == "Sauvegarder les données du client"
    assert rules(data) == ["date-missing", "invisible-characters"]


def test_a_heading_hierarchy_12_levels_deep(tmp_path: Path) -> None:
    numbers = ".".join(str(n) for n in range(1, 13))
    headings = "".join(
        f"{'#' * min(level, 6)} {'.'.join(map(str, range(1, level + 1)))}. Niveau {level}\n\n"
        for level in range(1, 13)
    )
    data = snapshot_of(tmp_path, f"{headings}{HEADER}| Profond | RA | I |\n".encode())

    assert [s["number"] for s in data["sections"]][-1] == numbers  # type: ignore[attr-defined]
    assert data["activities"][0]["section"] == numbers  # type: ignore[index]


def test_parser_is_fast_enough_on_pathological_tables() -> None:
    """Ten thousand empty cells, long lines: parsing stays linear."""
    wide = ("| " + "x " * 5000 + "| RA | I |\n") * 200
    started = time.monotonic()

    snapshot = parse_page(f"### 1. A\n\n{HEADER}{wide}".encode())

    assert len(snapshot.activities) == 200
    assert time.monotonic() - started < 20


# --- config --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[documents]]\nid = '../../escape'\nrepo = 'x'\npath = 'p.{locale}.md'\n"
            "locales = ['fr-fr']",
            "documents[0].id: '../../escape' must be",
        ),
        (
            "[[documents]]\nid = 'ok'\nrepo = 'x'\npath = 'p.{locale}.md'\nlocales = ['../../etc']",
            "documents[0].locales[0]: '../../etc' must be",
        ),
        (
            "[[documents]]\nid = 'ok'\nrepo = 'x'\npath = 'p.{locale}.md'\nlocales = 'fr-fr'",
            "documents[0].locales: expected a non-empty list",
        ),
        ("[surprise]\n", "surprise: unknown key"),
    ],
)
def test_bad_configs_write_nothing(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "raci-tracker.toml").write_text(text, encoding="utf-8")

    assert_input_error(cli("run", cwd=tmp_path), message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raci-tracker.toml"]
    assert not (tmp_path.parent / "escape").exists()


# --- git -----------------------------------------------------------------------------------------


def test_a_shallow_clone_is_refused(tmp_path: Path) -> None:
    upstream = GitRepo(tmp_path / "upstream")
    upstream.save("guide.fr-fr.md", "---\nupdated: 2023-01-01\n---\n")
    upstream.save("guide.fr-fr.md", "---\nupdated: 2023-02-01\n---\n")
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            f"file://{upstream.root}",
            str(tmp_path / "shallow"),
        ],
        check=True,
    )

    done = cli("history", "--repo", str(tmp_path / "shallow"), "--path", "guide.fr-fr.md")

    assert_input_error(done, "is a shallow clone: its history is incomplete")


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% {marker}",
        "-u{marker}",
        "--upload-pack=touch {marker}",
        "fd::17",
        "file://{marker}",
    ],
)
def test_dangerous_repository_urls_run_nothing(tmp_path: Path, url: str) -> None:
    marker = tmp_path / "pwned"

    done = cli("history", "--repo", url.format(marker=marker), "--path", "x.md", cwd=tmp_path)

    assert_input_error(done, "refused" if "file" not in url else "is not supported")
    assert not marker.exists()


# --- faults --------------------------------------------------------------------------------------


def sample(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(ROOT / "raci-tracker.toml", folder)
    shutil.copytree(ROOT / "examples", folder / "examples")
    return folder


def outputs(folder: Path) -> dict[str, bytes]:
    """Every output file; last-run.* describe the last run rather than the history, so they
    differ after an interrupted series of runs by design."""
    found = {}
    for root in ("snapshots", "reports"):
        for path in sorted((folder / root).rglob("*")):
            if path.is_file() and not path.name.startswith("last-run."):
                found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def test_runs_killed_at_random_points_end_like_one_clean_run(tmp_path: Path) -> None:
    clean, killed = sample(tmp_path / "clean"), sample(tmp_path / "killed")
    assert cli("run", "--no-progress", cwd=clean).returncode == 0
    chance = random.Random(20261124)
    deadline = time.monotonic() + 60
    kills = 0
    while kills < 12 and time.monotonic() < deadline:
        process = subprocess.Popen(
            [sys.executable, "-m", "raci_tracker", "run", "--no-progress"],
            cwd=killed,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chance.uniform(0.2, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1

    final = cli("run", "--no-progress", cwd=killed)

    assert final.returncode == 0, final.stderr
    assert kills >= 5
    assert outputs(killed) == outputs(clean)
    assert not list(killed.rglob(f"*{TEMPORARY_SUFFIX}"))


def test_an_interrupted_run_leaves_no_temporary_file(tmp_path: Path) -> None:
    """A temporary file left by a killed run is removed by the next one."""
    folder = sample(tmp_path / "sample")
    stale = folder / "snapshots/sample/managed-kubernetes/fr-fr/.2023-07-06.json.x1y2.raci-tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b'{"half": ')

    assert cli("run", "--no-progress", cwd=folder).returncode == 0
    assert not stale.exists()


def as_root() -> bool:
    return os.geteuid() == 0 and shutil.which("unshare") is not None


def run_with_mount(
    folder: Path, mount: str, after: str = "true"
) -> subprocess.CompletedProcess[str]:
    """`raci-tracker run` in a private mount namespace where `mount` (a shell command) applied;
    `after` runs in the same namespace, and the run's exit status is kept."""
    script = (
        f"{mount} && {{ {sys.executable} -m raci_tracker run --no-progress; status=$?; "
        f"{after}; exit $status; }}"
    )
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_read_only_output_folder(tmp_path: Path) -> None:
    """A clear error naming the file, exit 2, and the stored snapshots exactly as they were."""
    folder = sample(tmp_path / "sample")
    config = folder / "raci-tracker.toml"
    config.write_text(
        config.read_text("utf-8").replace('locales = ["fr-fr", "fr-ca"]', 'locales = ["fr-fr"]'),
        encoding="utf-8",
    )
    assert cli("run", "--no-progress", cwd=folder).returncode == 0
    config.write_text(
        config.read_text("utf-8").replace('locales = ["fr-fr"]', 'locales = ["fr-fr", "fr-ca"]'),
        encoding="utf-8",
    )
    snapshots = folder / "snapshots"
    before = outputs(folder)
    if as_root():
        done = run_with_mount(
            folder, f"mount --bind {snapshots} {snapshots} && mount -o remount,bind,ro {snapshots}"
        )
    else:
        for path in [snapshots, *snapshots.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        done = cli("run", "--no-progress", cwd=folder)

    assert_input_error(done, "cannot write ")
    assert "managed-kubernetes/fr-ca" in done.stderr
    assert outputs(folder) == before
    assert not list(folder.rglob(f"*{TEMPORARY_SUFFIX}"))


def test_a_full_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No space left: a clear error and no half-written file. As root, on a real 48 KiB tmpfs;
    otherwise the same failure is injected where the bytes reach the disk."""
    folder = sample(tmp_path / "sample")
    snapshots = folder / "snapshots"
    snapshots.mkdir()
    if as_root():
        done = run_with_mount(
            folder,
            f"mount -t tmpfs -o size=48k tmpfs {snapshots}",
            after=f"find {snapshots} -name '*{TEMPORARY_SUFFIX}' | wc -l",
        )
        code, err, leftovers = done.returncode, done.stderr, int(done.stdout.split()[-1])
    else:
        monkeypatch.setattr(files.os, "fsync", disk_full)
        monkeypatch.chdir(folder)
        with pytest.raises(SystemExit) as exited:
            main(["run", "--no-progress"])
        code, err = int(exited.value.code or 0), capsys.readouterr().err
        leftovers = len(list(folder.rglob(f"*{TEMPORARY_SUFFIX}")))

    assert code == 2
    assert "cannot write " in err and "No space left on device" in err
    assert "Traceback" not in err
    assert leftovers == 0


def disk_full(_: int) -> None:
    raise OSError(28, "No space left on device")
