"""Party column headers normalised to stable ids (`customer`, `provider`), whatever the locale.

A header names its party directly (`Client`, `OVHcloud`) or with a role word around it
(`Rôle Client`, `Client Role`, `Kundenrolle`, `Rolle Kunde`, `Rol del Cliente`,
`Ruolo Cloud Temple`, `Cloud-Temple-Rolle`), possibly with a qualifier in brackets
(`AUCyber (IaaS)`). Any other header is a team of its own, with a slug of its label as id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from raci_tracker.model import Party
from raci_tracker.text import clean_text, fold, slugify

CUSTOMER = "customer"
PROVIDER = "provider"
DEFAULT_ALIASES: Mapping[str, Iterable[str]] = {
    CUSTOMER: (
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
    PROVIDER: ("ovhcloud", "ovh", "ovh cloud", "ovhcloud.com", "provider", "fournisseur"),
}
# Words that say "the role of" around a party's name, in the locales the pages are written in.
_ROLE_WORDS = frozenset(
    {"role", "roles", "rolle", "rol", "ruolo", "papel", "rola", "responsabilite"}
    | {"du", "de", "del", "di", "des", "of", "the", "le", "la", "el", "il", "der", "dello"}
)
_ROLE_SUFFIX = "rolle"  # German compounds: Kundenrolle, Cloud-Temple-Rolle
_SPLIT = re.compile(r"[\s\-'’]+")
_BRACKETS = re.compile(r"\s*[(\[][^)\]]*[)\]]")


class PartyResolver:
    """Maps header labels to party ids; callers may add aliases (config `[documents.parties]`,
    `provider = [...]`), matched with or without role words."""

    def __init__(self, extra_aliases: Mapping[str, Iterable[str]] | None = None) -> None:
        self._ids: dict[str, str] = dict(_DEFAULT_IDS)
        for party_id, labels in (extra_aliases or {}).items():
            _add(self._ids, party_id, labels)

    def known_id(self, label: str) -> str | None:
        """The id a header names, directly or with role words; None for a team of its own."""
        return self._ids.get(_key(label)) or self._ids.get(_core(label) or "\0")

    def is_known(self, label: str) -> bool:
        return self.known_id(label) is not None

    def resolve(self, label: str) -> Party:
        """The party for a header; an unknown header gets a slug of its label as id."""
        text = clean_text(label)
        return Party(id=self.known_id(text) or slugify(text), label=text)


def _add(ids: dict[str, str], party_id: str, labels: Iterable[str]) -> None:
    for label in labels:
        ids[_key(label)] = party_id
        core = _core(label)
        if core:
            ids.setdefault(core, party_id)


def _key(label: str) -> str:
    return fold(clean_text(label).strip("*_ :"))


def _core(label: str) -> str:
    """The party's name without role words or a bracketed qualifier: `Rôle Client` -> `client`."""
    words = _SPLIT.split(_BRACKETS.sub("", _key(label)))
    kept = []
    for word in words:
        bare = word.removesuffix(_ROLE_SUFFIX) if word != _ROLE_SUFFIX else word
        if bare and bare not in _ROLE_WORDS:
            kept.append(bare)
    return " ".join(kept)


def _default_ids() -> dict[str, str]:
    ids: dict[str, str] = {}
    for party_id, labels in DEFAULT_ALIASES.items():
        _add(ids, party_id, labels)
    return ids


_DEFAULT_IDS = _default_ids()


def party_role(party_id: str, teams: list[str]) -> str:
    """What a party is across translations: `customer`, `provider`, or `team-N` (its rank among
    the other parties, in column order), for pages whose ids differ by locale."""
    if party_id in (CUSTOMER, PROVIDER):
        return party_id
    return f"team-{teams.index(party_id) + 1}" if party_id in teams else party_id
