"""Local speech for the kiosk and the queue server: espeak-ng voices, never an online service.

One package for both sides.  It lives in the kiosk because the kiosk runs without
the server and may import nothing of it; the server (hall displays, the staff
console's read-out) imports it as a library.  So it needs only the standard
library and pyttsx3: no Kivy, no ``queue_server``, no ``displays``.

- ``engine``: the one thread that owns the pyttsx3 engine and runs every synthesis.
- ``voices``: which installed voice speaks "ru", "tt" or "en".
- ``synthesis``: text to a WAV file with the espeak-ng program or the pyttsx3 engine.
- ``cache``: phrases kept as WAV files, least recently used evicted (the server's).
- ``players`` and ``speaker``: the kiosk's sound card and its Speaker queue.
"""

from kiosk.speech.cache import CACHE_DIR_NAME, Phrase, PhraseCache
from kiosk.speech.engine import SpeechUnavailable
from kiosk.speech.players import AudioPlayer, AudioUnavailable, CommandPlayer, default_player
from kiosk.speech.speaker import Speaker
from kiosk.speech.synthesis import EspeakCommand, Pyttsx3Engine, default_synthesizer, has_audio, synthesize
from kiosk.speech.voices import LANGUAGE_NAMES, voice_for

__all__ = [
    "CACHE_DIR_NAME",
    "LANGUAGE_NAMES",
    "AudioPlayer",
    "AudioUnavailable",
    "CommandPlayer",
    "EspeakCommand",
    "Phrase",
    "PhraseCache",
    "Pyttsx3Engine",
    "Speaker",
    "SpeechUnavailable",
    "default_player",
    "default_synthesizer",
    "has_audio",
    "synthesize",
    "voice_for",
]
