"""Announcement audio made on the server: a chime, then the call spoken.

The phrases come from the shared speech package (``kiosk.speech``: one engine
thread, a cache of WAV files under ``<data dir>/display-speech``) by way of
``displays.preparation``; this module only joins them with ``displays.pcm``.

A language's speech is either its whole phrase (one file) or the phrase's
fragments ("Талон", "А", "100", "12", "окно 5") joined with short gaps.  Every
file is trimmed of the silence the synthesiser leaves around it (0.3–0.4 s a
phrase), so the pauses are the ones below: six calls in a burst then take ~4 s less.
"""

from __future__ import annotations

import logging
from pathlib import Path

from assets import ASSETS_DIR
from displays import pcm

log = logging.getLogger(__name__)

CHIME_PATH = ASSETS_DIR / "sounds" / "chime.wav"
GAP_AFTER_CHIME_S = 0.25
LEAD_WITHOUT_CHIME_S = 0.05  # a burst's later calls start at once: the hall is already listening
GAP_BETWEEN_LANGUAGES_S = 0.45
GAP_BETWEEN_FRAGMENTS_S = 0.06
TAIL_S = 0.5  # with the next call's lead, the pause between two calls of a burst


def chime() -> pcm.Pcm:
    return pcm.read_wav(CHIME_PATH)


def _language_audio(files: list[Path], rate: int) -> pcm.Pcm:
    """One language: its whole phrase, or its fragments, trimmed and joined."""
    parts: list[pcm.Pcm] = []
    for index, path in enumerate(files):
        if index:
            parts.append(pcm.silence(rate, GAP_BETWEEN_FRAGMENTS_S))
        parts.append(pcm.trim(pcm.read_wav(path)))
    return pcm.join([pcm.silence(rate, 0.0), *parts])


def announcement_audio(languages: list[list[Path]], *, with_chime: bool = True) -> tuple[bytes, bool]:
    """(WAV bytes, spoken): the chime, then each language's speech in turn.

    ``languages`` holds, per language, the WAV files to say one after another.
    With nothing to say, or audio that cannot be read, it is the chime alone (the
    number is still on the screen), and ``spoken`` is False.
    """
    sound = chime()
    rate = sound.rate
    parts = [sound, pcm.silence(rate, GAP_AFTER_CHIME_S)] if with_chime else [
        pcm.silence(rate, LEAD_WITHOUT_CHIME_S)]
    try:
        spoken = [_language_audio(files, rate) for files in languages if files]
    except pcm.BadAudio as error:
        log.warning("announcement without speech: %s", error)
        spoken = []
    if not spoken:
        return pcm.to_wav(sound), False
    for index, speech in enumerate(spoken):
        if index:
            parts.append(pcm.silence(rate, GAP_BETWEEN_LANGUAGES_S))
        parts.append(speech)
    parts.append(pcm.silence(rate, TAIL_S))
    return pcm.to_wav(pcm.join(parts)), True
