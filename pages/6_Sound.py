"""Lesson: hear it. Emotion from speech over time (Anand, 2015) and sounds from silent video (Owens et al., 2016)."""

import math

import pandas as pd
import streamlit as st

from core.sound import emotion, speech, vis
from ui import sound
from ui.params import Choice, Int, Text, select, slider, text
from ui.shell import setup_page
from ui.show import esc, numbers, show, show_code

setup_page("Hear it: sound")

SEED = Int("snd_seed", 0, 9, default=0)
HIDDEN = Choice("snd_hidden", (16, 32, 64), default=32)
OWN_SENTENCE = "Type my own…"
SENTENCE = Choice("snd_sentence", speech.HELD_OUT_SENTENCES + (OWN_SENTENCE,), default=speech.HELD_OUT_SENTENCES[0])
OWN = Text("snd_text", default="I can't believe you did that!", max_chars=speech.MAX_CHARS)
STYLE = Choice("snd_style", speech.STYLES, default="angry")
SPEAKER = Choice("snd_speaker", sound.SPEAKERS, default=speech.HELD_OUT_SPEAKERS[0])
CLIP_SEED = Int("snd_clip_seed", 0, 99, default=0)
CUT = Int("snd_cut", 5, 100, default=100, step=5)
MATERIAL = Choice("snd_material", vis.MATERIALS, default="metal")
ACTION = Choice("snd_action", vis.ACTIONS, default="hit")
TAKE = Int("snd_take", 0, 7, default=0)
FRAME = Int("snd_frame", 0, vis.N_VIDEO - 1, default=0)
QUIZ = Int("snd_quiz", 0, 99, default=0)

st.title("Hear it: emotion from speech, and sounds from silent video")
st.markdown(
    "Two of the lecture's applications are about sound. **Anand (2015)** reads a spectrogram frame by "
    "frame with convolutional and recurrent layers and names the emotion. **Owens et al. (2016)** watch a "
    "silent video of a drumstick and predict its sound with a CNN per frame and an RNN over time.")

# ---- 1. emotion from speech ---------------------------------------------------------------------------
st.header("1 · Emotion from speech, frame by frame")
st.info("The voices here are **acted by a speech synthesiser** (eSpeak NG), not recorded people: each "
        "“emotion” is a prosody recipe (pitch, pitch range, speed, loudness, pauses). Held-out clips use "
        f"other voices ({', '.join(speech.HELD_OUT_SPEAKERS)}) and other sentences than training.")
c1, c2 = st.columns(2)
seed = slider(SEED, "Training seed", where=c1)
hidden = select(HIDDEN, "LSTM units", where=c2, widget="segmented_control") or HIDDEN.default
ecfg = emotion.EmotionConfig(seed=seed, hidden=int(hidden))
vcfg = vis.VisConfig()
sound.train_both(ecfg, vcfg)
summary = sound.emotion_summary(ecfg)

st.markdown("**Held-out accuracy**, after hearing each clip whole or only its start, against two references:")
m = st.columns(5)
m[0].metric("whole clip", f"{summary.accuracy_at[1.0]:.0%}")
m[1].metric("first 50 %", f"{summary.accuracy_at[0.5]:.0%}")
m[2].metric("first 25 %", f"{summary.accuracy_at[0.25]:.0%}")
m[3].metric("order-blind", f"{summary.order_blind:.0%}", help="Logistic regression on the same log-mel frames "
            "averaged over time (the whole clip): it knows which sounds occur, not when.")
m[4].metric("chance", f"{summary.chance:.0%}")
st.caption(f"{summary.n_train} training clips, {summary.n_test} held-out clips; trained in "
           f"{summary.seconds:.1f} s on this machine.")
show(sound.accuracy_figure(ecfg), key="snd_acc", table=lambda: pd.DataFrame(
    {"% of clip heard": [round(100 * f) for f in sound.FRACTIONS], "accuracy": summary.curve.round(3)}))
gain = summary.accuracy_at[1.0] - summary.order_blind
st.markdown(f"**What to notice:** after the whole clip the recurrent model is right {summary.accuracy_at[1.0]:.0%} "
            f"of the time; averaging the frames over time gets {summary.order_blind:.0%} "
            f"({'+' if gain >= 0 else ''}{gain:.0%} for knowing the order). After a quarter of each clip it is "
            f"{summary.accuracy_at[0.25]:.0%}.")


