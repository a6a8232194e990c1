"""A character vocabulary: ``itos`` (index → character) and ``stoi`` (character → index)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Vocab:
    """The characters a model knows, in a fixed order; a one-hot vector has ``len(vocab)`` entries."""

    itos: tuple[str, ...]

    @classmethod
    def from_text(cls, text: str) -> Vocab:
        """The characters of ``text`` in order of first appearance ("hello" → h, e, l, o), as the slides list them."""
        return cls(tuple(dict.fromkeys(text)))

    @classmethod
    def sorted_from(cls, text: str) -> Vocab:
        """The characters of ``text`` in sorted order (for corpora, where first appearance means nothing)."""
        return cls(tuple(sorted(set(text))))

    @cached_property
    def stoi(self) -> dict[str, int]:
        return {ch: i for i, ch in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, ch: object) -> bool:
        return ch in self.stoi

    def encode(self, text: str) -> list[int]:
        stoi = self.stoi
        return [stoi[ch] for ch in text]

    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.itos[int(i)] for i in ids)

    def unknown(self, text: str) -> list[str]:
        """The characters of ``text`` this vocabulary doesn't have, each once, in order."""
        return [ch for ch in dict.fromkeys(text) if ch not in self.stoi]
