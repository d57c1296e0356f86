"""What a hall display says when a ticket is called: number and destination only.

The texts come from the ``display`` catalogue.  A call is said in the visitor's
language (the one chosen at the kiosk) and then in Russian when that was another
language, so staff and other visitors understand it too.

Nothing else about the ticket reaches this module: its input is the spoken number,
the workplace number and kind, and a language, so a life situation, a name or a
priority cannot end up in speech by accident.
"""

from __future__ import annotations

import re

from kiosk.speech import Phrase
from queue_server.domain.numbering import tatar_ordinal
from queue_server.domain.office import DEFAULT_LANGUAGE, LANGUAGES
from queue_server.i18n import catalogue, translate

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
    """English: Latin letters, joined to the number with a hyphen ("A-12").

    The English voice reads a lone "A" before a number as the article ("uh twelve");
    "A-12" makes it say the letter's name, as it does for the other letters.
    """
    if language != "en":
        return spoken_number
    return re.sub(r"\s+(?=\d)", "-", spoken_number.translate(_LATIN_FOR_CYRILLIC))


def _spoken_place(place: str, language: str) -> str:
    return tatar_ordinal(place) if language == "tt" else place


def call_phrase(spoken_number: str, place: str, kind: str, language: str) -> Phrase:
    """"Талон А 12, окно 5" in one language."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    key = MESSAGE_BY_KIND.get(kind, "announce_window")
    text = translate(DOMAIN, key, language, number=spoken_number_for(spoken_number, language),
                     place=_spoken_place(place, language))
    return Phrase(language, text)


def call_phrases(spoken_number: str, place: str, kind: str, language: str) -> list[Phrase]:
    """The visitor's language first, then Russian when the visitor chose another one."""
    phrases = [call_phrase(spoken_number, place, kind, language)]
    if phrases[0].language != DEFAULT_LANGUAGE:
        phrases.append(call_phrase(spoken_number, place, kind, DEFAULT_LANGUAGE))
    return phrases


# --- fragments: the same call said in pieces that many calls share -----------------------


def number_pieces(spoken_number: str) -> list[str]:
    """"А 112" (or "A-112") -> ["А", "100", "12"]: a letter, then hundreds and the rest below 100.

    Each piece is a word or two the voice says the same inside any number ("сто",
    "двенадцать"; "йөз", "унике"; "one hundred", "twelve"), so ~110 pieces per
    language cover every ticket from 1 to 999.  Larger numbers stay one piece.
    """
    pieces: list[str] = []
    for token in re.split(r"[\s-]+", spoken_number.strip()):
        if token.isdigit() and 0 < int(token) < 1000:
            number = int(token)
            pieces += [str(number // 100 * 100)] if number >= 100 else []
            pieces += [str(number % 100)] if number % 100 else []
        else:
            pieces.append(token)
    return pieces


def fragment_phrases(spoken_number: str, place: str, kind: str, language: str) -> list[Phrase]:
    """``call_phrase`` in fragments: the words before the number, the number's pieces,
    and the rest of the sentence with the place ("окно 5"; "талоны, 5 нче тәрәзәгә узыгыз").

    The words and the places are fixed by the catalogue and the office, so they can
    all be synthesised when the server starts; joined they are a fallback that says
    the same as the whole phrase, only less fluently.
    """
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    messages = catalogue(DOMAIN)[MESSAGE_BY_KIND.get(kind, "announce_window")]
    template = messages.get(language) or messages[DEFAULT_LANGUAGE]
    before, _, after = template.partition("{number}")
    texts = [before.strip(" ,")]
    texts += number_pieces(spoken_number_for(spoken_number, language))
    texts.append(after.format(place=_spoken_place(place, language)).strip(" ,"))
    return [Phrase(language, text) for text in texts if text]
