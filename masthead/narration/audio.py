"""Speech to MP3: mono, at a bitrate made for speech, with a pause between paragraphs (lameenc, LGPL, in process)."""

from collections.abc import Iterable

import lameenc

BITRATE_KBPS = 48
PARAGRAPH_PAUSE_S = 0.6


def mp3_encode(paragraphs: Iterable[bytes], *, sample_rate: int) -> tuple[bytes, float]:
    """The MP3 of these blocks of 16-bit mono PCM, and its duration in seconds."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(BITRATE_KBPS)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(7)  # LAME's fast mode: at 48 kbps mono, speech sounds the same, and it takes a third less
    pause = bytes(int(sample_rate * PARAGRAPH_PAUSE_S) * 2)
    parts, samples = [], 0
    for index, pcm in enumerate(paragraphs):
        if index:
            parts.append(encoder.encode(pause))
            samples += len(pause) // 2
        parts.append(encoder.encode(pcm))
        samples += len(pcm) // 2
    parts.append(encoder.flush())
    return b"".join(parts), samples / sample_rate
