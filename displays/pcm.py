"""Just enough of WAV handling to join a chime and spoken phrases into one file.

All audio here is 16-bit mono PCM.  espeak-ng writes 22,050 Hz; another engine
(Windows SAPI) may write another rate, so a part is resampled to the rate of the
first part before joining.
"""

from __future__ import annotations

import io
import math
import sys
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path


class BadAudio(ValueError):
    """A WAV file this module cannot join (not 16-bit PCM)."""


@dataclass(frozen=True)
class Pcm:
    rate: int
    samples: array  # signed 16-bit, mono

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


def _samples_from(raw: bytes) -> array:
    samples = array("h")
    samples.frombytes(raw)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def read_wav(source: Path | bytes) -> Pcm:
    handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    try:
        with wave.open(handle, "rb") as reader:
            if reader.getsampwidth() != 2:
                raise BadAudio(f"{reader.getsampwidth() * 8}-bit audio; 16-bit expected")
            channels, rate = reader.getnchannels(), reader.getframerate()
            samples = _samples_from(reader.readframes(reader.getnframes()))
    except (wave.Error, EOFError) as error:
        raise BadAudio(str(error)) from error
    finally:
        handle.close()
    if channels > 1:  # keep the first channel
        samples = samples[::channels]
    return Pcm(rate, samples)


def resample(pcm: Pcm, rate: int) -> Pcm:
    """Linear interpolation; plenty for a chime and speech."""
    if pcm.rate == rate or not pcm.samples:
        return Pcm(rate, pcm.samples) if pcm.rate == rate else Pcm(rate, array("h"))
    source = pcm.samples
    count = max(1, round(len(source) * rate / pcm.rate))
    step = (len(source) - 1) / max(1, count - 1)
    out = array("h", bytes(2 * count))
    for index in range(count):
        position = index * step
        left = int(position)
        right = min(left + 1, len(source) - 1)
        fraction = position - left
        out[index] = round(source[left] * (1 - fraction) + source[right] * fraction)
    return Pcm(rate, out)


def silence(rate: int, seconds: float) -> Pcm:
    return Pcm(rate, array("h", bytes(2 * round(rate * seconds))))


def trim(pcm: Pcm, threshold: float = 0.01, margin_s: float = 0.02) -> Pcm:
    """Without the near-silence a synthesiser leaves before and after its words.

    Keeps ``margin_s`` on each side so a soft first or last sound is not cut.
    """
    level = threshold * 32768
    samples = pcm.samples
    start = next((i for i, value in enumerate(samples) if abs(value) > level), None)
    if start is None:
        return Pcm(pcm.rate, array("h"))
    end = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > level)
    margin = round(pcm.rate * margin_s)
    return Pcm(pcm.rate, samples[max(0, start - margin):min(len(samples), end + 1 + margin)])


def join(parts: list[Pcm]) -> Pcm:
    if not parts:
        raise BadAudio("nothing to join")
    rate = parts[0].rate
    samples = array("h")
    for part in parts:
        samples.extend(resample(part, rate).samples)
    return Pcm(rate, samples)


def to_wav(pcm: Pcm) -> bytes:
    samples = pcm.samples
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(pcm.rate)
        writer.writeframes(samples.tobytes())
    return buffer.getvalue()


def rms(pcm: Pcm) -> float:
    """Root mean square as a share of full scale (0 is silence)."""
    if not pcm.samples:
        return 0.0
    return math.sqrt(sum(s * s for s in pcm.samples) / len(pcm.samples)) / 32768
