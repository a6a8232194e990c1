"""The lecture's "more applications", each read as encoder → C → decoder, with the original result.

Plain data for the overview diagram and its table. The results are quoted from the papers the
lecture cites; ``demo`` names the section of the lesson page that makes the pattern live here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Application:
    name: str
    paper: str
    encoded: str  # what goes into the encoder
    encoder: str  # the network that reads it
    context: str  # what C is
    decoder: str  # the network that writes from C
    decoded: str  # what comes out
    result: str  # one line the paper reported
    demo: str  # where this lesson shows it live ("" = another lesson)


APPLICATIONS: tuple[Application, ...] = (
    Application(
        "Image captioning", "Vinyals et al., 2014 (Show and Tell)",
        "an image", "CNN", "image vector (initial decoder state)", "RNN language model", "a caption, word by word",
        "BLEU-1 59 on Pascal, where the previous best was 25 (humans: 69).", "Show and Tell",
    ),
    Application(
        "Machine translation", "Sutskever et al., 2014",
        "a source sentence", "LSTM encoder", "final hidden state (the “meaning”)", "LSTM decoder",
        "the translation, word by word",
        "34.8 BLEU on WMT'14 English→French (a phrase-based system: 33.3).", "",
    ),
    Application(
        "Sequence generation", "Graves, 2013",
        "the text (or pen strokes) so far", "LSTM", "hidden state h_t", "softmax / mixture output",
        "the next character (or pen move)",
        "1.67 bits per character on held-out Hutter Prize Wikipedia (1.33 with dynamic evaluation); realistic cursive handwriting.",
        "Generating text",
    ),
    Application(
        "Emotion from audio", "Anand, 2015",
        "speech, as spectrogram frames", "CNN + LSTM over time", "hidden state after the clip",
        "softmax classifier", "one emotion label",
        "7 emotions: 50 % from CNN features of 0.5 s patches, 70 % once LSTMs add context over time.",
        "Classification over time",
    ),
    Application(
        "Visually indicated sounds", "Owens et al., 2016",
        "silent video frames", "CNN per frame", "RNN hidden state over time", "RNN", "sound features, then a waveform",
        "Synthesised hit sounds fooled people in a “real or fake?” listening test.", "",
    ),
)
