"""The demo's meetings: scheduled, held (attendance, facilitators, decisions) or
cancelled, so organising grows in some collectives and stalls in others."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from organize import commands as c
from organize.application import new_id
from organize.demo.material import SPECS
from organize.demo.state import PlannedWorker, in_days, in_minutes, month_after, nth_weekday

DECISIONS: dict[str, tuple[str, ...]] = {
    "assembly": (
        "Collect payslips and contracts from everyone affected before the next meeting.",
        "Take the unpaid-wage cases to the labour office together, not one by one.",
        "Set up a phone tree for members who cannot come on the day off.",
        "Two members go with anyone facing a counter-charge to every hearing.",
        "Start a savings circle to cover transport to hearings.",
        "Invite the shelter to talk about safety at the next assembly.",
        "Join the petition and collect signatures at the park.",
        "Share only first names in the group chat.",
        "Welcome new members in their own language at the start of each assembly.",
        "Visit members in the new hostel block before the next assembly.",
    ),
    "committee": (
        "Rotate the facilitator at every meeting.",
        "Two new members shadow the committee this quarter.",
        "Prepare the letter of demands for the employer meeting.",
        "Review the open grievances and give each one a buddy.",
        "Keep meeting notes off phones; one paper copy stays at the centre.",
        "Ask the alliance partner for a lawyer for the tribunal case.",
    ),
    "training": (
        "Repeat the negotiation role-play next month.",
        "Each participant explains the wage rules to two co-workers.",
        "Translate the rights leaflet into two more languages.",
    ),
    "negotiation": (
        "Accept the payment schedule if the first instalment arrives within 14 days.",
        "Reject the offer and return with the full list of arrears.",
        "Put every point agreed in writing, signed by both sides.",
    ),
    "cross_sector": (
        "Hold a joint action on passports with factory and seafood workers.",
        "Share the list of recruiters with complaints across all collectives.",
        "Put maternity protection forward as a common demand across sectors.",
        "Exchange trainers: garment organisers visit the domestic workers' assembly.",
    ),
    "one_to_one": ("Follow up on her claim next week.", "Introduce her to the legal clinic."),
}
CANCEL_REASONS = (
    "Police checks near the meeting place; postponed for safety.",
    "Typhoon signal; members told to stay home.",
    "The venue was not available.",
    "Too few members could get the day off.",
    "Curfew in the area.",
)


class MeetingSteps:
    """The builder's steps for meetings (mixed into ``organize.demo.builder.Builder``)."""

    # -- meetings -------------------------------------------------------------------------------

    def make_meetings(self) -> None:
        rng = self.rng
        planned: list[tuple[date, int, str, tuple[str, ...], object]] = []
        n = 0
        for s in SPECS:
            for m in range(self.months):
                first = month_after(self.start, m)
                kinds = ["assembly"]
                if (s.key == "hk" and m >= 1) or (s.key == "dhaka" and m >= 2) or (
                        s.key == "kl" and m % 2 == 0) or (
                        s.key == "skn" and m >= 9 and m % 2 == 1):
                    kinds.append("committee")
                if (s.key == "hk" and m % 3 == 1) or (s.key == "dhaka" and m % 4 == 2) or (
                        s.key == "kl" and m % 4 == 1) or (s.key == "ktm" and m % 6 == 3) or (
                        s.key == "bey" and m in (2, 8)) or (s.key == "skn" and m % 6 == 4):
                    kinds.append("training")
                for kind in kinds:
                    nth = {"assembly": 1, "training": 2, "committee": 3}[kind]
                    day = nth_weekday(first, s.weekday, nth)
                    if day <= self.end:
                        n += 1
                        planned.append((day, n, kind, (s.key,), None))
            if s.key in ("hk", "kl"):
                for m in rng.sample(range(2, self.months), min(5, max(0, self.months - 2))):
                    day = nth_weekday(month_after(self.start, m), s.weekday, 2) + in_days(1)
                    if day <= self.end:
                        n += 1
                        planned.append((day, n, "one_to_one", (s.key,), None))
        cross = (("hk", "kl", "dhaka"), ("kl", "skn", "ktm"), ("hk", "ktm", "bey"),
                 ("dhaka", "kl", "skn"), ("hk", "kl", "skn", "dhaka"), ("ktm", "kl", "hk"),
                 ("kl", "dhaka", "skn", "bey"))
        for i, keys in enumerate(cross):
            day = nth_weekday(month_after(self.start, 3 * (i + 1)), 6, 4)
            if day <= self.end:
                n += 1
                planned.append((day, n, "cross_sector", keys, None))
        for when, camp, participants, key in self.negotiations:
            n += 1
            planned.append((when, n, "negotiation", (key,), (camp, participants)))
        planned.sort(key=lambda p: (p[0], p[1]))
        for day, _n, kind, keys, extra in planned:
            self.meeting(day, kind, keys, extra)
        self.counts["meetings"] = len(planned)

    def meeting(self, day: date, kind: str, keys: tuple[str, ...], extra) -> None:
        rng = self.rng
        s = self.specs[keys[0]]
        scheduled_for = self.at(s.key, day, s.hour)
        booked = max(self.start, day - in_days(rng.randint(5, 12)))
        language = "en" if kind == "cross_sector" else (
            s.languages[0] if len(s.languages) == 1 or rng.random() < 0.7
            else rng.choice(s.languages))
        agenda_g: tuple[UUID, ...] = ()
        agenda_c: tuple[UUID, ...] = ()
        if kind in ("assembly", "committee"):
            recent = [g for g in self.grievances
                      if g.key == s.key and booked - in_days(60) <= g.raised <= booked]
            agenda_g = tuple(g.id for g in rng.sample(recent, min(len(recent), rng.randint(0, 3))))
        active = [camp for camp in self.campaigns.values()
                  if any(k in keys and since <= booked for k, since in camp.keys)
                  and camp.launched <= booked and (camp.closed is None or camp.closed > day)]
        if extra is not None:
            agenda_c = (extra[0].id,)
        elif active and kind in ("assembly", "committee", "cross_sector"):
            agenda_c = tuple(camp.id for camp in active[:2])
        cmd = self.emit(booked, c.ScheduleMeeting, kind=kind,
                        collective_ids=tuple(self.collectives[k] for k in keys),
                        scheduled_for=scheduled_for, language=language,
                        agenda_grievance_ids=agenda_g, agenda_campaign_ids=agenda_c)
        meeting_id = new_id(cmd.command_id, "meeting")
        frac = self.frac(day)
        cancel = 0.25 if s.trend == "stalling" and frac > 0.45 else 0.03
        if kind not in ("negotiation", "one_to_one") and rng.random() < cancel:
            self.emit(max(booked, day - in_days(rng.randint(0, 3))), c.CancelMeeting,
                      meeting_id=meeting_id, reason=rng.choice(CANCEL_REASONS))
            return
        for key in keys:
            self.grow_leaders(key, day)
        attendees, facilitators = self.attendance(day, kind, keys, extra)
        if not attendees:
            self.emit(max(booked, day - in_days(1)), c.CancelMeeting, meeting_id=meeting_id,
                      reason="Too few members could get the day off.")
            return
        for w in attendees:
            w.attended += 1
        for f in facilitators:
            self.last_facilitated[id(f)] = day
        pool = [w for w in attendees if w not in facilitators]
        speakers = list(facilitators[:1])
        if s.trend == "stalling":
            speakers += rng.sample(pool, min(len(pool), rng.randint(0, 1)))
        else:
            speakers += rng.sample(pool, min(len(pool), rng.randint(1, 4)))
        most = 1 if s.trend == "stalling" and frac > 0.4 else 3
        decisions = tuple(rng.sample(DECISIONS[kind], min(len(DECISIONS[kind]),
                                                          rng.randint(0, most))))
        if kind in ("assembly", "negotiation", "cross_sector") and not decisions and most > 1:
            decisions = (rng.choice(DECISIONS[kind]),)
        self.emit(day, c.RecordMeetingHeld, meeting_id=meeting_id,
                  held_at=scheduled_for + in_minutes(rng.choice((0, 10, 20, 30))),
                  attendee_ids=tuple(w.id for w in attendees),
                  facilitator_ids=tuple(w.id for w in facilitators),
                  speaker_ids=tuple(w.id for w in speakers), language=language,
                  decisions=decisions)

    def grow_leaders(self, key: str, day: date) -> None:
        """New facilitators emerge over time where organising grows."""
        s = self.specs[key]
        month = (day.year - self.start.year) * 12 + day.month - self.start.month
        due = sum(1 for m in s.new_leader_months if m <= month)
        while len(self.leaders[key]) < s.leaders0 + due:
            candidates = [w for w in self.members(key, day)
                          if not w.leader and w.stays and w.home == key and w.attended >= 2]
            if not candidates:
                return
            candidates.sort(key=lambda w: (-w.attended - self.rng.random() * 3, w.founder))
            new = candidates[0]
            new.leader, new.attend = True, max(new.attend, 0.85)
            self.leaders[key].append(new)

    def attendance(self, day: date, kind: str, keys: tuple[str, ...],
                   extra) -> tuple[list[PlannedWorker], list[PlannedWorker]]:
        rng = self.rng
        frac = self.frac(day)
        attendees: list[PlannedWorker] = []
        leaders: list[PlannedWorker] = []
        for key in keys:
            s = self.specs[key]
            members = self.members(key, day)
            here = [w for w in self.leaders[key] if w in members]
            leaders += here
            factor = {"growing": 0.8 + 0.35 * frac, "emerging": 0.55 + 0.6 * frac,
                      "steady": 0.9, "stalling": 1.1 - 0.85 * frac}[s.trend]
            if kind == "negotiation":
                chosen = [w for w in extra[1] if w.member(key, day)][:6]
                chosen += [w for w in here[:2] if w not in chosen]
            elif kind == "one_to_one":
                chosen = rng.sample(members, 1) if members else []
            elif kind == "cross_sector":
                chosen = here[:3] + [w for w in members if not w.leader
                                     and len({x.sector for x in w.spells if x.paid}) > 1
                                     and rng.random() < 0.3][:4]
            elif kind == "committee":
                chosen = [w for w in members
                          if (w.leader and rng.random() < 0.92)
                          or (not w.leader and w.attend >= 0.8 and rng.random() < 0.6 * factor)]
            elif kind == "training":
                chosen = [w for w in members
                          if rng.random() < 0.5 * w.attend * factor
                          + (0.35 if (day - w.reg).days < 120 else 0)]
            else:
                chosen = [w for w in members if rng.random() < w.attend * factor]
            attendees += [w for w in chosen if w not in attendees]
        s = self.specs[keys[0]]
        if s.trend == "stalling" and kind != "cross_sector":
            facilitators = leaders[:1]
        else:
            order = sorted(leaders, key=lambda w: (self.last_facilitated.get(id(w), date.min),
                                                   rng.random()))
            k = 2 if kind == "assembly" and rng.random() < 0.5 else 1
            if kind == "cross_sector":
                k = min(3, len(keys))
            facilitators = order[:k]
        if kind == "one_to_one":
            facilitators = facilitators[:1]
        for f in facilitators:
            if f not in attendees:
                attendees.insert(0, f)
        if attendees and not facilitators:
            facilitators = attendees[:1]
        return attendees[:500], facilitators
