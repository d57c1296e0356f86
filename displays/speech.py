"""Announcement audio made on the server: a chime, then the call spoken.

The phrases come from the shared speech package (``kiosk.speech``: one engine
thread, a cache of WAV files under ``<data dir>/display-speech``); this module
only joins them after the chime with ``displays.pcm``.
"""

from __future__ import annotations

import logging

from assets import ASSETS_DIR
from displays import pcm
from kiosk.speech import Phrase, PhraseCache, SpeechUnavailable

log = logging.getLogger(__name__)

CHIME_PATH = ASSETS_DIR / "sounds" / "chime.wav"
GAP_AFTER_CHIME_S = 0.25
GAP_BETWEEN_LANGUAGES_S = 0.6


def chime() -> pcm.Pcm:
    return pcm.read_wav(CHIME_PATH)


def announcement_audio(phrases: list[Phrase], cache: PhraseCache) -> tuple[bytes, bool]:
    """(WAV bytes, spoken): the chime and the phrases; the chime alone if speech fails.

    A hall that at least chimes and shows the number is better than a silent one.
    """
    parts = [chime()]
    rate = parts[0].rate
    try:
        for index, phrase in enumerate(phrases):
            parts.append(pcm.silence(rate, GAP_AFTER_CHIME_S if index == 0 else GAP_BETWEEN_LANGUAGES_S))
            parts.append(pcm.read_wav(cache.wav_for(phrase)))
    except (SpeechUnavailable, pcm.BadAudio, TimeoutError) as error:
        log.warning("announcement without speech: %s", error)
        return pcm.to_wav(parts[0]), False
    parts.append(pcm.silence(rate, 0.2))
    return pcm.to_wav(pcm.join(parts)), True
