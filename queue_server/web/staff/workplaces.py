"""Names of workplaces as staff see them: "Окно 5 — куратор"."""

from __future__ import annotations

from queue_server.domain.office import UnknownId, Workplace
from queue_server.web.staff.backend import current_office
from queue_server.web.staff.texts import localized, t


def workplace_title(workplace: Workplace) -> str:
    key = "window_number" if workplace.kind == "window" else "room_number"
    return t("workplace_title", place=t(key, number=workplace.number), label=localized(workplace.label))


def workplace_choices(workplace_ids: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(id, title) for the given workplaces (all of the office's when None), unknown ids skipped."""
    office = current_office()
    if workplace_ids is None:
        return [(w.id, workplace_title(w)) for w in office.workplaces]
    choices = []
    for workplace_id in workplace_ids:
        try:
            choices.append((workplace_id, workplace_title(office.workplace(workplace_id))))
        except UnknownId:
            continue
    return choices
