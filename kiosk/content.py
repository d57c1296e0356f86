"""What each screen says, in words: one source for the text shown and the text spoken.

Everything spoken is also shown and everything shown can be spoken, so screens
display these lines and speech reads the same lines.  The differences are for the
ear only: the ticket number is spoken as the server's ``spoken_number`` ("А 12"
rather than "А012"), and a line with an abbreviation («чел.», «мин.») has a
spoken twin in the catalogue (``*_spoken``, with the right plural form).

Speech is kept short: a screen says its title and lines; the long part (the
names of all the tiles) is in ``details``, read on request (the keypad's «+»).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kiosk.flow import Flow, PrintState, Step
from kiosk.i18n import pick, plural, tr
from kiosk.office import office_now


@dataclass(frozen=True)
class ScreenText:
    title: str
    lines: tuple[str, ...] = ()
    number: str = ""
    spoken_number: str = ""
    spoken_lines: tuple[str, ...] = field(default=())
    """The lines as said aloud (abbreviations written out); empty: the lines as shown."""
    details: tuple[str, ...] = field(default=())
    """Read only on request: the names of the choices on screen (they are shown on tiles)."""

    @property
    def shown(self) -> list[str]:
        return [text for text in (self.title, self.number, *self.lines) if text]

    @property
    def spoken(self) -> str:
        parts = [self.title, self.spoken_number or self.number, *(self.spoken_lines or self.lines)]
        return " ".join(_sentence(part) for part in parts if part)

    @property
    def spoken_details(self) -> str:
        """The screen with its details: what the keypad's «+» reads."""
        return " ".join([self.spoken, *(_sentence(part) for part in self.details if part)])


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?…:" else text + "."


def screen_text(flow: Flow) -> ScreenText:
    language = flow.language
    step = flow.step
    if step is Step.START:
        return ScreenText(tr("welcome_title", language), (tr("welcome_body", language),))
    if step is Step.SITUATION:
        names = ()
        if flow.office is not None:
            choices = [*flow.office.tiles, *filter(None, [flow.office.help_situation])]
            names = tuple(pick(situation.name, language) for situation in choices)
        return ScreenText(
            tr("situation_title", language), (tr("situation_body", language),), details=names
        )
    if step is Step.PRIORITY:
        return ScreenText(tr("priority_title", language), (tr("priority_body", language),))
    if step is Step.CONFIRM:
        situation = flow.situation
        name = pick(situation.name, language) if situation else ""
        answer = "confirm_priority_yes" if flow.priority else "confirm_priority_no"
        lines = [tr("confirm_situation", language, name=name)]
        if flow.asks_priority:
            lines.append(tr(answer, language))
        return ScreenText(tr("confirm_title", language), tuple(lines))
    if step is Step.ISSUING:
        return ScreenText(tr("issuing_title", language), (tr("issuing_body", language),))
    if step is Step.TICKET:
        return _ticket_text(flow)
    if step is Step.APPOINTMENT:
        code_line = (
            tr("appointment_code", language, code=" ".join(flow.code))
            if flow.code
            else tr("appointment_empty", language)
        )
        lines = [tr("appointment_body", language), code_line]
        if flow.message_key:
            lines.append(tr(flow.message_key, language, **flow.message_values))
        return ScreenText(tr("appointment_title", language), tuple(lines))
    if step is Step.CLOSED:
        lines = [tr("closed_body", language)]
        if flow.opens_at:
            lines.insert(0, opening_line(flow, flow.opens_at))
        return ScreenText(tr("closed_title", language), tuple(lines))
    if step is Step.PHONE:
        typed = (tr("phone_typed", language, phone=spaced_phone(flow.phone)) if flow.phone
                 else tr("phone_empty", language))
        return ScreenText(tr("phone_title", language),
                          (tr("phone_body", language), tr("phone_consent", language), typed))
    if step is Step.CHECKING_IN:
        return ScreenText(tr("checking_in_title", language), (tr("issuing_body", language),))
    if step is Step.HELP_SENDING:
        return ScreenText(tr("help_sending_title", language), (tr("issuing_body", language),))
    if step is Step.HELP_COMING:
        return ScreenText(tr("help_coming_title", language), (tr("help_coming_body", language),))
    return ScreenText(
        tr("unavailable_title", language),
        (tr("unavailable_body", language), tr("unavailable_recovering", language)),
    )


WEEKDAYS = ("closed_on_monday", "closed_on_tuesday", "closed_on_wednesday",
            "closed_on_thursday", "closed_on_friday", "closed_on_saturday", "closed_on_sunday")
"""«on Monday» … «on Sunday», as the closed screen says the day the office opens."""


def opening_line(flow: Flow, opens_at: str) -> str:
    """«Opens today at 08:00» / tomorrow / on Monday 11.01, in the office's own time."""
    language = flow.language
    try:
        opens = datetime.fromisoformat(opens_at)
    except ValueError:
        return ""
    today = office_now(flow.office).date()
    if opens.date() == today:
        day = tr("closed_day_today", language)
    elif opens.date() == today + timedelta(days=1):
        day = tr("closed_day_tomorrow", language)
    else:
        day = tr("closed_day_on", language, weekday=tr(WEEKDAYS[opens.weekday()], language),
                 date=opens.strftime("%d.%m"))
    return tr("closed_opens", language, day=day, time=opens.strftime("%H:%M"))


def spaced_phone(digits: str) -> str:
    """912 345 67 89 as typed, in the groups a Russian number is read in."""
    groups, rest = [], digits
    if len(rest) == 11:
        groups, rest = [rest[0]], rest[1:]
    for size in (3, 3, 2, 2):
        if rest:
            groups.append(rest[:size])
            rest = rest[size:]
    return " ".join(groups + ([rest] if rest else []))


PRINT_NOTES = {
    PrintState.PRINTING: "ticket_printing",
    PrintState.PRINTED: "ticket_printed",
    PrintState.FAILED: "ticket_not_printed",
    PrintState.NO_PRINTER: "ticket_no_printer",
}


def destination_of(flow: Flow) -> str:
    ticket = flow.ticket or {}
    if flow.office is None:
        return ""
    return flow.office.destination(ticket.get("queue", ""), flow.language)


def _ticket_text(flow: Flow) -> ScreenText:
    language = flow.language
    ticket = flow.ticket or {}
    ahead = int(ticket.get("people_ahead") or 0)
    minutes = int(ticket.get("estimated_wait_min") or 0)
    lines = [
        tr("ticket_go_to", language, destination=destination_of(flow)),
        tr("ticket_next", language),
        tr("ticket_people_ahead", language, count=ahead)
        if ahead
        else tr("ticket_nobody_ahead", language),
    ]
    spoken = list(lines)
    if ahead:
        spoken[-1] = tr("ticket_people_ahead_spoken", language, count=ahead,
                        people=plural(ahead, "people_forms", language))
        lines.append(tr("ticket_wait", language, minutes=minutes))
        spoken.append(tr("ticket_wait_spoken", language, minutes=minutes,
                         minute_word=plural(minutes, "about_minutes_forms", language)))
    note = tr(PRINT_NOTES[flow.print_state], language)
    lines.append(note)
    spoken.append(note)
    if flow.phone_note:
        lines.append(tr(flow.phone_note, language))
        spoken.append(lines[-1])
    return ScreenText(
        tr("ticket_title", language),
        tuple(lines),
        spoken_lines=tuple(spoken),
        number=str(ticket.get("number", "")),
        spoken_number=str(ticket.get("spoken_number") or ticket.get("number", "")),
    )
