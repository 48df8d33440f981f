"""The demo's bargaining: one complete round in each federation, from the members' mandate
to a grievance that cites a breached clause of the agreement in force.

Kowloon's union branch bargains with a placement agency over a standard contract, Ashulia's
garment collective with the factories' employers' association, Mahachai's seafood collective
with a processor. Each
round: an assembly adopts the demands, three clauses are tabled, two sessions with the
other side (proposals and counter-proposals per clause), a tentative agreement, an assembly
that ratifies it by counts, the agreement in force, and, months later, a grievance that
says one of its clauses was broken.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from organize import commands as c
from organize.application import new_id
from organize.demo.state import in_days

# An employers' association (made up), recorded for the Ashulia round: the demo's only one.
ASSOCIATION = "ashulia_association"
ASSOCIATION_NAME = "Ashulia Garment Manufacturers' Association"

# collective key, counterpart key, first day (the mandate assembly), sector, place,
# the clauses tabled (the first is the one later breached), and what the other side said.
# The first clause is about money: what each side offered on it (exact, in its currency).
OFFERS = {"hk": ("HKD", "5200", "4990.50"), "dhaka": ("BDT", "12500", "11800"),
          "skn": ("THB", "11000", "10450")}
STORIES = (
    ("hk", "lion_gate", date(2025, 9, 14), "domestic_care", "HK-KLN",
     ("Wages paid in full by the 7th of each month, into the worker's own account.",
      "One full rest day every week, outside the employer's home.",
      "The agency returns every passport on the day of arrival."),
     "The agency says wages are the employer's business, not theirs."),
    ("dhaka", ASSOCIATION, date(2025, 10, 5), "garment", "BD-DHA",
     ("Overtime paid at double the hourly rate, shown on the payslip.",
      "A crèche on site for children under six.",
      "No dismissal without a hearing with a worker representative present."),
     "Management offers time and a half, and a crèche next year."),
    ("skn", "siam_ocean", date(2025, 11, 2), "fishing", "TH-SKN",
     ("Workers keep their own passports and work permits.",
      "Wages paid monthly in cash or to an account of the worker's choosing.",
      "A signed contract in Burmese for every worker."),
     "The company says the broker keeps the documents, not the company."),
)



class BargainingSteps:
    """The builder's steps for bargaining (mixed into ``organize.demo.builder.Builder``)."""

    def make_bargaining(self) -> None:
        cmd = self.emit(self.start, c.CreateOrganisation, name=ASSOCIATION_NAME,
                        kind="employers_association", place="BD-DHA",
                        collective_id=self.collectives["dhaka"])
        self.orgs[ASSOCIATION] = new_id(cmd.command_id, "organisation")
        self.counts["organisations"] += 1
        for key, counterpart, first, sector, place, clauses, answer in STORIES:
            if first + in_days(240) > self.end:
                continue
            self.bargaining_story(key, self.orgs[counterpart], first, sector, place, clauses,
                                  answer)
            self.counts["bargaining_rounds"] += 1

    def _assembly(self, key: str, day: date, size: int) -> tuple[object, tuple]:
        """A held assembly of ``size`` members (leaders first): its id and its attendees."""
        s = self.specs[key]
        members = [w for w in self.members(key, day) if w.id is not None]
        leaders = [w for w in self.leaders[key] if w in members]
        attendees = tuple(dict.fromkeys(w.id for w in leaders + members))[:size]
        held_at = self.at(key, day, s.hour)
        cmd = self.emit(day - in_days(7), c.ScheduleMeeting, kind="assembly",
                        collective_ids=(self.collectives[key],), scheduled_for=held_at,
                        language=s.languages[0])
        meeting = new_id(cmd.command_id, "meeting")
        self.emit(day, c.RecordMeetingHeld, meeting_id=meeting, held_at=held_at,
                  attendee_ids=attendees, facilitator_ids=attendees[:1], language=s.languages[0])
        self.counts["meetings"] += 1
        return meeting, attendees

    def bargaining_story(self, key, counterpart, first, sector, place, clauses, answer) -> None:
        collective = self.collectives[key]
        mandate_meeting, present = self._assembly(key, first, 20)
        opened = self.emit(first - in_days(10), c.OpenBargaining, collective_id=collective,
                           counterpart_id=counterpart, team_ids=present[:3],
                           opened_on=first - in_days(10))
        round_id = new_id(opened.command_id, "bargaining")
        self.emit(first, c.AdoptMandate, bargaining_id=round_id, meeting_id=mandate_meeting,
                  demands=clauses)
        clause_ids = []
        for wording in clauses:
            cmd = self.emit(first + in_days(3), c.TableClause, bargaining_id=round_id,
                            wording=wording, on=first + in_days(3))
            clause_ids.append(new_id(cmd.command_id, "clause"))
        for n, day in enumerate((first + in_days(12), first + in_days(26))):
            self.emit(day, c.RecordBargainingSession, bargaining_id=round_id, held_on=day,
                      our_attendee_ids=present[:3], their_attendees=("Operations manager",
                                                                     "Company lawyer"),
                      notes=(c.ClauseNote(clause_id=clause_ids[n], note=answer),))
            currency, ours, theirs = OFFERS[key]
            money = {} if n else {"currency": currency}
            self.emit(day, c.ProposeClause, bargaining_id=round_id, clause_id=clause_ids[n],
                      side="theirs", text=answer, on=day,
                      **({"amount": Decimal(theirs), **money} if money else {}))
            self.emit(day, c.ProposeClause, bargaining_id=round_id, clause_id=clause_ids[n],
                      side="ours", text=clauses[n], on=day,
                      **({"amount": Decimal(ours), **money} if money else {}))
        self.emit(first + in_days(40), c.ReachTentativeAgreement, bargaining_id=round_id,
                  clause_ids=tuple(clause_ids), on=first + in_days(40))
        vote_meeting, voters = self._assembly(key, first + in_days(49), 40)
        against, abstaining = min(2, len(voters) // 4), min(1, len(voters) // 5)
        self.emit(first + in_days(49), c.RatifyAgreement, bargaining_id=round_id,
                  meeting_id=vote_meeting, votes_for=len(voters) - against - abstaining,
                  against=against, abstaining=abstaining, rule="simple_majority")
        starts = first + in_days(60)
        self.emit(starts, c.BringAgreementIntoForce, bargaining_id=round_id, starts_on=starts,
                  expires_on=date(2026, 12, 31))
        # Months later a member says the first clause was broken.
        incident = starts + in_days(150)
        workers = tuple(w.id for w in self.members(key, incident) if w.id is not None)[:1]
        if not workers:
            return
        raised = self.emit(incident + in_days(4), c.RaiseGrievance, collective_id=collective,
                           worker_ids=workers, category="wages_unpaid_late", sector=sector,
                           place=place, stage="destination", organisation_ids=(counterpart,),
                           occurred_on=incident,
                           description="The agreement's first clause was not kept this month.")
        self.counts["grievances"] += 1
        self.emit(incident + in_days(5), c.CiteBreach,
                  grievance_id=new_id(raised.command_id, "grievance"), bargaining_id=round_id,
                  clause_id=clause_ids[0])
