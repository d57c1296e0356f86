"""Kiosk speech with the real espeak-ng: WAV files are checked, never played aloud."""

from __future__ import annotations

import array
import logging
import math
import subprocess
import sys
import threading
import wave
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.speech import (
    AudioUnavailable,
    CommandPlayer,
    EspeakCommand,
    Speaker,
    SpeechUnavailable,
    default_synthesizer,
    voice_for,
)

pytestmark = pytest.mark.speech

ROOT = Path(__file__).resolve().parent.parent
RUSSIAN = "Ваш талон А 12. Пройдите в зону первичного приёма."
TATAR = "Сезнең талон А 12. Беренчел кабул итү зонасына узыгыз."
SECOND_SCREEN = "Второй экран: длинный текст, который никто не услышит, потому что посетитель ушёл."
WAIT_S = 20  # generous bound for a loaded machine; events end the waits much sooner


def wav_facts(path: Path) -> dict:
    with wave.open(str(path), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
        facts = {
            "rate": wav.getframerate(),
            "channels": wav.getnchannels(),
            "width": wav.getsampwidth(),
            "frames": wav.getnframes(),
        }
    samples = array.array("h", frames)
    facts["seconds"] = facts["frames"] / facts["rate"]
    facts["rms"] = math.sqrt(sum(s * s for s in samples) / max(len(samples), 1))
    return facts


class RecordingPlayer:
    """Stands in for the sound card: keeps what would be heard, can hold playback."""

    def __init__(self, hold: bool = False) -> None:
        self.played: list[dict] = []
        self.stops = 0
        self.started = threading.Event()
        self.finished = threading.Event()
        self._release = threading.Event()
        if not hold:
            self._release.set()

    def play(self, path: Path) -> None:
        self.played.append(wav_facts(path))
        self.started.set()
        self._release.wait(WAIT_S)
        self.finished.set()

    def stop(self) -> None:
        self.stops += 1
        self._release.set()

    def hold_next(self) -> None:
        self.started.clear()
        self.finished.clear()
        self._release.clear()


@pytest.fixture
def speaker():
    with Speaker(enabled=False) as quiet:
        yield quiet


@pytest.mark.parametrize(("language", "text"), [("ru", RUSSIAN), ("tt", TATAR)])
def test_synthesised_speech_is_a_plausible_wav(speaker, tmp_path, language, text):
    path = speaker.synthesize_to_file(text, language, tmp_path / f"{language}.wav")
    facts = wav_facts(path)
    assert (facts["rate"], facts["channels"], facts["width"]) == (22050, 1, 2)
    assert facts["rms"] > 500, "speech is silent"
    assert 1.5 < facts["seconds"] < 10


def test_voices_are_the_right_languages():
    assert voice_for("ru") == "zle/ru"
    assert voice_for("tt") == "trk/tt"
    assert voice_for("en") == "gmw/en"


def test_tatar_and_russian_voices_sound_different(speaker, tmp_path):
    text = "Талон А 12"
    russian = wav_facts(speaker.synthesize_to_file(text, "ru", tmp_path / "ru.wav"))
    tatar = wav_facts(speaker.synthesize_to_file(text, "tt", tmp_path / "tt.wav"))
    assert russian["frames"] != tatar["frames"]


@pytest.mark.parametrize(
    ("voices", "language", "expected"),
    [
        ([SimpleNamespace(id="russian", name="russian", languages=[])], "ru", "russian"),
        (
            [
                SimpleNamespace(
                    id=r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Speech\Voices\Tokens\TTS_MS_EN-US",
                    name="Microsoft Zira Desktop - English (United States)",
                    languages=[],
                ),
                SimpleNamespace(
                    id=r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Speech\Voices\Tokens\TTS_MS_RU-RU",
                    name="Microsoft Irina Desktop - Russian",
                    languages=[],
                ),
            ],
            "ru",
            r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Speech\Voices\Tokens\TTS_MS_RU-RU",
        ),
        ([SimpleNamespace(id="v1", name="Voice", languages=["tt_RU"])], "tt", "v1"),
        (
            [
                SimpleNamespace(id="gmw/en-us", name="English (America)", languages=["en-us"]),
                SimpleNamespace(id="gmw/en", name="English (Great Britain)", languages=["en-gb"]),
            ],
            "en",
            "gmw/en",
        ),
    ],
)
def test_voice_lookup_copes_with_other_id_formats(voices, language, expected):
    assert voice_for(language, voices) == expected


def test_voice_lookup_errors_are_clear():
    with pytest.raises(ValueError, match="no speech for language 'de'"):
        voice_for("de")
    with pytest.raises(SpeechUnavailable, match="no tatar voice"):
        voice_for("tt", [SimpleNamespace(id="zle/ru", name="Russian", languages=["ru"])])


def test_say_synthesises_and_hands_the_wav_to_the_player(tmp_path):
    player = RecordingPlayer()
    with Speaker(player=player) as speaker:
        speaker.say(RUSSIAN, "ru")
        assert player.finished.wait(WAIT_S)
        expected = wav_facts(speaker.synthesize_to_file(RUSSIAN, "ru", tmp_path / "ru.wav"))
    assert len(player.played) == 1
    assert player.played[0]["frames"] == pytest.approx(expected["frames"], rel=0.05)
    assert player.played[0]["rms"] > 500


def test_newest_say_cuts_off_current_speech_and_drops_waiting_texts(tmp_path):
    player = RecordingPlayer(hold=True)
    with Speaker(player=player) as speaker:
        expected = wav_facts(speaker.synthesize_to_file("Третий экран.", "ru", tmp_path / "c.wav"))
        speaker.say("Первый экран, длинный текст.", "ru")
        assert player.started.wait(WAIT_S)  # the first text is being spoken
        speaker.say(SECOND_SCREEN, "ru", queue=True)  # waits behind the first
        player.hold_next()
        speaker.say("Третий экран.", "ru")  # the visitor moved on: only this one
        assert player.started.wait(WAIT_S)
        speaker.stop()
    assert player.stops >= 1
    assert len(player.played) == 2
    assert player.played[1]["frames"] == pytest.approx(expected["frames"], rel=0.05)


def test_stop_silences_and_speech_resumes_afterwards():
    player = RecordingPlayer(hold=True)
    with Speaker(player=player) as speaker:
        speaker.say("Раз, два, три.", "ru")
        assert player.started.wait(WAIT_S)
        speaker.say("Этого не должно быть слышно.", "ru", queue=True)
        speaker.stop()
        assert player.finished.wait(WAIT_S)
        player.hold_next()
        player.stop()  # let the next one through
        speaker.say("Снова говорю.", "tt")
        assert player.finished.wait(WAIT_S)
    assert len(player.played) == 2


def test_no_sound_card_is_logged_once_and_never_raises(tmp_path, caplog):
    failing = CommandPlayer(["aplay", "-q", "-D", "no-such-device"])
    with caplog.at_level(logging.WARNING, logger="kiosk.speech"), Speaker(player=failing) as speaker:
        speaker.say("Первый.", "ru")
        speaker.say("Второй.", "ru", queue=True)
        # jobs run in order: once this synthesis is back, both says were handled
        speaker.synthesize_to_file("Проверка.", "ru", tmp_path / "after.wav")
    warnings = [r for r in caplog.records if "cannot play speech" in r.getMessage()]
    assert len(warnings) == 1


def test_failing_player_command_raises_audio_unavailable(tmp_path, speaker):
    path = speaker.synthesize_to_file("Проверка.", "ru", tmp_path / "check.wav")
    with pytest.raises(AudioUnavailable, match="aplay failed"):
        CommandPlayer(["aplay", "-q", "-D", "no-such-device"]).play(path)


def test_disabled_speaker_says_nothing_but_still_synthesises(tmp_path):
    player = RecordingPlayer()
    with Speaker(enabled=False, player=player) as speaker:
        speaker.say(RUSSIAN, "ru")
        path = speaker.synthesize_to_file(RUSSIAN, "ru", tmp_path / "ru.wav")
    assert player.played == []
    assert wav_facts(path)["rms"] > 500


def test_slower_rate_makes_longer_speech(speaker, tmp_path):
    speaker.set_rate(200)
    fast = wav_facts(speaker.synthesize_to_file(RUSSIAN, "ru", tmp_path / "fast.wav"))
    speaker.set_rate(100)
    slow = wav_facts(speaker.synthesize_to_file(RUSSIAN, "ru", tmp_path / "slow.wav"))
    assert slow["seconds"] > 1.4 * fast["seconds"]


def test_rates_below_espeak_slowest_still_slow_down(speaker, tmp_path):
    speaker.set_rate(80)
    slowest = wav_facts(speaker.synthesize_to_file(RUSSIAN, "ru", tmp_path / "80.wav"))
    speaker.set_rate(60)
    slower = wav_facts(speaker.synthesize_to_file(RUSSIAN, "ru", tmp_path / "60.wav"))
    assert slower["seconds"] > 1.1 * slowest["seconds"]


def test_quieter_volume_makes_quieter_speech(speaker, tmp_path):
    loud = wav_facts(speaker.synthesize_to_file(RUSSIAN, "ru", tmp_path / "loud.wav"))
    speaker.set_volume(0.3)
    quiet = wav_facts(speaker.synthesize_to_file(RUSSIAN, "ru", tmp_path / "quiet.wav"))
    assert quiet["rms"] < 0.6 * loud["rms"]


def test_bad_settings_and_texts_are_refused(speaker, tmp_path):
    with pytest.raises(ValueError, match="rate"):
        speaker.set_rate(30)
    with pytest.raises(ValueError, match="volume"):
        speaker.set_volume(1.5)
    with pytest.raises(ValueError, match="empty"):
        speaker.synthesize_to_file("  ", "ru", tmp_path / "empty.wav")
    with pytest.raises(ValueError, match="'de'"):
        speaker.synthesize_to_file("Hallo", "de", tmp_path / "de.wav")


def test_say_with_an_unknown_language_does_not_break_the_speaker(tmp_path):
    player = RecordingPlayer()
    with Speaker(player=player) as speaker:
        speaker.say("Hallo", "de")  # logged, not raised
        speaker.say("Сәлам", "tt", queue=True)
        assert player.finished.wait(WAIT_S)
    assert len(player.played) == 1


def test_closed_speaker_stays_quiet(tmp_path):
    player = RecordingPlayer()
    speaker = Speaker(player=player)
    speaker.close()
    speaker.say("После закрытия.", "ru")
    with pytest.raises(RuntimeError, match="closed"):
        speaker.synthesize_to_file("После закрытия.", "ru", tmp_path / "x.wav")
    assert player.played == []


def test_espeak_ng_program_is_the_synthesiser_here():
    assert isinstance(default_synthesizer(), EspeakCommand)


def test_text_that_looks_like_an_option_is_spoken(speaker, tmp_path):
    path = speaker.synthesize_to_file("-v en --help", "ru", tmp_path / "dash.wav")
    assert wav_facts(path)["rms"] > 500


def test_a_missing_espeak_program_is_a_clear_error(tmp_path):
    missing = EspeakCommand(str(tmp_path / "espeak-ng"))
    with pytest.raises(SpeechUnavailable, match="espeak-ng failed"):
        missing.synthesize("Проверка", "zle/ru", 130, 1.0, tmp_path / "x.wav")


def test_the_package_imports_nothing_of_kivy_or_the_server():
    """The kiosk runs without the server, and the server imports this package as a library."""
    probe = "import sys, kiosk.speech; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=ROOT, timeout=60).stdout
    for forbidden in ("kivy", "queue_server", "displays", "flask"):
        assert f"'{forbidden}'" not in loaded
