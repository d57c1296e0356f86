"""Make chime.wav, the soft two-tone "ding-dong" played before every call.

Run once after changing it:  python assets/sounds/make_chime.py
22,050 Hz mono 16-bit, the format espeak-ng writes, so announcements are joined
without resampling.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
TONES = ((659.25, 0.0), (523.25, 0.42))  # E5 then C5, start in seconds
TONE_SECONDS = 0.9
PEAK = 0.42  # of full scale: audible over a hall, not startling


def sample(t: float) -> float:
    value = 0.0
    for frequency, start in TONES:
        local = t - start
        if 0 <= local < TONE_SECONDS:
            attack = min(1.0, local / 0.012)  # no click at the start
            decay = math.exp(-local * 4.2)
            value += attack * decay * (math.sin(2 * math.pi * frequency * local)
                                       + 0.25 * math.sin(4 * math.pi * frequency * local))
    return value


def main() -> None:
    length = TONES[-1][1] + TONE_SECONDS
    values = [sample(index / RATE) for index in range(int(length * RATE))]
    scale = PEAK * 32767 / max(abs(v) for v in values)
    frames = b"".join(struct.pack("<h", round(v * scale)) for v in values)
    path = Path(__file__).with_name("chime.wav")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    print(f"wrote {path} ({length:.2f} s)")


if __name__ == "__main__":
    main()
