"""Migrating older stores: one written before versions (index schema 1) to versions and
objects, and one of full-snapshot objects (index schema 2) to compact objects (schema 3).

A version-1 store kept one file per dated revision: its last text, the commits that carried the
date, and each earlier distinct text as a silent edit. Every commit's text is recoverable from
that: a commit that is neither a silent edit nor the revision's own commit had the same text as
the next recorded one. The migration needs no git and loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from raci_tracker.codec import legacy_revision_from_dict
from raci_tracker.history.dating import (
    DERIVED_RULES,
    derived_notes,
    group_versions,
    skipped_note,
    version_of,
)
from raci_tracker.history.objects import object_bytes
from raci_tracker.model import PageIndex, PageVersion, Revision, RevisionStatus, Snapshot

LEGACY_RULES = frozenset({"date-from-commit"})
"""PageVersion-1 notes the versions now say otherwise (`date-missing`, once per page)."""


def migrated_index(
    legacy: PageIndex, files: Sequence[tuple[str, Any]]
) -> tuple[PageIndex, dict[str, bytes]]:
    """The version-2 index of a version-1 store, and the objects it refers to."""
    objects: dict[str, bytes] = {}
    versions: list[PageVersion] = []
    for path, data in files:
        versions.extend(_versions(legacy_revision_from_dict(data, path=path), objects))
    versions.sort(key=lambda v: v.ref.commit_time)
    groups = group_versions(versions)
    kept = [n for n in legacy.notes if n.rule not in DERIVED_RULES | LEGACY_RULES]
    index = replace(
        legacy,
        versions=versions,
        revisions=[group.entry() for group in groups],
        notes=kept + [skipped_note(s) for s in legacy.skipped] + derived_notes(groups),
        current_path=_current_path(legacy, versions),
        last_commit=versions[-1].ref.commit if versions else legacy.last_commit,
    )
    return index, objects


def _versions(revision: Revision, objects: dict[str, bytes]) -> list[PageVersion]:
    """One version per commit of a stored revision."""
    if revision.status is RevisionStatus.DELETED:
        return [version_of(ref, None, None) for ref in revision.commits]
    recorded = [(e.ref.commit, e.snapshot) for e in revision.silent_edits]
    recorded.append((revision.ref.commit, revision.snapshot))
    order = [ref.commit for ref in revision.commits]
    versions = []
    for ref in revision.commits:
        snapshot = _text_of(order, order.index(ref.commit), recorded)
        key, content = object_bytes(snapshot)
        objects[key] = content
        versions.append(version_of(ref, snapshot, key))
    return versions


def _text_of(order: list[str], position: int, recorded: list[tuple[str, Snapshot]]) -> Snapshot:
    """The text at a commit: the first text recorded at or after it."""
    for commit, snapshot in recorded:
        if commit in order and order.index(commit) >= position:
            return snapshot
    return recorded[-1][1]


def _current_path(legacy: PageIndex, versions: list[PageVersion]) -> str | None:
    last = versions[-1].ref.path if versions else legacy.path
    return None if last == legacy.path else last


def recoded_index(
    index: PageIndex, read_object: Callable[[PageVersion], Snapshot]
) -> tuple[PageIndex, dict[str, bytes]]:
    """A schema-2 index with its full-snapshot objects re-encoded as compact ones (schema 3):
    every version points at the new address of the same text."""
    objects: dict[str, bytes] = {}
    addresses: dict[str, str] = {}
    versions = []
    for version in index.versions:
        if version.object is not None and version.object not in addresses:
            key, content = object_bytes(read_object(version))
            addresses[version.object], objects[key] = key, content
        new = addresses.get(version.object or "")
        versions.append(replace(version, object=new))
    last = versions[-1].ref.commit if versions else index.last_commit
    return replace(index, versions=versions, last_commit=last), objects
