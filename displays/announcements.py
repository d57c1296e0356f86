"""What a hall display says when a ticket is called: number and destination only.

The texts come from the ``display`` catalogue.  A call is said in the visitor's
language (the one chosen at the kiosk) and then in Russian when that was another
language, so staff and other visitors understand it too.

Nothing else about the ticket reaches this module: its input is the spoken number,
the workplace number and kind, and a language, so a life situation, a name or a
priority cannot end up in speech by accident.
"""

from __future__ import annotations

from kiosk.speech import Phrase
from queue_server.domain.numbering import tatar_ordinal
from queue_server.domain.office import DEFAULT_LANGUAGE, LANGUAGES
from queue_server.i18n import translate

DOMAIN = "display"
MESSAGE_BY_KIND = {"window": "announce_window", "room": "announce_room"}

# English voices cannot read the Cyrillic queue letters; they hear the Latin letter
# that sounds alike.  The screen still shows the Cyrillic number.
_LATIN_FOR_CYRILLIC = str.maketrans({
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ж": "Zh", "З": "Z", "И": "I",
    "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O", "П": "P", "Р": "R", "С": "S", "Т": "T",
    "У": "U", "Ф": "F", "Х": "Kh", "Ц": "Ts", "Ч": "Ch", "Ш": "Sh", "Э": "E", "Ю": "Yu", "Я": "Ya",
})


def spoken_number_for(spoken_number: str, language: str) -> str:
    return spoken_number.translate(_LATIN_FOR_CYRILLIC) if language == "en" else spoken_number


def call_phrase(spoken_number: str, place: str, kind: str, language: str) -> Phrase:
    """"Талон А 12, окно 5" in one language."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    key = MESSAGE_BY_KIND.get(kind, "announce_window")
    spoken_place = tatar_ordinal(place) if language == "tt" else place
    text = translate(DOMAIN, key, language, number=spoken_number_for(spoken_number, language),
                     place=spoken_place)
    return Phrase(language, text)


def call_phrases(spoken_number: str, place: str, kind: str, language: str) -> list[Phrase]:
    """The visitor's language first, then Russian when the visitor chose another one."""
    phrases = [call_phrase(spoken_number, place, kind, language)]
    if phrases[0].language != DEFAULT_LANGUAGE:
        phrases.append(call_phrase(spoken_number, place, kind, DEFAULT_LANGUAGE))
    return phrases
