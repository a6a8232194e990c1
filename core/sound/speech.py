"""Acted emotional speech from eSpeak NG, a real formant synthesiser, through its C API.

eSpeak NG (the library and voice data ship in the ``espeakng-loader`` package) speaks any English
sentence offline. It has no emotions of its own: an "acted" style here is a set of prosody settings
(pitch, pitch range, rate, volume, pauses between words) and voice variant, jittered per clip by a
generator the caller owns. So a neutral, happy, sad or angry clip differs only in *how* it is said,
which is what an emotion classifier over spectrogram frames has to pick up.

The library keeps global state (one voice, one set of parameters, one callback), and Streamlit
serves each student from a thread, so every call into it holds one lock. Nothing forks.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

import numpy as np

STYLES = ("neutral", "happy", "sad", "angry")

# Prosody of each acted style, in eSpeak's units: pitch and range 0–99 (50 = the voice's own),
# rate in words per minute, volume 0–200 (100 = normal), word gap in 10 ms units (pauses).
PROSODY = {
    "neutral": dict(pitch=48, range=40, rate=165, volume=100, gap=1),
    "happy": dict(pitch=72, range=95, rate=195, volume=125, gap=0),
    "sad": dict(pitch=28, range=12, rate=118, volume=70, gap=7),
    "angry": dict(pitch=56, range=70, rate=215, volume=180, gap=0),
}
JITTER = dict(pitch=7, range=10, rate=14, volume=15, gap=1)  # ± per clip, so no two clips are alike

# Speakers are eSpeak voice variants; the held-out clips use speakers (and sentences) never trained on.
TRAIN_SPEAKERS = ("m1", "m3", "m4", "f1", "f3", "f4")
HELD_OUT_SPEAKERS = ("m2", "f2")

TRAIN_SENTENCES = (
    "The train leaves at seven tomorrow morning.",
    "I put the keys on the kitchen table.",
    "We are going to the market after lunch.",
    "The meeting has been moved to Thursday.",
    "She painted the fence a different colour.",
    "There is a letter for you on the desk.",
    "The dog ran across the field again.",
    "He finished the report before the deadline.",
    "They opened a new shop on our street.",
    "My brother called me last night.",
    "The results came in this afternoon.",
    "You can find the answer in chapter four.",
    "The bus was late for the third time.",
    "Our neighbours bought a bigger car.",
    "The lecture starts in ten minutes.",
    "I read the whole book in one day.",
    "The window in the hall is open.",
    "We watched the game on television.",
    "The price of bread went up again.",
    "She moved to another city in May.",
    "The box is heavier than it looks.",
    "He left his umbrella on the train.",
    "The garden needs water every evening.",
    "They will announce the winner soon.",
)
HELD_OUT_SENTENCES = (
    "The parcel arrived earlier than expected.",
    "I saw your sister at the station.",
    "The lights in the office are still on.",
    "We need to talk about the holiday.",
    "The river rose during the night.",
    "He sold his old bicycle yesterday.",
    "Dinner will be ready in an hour.",
    "The test is on the second floor.",
)

SAMPLE_RATE = 22050  # what eSpeak NG synthesises at
MAX_CHARS = 200  # a typed sentence longer than this is refused (a clip of ~15 s)

# --- the C API (speak_lib.h) --------------------------------------------------------------------
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_RATE, _VOLUME, _PITCH, _RANGE, _WORDGAP = 1, 2, 3, 4, 7
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

_lock = threading.Lock()
_chunks: list[np.ndarray] = []  # filled by the callback while a caller holds _lock


@_SYNTH_CALLBACK
def _collect(wav, n, events):
    if n > 0 and wav:
        _chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
    return 0  # 0 = go on synthesising


def _open_library():
    """A freshly loaded, initialised eSpeak NG (call with _lock held; close with _close_library).

    eSpeak keeps state in C statics that nothing resets (the pitch-flutter phase, a harmonic sign
    toggle), so the same call gave slightly different samples depending on what was said before.
    Loading the library anew for each utterance (~4 ms) starts every clip from the same state.
    """
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
    if rate != SAMPLE_RATE:
        _close_library(lib)
        raise RuntimeError(f"eSpeak NG did not start (returned {rate})")
    lib.espeak_SetSynthCallback(_collect)
    return lib


def _close_library(lib) -> None:
    """Terminate eSpeak and unload it (libc's dlclose), so the next load starts from fresh statics."""
    lib.espeak_Terminate()
    libc = ctypes.CDLL(None)
    libc.dlclose.argtypes = [ctypes.c_void_p]
    libc.dlclose(lib._handle)


def speak(text: str, speaker: str = "m1", pitch: int = 50, range: int = 50, rate: int = 175,
          volume: int = 100, gap: int = 0, seed: int = 0) -> np.ndarray:
    """(n,) float32 samples in [-1, 1] at SAMPLE_RATE: ``text`` said by eSpeak NG with these settings.

    ``speaker`` is a voice variant ("m1" … "f4"); ``seed`` seeds eSpeak's breath noise. Deterministic:
    the same arguments give the same samples, whatever was said before and in whichever thread.
    """
    data = text.encode("utf-8") + b"\0"
    with _lock:
        lib = _open_library()
        try:
            if lib.espeak_SetVoiceByName(f"en+{speaker}".encode()) != 0:
                raise ValueError(f"unknown voice variant {speaker!r}")
            for param, value in ((_RATE, rate), (_VOLUME, volume), (_PITCH, pitch), (_RANGE, range),
                                 (_WORDGAP, gap)):
                lib.espeak_SetParameter(param, int(value), 0)
            lib.espeak_ng_SetRandSeed(int(seed) & 0x7FFFFFFF)
            _chunks.clear()
            lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            lib.espeak_Synchronize()
            samples = np.concatenate(_chunks) if _chunks else np.zeros(0, np.int16)
            _chunks.clear()
        finally:
            _close_library(lib)
    return samples.astype(np.float32) / 32768.0


SPEAKABLE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'\"-()")


def check_sentence(text: str) -> str:
    """The sentence, stripped, if the English voice can say it; else ValueError with the reason.

    The English voice reads any other script as letter names (or not at all), so only plain English
    letters, digits and common punctuation are accepted.
    """
    text = (text or "").strip()
    if not text:
        raise ValueError("Type a sentence first.")
    if len(text) > MAX_CHARS:
        raise ValueError(f"That sentence has {len(text)} characters; at most {MAX_CHARS} are spoken.")
    bad = sorted({c for c in text if c not in SPEAKABLE})
    if bad:
        shown = " ".join(repr(c) for c in bad[:8])
        raise ValueError(f"The English synthesiser can't speak these characters: {shown}. "
                         "Use English letters, digits and . , ; : ! ? ' \" - ( )")
    if not any(c.isalpha() for c in text):
        raise ValueError("That sentence has no letters to say.")
    return text


@dataclass(frozen=True)
class Clip:
    """One acted utterance: the samples, and what made them."""

    audio: np.ndarray  # (n,) float32 at SAMPLE_RATE
    text: str
    style: str
    speaker: str
    prosody: dict


def acted_prosody(style: str, rng: np.random.Generator) -> dict:
    """The style's prosody with a per-clip jitter drawn from ``rng`` (clipped to eSpeak's ranges)."""
    base = PROSODY[style]
    out = {k: int(round(v + rng.uniform(-JITTER[k], JITTER[k]))) for k, v in base.items()}
    out["pitch"] = int(np.clip(out["pitch"], 0, 99))
    out["range"] = int(np.clip(out["range"], 0, 99))
    out["volume"] = int(np.clip(out["volume"], 10, 200))
    out["gap"] = max(0, out["gap"])
    return out


def act(text: str, style: str, speaker: str, seed: int) -> Clip:
    """``text`` said by ``speaker`` in an acted ``style``; the same seed gives the same samples."""
    if style not in PROSODY:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
    prosody = acted_prosody(style, np.random.default_rng(seed))
    return Clip(speak(text, speaker, seed=seed, **prosody), text, style, speaker, prosody)
