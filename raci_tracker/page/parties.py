"""Party column headers normalised to stable ids (`customer`, `provider`), whatever the locale."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from raci_tracker.model import Party
from raci_tracker.text import clean_text, fold, slugify

DEFAULT_ALIASES: Mapping[str, Iterable[str]] = {
    "customer": (
        "client",
        "clients",
        "le client",
        "customer",
        "customers",
        "the customer",
        "kunde",
        "kunden",
        "cliente",
        "clientes",
        "il cliente",
        "el cliente",
        "klient",
        "klienci",
    ),
    "provider": ("ovhcloud", "ovh", "ovh cloud", "ovhcloud.com", "provider", "fournisseur"),
}


class PartyResolver:
    """Maps header labels to party ids; callers may add aliases (config `[documents.parties]`)."""

    def __init__(self, extra_aliases: Mapping[str, Iterable[str]] | None = None) -> None:
        self._ids: dict[str, str] = {}
        for party_id, labels in DEFAULT_ALIASES.items():
            self._add(party_id, labels)
        for party_id, labels in (extra_aliases or {}).items():
            self._add(party_id, labels)

    def _add(self, party_id: str, labels: Iterable[str]) -> None:
        for label in labels:
            self._ids[_key(label)] = party_id

    def is_known(self, label: str) -> bool:
        return _key(label) in self._ids

    def resolve(self, label: str) -> Party:
        """The party for a header; an unknown header gets a slug of its label as id."""
        text = clean_text(label)
        party_id = self._ids.get(_key(text)) or slugify(text)
        return Party(id=party_id, label=text)


def _key(label: str) -> str:
    return fold(clean_text(label).strip("*_ :"))
