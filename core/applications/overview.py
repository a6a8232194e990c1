"""The lecture's "more applications", each drawn as the kind of network it really is, with its result.

Plain data for the overview diagram and its table. Four shapes appear:

- encoder–decoder: an encoder reads the whole input into C, a decoder writes the output one softmax per
  token (image captioning, machine translation);
- language model with a mixture-density output: one RNN reads what was written so far and outputs the
  parameters of a mixture of Gaussians for the next pen offset (Graves' handwriting; for text, a softmax);
- sequence-to-one classification: an RNN reads frames and ONE softmax after the last frame names the class
  (Anand's emotion from speech);
- frame-by-frame regression: an RNN outputs a vector of sound features at EVERY video frame, with no
  softmax (Owens et al.'s visually indicated sounds).

Results are quoted from the papers the lecture cites, each with what it was measured on. ``page`` names the
lesson page that makes the application live ("" = none yet); ``demo`` names this page's live demo.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("encoder–decoder", "language model (softmax output)", "language model (mixture-density output)",
         "sequence-to-one classification", "frame-by-frame regression")


@dataclass(frozen=True)
class Application:
    name: str
    paper: str
    kind: str  # one of KINDS
    reads: str  # what goes in
    network: str  # the networks used
    carries: str  # what the recurrent part hands on
    writes: str  # what comes out
    result: str  # what the paper reported
    measured_on: str  # ... and on what
    page: str = ""  # the lesson page that makes it live, "" = none
    demo: str = ""  # the tab of this page that makes it live, "" = none


APPLICATIONS: tuple[Application, ...] = (
    Application(
        "Image captioning", "Vinyals et al., 2014 (Show and Tell)", "encoder–decoder",
        "an image", "CNN → LSTM", "C: the image, fed once as the first input",
        "a caption, one softmax per word",
        "BLEU-1 59 (previous best 25, humans 69)",
        "Pascal VOC 2008 test images, each with 5 human captions",
        demo="Show and Tell",
    ),
    Application(
        "Machine translation", "Sutskever et al., 2014", "encoder–decoder",
        "an English sentence", "4-layer LSTM → 4-layer LSTM",
        "C: the encoder's last state (the “meaning”)", "French, one softmax per word",
        "34.8 BLEU from an ensemble of 5 deep LSTMs with beam search (a single LSTM: 30.6; "
        "the phrase-based baseline: 33.3)",
        "WMT'14 English→French test set (newstest2014)",
        page="pages/3_Encoder_decoder.py",
    ),
    Application(
        "Text generation", "Graves, 2013", "language model (softmax output)",
        "the characters so far", "deep LSTM", "h_t after each character, fed its own output",
        "the next character (a softmax)",
        "1.67 bits per character (1.33 with dynamic evaluation)",
        "held-out text of the Hutter Prize Wikipedia data (enwik8)",
        demo="Generating text",
    ),
    Application(
        "Handwriting generation", "Graves, 2013", "language model (mixture-density output)",
        "the pen offsets so far", "3-layer LSTM",
        "h_t after each pen point, fed its own output", "a 20-Gaussian mixture for the next pen offset, and P(pen lifts)",
        "cursive handwriting that people found hard to tell from real (no score)",
        "online handwriting of the IAM-OnDB database",
        page="pages/5_Handwriting.py",
    ),
    Application(
        "Emotion from speech", "Anand, 2015", "sequence-to-one classification",
        "speech as spectrogram patches", "CNN → LSTM over time", "h after the last frame",
        "one emotion label (a softmax, once)",
        "70 % accuracy with LSTMs over time (50 % from CNN features of single 0.5 s patches)",
        "7-class emotion classification of acted speech clips (a course report)",
        page="pages/6_Sound.py",
    ),
    Application(
        "Visually indicated sounds", "Owens et al., 2016", "frame-by-frame regression",
        "silent video frames", "CNN per frame → LSTM", "h_t at every frame",
        "sound features at every frame (no softmax)",
        "its sounds were often taken for the real ones in a “real or fake?” listening study",
        "the Greatest Hits videos (a drumstick hitting and scratching things), judged by online listeners",
        page="pages/6_Sound.py",
    ),
)
