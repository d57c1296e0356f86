"""What the displays say, and the audio the server makes of it (real espeak-ng, never played)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from displays import pcm
from displays.announcements import call_phrases, tatar_ordinal
from displays.speech import CHIME_PATH, announcement_audio, chime
from kiosk.speech import PhraseCache
from kiosk.speech.cache import evict_least_recently_used

# --- texts ----------------------------------------------------------------------------------


def texts(*args) -> list[tuple[str, str]]:
    return [(phrase.language, phrase.text) for phrase in call_phrases(*args)]


def test_russian_visitor_hears_russian_once():
    assert texts("А 12", "5", "window", "ru") == [("ru", "Талон А 12, окно 5")]


def test_tatar_visitor_hears_tatar_then_russian():
    assert texts("А 12", "5", "window", "tt") == [
        ("tt", "А 12 талоны, 5 нче тәрәзәгә узыгыз"),
        ("ru", "Талон А 12, окно 5"),
    ]


def test_rooms_are_rooms_in_every_language():
    assert texts("П 3", "11", "room", "tt") == [
        ("tt", "П 3 талоны, 11 нче бүлмәгә узыгыз"),
        ("ru", "Талон П 3, кабинет 11"),
    ]


def test_english_visitor_hears_latin_letters_then_russian():
    assert texts("К 7", "6", "window", "en") == [
        ("en", "Ticket K-7, window 6"),
        ("ru", "Талон К 7, окно 6"),
    ]


def test_unknown_language_falls_back_to_russian():
    assert texts("А 1", "2", "window", "de") == [("ru", "Талон А 1, окно 2")]


@pytest.mark.parametrize(("place", "ordinal"), [
    ("1", "1 нче"), ("5", "5 нче"), ("6", "6 нчы"), ("9", "9 нчы"), ("10", "10 нчы"),
    ("11", "11 нче"), ("16", "16 нчы"), ("20", "20 нче"), ("30", "30 нчы"), ("40", "40 нчы"),
    ("100", "100 нче"), ("12а", "12а"),
])
def test_tatar_ordinals_follow_vowel_harmony(place, ordinal):
    assert tatar_ordinal(place) == ordinal


# --- audio ----------------------------------------------------------------------------------


def test_chime_is_soft_and_short():
    sound = chime()
    assert sound.rate == 22050 and 0.8 < sound.seconds < 2.0
    assert 0.03 < pcm.rms(sound) < 0.3, "audible, not startling"
    assert max(abs(s) for s in sound.samples) < 0.6 * 32768


@pytest.mark.speech
@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_each_language_is_synthesised_to_a_real_phrase(tmp_path, language):
    cache = PhraseCache(tmp_path)
    phrase = call_phrases("А 12", "5", "window", language)[0]
    audio = pcm.read_wav(cache.wav_for(phrase))
    assert audio.rate == 22050
    assert 1.0 < audio.seconds < 6.0, audio.seconds
    assert pcm.rms(audio) > 0.02, "speech, not silence"


@pytest.mark.speech
def test_phrases_are_made_once_and_reused(tmp_path):
    cache = PhraseCache(tmp_path)
    phrase = call_phrases("А 13", "2", "window", "ru")[0]
    first = cache.wav_for(phrase)
    made = first.stat().st_mtime_ns
    os.utime(first, ns=(made - 10**9, made - 10**9))  # as if made a second ago
    again = cache.wav_for(phrase)
    assert again == first and again.read_bytes() == first.read_bytes()
    assert again.stat().st_mtime_ns > made - 10**9, "a hit marks the phrase recently used"
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name], "no stray files"


@pytest.mark.speech
def test_announcement_is_chime_then_visitor_language_then_russian(tmp_path):
    cache = PhraseCache(tmp_path)
    tatar, russian = call_phrases("А 12", "5", "window", "tt")
    wav, spoken = announcement_audio([[cache.wav_for(tatar)], [cache.wav_for(russian)]])
    assert spoken
    whole = pcm.read_wav(wav)
    # Each phrase without the synthesiser's silence around it, the pauses of displays.speech between.
    parts = [chime(), *(pcm.trim(pcm.read_wav(cache.wav_for(phrase))) for phrase in (tatar, russian))]
    assert all(trimmed.seconds > 1.0 for trimmed in parts[1:])
    assert whole.seconds == pytest.approx(sum(p.seconds for p in parts) + 0.25 + 0.45 + 0.5, abs=0.01)
    assert whole.samples[:len(parts[0].samples)] == parts[0].samples, "the chime comes first"
    # Each half of the speech is audible: neither language came out silent.
    start = len(parts[0].samples) + round(0.25 * whole.rate)
    tatar_part = pcm.Pcm(whole.rate, whole.samples[start:start + len(parts[1].samples)])
    russian_part = pcm.Pcm(whole.rate, whole.samples[-len(parts[2].samples) - round(0.5 * whole.rate):])
    assert pcm.rms(tatar_part) > 0.02 and pcm.rms(russian_part) > 0.02


@pytest.mark.speech
def test_screens_asking_at_once_get_one_file(tmp_path):
    cache = PhraseCache(tmp_path)
    phrase = call_phrases("А 14", "3", "window", "tt")[0]
    made: list = []
    askers = [threading.Thread(target=lambda: made.append(cache.wav_for(phrase))) for _ in range(4)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join(30)
    assert made == [cache.path_of(phrase)] * 4
    assert [p.name for p in tmp_path.iterdir()] == [made[0].name], "no partial files left"


@pytest.mark.speech
def test_the_server_engine_loses_no_phrase(tmp_path):
    """pyttsx3 in the server process: a run of new numbers, both languages, none lost."""
    cache = PhraseCache(tmp_path)
    phrases = [phrase for number in range(12) for phrase in call_phrases(f"Б {number}", "2", "room", "tt")]
    for phrase in phrases:
        assert pcm.rms(pcm.read_wav(cache.wav_for(phrase))) > 0.02, phrase


def test_without_speech_the_chime_still_sounds():
    wav, spoken = announcement_audio([])
    assert not spoken
    assert pcm.read_wav(wav).samples == chime().samples


def test_cache_keeps_only_the_most_recently_used(tmp_path):
    now = time.time()
    for index in range(10):
        path = tmp_path / f"{index}.wav"
        path.write_bytes(b"RIFF")
        os.utime(path, (now - 100 + index, now - 100 + index))
    evict_least_recently_used(tmp_path, keep=4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["6.wav", "7.wav", "8.wav", "9.wav"]


def test_joining_resamples_other_rates(tmp_path):
    other = pcm.Pcm(16000, pcm.silence(16000, 1.0).samples)
    joined = pcm.join([chime(), other])
    assert joined.rate == 22050
    assert joined.seconds == pytest.approx(chime().seconds + 1.0, abs=0.001)
    assert CHIME_PATH.exists()
