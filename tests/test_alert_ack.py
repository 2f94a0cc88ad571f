"""Alerts delivered by a later step: `run --await-ack` leaves them out of `alerted.json` until
`ack-alerts` says the step succeeded, so a failed step means a repeated alert, never a lost one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from raci_tracker.cli import main
from tests.gitrepo import GitRepo
from tests.test_notify import (  # noqa: F401
    PAGE,
    SHIFT,
    Webhook,
    run,
    seed,
    shift,
    tracked,
    webhook,
)

AWAITING = Path("reports/awaiting-ack.json")
ALERTED = Path("reports/alerted.json")


def ack(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`raci-tracker ack-alerts`: its exit status and what it printed (and nothing before)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["ack-alerts"])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def shifts_output(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def test_an_unacknowledged_alert_is_sent_again_and_an_acknowledged_one_is_not(
    tracked: GitRepo,  # noqa: F811
    webhook: tuple[str, type[Webhook]],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, hook = webhook
    outputs = tmp_path / "gh-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    before = ALERTED.read_bytes()
    commit = shift(tracked)

    assert run("--notify", url, "--await-ack") == 0
    awaiting = json.loads(AWAITING.read_bytes())
    assert run("--notify", url, "--await-ack") == 0  # the later step failed: no ack
    code, out, _ = ack(capsys)
    alerted = json.loads(ALERTED.read_bytes())
    assert run("--notify", url, "--await-ack") == 0

    key = tracked.alert_key("managed-kubernetes/fr-fr", commit, PAGE)
    assert awaiting == {"schema": 2, "awaiting": [key]}
    assert ALERTED.read_bytes() != before and key in alerted["alerted"]
    assert (code, out) == (0, f"1 alerted text(s) recorded in {tmp_path / ALERTED}\n")
    assert not AWAITING.exists()
    assert shifts_output(outputs) == ["shifts=2", "shifts=2", "shifts=0"]
    assert [SHIFT in message["message"] for message in hook.received] == [True, True]
    assert "taken in by an earlier run" in hook.received[1]["message"]


def test_acknowledging_twice_changes_nothing(
    tracked: GitRepo,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    shift(tracked)
    run("--await-ack")

    first = ack(capsys)
    recorded = ALERTED.read_bytes()
    second = ack(capsys)

    assert first[0] == second[0] == 0
    assert second[1] == "no alert awaits acknowledgement\n"
    assert ALERTED.read_bytes() == recorded
    assert run("--exit-code") == 0


def test_the_first_run_of_a_store_keeps_its_shifts_awaiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no record yet the history counts as alerted, but not the shifts this very run took
    in and left to a later step: unacknowledged, the next run alerts them."""
    upstream = GitRepo(tmp_path / "upstream")
    page = "pages/managed_kubernetes/responsibility-model/guide.fr-fr.md"
    upstream.save(page, seed())
    (tmp_path / "raci-tracker.toml").write_text(
        f'[[documents]]\nid = "mk"\nrepo = "{upstream.root}"\n'
        f'path = "{page.replace("fr-fr", "{locale}")}"\nlocales = ["fr-fr"]\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RACI_TRACKER_NOTIFY", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert run() == 0
    ALERTED.unlink()  # a store that predates the record
    shift(GitRepo(upstream.root))

    assert run("--exit-code", "--await-ack") == 1
    assert json.loads(ALERTED.read_bytes())["alerted"] == []
    assert run("--exit-code", "--await-ack") == 1  # still to alert


def test_a_failed_notification_leaves_nothing_to_acknowledge(
    tracked: GitRepo,  # noqa: F811
    webhook: tuple[str, type[Webhook]],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The notification failed, so the issue alone cannot settle the shift: it stays pending."""
    url, hook = webhook
    shift(tracked)
    hook.status = 500

    assert run("--notify", url, "--await-ack") == 0
    code, out, _ = ack(capsys)

    assert not AWAITING.exists()
    assert (code, out) == (0, "no alert awaits acknowledgement\n")
    assert run("--exit-code") == 1


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("awaiting-ack.json", "{", "awaiting-ack.json: cannot be read"),
        ("awaiting-ack.json", '{"schema": 1, "awaiting": [1]}', "is not a list of texts"),
        ("awaiting-ack.json", '{"schema": 3, "awaiting": []}', "is not a schema 2 record"),
        ("alerted.json", '{"schema": 1, "alerted": "x"}', "'alerted' is not a list of texts"),
    ],
)
def test_a_damaged_record_stops_the_ack_with_one_message(
    tracked: GitRepo,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    said: str,
) -> None:
    shift(tracked)
    run("--await-ack")
    Path("reports", name).write_text(text, encoding="utf-8")
    before = {path: path.read_bytes() for path in (ALERTED, AWAITING)}

    code, _, err = ack(capsys)

    assert code == 2
    assert said in err and name in err and "Traceback" not in err
    assert {path: path.read_bytes() for path in (ALERTED, AWAITING)} == before


def test_a_run_without_await_ack_records_what_awaited(
    tracked: GitRepo,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each run writes the awaiting file afresh: a plain run alerts what was never acknowledged,
    records it and leaves no awaiting file, even a damaged one."""
    outputs = tmp_path / "gh-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    commit = shift(tracked)
    run("--await-ack")
    AWAITING.write_text("{", encoding="utf-8")

    assert run("--exit-code") == 1
    assert not AWAITING.exists()
    key = tracked.alert_key("managed-kubernetes/fr-fr", commit, PAGE)
    assert key in json.loads(ALERTED.read_bytes())["alerted"]
    assert run("--exit-code") == 0
    assert shifts_output(outputs) == ["shifts=2", "shifts=2", "shifts=0"]