@st.fragment
def listen(ecfg: emotion.EmotionConfig) -> None:
    """A held-out clip and the belief forming; its widgets rerun only this part of the page (st.fragment)."""
    st.subheader("Listen to a clip and watch the belief form")
    c1, c2 = st.columns(2)  # the four styles' buttons need half the width at a projector's font size
    sentence = select(SENTENCE, "Sentence (held out from training)", where=c1)
    style = select(STYLE, "Acted style", where=c2, widget="segmented_control") or STYLE.default
    c3, c4 = st.columns([2, 1])
    speaker = select(SPEAKER, "Voice", where=c3, help=f"Held-out voices: {', '.join(speech.HELD_OUT_SPEAKERS)}; "
                     f"the others were heard in training (with other sentences).")
    clip_seed = slider(CLIP_SEED, "Take", where=c4)
    if sentence == OWN_SENTENCE:
        said = text(OWN, "Your sentence (English letters, digits, punctuation)")
    else:
        said = sentence
    heard = sound.acted_clip(ecfg, said, style, speaker, clip_seed)
    if heard.error:
        st.error(esc(heard.error))
    else:
        T = len(heard.probs)
        cut_pct = slider(CUT, "What if the clip were cut? Keep this % of its frames", help="The network only "
                         "hears the frames up to the dashed line.")
        k = max(1, math.ceil(cut_pct / 100 * T))
        c1, c2 = st.columns(2)
        c1.caption(f"“{esc(said)}”, acted {style} by voice {speaker}")
        c1.audio(heard.wav, format="audio/wav")
        c2.caption(f"What the network has heard at the cut: {k} of {T} frames")
        c2.audio(heard.wav if k == T else sound.cut_wav(ecfg, said, style, speaker, clip_seed, k), format="audio/wav")
        show(sound.beliefs_figure(heard, cut=k), key="snd_beliefs", table=lambda: pd.DataFrame(
            heard.probs[:k].round(3), columns=list(emotion.CLASSES)).assign(
            frame=range(1, k + 1), time_s=[round(i * 0.04, 2) for i in range(k)]))
        guess = emotion.CLASSES[int(heard.probs[k - 1].argmax())]
        st.markdown(f"**What to notice:** after {k} of {T} frames the network says **{guess}** "
                    f"(P = {heard.probs[k - 1].max():.2f}); the clip was acted **{style}**. "
                    + ("It is right." if guess == style else "It is wrong here."))


listen(ecfg)

st.subheader("Your own voice")
st.markdown("Record a sentence or upload a WAV (at most 10 s). The model only ever heard the synthesiser, so "
            "expect it to be unsure about a real voice. Browsers allow the microphone only on **localhost or "
            "HTTPS**: on a class server reached over plain http, upload a file instead.")
c1, c2 = st.columns(2)
recorded = c1.audio_input("Record", key="snd_mic")
uploaded = c2.file_uploader("Upload a WAV", type=["wav"], key="snd_upload")
source = recorded or uploaded
if source is not None:
    mine = sound.heard_upload(ecfg, source.getvalue())
    if mine.error:
        st.error(esc(mine.error))
    else:
        show(sound.beliefs_figure(mine), key="snd_mine", table=lambda: pd.DataFrame(
            mine.probs.round(3), columns=list(emotion.CLASSES)).assign(frame=range(1, len(mine.probs) + 1)))
        top = emotion.CLASSES[int(mine.probs[-1].argmax())]
        st.markdown(f"After all {len(mine.probs)} frames the model says **{top}** (P = {mine.probs[-1].max():.2f}).")
show_code(emotion.EmotionNet, emotion.train, key="snd_code_emotion")

# ---- 2. visually indicated sounds -------------------------------------------------------------------
st.header("2 · Sounds from silent video")
st.info("These clips are **drawn and synthesised here**: a drumstick hits or scratches metal, wood, water, "
        "leaves or cloth. Hard materials ring with decaying resonant modes; soft or granular ones are "
        "filtered noise bursts (splash and bubbles, crackle, thump).")
vs = sound.vis_summary(vcfg)
st.markdown("**Material named from the held-out clips' sounds** by a simple classifier, and the envelopes' error:")
m = st.columns(5)
m[0].metric("true sound", f"{vs.acc_true:.0%}", help="A simple classifier (logistic regression on envelope "
            "statistics) trained on true training sounds, applied to the held-out clips' true sounds.")
m[1].metric("predicted", f"{vs.acc_pred:.0%}", help="The same classifier on the parametric sounds made from "
            "the envelopes the network predicted from the silent frames.")
