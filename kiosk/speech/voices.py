"""Which installed voice speaks a language: espeak-ng, Windows SAPI and macOS ids alike."""

from __future__ import annotations

from kiosk.speech.engine import SpeechUnavailable, installed_voices

LANGUAGE_NAMES = {"ru": "russian", "tt": "tatar", "en": "english"}


def voice_for(language: str, voices: list | None = None) -> str:
    """The engine's voice id for ``language`` ("ru", "tt", "en").

    espeak-ng ids look like ``zle/ru``, ``trk/tt``, ``gmw/en`` (older ones are just
    ``russian``); Windows ids are registry paths with the name in the voice's name.
    """
    if language not in LANGUAGE_NAMES:
        raise ValueError(f"no speech for language {language!r}; one of {sorted(LANGUAGE_NAMES)}")
    voices = installed_voices() if voices is None else voices
    for matches in _VOICE_RULES:
        for voice in voices:
            if matches(voice, language):
                return voice.id
    raise SpeechUnavailable(f"no {LANGUAGE_NAMES[language]} voice installed")


def _id_tail(voice) -> str:
    return str(voice.id).replace("\\", "/").rsplit("/", 1)[-1].lower()


def _languages(voice) -> list[str]:
    return [str(code).lower().replace("_", "-") for code in (voice.languages or [])]


_VOICE_RULES = (  # the first rule any voice meets decides, so exact ids beat names
    lambda voice, code: _id_tail(voice) in (code, LANGUAGE_NAMES[code]),
    lambda voice, code: code in _languages(voice),
    lambda voice, code: any(lang.startswith(code + "-") for lang in _languages(voice)),
    lambda voice, code: LANGUAGE_NAMES[code] in str(voice.name).lower(),
)
