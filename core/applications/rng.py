"""Weights drawn from a generator the training owns (never torch's global RNG).

``init_from(model, g)`` re-draws every parameter with the same distributions torch's own layers
use at construction, but from ``g``: two trainings in two threads then start from exactly the
weights each gets alone.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn


def init_from(model: nn.Module, g: torch.Generator) -> nn.Module:
    """Re-initialise Linear, Conv, Embedding, GRU/LSTM/RNN layers of ``model`` from ``g`` (in place)."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)):
                nn.init.kaiming_uniform_(module.weight, a=math.sqrt(5), generator=g)  # torch's default
                if module.bias is not None:
                    fan_in = module.weight[0].numel()
                    bound = 1 / math.sqrt(fan_in)
                    nn.init.uniform_(module.bias, -bound, bound, generator=g)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, generator=g)
            elif isinstance(module, nn.RNNBase):
                bound = 1 / math.sqrt(module.hidden_size)
                for p in module.parameters():
                    nn.init.uniform_(p, -bound, bound, generator=g)
    return model
