"""Uploaded and recorded WAVs: every bad case gets its own message; good ones are read faithfully."""

import io
import wave

import numpy as np
import pytest

from core.sound import audio

RATE = 22050


def wav(samples, rate=RATE, channels=1, width=2) -> bytes:
    x = np.asarray(samples, np.float64).reshape(-1, channels)
    if width == 1:
        raw = (np.clip(x, -1, 1) * 127 + 128).astype(np.uint8).tobytes()
    elif width == 2:
        raw = (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()
    elif width == 3:
        v = (np.clip(x, -1, 1) * (2**23 - 1)).astype(np.int32).ravel()
        raw = np.stack([v & 255, (v >> 8) & 255, (v >> 16) & 255], 1).astype(np.uint8).tobytes()
    else:
        raw = (np.clip(x, -1, 1) * (2**31 - 1)).astype("<i4").tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)
    return buf.getvalue()


def tone(seconds, rate=RATE, f=220.0, amp=0.3):
    t = np.arange(int(seconds * rate)) / rate
    return amp * np.sin(2 * np.pi * f * t)


def test_round_trip_is_faithful():
    x = tone(1.0)
    y = audio.read_wav(audio.wav_bytes(x, RATE), RATE)
    assert y.dtype == np.float32 and len(y) == len(x)
    np.testing.assert_allclose(y, x, atol=2 / 32768)


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_every_pcm_width_reads_the_same_tone(width):
    x = tone(0.5)
    np.testing.assert_allclose(audio.read_wav(wav(x, width=width), RATE), x, atol=2 / 100 if width == 1 else 1e-4)


def test_stereo_is_downmixed():
    left, right = tone(1.0, f=220), tone(1.0, f=330)
    y = audio.read_wav(wav(np.stack([left, right], 1), channels=2), RATE)
    np.testing.assert_allclose(y, (left + right) / 2, atol=2 / 32768)


def test_other_sample_rate_is_resampled():
    x = tone(1.0, rate=44100, f=300)
    y = audio.read_wav(wav(x, rate=44100), RATE)
    assert abs(len(y) - RATE) <= 1
    spectrum = np.abs(np.fft.rfft(y))
    assert abs(np.fft.rfftfreq(len(y), 1 / RATE)[spectrum.argmax()] - 300) < 3  # the tone kept its pitch


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (None, "empty"),
    (b"hello, this is not a wav file at all", "not a WAV"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not a WAV"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "not a WAV"),
    (b"\0" * (audio.MAX_UPLOAD_BYTES + 1), "the limit is"),
])
def test_bad_bytes_get_a_message(data, message):
    with pytest.raises(audio.AudioError, match=message):
        audio.read_wav(data, RATE)


def test_too_long_wav_is_refused():
    with pytest.raises(audio.AudioError, match="long"):
        audio.read_wav(wav(tone(audio.MAX_SECONDS + 1, rate=8000), rate=8000), RATE)


def test_odd_sample_rate_is_refused():
    with pytest.raises(audio.AudioError, match="Sample rate 12345"):
        audio.read_wav(wav(tone(0.5, rate=12345), rate=12345), RATE)


def test_float_wav_is_refused_with_a_message():
    data = bytearray(wav(tone(0.5)))
    data[20:22] = (3).to_bytes(2, "little")  # WAVE_FORMAT_IEEE_FLOAT: the wave module can't read it
    with pytest.raises(audio.AudioError, match="not a WAV"):
        audio.read_wav(bytes(data), RATE)


def test_silent_recording_is_refused():
    with pytest.raises(audio.AudioError, match="silent"):
        audio.check_speech(np.zeros(RATE, np.float32), RATE)
    with pytest.raises(audio.AudioError, match="empty"):
        audio.check_speech(np.zeros(0, np.float32), RATE)


def test_a_click_is_not_a_sentence():
    x = np.zeros(RATE, np.float32)
    x[1000:1200] = 0.5
    with pytest.raises(audio.AudioError, match="whole sentence"):
        audio.check_speech(x, RATE)


def test_speech_is_trimmed_not_refused():
    x = np.concatenate([np.zeros(RATE), tone(1.0), np.zeros(RATE)]).astype(np.float32)
    y = audio.check_speech(x, RATE)
    assert RATE * 0.9 < len(y) < RATE * 1.3
