"""Notifications and the alert record: a run that takes in a shift tells a local webhook once;
a failed notification or an interrupted run leaves the shift pending for the next run."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import apprise
import pytest

from raci_tracker.app.run import record_run, run_and_report
from raci_tracker.app.update import without_credentials
from raci_tracker.cli import main
from raci_tracker.config import load_config
from raci_tracker.notify import _room, notification_urls
from raci_tracker.output import alerts
from tests.gitrepo import GitRepo
from tests.helpers import corpus_page

PAGE = "pages/managed_kubernetes/responsibility-model/guide.fr-fr.md"
CONTINUITY = "| Déployer la politique de continuité d’activité sur le service Kubernetes managé |"
SHIFT = "OVHcloud gave up A and R on 1 activity; the customer gained A and R on 1 activity"


class Webhook(BaseHTTPRequestHandler):
    """Records each JSON body posted to it; answers with `status`."""

    received: ClassVar[list[dict[str, Any]]] = []
    status: ClassVar[int] = 200

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[Webhook]]]:
    handler = type("Hook", (Webhook,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"json://127.0.0.1:{server.server_address[1]}/", handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def tracked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """An upstream page, tracked once already (its first text is not a shift)."""
    upstream = GitRepo(tmp_path / "upstream")
    upstream.save(PAGE, seed())
    (tmp_path / "raci-tracker.toml").write_text(
        f"""\
[[documents]]
id = "managed-kubernetes"
repo = "{upstream.root}"
path = "{PAGE.replace("fr-fr", "{locale}")}"
locales = ["fr-fr"]
permalink = "https://docs.example/blob/{{commit}}/{{path}}"
""",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RACI_TRACKER_NOTIFY", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert run() == 0
    return upstream


def seed() -> str:
    return corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md").decode("utf-8")


def shift(upstream: GitRepo) -> str:
    return upstream.save(
        PAGE,
        seed()
        .replace("updated: 2023-07-06", "updated: 2023-09-01")
        .replace(f"{CONTINUITY}  | RA |", f"{CONTINUITY} RA | I |"),
    )


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(["run", "--no-progress", *args])
    return int(done.value.code or 0)


def test_a_shift_reaches_the_webhook_once(
    tracked: GitRepo, webhook: tuple[str, type[Webhook]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, hook = webhook
    commit = shift(tracked)

    code = run("--notify", url)
    again = run("--notify", url)
    err = capsys.readouterr().err

    assert (code, again) == (0, 0), err
    assert "notification" not in err
    (message,) = hook.received  # one message for the run, none for the run with nothing new
    assert message["title"] == "RACI responsibility shifts: 1 text with role changes"
    body = message["message"]
    assert body.startswith("1 page(s): 1 new revision(s); 2 major, 0 minor")
    assert "earlier run" not in body
    assert "**Kubernetes managé" in body or "(fr-fr)" in body
    assert f"2023-09-01: {SHIFT}" in body
    assert f"https://docs.example/blob/{commit}/{PAGE}" in body


class RocketChat(BaseHTTPRequestHandler):
    """A Rocket.Chat webhook that, as Discord does past its length, refuses a message longer
    than the 1,000 characters Apprise says Rocket.Chat takes."""

    texts: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        text = json.loads(self.rfile.read(length))["text"]
        type(self).texts.append(text)
        self.send_response(200 if len(text) <= 1000 else 400)
        self.end_headers()
        self.wfile.write(b'{"success": true}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def rocket_chat() -> Iterator[tuple[str, type[RocketChat]]]:
    handler = type("Rocket", (RocketChat,), {"texts": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    yield f"rocket://abcdefghijklmnop/ABCDEFGHIJ@127.0.0.1:{port}/?mode=webhook", handler
    server.shutdown()
    server.server_close()


def test_a_message_longer_than_its_destination_takes_lists_what_fits_and_counts_the_rest(
    tracked: GitRepo, rocket_chat: tuple[str, type[RocketChat]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, hook = rocket_chat
    shifts(tracked, 8)

    code = run("--notify", url)
    err = capsys.readouterr().err
    again = run("--notify", url)

    assert (code, again) == (0, 0)
    assert "notification" not in err, err
    (text,) = hook.texts  # delivered once; every shift is recorded as alerted
    assert len(text) <= 1000
    assert text.startswith("# RACI responsibility shifts: 8 texts with role changes\n1 page(s)")
    listed = re.findall(r"^- (2023-09-\d\d): ", text, re.MULTILINE)
    assert listed == [f"2023-09-{day:02d}" for day in range(1, len(listed) + 1)]
    assert 0 < len(listed) < 8
    assert text.endswith(
        f"{8 - len(listed)} more texts with role changes do not fit in this message: the run's "
        "summary (`last-run.md`) and the reports list them all."
    )


def test_a_body_fits_any_room_and_lists_more_shifts_in_more_room(
    tracked: GitRepo, tmp_path: Path
) -> None:
    shifts(tracked, 4)
    outcome = run_and_report(load_config(tmp_path / "raci-tracker.toml"))
    message = alerts.notification(outcome.alerts, "4 shifts", 0)
    whole = message.body
    listed = []

    for room in (0, 5, 160, 400, 600, 800, 1000, len(whole) - 1, len(whole), 10**6):
        body = message.body_within(room)
        assert len(body) <= room
        listed.append(len(re.findall(r"^- 2023-09-", body, re.MULTILINE)))

    assert message.body_within(len(whole)) == whole
    assert listed == sorted(listed) and listed[0] == 0 and listed[-1] == 4
    assert message.body_within(160).startswith("4 shifts\n\n4 more texts with role changes")
    assert message.body_within(5) == "4 shi"  # not even the count fits: cut at the room


TITLE = "RACI responsibility shifts: 12 texts with role changes"


# Apprise loads its plugins on first use, and its email plugin imports `imghdr` (deprecated since
# Python 3.11), as `notify.send` expects: whichever test loads them first sees the warning.
@pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    ("url", "room"),
    [
        ("discord://123456/abcdefghijklmnop", 2000 - len(TITLE) - 32),  # the title shares it
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", 35000),
        ("dapnet://user:pass@DF1ABC", 80),  # a pager: no room beside the title, the body alone
    ],
)
def test_each_destination_gets_the_room_apprise_says_it_has(url: str, room: int) -> None:
    service = apprise.Apprise.instantiate(url)

    assert _room(service, TITLE) == room


def shifts(upstream: GitRepo, count: int) -> None:
    """`count` shifts, a day apart: the continuity row's letters move back and forth."""
    for day in range(1, count + 1):
        text = seed().replace("updated: 2023-07-06", f"updated: 2023-09-{day:02d}")
        moved = text.replace(f"{CONTINUITY}  | RA |", f"{CONTINUITY} RA | I |")
        upstream.save(PAGE, moved if day % 2 else text)


