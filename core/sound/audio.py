"""Audio in and out: read an uploaded or recorded WAV safely, write WAV bytes for the browser.

WAVs are parsed with the standard library's ``wave`` module (PCM only); nothing is unpickled or
decoded by a general-purpose media library. Every refusal is an ``AudioError`` whose message a page
can show as it is.
"""

from __future__ import annotations

import io
import wave

import numpy as np

MAX_UPLOAD_BYTES = 5_000_000  # about 50 s of 16-bit mono at 48 kHz; bigger uploads are refused unread
MAX_SECONDS = 10.0  # a longer clip is refused (the classifier was trained on 1–4 s sentences)
MIN_SECONDS = 0.3  # shorter than this, after trimming silence, is not speech
SILENCE_RMS = 1e-3  # below this (full scale = 1) a recording counts as silent
RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000)  # sample rates we resample from


class AudioError(ValueError):
    """Audio the app can't use, with a message for the student."""


def read_wav(data: bytes, target_rate: int) -> np.ndarray:
    """(n,) float32 mono at ``target_rate`` from WAV bytes, or AudioError saying why not.

    Stereo is averaged to mono; another sample rate is resampled (scipy's polyphase filter).
    """
    if data is None or len(data) == 0:
        raise AudioError("The recording is empty: nothing was recorded or uploaded.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise AudioError(f"That file is {len(data) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB "
                         f"(about {MAX_SECONDS:.0f} s of audio is plenty).")
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            if n / max(rate, 1) > MAX_SECONDS:
                raise AudioError(f"That clip is {n / rate:.1f} s long; at most {MAX_SECONDS:.0f} s, please "
                                 "(one sentence).")
            raw = w.readframes(n)
    except AudioError:
        raise
    except (wave.Error, EOFError, ValueError) as err:
        raise AudioError(f"That is not a WAV file this app can read ({err}). Upload an uncompressed PCM "
                         ".wav, or record with the microphone button.") from None
    if channels < 1 or channels > 8:
        raise AudioError(f"A WAV with {channels} channels? Please upload mono or stereo.")
    if rate not in RATES:
        raise AudioError(f"Sample rate {rate} Hz is unusual; please use one of "
                         f"{', '.join(str(r) for r in RATES)} Hz.")
    if width == 1:  # 8-bit WAV is unsigned
        x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, np.uint8)[: len(raw) // 3 * 3].reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(v >= 1 << 23, v - (1 << 24), v)).astype(np.float32) / float(1 << 23)
    elif width == 4:
        x = np.frombuffer(raw, "<i4").astype(np.float32) / float(1 << 31)
    else:
        raise AudioError(f"{8 * width}-bit samples are not supported; use 16-bit PCM.")
    x = x[: len(x) // channels * channels].reshape(-1, channels).mean(axis=1)  # downmix to mono
    if rate != target_rate:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(rate, target_rate)
        x = resample_poly(x, target_rate // g, rate // g).astype(np.float32)
    return x


def check_speech(x: np.ndarray, rate: int) -> np.ndarray:
    """``x`` with leading and trailing silence trimmed, or AudioError if nothing audible is left."""
    if x.size == 0:
        raise AudioError("The recording is empty: it has no samples.")
    if not np.all(np.isfinite(x)):
        raise AudioError("The recording has invalid samples.")
    if float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) < SILENCE_RMS:
        raise AudioError("The recording is silent: is the microphone muted, or far away?")
    from librosa.effects import trim

    y, _ = trim(x, top_db=35)
    if len(y) < MIN_SECONDS * rate:
        raise AudioError(f"Only {len(y) / rate:.2f} s of sound; say a whole sentence (1–4 s).")
    if len(y) > MAX_SECONDS * rate:
        raise AudioError(f"That clip is {len(y) / rate:.1f} s long; at most {MAX_SECONDS:.0f} s, please.")
    return y


def wav_bytes(x: np.ndarray, rate: int) -> bytes:
    """16-bit mono WAV bytes of ``x`` (clipped to [-1, 1]), for st.audio."""
    pcm = (np.clip(np.asarray(x, np.float64), -1.0, 1.0) * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
