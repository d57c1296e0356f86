"""Visitors' ratings: the scale, the reasons offered and who may record them.

A tablet at a workplace (or the kiosk on the way out) records a rating of the visit
just finished; a curator records one from a phone call or a paper form.  Each
visit is rated at most once.
"""

from __future__ import annotations

from queue_server.domain import limits
from queue_server.domain.limits import InvalidInput

SCALE = (1, 2, 3, 4, 5)  # five faces, from very unhappy to very happy
REASONS = ("quick", "polite", "clear", "long_wait", "not_solved", "unclear")  # texts: feedback catalogue
SOURCES = ("tablet", "kiosk", "phone", "paper")
STAFF_SOURCES = ("phone", "paper")  # recorded by a curator on the visitor's behalf
IDLE_AFTER_S = 30  # the tablet goes back to idle this long after a finish or a rating


def checked_rating(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in SCALE:
        raise InvalidInput("rating: a whole number from 1 to 5")
    return rating


def checked_reasons(reasons: object) -> tuple[str, ...]:
    if reasons is None:
        return ()
    if not isinstance(reasons, list | tuple) or not all(isinstance(r, str) for r in reasons):
        raise InvalidInput("reasons: a list of reason codes")
    unknown = [r for r in reasons if r not in REASONS]
    if unknown:
        raise InvalidInput(f"reasons: unknown {', '.join(unknown)}; known: {', '.join(REASONS)}")
    return tuple(dict.fromkeys(reasons))


def checked_comment(comment: object) -> str:
    if comment is None:
        return ""
    if not isinstance(comment, str):
        raise InvalidInput("comment: text")
    return limits.text("feedback_comment", comment)


def checked_source(source: object, allowed: tuple[str, ...] = SOURCES) -> str:
    if source not in allowed:
        raise InvalidInput(f"source: one of {', '.join(allowed)}")
    return str(source)
