"""An imported submission: what one row of a Kobo / ODK / spreadsheet import became.

Its id derives from a keyed digest of the row's source id (``meta/instanceID``, ``_uuid``
or a chosen column), so a second import of the same file finds it and adds nothing. It
keeps only ids and a keyed fingerprint of the mapped values, never the source id, the
values or anything the form collected: an edited submission is told apart by its new
fingerprint, and becomes correction events on the records it made.

An edit that carries a new instance id (ODK's ``deprecatedID``) gets an alias: a second
submission record that points at the first, so the next edit finds the chain. The keyed
digests of the versions seen (``versions``, the newest last) let an export made before an
edit be recognised, and left alone, rather than undo the edit.
"""

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.errors import DomainError
from organize.domain.limits import check_optional_uuid, check_uuid

DIGEST_LEN = 32


def _check_fingerprint(value: object, field: str = "fingerprint") -> bytes:
    if not isinstance(value, bytes) or len(value) != DIGEST_LEN:
        raise DomainError("A submission's fingerprint is a 32-byte keyed digest.",
                          field=field, code="invalid")
    return value


def _versions(before: tuple[str, ...], version: bytes | None) -> tuple[str, ...]:
    """The versions seen, as hex (the stored events hold text, tuples of str), newest last."""
    if version is None:
        return before
    text = _check_fingerprint(version, "version").hex()
    return (*(v for v in before if v != text), text)


class ImportedSubmission(Aggregate):
    @classmethod
    def record(cls, *, id: UUID, collective_id: UUID, fingerprint: bytes,
               worker_ids: tuple[UUID, ...], grievance_id: UUID | None,
               spell_ids: tuple[UUID, ...], alias_of: UUID | None = None,
               version: bytes | None = None) -> "ImportedSubmission":
        return cls(
            id=check_uuid(id, field="id"),
            collective_id=check_uuid(collective_id, field="collective_id"),
            fingerprint=_check_fingerprint(fingerprint),
            worker_ids=tuple(check_uuid(w, field="worker_ids") for w in worker_ids),
            grievance_id=check_optional_uuid(grievance_id, field="grievance_id"),
            spell_ids=tuple(check_uuid(s, field="spell_ids") for s in spell_ids),
            alias_of=check_optional_uuid(alias_of, field="alias_of"),
            versions=_versions((), version),
        )

    @event("Recorded")
    def __init__(self, id: UUID, collective_id: UUID, fingerprint: bytes,
                 worker_ids: tuple[UUID, ...], grievance_id: UUID | None,
                 spell_ids: tuple[UUID, ...], alias_of: UUID | None,
                 versions: tuple[str, ...]) -> None:
        self.collective_id = collective_id
        self.fingerprint = fingerprint
        self.worker_ids = tuple(worker_ids)
        self.grievance_id = grievance_id
        self.spell_ids = tuple(spell_ids)
        self.alias_of = alias_of
        self.versions = tuple(versions)

    def revise(self, fingerprint: bytes, worker_ids: tuple[UUID, ...],
               spell_ids: tuple[UUID, ...], version: bytes | None = None) -> None:
        fingerprint = _check_fingerprint(fingerprint)
        if self.alias_of is not None:
            raise DomainError("Revise the submission this one points to.", field="id",
                              code="alias")
        worker_ids = tuple(check_uuid(w, field="worker_ids") for w in worker_ids)
        if worker_ids[:1] != self.worker_ids[:1]:
            raise DomainError("An edited submission keeps its first worker.", field="worker_ids",
                              code="invalid")
        self._revised(fingerprint=fingerprint, worker_ids=worker_ids,
                      spell_ids=tuple(check_uuid(s, field="spell_ids") for s in spell_ids),
                      versions=_versions(self.versions, version))

    @event("Revised")
    def _revised(self, fingerprint: bytes, worker_ids: tuple[UUID, ...],
                 spell_ids: tuple[UUID, ...], versions: tuple[str, ...]) -> None:
        self.fingerprint = fingerprint
        self.versions = tuple(versions)
        self.worker_ids = tuple(worker_ids)
        self.spell_ids = tuple(spell_ids)
