"""Train the residual adapter on precomputed base embeddings with a triplet loss (CPU, seconds).

The adapter is applied to queries and documents alike (the embedder applies it to every
text), and the loss is a triplet margin loss on cosine distance. With validation triplets
the weights of the epoch with the lowest validation loss are kept. Returns the trained module
and per-epoch train/validation loss curves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from ml.embedding.adapter import ResidualAdapter
from ml.training.triplets import TripletSet


@dataclass
class TrainConfig:
    epochs: int = 8
    batch_size: int = 64
    learning_rate: float = 1e-4  # 2e-3 overfits the 147k-parameter map within 2 epochs on the sample
    weight_decay: float = 1e-4
    triplet_margin: float = 0.2
    seed: int = 0
    restore_best: bool = True  # keep the epoch with the lowest validation loss (early stopping)


@dataclass
class TrainResult:
    module: ResidualAdapter
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None


def cosine_distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return 1.0 - nn.functional.cosine_similarity(a, b, dim=-1)


def _loss(
    module: ResidualAdapter,
    loss_fn: nn.Module,
    triplets: TripletSet,
    queries: torch.Tensor,
    docs: torch.Tensor,
    rows: np.ndarray,
) -> torch.Tensor:
    a = module(queries[triplets.anchors[rows]])
    p = module(docs[triplets.positives[rows]])
    n = module(docs[triplets.negatives[rows]])
    return loss_fn(a, p, n)


def train_adapter(
    query_vectors: np.ndarray,
    doc_vectors: np.ndarray,
    train: TripletSet,
    validation: TripletSet | None = None,
    config: TrainConfig | None = None,
) -> TrainResult:
    """``query_vectors`` / ``doc_vectors`` are frozen *base* embeddings (``embed_base``)."""
    config = config or TrainConfig()
    if len(train) == 0:
        raise ValueError("no training triplets")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    queries = torch.from_numpy(np.ascontiguousarray(query_vectors, dtype=np.float32))
    docs = torch.from_numpy(np.ascontiguousarray(doc_vectors, dtype=np.float32))
    module = ResidualAdapter(int(queries.shape[1]))
    optimiser = torch.optim.AdamW(
        module.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    loss_fn = nn.TripletMarginWithDistanceLoss(
        distance_function=cosine_distance, margin=config.triplet_margin
    )
    result = TrainResult(module)
    best_state: dict[str, torch.Tensor] = {}
    for _epoch in range(config.epochs):
        start = time.perf_counter()
        module.train()
        order = rng.permutation(len(train))
        total = 0.0
        for begin in range(0, len(order), config.batch_size):
            rows = order[begin : begin + config.batch_size]
            optimiser.zero_grad()
            loss = _loss(module, loss_fn, train, queries, docs, rows)
            loss.backward()
            optimiser.step()
            total += float(loss.item()) * len(rows)
        result.train_loss.append(total / len(order))
        if validation is not None and len(validation):
            module.eval()
            with torch.no_grad():
                val = _loss(module, loss_fn, validation, queries, docs, np.arange(len(validation)))
            result.val_loss.append(float(val.item()))
            if result.best_epoch is None or result.val_loss[-1] < result.val_loss[result.best_epoch]:
                result.best_epoch = len(result.val_loss) - 1
                best_state = {k: v.detach().clone() for k, v in module.state_dict().items()}
        result.epoch_seconds.append(time.perf_counter() - start)
    if config.restore_best and result.best_epoch is not None:
        module.load_state_dict(best_state)
    module.eval()
    return result
