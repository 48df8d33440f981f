"""Words the leaders' pages share, translated ahead of the pages themselves.

Templates use them as ordinary literals, ``{{ _("Save") }}``: the msgid is the English text,
so a page that uses one of these gets Nepali, Bengali and Arabic at once. Marking them here
keeps them in the catalogues even while no template uses them yet.

Wording rules (DOMAIN.md): a person is a worker (never a "victim", never a "runaway");
counts of people are never a score; sentences are short.
"""

from __future__ import annotations

from web.i18n.messages import N_

ACTIONS = (
    N_("Save"), N_("Cancel"), N_("Back"), N_("Next"), N_("Add"), N_("Change"), N_("Remove"),
    N_("Confirm"), N_("Search"), N_("Done"), N_("Yes"), N_("No"), N_("Show more"),
    N_("Log out"), N_("Try again"), N_("Reload"),
)

PAGES = (
    N_("Our collective"), N_("Record a grievance"), N_("Grievance"), N_("Meeting"),
    N_("Campaign"), N_("Worker"), N_("Self-assessment"), N_("Account"),
)

GRIEVANCE = (
    N_("Who"), N_("What"), N_("Where and when"), N_("Consent"),
    N_("Step %(step)s of %(total)s"),
    N_("Add a new worker"), N_("Pseudonym"), N_("Category"), N_("Place"), N_("Date"),
    N_("Stage"), N_("Sector"), N_("Organisations involved"), N_("What happened"),
    N_("Join"), N_("Refer"), N_("Escalate"), N_("Record a negotiation"), N_("Record the outcome"),
    N_("Report retaliation"), N_("Withdraw"), N_("Reopen"), N_("What happened so far"),
    N_("Amount"), N_("Currency"), N_("Outcome"), N_("Open"), N_("Closed"),
)

CONSENT = (
    N_("She agrees to be contacted."),
    N_("She agrees to be referred to this organisation."),
    N_("She agrees that her case is counted in research, without her name."),
    N_("Give consent"), N_("Withdraw consent"),
    N_("Ask her first. She can say no, and she can change her mind later."),
)

MEETINGS = (
    N_("Plan a meeting"), N_("Take attendance"), N_("Present"), N_("Led by"), N_("Who spoke"),
    N_("Decisions"), N_("Agenda"), N_("Kind of meeting"), N_("Time"), N_("Upcoming meetings"),
    N_("Mark as held"),
)

CAMPAIGNS = (
    N_("Demands"), N_("Actions"), N_("Taking part"), N_("Results"), N_("Agreement"),
    N_("Live campaigns"), N_("Start a campaign"),
)

WORKERS = (
    N_("Her work over time"), N_("Work period"), N_("Paid"), N_("Unpaid"), N_("Until now"),
    N_("Erase this worker"),
    N_("This cannot be undone. Her personal details will be destroyed for good."),
)

HOME = (
    N_("How strong we are"), N_("Level"), N_("Trend"), N_("Why"), N_("Our own view"),
    N_("Recent grievances"), N_("Nothing here yet."),
    N_("Where our view and the records differ, talk about why."),
    N_("Few reports do not mean little abuse."),
)

STATUS = (
    N_("Saved."), N_("Still updating. Reload in a moment."),
    N_("Someone else changed this while you were working on it. Here is what changed:"),
)
