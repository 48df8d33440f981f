"""An existing store upgrades in place: campaigns' texts, self-assessments' narratives and
meetings' cancellation reasons recorded in the clear (version 1 events) are rewritten once,
sealed under their collective keys; a collective erased before the upgrade has its texts
dropped; erasure then reaches every one of them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import msgspec
import pytest
from eventsourcing.utils import get_topic

from organize import commands as c
from organize.application.reading import ERASED, assessment_view, campaign_view, meeting_view
from organize.domain import Assessment, Campaign, Meeting
from organize.erasure import erase_collective
from organize.migrations import (
    _unwrap,
    _wrap,
    seal_clear_campaign_texts,
    seal_clear_cancel_reasons,
    seal_clear_narratives,
)
from tests.integration import support as h

pytestmark = pytest.mark.integration
TOPICS = [
    Campaign.Launched,
    Campaign.DemandAdded,
    Campaign.AgreementSigned,
    Campaign.Closed,
    Meeting.Cancelled,
    Assessment.Recorded,
    Assessment.Revised,
]


def _states(app, originator_id) -> list[tuple[str, dict]]:
    table = app.recorder.events_table_name
    with app.recorder.datastore.transaction() as curs:
        curs.execute(
            f"SELECT topic, state FROM {table} WHERE originator_id = %s ORDER BY originator_version",
            (originator_id,),
        )
        return [
            (r["topic"], msgspec.json.decode(_unwrap(app.mapper, bytes(r["state"])))) for r in curs.fetchall()
        ]


def _as_version_1(app, originator_id, clear: dict[str, object]) -> None:
    """Store the aggregate's text events the way releases before sealing did: each sealed
    field dropped, the clear text (``clear`` by event name) in its place."""
    table = app.recorder.events_table_name
    with app.recorder.datastore.transaction(commit=True) as curs:
        curs.execute(
            f"SELECT originator_version, topic, state FROM {table} "
            "WHERE originator_id = %s AND topic = ANY(%s)",
            (originator_id, [get_topic(t) for t in TOPICS]),
        )
        for row in curs.fetchall():
            state = msgspec.json.decode(_unwrap(app.mapper, bytes(row["state"])))
            name = row["topic"].rsplit(".", 1)[1]
            del state["class_version"]
            for key in [k for k in state if k.startswith("sealed_") or k == "clause_count"]:
                del state[key]
            for demand in state.get("demands", []) + ([state["demand"]] if "demand" in state else []):
                demand.pop("sealed_text", None)
            text = clear[name]
            if name == "Launched":
                state["issue"] = text[0]
                for demand, said in zip(state["demands"], text[1:], strict=True):
                    demand["text"] = said
            elif name == "DemandAdded":
                state["demand"]["text"] = text
            else:
                state[
                    {"AgreementSigned": "clauses", "Closed": "summary", "Cancelled": "reason"}.get(
                        name, "narrative"
                    )
                ] = text
            curs.execute(
                f"UPDATE {table} SET state = %s WHERE originator_id = %s AND originator_version = %s",
                (_wrap(app.mapper, msgspec.json.encode(state)), originator_id, row["originator_version"]),
            )
        curs.execute(
            "DELETE FROM organize_migrations WHERE name LIKE 'seal_campaign_texts:%%' "
            "OR name LIKE 'seal_narratives:%%' OR name = 'seal_cancel_reasons'"
        )


def _history(app, tag: str):
    collective = app.execute(h.create_collective()).id
    employer = app.execute(h.create_organisation(name=f"Employer {tag}", kind="employer")).id
    campaign = app.execute(
        c.LaunchCampaign(
            command_id=h.cid(),
            issue="placeholder",
            demands=("placeholder",),
            collective_ids=(collective,),
            launched_on=date(2025, 6, 4),
        )
    ).id
    app.execute(c.AddDemand(command_id=h.cid(), campaign_id=campaign, text="placeholder"))
    app.execute(
        c.SignAgreement(
            command_id=h.cid(),
            campaign_id=campaign,
            with_organisation_id=employer,
            signed_on=date(2025, 6, 5),
            clauses=("placeholder",),
        )
    )
    app.execute(
        c.CloseCampaign(command_id=h.cid(), campaign_id=campaign, on=date(2025, 6, 6), summary="placeholder")
    )
    meeting = app.execute(
        c.ScheduleMeeting(
            command_id=h.cid(),
            kind="assembly",
            collective_ids=(collective,),
            scheduled_for=datetime(2025, 6, 3, tzinfo=UTC),
            language="en",
        )
    ).id
    app.execute(c.CancelMeeting(command_id=h.cid(), meeting_id=meeting, reason="placeholder"))
    level = (c.Level(dimension="leadership", level=2),)
    assessment = app.execute(
        c.RecordAssessment(
            command_id=h.cid(),
            collective_id=collective,
            assessed_on=date(2025, 6, 7),
            levels=level,
            narrative="placeholder",
        )
    ).id
    app.execute(
        c.ReviseAssessment(
            command_id=h.cid(),
            assessment_id=assessment,
            expected_version=1,
            levels=level,
            narrative="placeholder",
        )
    )
    _as_version_1(
        app,
        campaign,
        {
            "Launched": [f"Wong household {tag}", f"Sundays off {tag}"],
            "DemandAdded": f"Own room {tag}",
            "AgreementSigned": [f"Clause for Mrs Wong {tag}"],
            "Closed": f"Summary naming Mei {tag}",
        },
    )
    _as_version_1(app, meeting, {"Cancelled": f"Police at Mrs Chan's {tag}"})
    _as_version_1(app, assessment, {"Recorded": f"Mei leads {tag}", "Revised": f"Mei and Lin lead {tag}"})
    return collective, campaign, meeting, assessment


def _upgrade(app) -> int:
    return seal_clear_campaign_texts(app) + seal_clear_cancel_reasons(app) + seal_clear_narratives(app)


def test_clear_collective_texts_are_sealed_in_place_and_erasure_reaches_them(app):
    tag = uuid.uuid4().hex[:8]
    collective, campaign, meeting, assessment = _history(app, tag)
    gone, gone_campaign, gone_meeting, gone_assessment = _history(app, tag + "x")
    # An older release's events still read (upcast): the texts are in the clear.
    old = campaign_view(app, app.get(Campaign, campaign))
    assert old.issue == f"Wong household {tag}" and old.summary == f"Summary naming Mei {tag}"
    assert tag.encode() in msgspec.json.encode(_states(app, campaign))
    erase_collective(app, gone)  # erased before upgrading: its texts are dropped

    assert _upgrade(app) >= 2 * 7
    assert _upgrade(app) == 0  # once
    for subject in (campaign, meeting, assessment, gone_campaign, gone_meeting, gone_assessment):
        states = _states(app, subject)
        assert tag not in msgspec.json.encode(states).decode(), subject
        assert all(s.get("class_version") == 2 for t, s in states if t in {get_topic(x) for x in TOPICS})
    view = campaign_view(app, app.get(Campaign, campaign))
    assert view.issue == f"Wong household {tag}"
    assert [d.text for d in view.demands] == [f"Sundays off {tag}", f"Own room {tag}"]
    assert view.agreements[0].clauses == (f"Clause for Mrs Wong {tag}",)
    assert view.summary == f"Summary naming Mei {tag}"
    assert meeting_view(app, app.get(Meeting, meeting)).cancel_reason == f"Police at Mrs Chan's {tag}"
    assert assessment_view(app, app.get(Assessment, assessment)).narrative == f"Mei and Lin lead {tag}"
    dropped = campaign_view(app, app.get(Campaign, gone_campaign))
    assert dropped.issue == "" and dropped.summary is None  # nothing left to open

    erase_collective(app, collective)
    view = campaign_view(app, app.get(Campaign, campaign))
    assert view.issue == ERASED and {d.text for d in view.demands} == {ERASED}
    assert view.agreements[0].clauses == (ERASED,) and view.summary == ERASED
    assert meeting_view(app, app.get(Meeting, meeting)).cancel_reason == ERASED
    assert assessment_view(app, app.get(Assessment, assessment)).narrative == ERASED
