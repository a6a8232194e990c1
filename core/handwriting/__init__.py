"""Graves (2013) handwriting: font-rendered pen strokes, the prediction and synthesis networks, their pictures."""
