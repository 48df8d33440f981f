"""The Worker aggregate: a member or contact of a collective, known by a pseudonym.

Everything personal about her (pseudonym, legal name, phone, status details) reaches
this room already sealed under her own key, so the domain can neither read nor leak it.
What the domain does keep in the clear is what organising needs: which collectives she
belongs to, her consents, her work spells and her moves. Her trajectory is a set of work
spells that may overlap, never a single occupation (DOMAIN.md, lesson 2).

Erasing her records ``Erased``; the application then destroys her key, so the sealed
data in every past event becomes unreadable. After that nothing more can be recorded.
"""

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from msgspec.structs import replace

from organize.domain.errors import DomainError
from organize.domain.limits import (
    NAME_MAX,
    check_bool,
    check_date,
    check_datetime,
    check_not_before,
    check_optional_date,
    check_optional_place,
    check_optional_uuid,
    check_place,
    check_reason,
    check_sealed,
    check_text,
    check_uuid,
)
from organize.domain.taxonomy import Taxonomy
from organize.domain.values import ConsentChange, Membership, Move, Spell, StatusChange

CONTACT = "contact"
RESEARCH = "research"
REFERRAL_PREFIX = "referral:"


def check_occupation(occupation: object) -> str:
    """An occupation as typed, checked before the application seals it."""
    return check_text(occupation, field="occupation", max_len=NAME_MAX)


def referral_purpose(organisation_id: UUID) -> str:
    """The consent purpose for referral to one named organisation."""
    return f"{REFERRAL_PREFIX}{organisation_id}"


def check_purpose(purpose: object) -> str:
    """Consent is per purpose, and referral consent per organisation (DOMAIN.md)."""
    if purpose in (CONTACT, RESEARCH):
        return purpose  # type: ignore[return-value]
    if isinstance(purpose, str) and purpose.startswith(REFERRAL_PREFIX):
        try:
            organisation_id = UUID(purpose[len(REFERRAL_PREFIX) :])
        except ValueError:
            pass
        else:
            # Only the canonical spelling, so one consent has exactly one key.
            if purpose == referral_purpose(organisation_id):
                return purpose
    raise DomainError(
        "The consent purpose must be 'contact', 'research', or 'referral:' followed by "
        "the organisation's identifier.",
        field="purpose",
        code="invalid_purpose",
    )


