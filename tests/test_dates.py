"""In-body "last updated" dates in the languages and forms real pages use."""

from __future__ import annotations

import pytest

from raci_tracker.page.dates import find_body_date, iso_date, read_date, resolve_date


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("**Dernière mise à jour le 05/07/2023**", "2023-07-05"),
        ("Dernière mise à jour le 1er décembre 2021", "2021-12-01"),
        ("**Last update 23rd December 2022**", "2022-12-23"),
        ("**Last updated January 26th, 2023**", "2023-01-26"),
        ("Last updated September 28th, 2021", "2021-09-28"),
        ("Last update 22/12/2022", "2022-12-22"),
        ("Last updated 12/22/2022", "2022-12-22"),
        ("Letzte Aktualisierung am 26.01.2023", "2023-01-26"),
        ("Letzte Aktualisierung: 3. März 2023", "2023-03-03"),
        ("Última actualización: 26 de enero de 2023", "2023-01-26"),
        ("Ultimo aggiornamento 26 gennaio 2023", "2023-01-26"),
        ("Ostatnia aktualizacja 26 stycznia 2023", "2023-01-26"),
        ("Última atualização 26 de janeiro de 2023", "2023-01-26"),
        ("Last updated 2023-10-12", "2023-10-12"),
    ],
)
def test_body_dates(line: str, expected: str) -> None:
    found = find_body_date(["", "Intro.", line], first_line=5)

    assert found is not None
    assert (found.iso, found.line, found.placeholder) == (expected, 7, False)


def test_placeholder_date() -> None:
    found = find_body_date(["**Dernière mise à jour le xx décembre 2022**"])

    assert found is not None
    assert (found.iso, found.placeholder) == (None, True)
    assert found.text == "Dernière mise à jour le xx décembre 2022"


@pytest.mark.parametrize(
    "lines",
    [
        ["| Appliquer les mises à jour le 05/07/2023 | RA | |"],
        ["Mise à jour du service sans date"],
        ["Nothing here 05/07/2023"],
        ["Last updated 31/02/2023"],
    ],
)
def test_not_a_body_date(lines: list[str]) -> None:
    """Table rows, lines without a date and impossible dates are not revision dates."""
    assert find_body_date(lines) is None


def test_read_date_and_iso_date() -> None:
    assert read_date("January 26th, 2023") == ("2023-01-26", False)
    assert read_date("no date") is None
    assert iso_date("2023-07-06") == "2023-07-06"
    assert iso_date("2023-07-06T10:00:00Z") == "2023-07-06"
    assert iso_date("2023-7-6") is None
    assert iso_date("2023-02-30") is None


@pytest.mark.parametrize(
    ("front", "expected", "field"),
    [
        ({"updated": "2023-07-05"}, "2023-07-05", "updated"),
        ({"lastupdated": "2021-06-07"}, "2021-06-07", "lastupdated"),
        ({"last_modified": "2022-01-02T10:00:00Z"}, "2022-01-02", "last_modified"),
        ({"date": "2020-02-03 10:00:00 +0000"}, "2020-02-03", "date"),
        ({"ms.date": "12/29/2019"}, "2019-12-29", "ms.date"),
        ({"ms.date": "2019-12-29"}, "2019-12-29", "ms.date"),
        ({"date": "2020-01-01", "updated": "2023-07-05"}, "2023-07-05", "updated"),
    ],
)
def test_front_matter_date_fields(front: dict[str, str], expected: str, field: str) -> None:
    found = resolve_date(front, None, lambda _: None)

    assert (found.iso, found.source, found.date_field) == (expected, "front-matter", field)
    assert found.findings == []


def test_an_unreadable_date_field_is_reported_and_the_next_one_used() -> None:
    found = resolve_date({"ms.date": "29/12/2019", "date": "2019-12-29"}, None, lambda _: 3)

    assert (found.iso, found.date_field) == ("2019-12-29", "date")
    assert [(f.rule, f.line) for f in found.findings] == [("date-invalid", 3)]
    assert "'ms.date' is not an MM/DD/YYYY or YYYY-MM-DD date" in found.findings[0].message


def test_last_modified_on_line_dates_a_page() -> None:
    body = find_body_date(["Some text", "Last modified on Jun 07, 2021"])
    found = resolve_date({}, body, lambda _: None)

    assert (found.iso, found.source, found.date_field) == ("2021-06-07", "body", "body")


def test_no_date_at_all_is_one_date_missing_finding() -> None:
    found = resolve_date({"title": "RACI"}, None, lambda _: None)

    assert (found.iso, found.source, found.date_field) == (None, "none", None)
    assert [f.rule for f in found.findings] == ["date-missing"]