def test_a_failed_notification_keeps_the_shift_for_the_next_run(
    tracked: GitRepo,
    webhook: tuple[str, type[Webhook]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, hook = webhook
    shift(tracked)
    hook.status = 500
    outputs = tmp_path / "gh-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("RACI_TRACKER_NOTIFY", f"{url}  {url}")  # the same URL once

    failed = run()
    err = capsys.readouterr().err
    hook.status = 200
    retried = run()
    last_run = (tmp_path / "reports/last-run.md").read_text("utf-8")
    settled = run()

    assert failed == 0  # a failed notification does not fail the run
    assert "notification to json://127.0.0.1" in err and "stay pending" in err
    assert len(hook.received) == 2  # the failed one, then the retry; nothing after
    assert SHIFT in hook.received[1]["message"]
    assert outputs.read_text("utf-8").splitlines() == ["shifts=2", "shifts=2", "shifts=0"]
    assert "Shifts taken in earlier and not alerted until now" in last_run
    assert retried == settled == 0


def test_shifts_of_an_interrupted_run_are_alerted_by_the_next(
    tracked: GitRepo, webhook: tuple[str, type[Webhook]], tmp_path: Path
) -> None:
    """The run took the shift into the store, then stopped before alerting: the record on disk
    is still the one from before."""
    url, hook = webhook
    record = tmp_path / "reports/alerted.json"
    before = record.read_bytes()
    shift(tracked)
    assert run() == 0
    record.write_bytes(before)

    assert run("--notify", url, "--exit-code") == 1  # nothing new upstream, a shift to tell

    (message,) = hook.received
    assert SHIFT in message["message"]
    assert "1 text with role changes was taken in by an earlier run" in message["message"]
    assert run("--notify", url, "--exit-code") == 0


def test_shifts_of_a_run_stopped_between_its_reports_and_its_alert_are_alerted_by_the_next(
    tracked: GitRepo, webhook: tuple[str, type[Webhook]], tmp_path: Path
) -> None:
    """The run wrote the store, the reports and the last-run record, then was killed before it
    recorded what it alerted: the next run, with nothing new upstream, still tells the shift."""
    url, hook = webhook
    shift(tracked)
    config = load_config(tmp_path / "raci-tracker.toml")
    outcome = run_and_report(config)
    record_run(config, outcome, {})
    assert outcome.alert_count == 2  # what the stopped run would have alerted

    assert run("--notify", url, "--exit-code") == 1

    (message,) = hook.received
    assert SHIFT in message["message"]
    assert run("--notify", url, "--exit-code") == 0


def test_a_record_naming_texts_by_commit_is_read_and_rewritten_by_content(
    tracked: GitRepo, tmp_path: Path
) -> None:
    """`alerted.json` of schema 1 (written by earlier versions) named texts by commit."""
    commit = shift(tracked)
    assert run() == 0
    record = tmp_path / "reports/alerted.json"
    record.write_text(
        json.dumps({"schema": 1, "alerted": [f"managed-kubernetes/fr-fr/{commit}"]}),
        encoding="utf-8",
    )

    assert run("--exit-code") == 0  # the shift was alerted: nothing pending

    key = tracked.alert_key("managed-kubernetes/fr-fr", commit, PAGE)
    assert json.loads(record.read_bytes()) == {"schema": 2, "alerted": [key]}


def test_a_history_rewritten_with_the_same_texts_alerts_nothing_again(
    tracked: GitRepo, webhook: tuple[str, type[Webhook]], tmp_path: Path
) -> None:
    """A force-push that rewords a commit message: new commit ids, the same texts."""
    url, hook = webhook
    shift(tracked)
    assert run("--notify", url, "--exit-code") == 1
    tracked.git("commit", "--amend", "-q", "-m", "Reworded message")

    assert run("--notify", url, "--exit-code") == 0

    assert len(hook.received) == 1
    last_run = json.loads((tmp_path / "reports/last-run.json").read_bytes())
    assert last_run["pages"][0]["new_commits"] == []
    assert "history-rewritten" in (
        tmp_path / "snapshots/managed-kubernetes/fr-fr/index.json"
    ).read_text("utf-8")


def test_a_rewritten_history_with_a_new_text_alerts_that_text(
    tracked: GitRepo, webhook: tuple[str, type[Webhook]], tmp_path: Path
) -> None:
    """A force-push that replaces the last text by another: that text is new."""
    url, hook = webhook
    shift(tracked)
    assert run("--notify", url, "--exit-code") == 1
    text = (tracked.root / PAGE).read_text("utf-8")
    tracked.write(PAGE, text.replace(f"{CONTINUITY} RA | I |", f"{CONTINUITY} RA | A |"))
    tracked.git("commit", "--amend", "-q", "-am", "Another shift instead")

    assert run("--notify", url, "--exit-code") == 1

    assert len(hook.received) == 2
    last_run = json.loads((tmp_path / "reports/last-run.json").read_bytes())
    assert last_run["pages"][0]["new_commits"] == [tracked.head()]


def test_a_damaged_record_is_one_message(
    tracked: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "reports/alerted.json").write_text("{", encoding="utf-8")

    assert run() == 2
    err = capsys.readouterr().err
    assert "alerted.json: cannot be read" in err and "Traceback" not in err


def test_the_heartbeat_changes_only_when_a_head_moves(tracked: GitRepo, tmp_path: Path) -> None:
    status = tmp_path / "reports/status.json"
    first = json.loads(status.read_bytes())
    head = tracked.head()

    run()
    unchanged = status.read_bytes()
    tracked.save("README.md", "Other page.\n")
    run()
    moved = json.loads(status.read_bytes())

    assert first["repositories"] == {f"{tracked.root}#HEAD": head}
    assert json.loads(unchanged) == first
    assert moved["repositories"] == {f"{tracked.root}#HEAD": tracked.head()}


def test_a_week_old_heartbeat_is_rewritten(tracked: GitRepo, tmp_path: Path) -> None:
    status = tmp_path / "reports/status.json"
    data = json.loads(status.read_bytes())
    status.write_text(json.dumps({**data, "checked": "2020-01-01"}), encoding="utf-8")

    run()

    assert json.loads(status.read_bytes())["checked"] == data["checked"]


def test_notification_urls_from_options_and_environment() -> None:
    assert notification_urls(["json://a/", " "], " ntfy://b  json://a/ ") == [
        "json://a/",
        "ntfy://b",
    ]
    assert notification_urls([], None) == []


def test_the_status_file_never_holds_credentials() -> None:
    assert without_credentials("https://x-access-token:s3cret@github.com/o/r.git") == (
        "https://github.com/o/r.git"
    )
    assert without_credentials("HTTPS://s3cret@host/r") == "HTTPS://host/r"
    assert without_credentials("git@github.com:o/r.git") == "git@github.com:o/r.git"
    assert without_credentials("../docs") == "../docs"
