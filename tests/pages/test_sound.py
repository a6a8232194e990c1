"""The sound lesson in Streamlit's AppTest: default scene with its players, what-ifs, links, bad input."""

import io
import wave

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import open_page

TIMEOUT = 900  # the first run trains both models (about 30 s on a quiet 2-core machine, more under load)


def run(query: dict | None = None, opened: tuple = ()) -> AppTest:
    return open_page("6_Sound.py", query, timeout=TIMEOUT, opened=opened).run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_default_scene_renders_players_and_charts():
    at = run(opened=("num_snd_beliefs", "num_snd_env", "num_snd_loud"))
    assert not at.exception and not at.error
    # one clip + its cut, three sounds of the silent clip, two per listening-test question
    assert len(at.get("audio")) == 2 + 3 + 2 * 5
    assert len(at.get("plotly_chart")) == 4
    assert len(at.get("audio_input")) == 1
    chance = float(metric(at, "chance").rstrip("%"))
    assert chance == 25
    assert float(metric(at, "whole clip").rstrip("%")) >= chance + 25
    beliefs = next(d.value for d in at.dataframe if "angry" in d.value.columns)
    assert np.allclose(beliefs[["neutral", "happy", "sad", "angry"]].sum(axis=1), 1.0, atol=2e-3)
    assert any("acted by a speech synthesiser" in i.value for i in at.info)
    assert any("localhost or HTTPS" in m.value for m in at.markdown)
    # the loudness sentence lists the peaks of the two curves in the chart's own Numbers table
    from core.sound import vis

    loud = next(d.value for d in at.dataframe if "retrieved" in d.value.columns)
    said = next(m.value for m in at.markdown if "the true sound peaks at" in m.value)
    for name, lead in (("true", "the true sound peaks at "), ("predicted", "silent frames alone, peaks at ")):
        times = ", ".join(f"{loud['time_s'][i]:.2f}" for i in vis.loudness_peaks(loud[name].to_numpy()))
        assert lead + times + " s" in said


def test_a_scratch_says_when_each_sound_is_on_from_the_charts_numbers():
    from core.sound import vis

    at = run({"snd_action": "scratch", "snd_material": "cloth"}, opened=("num_snd_loud",))
    assert not at.exception and not at.error
    loud = next(d.value for d in at.dataframe if "retrieved" in d.value.columns)
    said = next(m.value for m in at.markdown if "a scratch is one long sound" in m.value)
    (t0, t1), (p0, p1) = (vis.loud_span(loud[name].to_numpy()) for name in ("true", "predicted"))
    step = loud["time_s"][1]
    assert f"loud from {t0 * step:.2f} to {(t1 + 1) * step:.2f} s" in said
    assert f"alone, from {p0 * step:.2f} to {(p1 + 1) * step:.2f} s" in said
    assert "peaks" not in said


def test_cutting_the_clip_keeps_fewer_frames():
    at = run(opened=("num_snd_beliefs",))
    full = len(next(d.value for d in at.dataframe if "angry" in d.value.columns))
    at.slider(key="snd_cut").set_value(25).run()
    assert not at.exception
    cut = len(next(d.value for d in at.dataframe if "angry" in d.value.columns))
    assert cut == int(np.ceil(0.25 * full))
    assert any(f"after {cut} of {full} frames" in m.value for m in at.markdown)


def test_shared_link_opens_that_scene():
    at = run({"snd_style": "sad", "snd_speaker": "f2", "snd_material": "water", "snd_action": "scratch",
              "snd_frame": "12", "snd_cut": "50"})
    assert not at.exception and not at.error
    assert at.slider(key="snd_frame").value == 12
    assert at.slider(key="snd_cut").value == 50
    assert any("acted sad by voice f2" in c.value for c in at.caption)


def test_bad_link_values_get_a_message():
    at = run({"snd_style": "furious", "snd_frame": "99", "snd_cut": "abc"})
    assert not at.exception
    said = " ".join(w.value for w in at.warning) + " ".join(i.value for i in at.info)
    assert "furious" in said and "snd\\_cut" in said and "99" in said


def test_typed_sentence_is_spoken_and_bad_characters_refused():
    at = run({"snd_sentence": "Type my own…"})
    at.text_input(key="snd_text").set_value("We won the match tonight!").run()
    assert not at.exception and not at.error
    assert any("We won the match tonight" in c.value for c in at.caption)
    at.text_input(key="snd_text").set_value("Bonjour ☃ 你好").run()
    assert not at.exception
    assert any("can't speak these characters" in e.value.replace("\\", "") for e in at.error)
    at.text_input(key="snd_text").set_value("").run()
    assert any("Type a sentence" in e.value for e in at.error)


def test_answering_the_listening_test_is_scored():
    at = run()
    for i in range(2):
        at.radio(key=f"snd_q0_{i}").set_value("A (left)")
    at.run()
    assert not at.exception
    assert any("of 2 right" in m.value for m in at.markdown)


def _wav(x, rate=22050, channels=1):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.asarray(x) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"GIF89a not a sound", "not a WAV"),
    (_wav(np.zeros(22050)), "silent"),
    (_wav(0.3 * np.sin(np.arange(22050 * 12) / 10.0)), "long"),
    (_wav(0.3 * np.sin(np.arange(12345) / 10.0), rate=12345), "Sample rate"),
    (b"RIFF" + b"\0" * 6_000_000, "limit"),
])
def test_bad_recordings_get_their_message(data, message):
    """What the page shows for a recording or upload (AppTest can't press the microphone)."""
    from core.sound import emotion
    from ui import sound

    heard = sound.heard_upload(emotion.EmotionConfig(), data)
    assert message in heard.error and heard.probs.shape[0] == 0


def test_a_stereo_44k_recording_is_heard():
    from core.sound import emotion, speech
    from ui import sound

    x = speech.act("I saw your sister at the station.", "happy", "m2", seed=1).audio
    from scipy.signal import resample_poly

    y = resample_poly(x, 2, 1)  # 44.1 kHz
    heard = sound.heard_upload(emotion.EmotionConfig(), _wav(np.stack([y, y], 1) * 0.9, rate=44100, channels=2))
    assert heard.error == ""
    np.testing.assert_allclose(heard.probs.sum(axis=1), 1.0, atol=1e-5)