m[2].metric("retrieved", f"{vs.acc_retrieved:.0%}", help="The same classifier on the training sound whose "
            "envelopes are nearest to the predicted ones.")
m[3].metric("chance", f"{vs.chance:.0%}")
m[4].metric("envelope error", f"{vs.mse / vs.mse_mean:.2f}×", help=f"Held-out MSE of the predicted envelopes, "
            f"{vs.mse:.4f}, against {vs.mse_mean:.4f} for always predicting the training mean.")


@st.fragment
def watch_and_listen(vcfg: vis.VisConfig) -> None:
    """One held-out clip: frames, the three sounds, the envelopes; its widgets rerun only this part (st.fragment)."""
    c1, c2, c3 = st.columns(3)
    material = select(MATERIAL, "Material", where=c1)
    action = select(ACTION, "Action", where=c2, widget="segmented_control") or ACTION.default
    take = slider(TAKE, "Held-out take", where=c3)
    index = sound.clip_index(vcfg, material, action, take)
    scene = sound.vis_scene(vcfg, index)
    c1, c2 = st.columns([1, 2])
    with c1:
        frame = slider(FRAME, "Frame (replay)")
        st.image(scene.big_frames[frame], caption=f"frame {frame + 1} of {vis.N_VIDEO}"
                 + (" · stick touches" if scene.contact[frame] else ""), width=256)
        with st.expander("Play the silent clip as an animation"):
            st.image(scene.gif, width=256)
    with c2:
        st.markdown("**True sound**")
        st.audio(scene.true_wav, format="audio/wav")
        st.markdown("**Predicted, parametric** (noise shaped by the predicted envelopes)")
        st.audio(scene.parametric_wav, format="audio/wav")
        r = scene.retrieved_spec
        st.markdown(f"**Predicted, retrieved** (nearest training sound: {r.material}, {r.action})")
        st.audio(scene.retrieved_wav, format="audio/wav")
    bands = [f"{hz:.0f} Hz" for hz in vis.BAND_EDGES[:-1]]
    show(sound.envelope_figure(vcfg, index, frame), key="snd_env", table=lambda: [
        pd.DataFrame(scene.true_env.round(3), columns=bands).assign(step=range(vis.N_STEPS), which="true"),
        pd.DataFrame(scene.pred_env.round(3), columns=bands).assign(step=range(vis.N_STEPS), which="predicted")])
    show(sound.loudness_figure(vcfg, index), key="snd_loud", table=lambda: pd.DataFrame({
        "time_s": [round(i * vis.HOP / vis.RATE, 2) for i in range(vis.N_STEPS)],
        "true": scene.true_env.sum(1).round(3), "predicted": scene.pred_env.sum(1).round(3),
        "retrieved": scene.retrieved_env.sum(1).round(3)}))
    st.markdown(f"**What to notice:** {sound.loudness_notice(scene.true_env, scene.pred_env, action)}")


watch_and_listen(vcfg)

st.subheader("Which one is real?")
quiz_seed = slider(QUIZ, "Quiz set")
trials = vis.listening_test(5, len(vs.test_specs), seed=quiz_seed)
answers = []
for i, (clip, real) in enumerate(trials):
    q = sound.vis_scene(vcfg, clip)
    pair = (q.true_wav, q.parametric_wav) if real == 0 else (q.parametric_wav, q.true_wav)
    c1, c2, c3 = st.columns([2, 2, 1])
    c1.audio(pair[0], format="audio/wav")
    c2.audio(pair[1], format="audio/wav")
    pick = c3.radio(f"Sound {i + 1}: which is real?", ("A (left)", "B (right)"), index=None, key=f"snd_q{quiz_seed}_{i}")
    answers.append(None if pick is None else (0 if pick.startswith("A") else 1))
right, answered = vis.score(answers, trials)
if answered:
    st.markdown(f"**Your score:** {right} of {answered} right (guessing gets half). "
                + ("The predictions fooled you on " + str(answered - right) + "." if right < answered else ""))
with numbers("Answers", key="snd_quiz_answers") as shown:
    if shown:
        st.dataframe(pd.DataFrame({"sound": range(1, len(trials) + 1),
                                   "real one": ["A" if r == 0 else "B" for _, r in trials],
                                   "material": [vs.test_specs[c].material for c, _ in trials]}), hide_index=True)
show_code(vis.SoundNet, vis.invert, key="snd_code_vis")