class Worker(Aggregate):
    @classmethod
    def register(
        cls,
        *,
        id: UUID,  # the application chooses ids
        sealed_profile: bytes,
        collective_id: UUID | None,
        joined_on: date | None,
    ) -> "Worker":
        collective_id = check_optional_uuid(collective_id, field="collective_id")
        joined_on = check_optional_date(joined_on, field="joined_on")
        if collective_id is not None and joined_on is None:
            raise DomainError(
                "Please give the date she joined the collective.",
                field="joined_on",
                code="empty",
            )
        if collective_id is None and joined_on is not None:
            raise DomainError(
                "A joining date was given without a collective; choose the collective "
                "she joined or leave the date empty.",
                field="joined_on",
            )
        return cls(
            id=check_uuid(id, field="id"),
            sealed_profile=check_sealed(sealed_profile, field="sealed_profile"),
            collective_id=collective_id,
            joined_on=joined_on,
        )

    @event("Registered")
    def __init__(
        self,
        id: UUID,
        sealed_profile: bytes,
        collective_id: UUID | None,
        joined_on: date | None,
    ) -> None:
        self.profile: bytes | None = sealed_profile
        # Current memberships: collective id -> the date she joined.
        self.collectives: dict[UUID, date] = {}
        # Every membership, past and current, in the order they began.
        self.memberships: list[Membership] = []
        # Current consents: purpose -> when it was given.
        self.consents: dict[str, datetime] = {}
        self.consent_history: list[ConsentChange] = []
        self.spells: dict[UUID, Spell] = {}
        self.moves: list[Move] = []
        self.statuses: list[StatusChange] = []
        self.erased = False
        self.erased_on: datetime | None = None
        # A merge of duplicates: the survivor lists whom she absorbed, the absorbed names
        # her survivor. Both histories stay; undoing the merge clears both marks.
        self.absorbed: tuple[UUID, ...] = ()
        self.merged_into: UUID | None = None
        if collective_id is not None and joined_on is not None:
            self._add_membership(collective_id, joined_on)

    # --- profile -----------------------------------------------------------------------

    def update_profile(self, sealed_profile: bytes) -> None:
        self._require_not_erased()
        self._profile_updated(sealed_profile=check_sealed(sealed_profile, field="sealed_profile"))

    @event("ProfileUpdated")
    def _profile_updated(self, sealed_profile: bytes) -> None:
        self.profile = sealed_profile

    # --- membership --------------------------------------------------------------------

    def join_collective(self, collective_id: UUID, on: date) -> None:
        self._require_not_erased()
        collective_id = check_uuid(collective_id, field="collective_id")
        on = check_date(on, field="on")
        if collective_id in self.collectives:
            raise DomainError(
                "She is already a member of this collective.",
                field="collective_id",
                code="already_member",
            )
        last_left = max(
            (
                m.left_on
                for m in self.memberships
                if m.collective_id == collective_id and m.left_on is not None
            ),
            default=None,
        )
        if last_left is not None:
            check_not_before(on, last_left, field="on", what="the day she last left this collective")
        self._joined_collective(collective_id=collective_id, on=on)

    @event("JoinedCollective")
    def _joined_collective(self, collective_id: UUID, on: date) -> None:
        self._add_membership(collective_id, on)

    def leave_collective(self, collective_id: UUID, on: date) -> None:
        self._require_not_erased()
        collective_id = check_uuid(collective_id, field="collective_id")
        on = check_date(on, field="on")
        if collective_id not in self.collectives:
            raise DomainError(
                "She is not a member of this collective, so she cannot leave it.",
                field="collective_id",
                code="not_a_member",
            )
        check_not_before(
            on,
            self.collectives[collective_id],
            field="on",
            what="the day she joined",
        )
        self._left_collective(collective_id=collective_id, on=on)

    @event("LeftCollective")
    def _left_collective(self, collective_id: UUID, on: date) -> None:
        del self.collectives[collective_id]
        for i in range(len(self.memberships) - 1, -1, -1):
            m = self.memberships[i]
            if m.collective_id == collective_id and m.left_on is None:
                self.memberships[i] = replace(m, left_on=on)
                break

    def _add_membership(self, collective_id: UUID, on: date) -> None:
        self.collectives[collective_id] = on
        self.memberships.append(Membership(collective_id=collective_id, joined_on=on))

    # --- consent -----------------------------------------------------------------------

    def has_consent(self, purpose: str) -> bool:
        """Whether she currently consents to ``purpose``. An erased worker consents to
        nothing."""
        purpose = check_purpose(purpose)
        return not self.erased and purpose in self.consents

    def give_consent(self, purpose: str, on: datetime) -> None:
        self._require_not_erased()
        purpose = check_purpose(purpose)
        on = check_datetime(on, field="on")
        if purpose in self.consents:
            raise DomainError(
                "She has already given this consent.",
                field="purpose",
                code="already_given",
            )
        self._check_after_last_change(purpose, on)
        self._consent_given(purpose=purpose, on=on)

    @event("ConsentGiven")
    def _consent_given(self, purpose: str, on: datetime) -> None:
        self.consents[purpose] = on
        self.consent_history.append(ConsentChange(purpose=purpose, given=True, on=on))

    def withdraw_consent(self, purpose: str, on: datetime) -> None:
        self._require_not_erased()
        purpose = check_purpose(purpose)
        on = check_datetime(on, field="on")
        if purpose not in self.consents:
            raise DomainError(
                "She has not given this consent, so there is nothing to withdraw.",
                field="purpose",
                code="not_given",
            )
        self._check_after_last_change(purpose, on)
        self._consent_withdrawn(purpose=purpose, on=on)

    @event("ConsentWithdrawn")
    def _consent_withdrawn(self, purpose: str, on: datetime) -> None:
        del self.consents[purpose]
        self.consent_history.append(ConsentChange(purpose=purpose, given=False, on=on))

    def _check_after_last_change(self, purpose: str, on: datetime) -> None:
        # A consent's history must read forwards in time, or "withdrawal applies from
        # that moment on" would be ambiguous.
        for change in reversed(self.consent_history):
            if change.purpose == purpose:
                check_not_before(on, change.on, field="on", what="the last change to this consent")
                return

    # --- trajectory --------------------------------------------------------------------

    def start_spell(
        self,
        *,
        spell_id: UUID,
        sector: str,
        sealed_occupation: bytes,
        place: str,
        employer_id: UUID | None,
        relationship: str,
        paid: bool,
        started_on: date,
        taxonomy: Taxonomy,
    ) -> None:
        """The occupation ("cook for the Wong family") can name the household she lives
        in: it comes sealed under her key, like her profile (check it with
        :func:`check_occupation` before sealing)."""
        self._require_not_erased()
        spell_id = check_uuid(spell_id, field="spell_id")
        if spell_id in self.spells:
            raise DomainError(
                "A work spell with this identifier is already recorded.",
                field="spell_id",
                code="duplicate",
            )
        sector = taxonomy.require("sectors", sector, field="sector")
        relationship = taxonomy.require("relationships", relationship, field="relationship")
        paid = check_bool(paid, field="paid")
        if relationship == "unpaid" and paid:
            raise DomainError(
                "Unpaid (household or family) work cannot be marked as paid; mark the "
                "spell unpaid or choose another kind of relationship.",
                field="paid",
                code="inconsistent",
            )
        self._spell_started(
            spell_id=spell_id,
            sector=sector,
            sealed_occupation=check_sealed(sealed_occupation, field="occupation"),
            occupation=None,
            place=check_place(place, field="place"),
            employer_id=check_optional_uuid(employer_id, field="employer_id"),
            relationship=relationship,
            paid=paid,
            started_on=check_date(started_on, field="started_on"),
        )

    class SpellStarted(Aggregate.Event):
        """Version 2 seals the occupation (``sealed_occupation``). Version 1 events kept
        it in the clear (``occupation``); they read back with no sealed occupation."""

        class_version = 2
        spell_id: UUID
        sector: str
        sealed_occupation: bytes | None
        occupation: str | None
        place: str
        employer_id: UUID | None
        relationship: str
        paid: bool
        started_on: date

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["sealed_occupation"] = None

    @event(SpellStarted)
    def _spell_started(
        self,
        spell_id: UUID,
        sector: str,
        sealed_occupation: bytes | None,
        occupation: str | None,
        place: str,
        employer_id: UUID | None,
        relationship: str,
        paid: bool,
        started_on: date,
    ) -> None:
        self.spells[spell_id] = Spell(
            spell_id=spell_id,
            sector=sector,
            occupation=occupation,
            sealed_occupation=sealed_occupation,
            place=place,
            employer_id=employer_id,
            relationship=relationship,
            paid=paid,
            started_on=started_on,
        )

    def end_spell(self, spell_id: UUID, ended_on: date) -> None:
        self._require_not_erased()
        spell_id = check_uuid(spell_id, field="spell_id")
        ended_on = check_date(ended_on, field="ended_on")
        spell = self.spells.get(spell_id)
        if spell is None:
            raise DomainError(
                "There is no work spell with this identifier in her trajectory.",
                field="spell_id",
                code="unknown_spell",
            )
        if spell.ended_on is not None:
            raise DomainError(
                f"This work spell already ended on {spell.ended_on.isoformat()}.",
                field="spell_id",
                code="already_ended",
            )
        check_not_before(ended_on, spell.started_on, field="ended_on", what="the day the spell started")
        self._spell_ended(spell_id=spell_id, ended_on=ended_on)

    @event("SpellEnded")
    def _spell_ended(self, spell_id: UUID, ended_on: date) -> None:
        self.spells[spell_id] = replace(self.spells[spell_id], ended_on=ended_on)

    # -- corrections of a work spell, with the reason kept (a code) ------------------------

    def correct_spell(self, *, spell_id: UUID, sector: str, sealed_occupation: bytes | None,
                      place: str, started_on: date, ended_on: date | None, reason: str,
                      taxonomy: Taxonomy) -> None:
        """Her dates, sector, work (sealed under her key, or None to keep it) or place, as
        they should read; the end is not before the start."""
        self._require_not_erased()
        reason = check_reason(reason)
        spell = self._spell(spell_id)
        started_on = check_date(started_on, field="started_on")
        if ended_on is not None:
            ended_on = check_date(ended_on, field="ended_on")
            check_not_before(ended_on, started_on, field="ended_on",
                             what="the day the spell started")
        self._spell_corrected(
            spell_id=spell.spell_id, sector=taxonomy.require("sectors", sector, field="sector"),
            sealed_occupation=(None if sealed_occupation is None else
                               check_sealed(sealed_occupation, field="occupation")),
            place=check_place(place, field="place"), started_on=started_on, ended_on=ended_on,
            reason=reason)

    @event("SpellCorrected")
    def _spell_corrected(self, spell_id: UUID, sector: str, sealed_occupation: bytes | None,
                         place: str, started_on: date, ended_on: date | None,
                         reason: str) -> None:
        spell = self.spells[spell_id]
        self.spells[spell_id] = replace(
            spell, sector=sector, place=place, started_on=started_on, ended_on=ended_on,
            **({} if sealed_occupation is None else
               {"sealed_occupation": sealed_occupation, "occupation": None}))

    def withdraw_spell(self, spell_id: UUID, reason: str) -> None:
        """A spell recorded by mistake leaves her trajectory (its history keeps it)."""
        self._require_not_erased()
        reason = check_reason(reason)
        self._spell_withdrawn(spell_id=self._spell(spell_id).spell_id, reason=reason)

    @event("SpellWithdrawn")
    def _spell_withdrawn(self, spell_id: UUID, reason: str) -> None:
        self.spells.pop(spell_id, None)

    def _spell(self, spell_id: object) -> Spell:
        spell = self.spells.get(check_uuid(spell_id, field="spell_id"))
        if spell is None:
            raise DomainError("There is no work spell with this identifier in her trajectory.",
                              field="spell_id", code="unknown_spell")
        return spell

    def record_move(
        self,
        *,
        to_place: str,
        from_place: str | None,
        stage: str,
        moved_on: date,
        taxonomy: Taxonomy,
    ) -> None:
        self._require_not_erased()
        self._move_recorded(
            to_place=check_place(to_place, field="to_place"),
            from_place=check_optional_place(from_place, field="from_place"),
            stage=taxonomy.require("stages", stage, field="stage"),
            moved_on=check_date(moved_on, field="moved_on"),
        )

    @event("MoveRecorded")
    def _move_recorded(self, to_place: str, from_place: str | None, stage: str, moved_on: date) -> None:
        self.moves.append(Move(to_place=to_place, from_place=from_place, stage=stage, moved_on=moved_on))

    def change_status(self, sealed_status: bytes, on: date) -> None:
        """A change of status (say, documented to undocumented) is an event in time
        (DOMAIN.md, lesson 11); what the status is stays sealed."""
        self._require_not_erased()
        self._status_changed(
            sealed_status=check_sealed(sealed_status, field="sealed_status"),
            on=check_date(on, field="on"),
        )

    @event("StatusChanged")
    def _status_changed(self, sealed_status: bytes, on: date) -> None:
        self.statuses.append(StatusChange(on=on, sealed_status=sealed_status))

    # --- merging duplicates ------------------------------------------------------------

    def absorb(self, other_id: UUID) -> None:
        """She survives a merge with ``other_id``, a duplicate record of the same woman."""
        self._require_not_erased()
        self._require_unmerged()
        other_id = check_uuid(other_id, field="absorbed_id")
        if other_id == self.id or other_id in self.absorbed:
            raise DomainError("These two records are already one.", field="absorbed_id",
                              code="already_merged")
        self._absorbed(other_id=other_id)

    @event("Absorbed")
    def _absorbed(self, other_id: UUID) -> None:
        self.absorbed = (*self.absorbed, other_id)

    def merge_into(self, survivor_id: UUID) -> None:
        """Her record is a duplicate of ``survivor_id``'s: it stays, marked as merged."""
        self._require_not_erased()
        self._require_unmerged()
        if self.absorbed:
            raise DomainError("This record already absorbed another; merge into it instead.",
                              field="absorbed_id", code="already_merged")
        self._merged_into(survivor_id=check_uuid(survivor_id, field="survivor_id"))

    @event("MergedInto")
    def _merged_into(self, survivor_id: UUID) -> None:
        self.merged_into = survivor_id

    def undo_merge(self, other_id: UUID) -> None:
        """Undo a merge with ``other_id``, from either side. An erased record stays erased."""
        self._require_not_erased()
        if other_id != self.merged_into and other_id not in self.absorbed:
            raise DomainError("These two records were not merged.", field="absorbed_id",
                              code="not_merged")
        self._merge_undone(other_id=other_id)

    @event("MergeUndone")
    def _merge_undone(self, other_id: UUID) -> None:
        if self.merged_into == other_id:
            self.merged_into = None
        self.absorbed = tuple(i for i in self.absorbed if i != other_id)

    def _require_unmerged(self) -> None:
        if self.merged_into is not None:
            raise DomainError("This record was merged into another; use the other one.",
                              field="absorbed_id", code="merged")

    # --- erasure -----------------------------------------------------------------------

    # Class defaults: workers recorded before departures were sealed have none.
    sealed_departure: bytes | None = None  # the day she leaves, sealed under her key
    departure_on: date | None = None  # a version 1 event's day, kept in the clear

    def plan_departure(self, sealed_on: bytes | None) -> None:
        """The day she plans (or is made) to leave the country, sealed under her key by the
        application (``organize.application.workers``), or None when she stays. For a
        migrant worker it is often the binding deadline of every grievance she is party to,
        and exactly what an employer or the police would want: it is never in the clear."""
        self._require_not_erased()
        sealed_on = None if sealed_on is None else check_sealed(sealed_on, field="leaves_on")
        if sealed_on is None and self.sealed_departure is None and self.departure_on is None:
            raise DomainError("Nothing was changed.", code="nothing_changed")
        self._departure_planned(sealed_on=sealed_on, on=None)

    class DeparturePlanned(Aggregate.Event):
        """Version 2 seals the day (``sealed_on``, the ISO date under her key). Version 1
        events kept it in the clear (``on``); they read back with nothing sealed."""

        class_version = 2
        sealed_on: bytes | None
        on: date | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["sealed_on"] = None

    @event(DeparturePlanned)
    def _departure_planned(self, sealed_on: bytes | None, on: date | None) -> None:
        self.sealed_departure = sealed_on
        self.departure_on = on

    def erase(self, on: datetime) -> None:
        self._require_not_erased()
        self._erased(on=check_datetime(on, field="on"))

    @event("Erased")
    def _erased(self, on: datetime) -> None:
        # The application destroys her key too; dropping the sealed bytes here keeps
        # them out of snapshots and anything else built from this state.
        self.erased = True
        self.erased_on = on
        self.departure_on = None
        self.sealed_departure = None
        self.profile = None
        self.statuses = [StatusChange(on=s.on, sealed_status=None) for s in self.statuses]
        self.spells = {i: replace(s, occupation=None, sealed_occupation=None)
                       for i, s in self.spells.items()}
        # Consent ends with the record: nothing about her may be shared any more.
        self.consents = {}

    def _require_not_erased(self) -> None:
        if self.erased:
            raise DomainError(
                "This worker's record was erased; nothing more can be recorded for her.",
                code="erased",
            )
