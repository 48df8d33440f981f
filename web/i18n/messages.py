"""What a person is told when something is refused, in her language.

The domain and the application raise errors with a stable ``code`` and an English sentence
for developers and the API. Pages show the sentence for the *code* from this table instead,
translated, so every refusal reads in the leader's language. Sentences are short and plain,
say what to do next, and never echo what was typed (it could be a name or a number).

``FIELD_MESSAGES`` are for checks the form layer makes itself, before any command runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from web.i18n.catalogues import get_translations
from web.i18n.formatting import format_number
from web.i18n.locales import DEFAULT_LOCALE


def N_(message: str) -> str:  # noqa: N802 - the gettext convention, and extraction's keyword
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


FALLBACK_CODE = "invalid"

ERROR_MESSAGES: Mapping[str, str] = MappingProxyType({
    # -- the general ones
    "invalid": N_("This could not be saved. Please check it and try again."),
    "invalid_input": N_("Something in this form is not right. Please check it."),
    "not_found": N_("This was not found. It may have been removed."),
    "conflict": N_("Someone else changed this at the same time. Please reload and try again."),
    "unknown_time_zone": N_("Choose a time zone from the list."),
    "correction_reason": N_("Choose why you are correcting this."),
    "nothing_changed": N_("Nothing was changed. Change something, or leave it as it is."),
    "meeting_not_held": N_("This can only be corrected once the meeting is recorded as held."),
    "no_such_conflict": N_("This record has no such conflict to resolve. Reload the list."),
    "already_resolved": N_("This conflict was already resolved."),
    "stale_version": N_("Someone else changed this since you opened it. Please reload and try again."),
    "command_id_reused": N_("This form was already sent. Please open it again to do something new."),
    "unknown_command": N_("This action is not known."),
    "unavailable": N_("This page is not ready yet. Please try again in a minute."),
    "http_error": N_("This request could not be completed."),
    "internal": N_("Something went wrong on our side. Nothing was saved."),
    "database_unavailable": N_("The records cannot be reached just now. Nothing was saved. "
                               "Please try again in a minute."),
    "database_unavailable_kept": N_("The records could not be reached, so nothing was saved. "
                                    "Check what you typed and send it again in a minute."),
    "too_large": N_("This is too much to send at once. Please make it shorter."),
    "bad_taxonomy": N_("The list of choices is not set up correctly. Please tell your organiser."),
    # -- accounts and safety (used by the pages' sign-in and session checks)
    "login_failed": N_("The username or password is not right."),
    "throttled": N_("Too many tries. Please wait a few minutes and try again."),
    "session_expired": N_("You were logged out to keep you safe. Please log in again."),
    "unauthorized": N_("Please log in first."),
    "forbidden": N_("You cannot open this page."),
    "csrf": N_("This form is too old. Please open the page again and send it again."),
    "role": N_("Your account cannot do this."),
    "session_ended": N_("Your session ended, so nothing was saved. Log in again: what you "
                        "typed is kept."),
    "logged_in_again": N_("You are logged in again. Nothing was saved yet: check what you "
                          "typed and send it."),
    "form_too_old_kept": N_("This form was too old, so nothing was saved. Check what you "
                            "typed and send it again."),
    "scope": N_("This belongs to another group. Your account cannot open it."),
    "disabled": N_("This account is switched off. Please ask your organiser."),
    "weak_password": N_("This password is too short. Please choose a longer one."),
    "username_taken": N_("This username is already taken. Please choose another."),
    "invalid_username": N_("Use 3 to 40 small letters, numbers, dots, dashes or underscores."),
    "unknown_role": N_("Please choose one of the roles."),
    "not_scoped": N_("This role does not fit what was chosen with it. Please check."),
    "role_held": N_("This account already has another role. Remove it first."),
    "already_granted": N_("This account already has this role."),
    "not_held": N_("This account does not have this role."),
    # -- a value in a field
    "empty": N_("Please fill this in."),
    "too_long": N_("This is too long. Please make it shorter."),
    "too_many": N_("There are too many here. Please add the rest afterwards."),
    "duplicate": N_("This is already listed."),
    "out_of_range": N_("This number is not possible. Please check it."),
    "unknown_code": N_("Please choose one of the options."),
    "date_order": N_("These dates are in the wrong order. Please check them."),
    "incomplete": N_("Please give both the group and the date she joined, or neither."),
    "inconsistent": N_("Unpaid work cannot be marked as paid."),
    "invalid_purpose": N_("Please choose what the consent is for."),
    # -- workers and consent
    "erased": N_("This worker's record was erased. Nothing more can be added for her."),
    "already_member": N_("She is already a member of this group."),
    "not_a_member": N_("She is not a member of this group."),
    "already_given": N_("She has already given this consent."),
    "not_given": N_("She has not given this consent, so there is nothing to withdraw."),
    "no_consent": N_("She has not agreed to be referred to this organisation. Ask her first."),
    "unknown_spell": N_("This work period was not found."),
    "already_ended": N_("This work period has already ended."),
    # -- merging duplicate records, and imports
    "same": N_("Choose two different records."),
    "merge_other_collective": N_("Only two records in the same group can be merged."),
    "already_merged": N_("These two records are already one."),
    "merged": N_("This record was merged into another. Use the other one."),
    "not_merged": N_("These two records were not merged."),
    "alias": N_("This imported row points to another one. Change that one instead."),
    # -- grievances
    "already_party": N_("She is already part of this grievance."),
    "not_a_party": N_("She is not part of this grievance yet. She must join it first."),
    "not_allowed": N_("An amount can only be given with some outcomes. Please leave it empty."),
    "withdrawn": N_("This grievance was withdrawn. Open it again first."),
    "closed": N_("This is already closed. Nothing more can be added."),
    "already_open": N_("This grievance is already open."),
    # -- meetings
    "not_attendee": N_("Everyone who led or spoke must also be marked as present."),
    "already_held": N_("This meeting is already recorded as held."),
    "cancelled": N_("This meeting was cancelled. Please plan a new one."),
    # -- campaigns and alliances
    "already_joined": N_("This group is already part of the campaign."),
    "already_linked": N_("This grievance is already linked to the campaign."),
    "unknown_demand": N_("This demand was not found in the campaign."),
    "already_allied": N_("This group is already working with that organisation."),
    "not_allied": N_("This group is not working with that organisation now."),
    # -- joint campaigns: invitations
    "already_invited": N_("This group is already invited to the campaign."),
    "not_invited": N_("This group was not invited to this campaign."),
    "already_accepted": N_("Your group has already accepted this invitation."),
    "already_declined": N_("Your group has already declined this invitation. The answer stands."),
    "before_invitation": N_("This date is before the invitation was made. Please check it."),
    # -- bargaining
    "not_a_counterpart": N_("Choose an employer, an employers' association, an agency or a "
                            "labour office."),
    "no_mandate": N_("The members have not adopted a mandate yet. Record it first."),
    "before_mandate": N_("This date is before the members adopted the mandate. Please check it."),
    "no_tentative": N_("There is no tentative agreement to ratify yet."),
    "not_open": N_("This round is no longer at the table."),
    "not_ratified": N_("The members have not ratified this agreement yet."),
    "not_in_force": N_("This agreement is not in force."),
    "bargaining_closed": N_("Bargaining on this is over."),
    "unknown_clause": N_("This clause was not found in this round."),
    "more_votes_than_attendees": N_("There are more votes than people recorded at the meeting. "
                                    "Please check the counts."),
    "invalid_count": N_("Please give a whole number."),
    "expires_before_start": N_("The agreement must expire after it starts."),
    "clause_not_in_force": N_("That clause was not in force on the day this happened."),
    "other_collective": N_("This belongs to another group."),
    # -- research privacy budgets
    "over_budget": N_("There is not enough privacy budget left for this release."),
    "unchanged": N_("Nothing changed: it is already set this way."),
    # grievance money and deadlines
    "too_precise": N_("This amount has too many digits after the point. Please check it."),
    "mixed_currencies": N_("Amounts in different currencies cannot be added together."),
    "nothing_to_correct": N_("No such amount was recorded. Record it instead of correcting it."),
    "before_incident": N_("This date is before the day it happened. Please check it."),
    "no_such_step": N_("The procedure this grievance follows has no such step."),
    "already_taken": N_("This step was already taken."),
    "no_procedure": N_("This group has no grievance procedure yet. Set one up first."),
    "procedure_exists": N_("This procedure is already set up. Change it instead."),
    "no_previous_step": N_("The first step has no step before it. Count it from the day it "
                           "happened or from the day she learned of it."),
})

FIELD_MESSAGES: Mapping[str, str] = MappingProxyType({
    "required": N_("Please fill this in."),
    "too_long": N_("This is too long. Please use at most %(max)s characters."),
    "not_a_date": N_("Please give a date."),
    "not_a_number": N_("Please give a number."),
    "unknown_choice": N_("Please choose one of the options."),
    "too_early": N_("Choose a date after %(first)s."),
    "in_the_future": N_("Choose a date no later than today."),
    "too_far_ahead": N_("Choose a date within the next %(years)s years."),
})


def error_message(code: str | None, lang: str = DEFAULT_LOCALE) -> str:
    """The sentence for an error ``code`` in ``lang``; the general one for unknown codes."""
    english = ERROR_MESSAGES.get(code or FALLBACK_CODE, ERROR_MESSAGES[FALLBACK_CODE])
    return get_translations(lang).gettext(english)


def message_for(error: Any, lang: str = DEFAULT_LOCALE) -> str:
    """The sentence for a raised ``CommandError`` / ``DomainError`` (anything with ``code``)."""
    return error_message(getattr(error, "code", None), lang)


def field_message(kind: str, lang: str = DEFAULT_LOCALE, **params: Any) -> str:
    """A form field's message: ``required``, ``too_long`` (give ``max=``), ``not_a_date``,
    ``not_a_number`` or ``unknown_choice``. Numbers in ``params`` are localised."""
    english = FIELD_MESSAGES.get(kind, ERROR_MESSAGES[FALLBACK_CODE])
    text = get_translations(lang).gettext(english)
    if "%(" not in text:
        return text
    shown = {k: format_number(v, lang) if isinstance(v, int | float) else v for k, v in params.items()}
    return text % shown
