"""The intent classifier: multinomial logistic regression over MiniLM + hashed lexical features.

Features per message:
- the frozen all-MiniLM-L6-v2 sentence embedding (384-d, unit length) — *base* embeddings
  (``SentenceEmbedder.embed_base``), never adapter output, so a re-trained retrieval adapter
  cannot shift the intent model;
- hashed character 2–5-grams inside word boundaries (typos, short forms, other languages) and
  hashed word uni/bi-grams ("cheaper ones", "talk to"), each block l2-normalised.

Training is full-batch L-BFGS on the softmax cross-entropy with an L2 penalty and balanced class
weights (torch, CPU, seconds). Inference is one matrix product in numpy. Saved as a folder:
``intent_model.npz`` (weights) + ``intent_model.json`` (labels, feature config, embedder
version, metrics, sha256 of the weights file, checked at load).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import time
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.logging import get_logger
from ml.understanding.types import Intent

if TYPE_CHECKING:
    from ml.embedding.sentence import SentenceEmbedder

log = get_logger(__name__)

WEIGHTS_FILE = "intent_model.npz"
META_FILE = "intent_model.json"
FORMAT_VERSION = 1

Prediction = tuple[Intent, float, dict[str, float]]


class IntentModelError(ValueError):
    """The saved model is unusable: missing files, tampered weights, wrong embedder."""


@dataclass(frozen=True)
class FeatureConfig:
    char_dim: int = 4096
    word_dim: int = 2048
    char_min: int = 2
    char_max: int = 5
    embedding_weight: float = 1.0
    char_weight: float = 1.0
    word_weight: float = 1.0


@dataclass(frozen=True)
class TrainConfig:
    l2: float = 1e-5  # mean loss + l2 * ||W||²; chosen on a group-held-out slice of train
    max_iter: int = 300
    seed: int = 0
    features: FeatureConfig = field(default_factory=FeatureConfig)

    def params(self) -> dict[str, Any]:
        flat: dict[str, Any] = {k: v for k, v in asdict(self).items() if k != "features"}
        flat.update({f"features_{k}": v for k, v in asdict(self.features).items()})
        return flat


# ---------------------------------------------------------------------------- lexical features
_TOKEN = re.compile(r"[\w$£€₹¥#+']+|[?!]")


def fold(text: str) -> str:
    """Lower-case, accents stripped ("canapé" = "canape"), whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip()


def _bucket(token: str, dim: int) -> tuple[int, float]:
    h = zlib.crc32(token.encode("utf-8"))
    return h % dim, (1.0 if (h >> 31) & 1 == 0 else -1.0)


def _l2_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def lexical_features(texts: Sequence[str], config: FeatureConfig) -> np.ndarray:
    """Signed hashed char n-grams and word uni/bi-grams, each block l2-normalised."""
    chars = np.zeros((len(texts), config.char_dim), dtype=np.float32)
    words = np.zeros((len(texts), config.word_dim), dtype=np.float32)
    for row, text in enumerate(texts):
        tokens = _TOKEN.findall(fold(text))
        for token in tokens:
            padded = f" {token} "
            for n in range(config.char_min, config.char_max + 1):
                for i in range(max(1, len(padded) - n + 1)):
                    col, sign = _bucket("c" + padded[i : i + n], config.char_dim)
                    chars[row, col] += sign
        grams = [f"w {t}" for t in tokens] + [f"b {a} {b}" for a, b in itertools.pairwise(tokens)]
        grams.append(f"n {min(len(tokens), 8)}")  # message length, coarse
        for gram in grams:
            col, sign = _bucket(gram, config.word_dim)
            words[row, col] += sign
    chars = np.sign(chars) * np.log1p(np.abs(chars))
    words = np.sign(words) * np.log1p(np.abs(words))
    return np.concatenate(
        [_l2_rows(chars) * config.char_weight, _l2_rows(words) * config.word_weight], axis=1
    ).astype(np.float32)


def build_features(vectors: np.ndarray, texts: Sequence[str], config: FeatureConfig) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != len(texts):
        raise ValueError(f"need one embedding per text: {vectors.shape} for {len(texts)} texts")
    return np.concatenate(
        [_l2_rows(vectors) * config.embedding_weight, lexical_features(texts, config)], axis=1
    )


# ---------------------------------------------------------------------------- training
def fit_softmax(
    features: np.ndarray, targets: np.ndarray, n_classes: int, config: TrainConfig
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Multinomial logistic regression (L-BFGS, balanced class weights). Returns W, b, stats."""
    import torch

    torch.manual_seed(config.seed)
    x = torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32))
    y = torch.from_numpy(np.asarray(targets, dtype=np.int64))
    counts = torch.bincount(y, minlength=n_classes).clamp(min=1).float()
    class_weight = counts.sum() / (n_classes * counts)
    weight = torch.zeros((n_classes, x.shape[1]), requires_grad=True)
    bias = torch.zeros(n_classes, requires_grad=True)
    optimiser = torch.optim.LBFGS(
        [weight, bias], lr=1.0, max_iter=config.max_iter, history_size=20, line_search_fn="strong_wolfe"
    )
    loss_fn = torch.nn.CrossEntropyLoss(weight=class_weight)
    start = time.perf_counter()

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = loss_fn(x @ weight.T + bias, y) + config.l2 * (weight * weight).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    with torch.no_grad():
        final = float(loss_fn(x @ weight.T + bias, y))
    stats = {"train_loss": final, "fit_seconds": time.perf_counter() - start}
    return weight.detach().numpy().astype(np.float32), bias.detach().numpy().astype(np.float32), stats


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------- the model
class IntentClassifier:
    """Predicts an :class:`Intent` with a confidence and every intent's probability."""

    def __init__(
        self,
        weight: np.ndarray,
        bias: np.ndarray,
        labels: Sequence[Intent],
        features: FeatureConfig,
        meta: dict[str, Any] | None = None,
        embedder: SentenceEmbedder | None = None,
    ) -> None:
        self.weight = np.asarray(weight, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.labels = [Intent(label) for label in labels]
        self.features = features
        self.meta: dict[str, Any] = dict(meta or {})
        self._embedder = embedder
        if self.weight.shape[0] != len(self.labels) or self.bias.shape != (len(self.labels),):
            raise IntentModelError(f"weights {self.weight.shape} do not match {len(self.labels)} labels")

    # ------------------------------------------------------------------ construction
    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        vectors: np.ndarray,
        labels: Sequence[Intent],
        config: TrainConfig | None = None,
        embedder_version: str = "all-MiniLM-L6-v2",
        embedder: SentenceEmbedder | None = None,
    ) -> IntentClassifier:
        config = config or TrainConfig()
        classes = list(Intent)
        index = {label: i for i, label in enumerate(classes)}
        targets = np.asarray([index[Intent(label)] for label in labels], dtype=np.int64)
        x = build_features(vectors, texts, config.features)
        weight, bias, stats = fit_softmax(x, targets, len(classes), config)
        meta = {
            "embedder_version": embedder_version,
            "embedding_dim": int(np.asarray(vectors).shape[1]),
            "train_rows": len(texts),
            "train_config": config.params(),
            **stats,
        }
        return cls(weight, bias, classes, config.features, meta, embedder)

    @property
    def embedding_dim(self) -> int:
        return int(self.meta.get("embedding_dim", self.weight.shape[1] - self._lexical_dim))

    @property
    def _lexical_dim(self) -> int:
        return self.features.char_dim + self.features.word_dim

    @property
    def version(self) -> str:
        """Content-derived: the same weights always have the same version."""
        digest = hashlib.sha256(self.weight.tobytes() + self.bias.tobytes()).hexdigest()[:12]
        return f"intent-{digest}"

    @property
    def embedder(self) -> SentenceEmbedder:
        if self._embedder is None:
            from ml.embedding.sentence import SentenceEmbedder

            self._embedder = SentenceEmbedder()
        return self._embedder

    # ------------------------------------------------------------------ prediction
    def probabilities(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        x = build_features(vectors, texts, self.features)
        if x.shape[1] != self.weight.shape[1]:
            raise IntentModelError(
                f"feature width {x.shape[1]} != model width {self.weight.shape[1]} "
                f"(embedding dim {np.asarray(vectors).shape[1]}, model trained on {self.embedding_dim})"
            )
        return _softmax(x @ self.weight.T + self.bias)

    def predict_vectors(self, vectors: np.ndarray, texts: Sequence[str]) -> list[Prediction]:
        """Classify with precomputed *base* MiniLM embeddings (one row per text)."""
        if len(texts) == 0:
            return []
        probs = self.probabilities(vectors, texts)
        out: list[Prediction] = []
        for row in probs:
            best = int(np.argmax(row))
            scores = {label.value: float(p) for label, p in zip(self.labels, row, strict=True)}
            out.append((self.labels[best], float(row[best]), scores))
        return out

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Embed with the base model, then classify: ``[(intent, confidence, {intent: p})]``."""
        if len(texts) == 0:
            return []
        return self.predict_vectors(self.embedder.embed_base(list(texts)), texts)

    # ------------------------------------------------------------------ persistence
    def save(self, folder: str | Path, extra_meta: dict[str, Any] | None = None) -> Path:
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        weights = out / WEIGHTS_FILE
        with weights.open("wb") as handle:
            np.savez(handle, weight=self.weight, bias=self.bias)
        meta = {
            **self.meta,
            **(extra_meta or {}),
            "format_version": FORMAT_VERSION,
            "model_version": self.version,
            "labels": [label.value for label in self.labels],
            "features": asdict(self.features),
            "weights_file": WEIGHTS_FILE,
            "weights_sha256": _sha256(weights),
        }
        self.meta = meta
        (out / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, folder: str | Path, embedder: SentenceEmbedder | None = None) -> IntentClassifier:
        root = find_model_dir(Path(folder))
        meta = json.loads((root / META_FILE).read_text(encoding="utf-8"))
        if int(meta.get("format_version", 0)) != FORMAT_VERSION:
            raise IntentModelError(f"unsupported intent model format {meta.get('format_version')}")
        weights = root / str(meta.get("weights_file", WEIGHTS_FILE))
        if not weights.is_file():
            raise IntentModelError(f"missing weights file {weights}")
        actual = _sha256(weights)
        if actual != meta.get("weights_sha256"):
            raise IntentModelError(
                f"weights sha256 {actual[:12]}… does not match the recorded "
                f"{str(meta.get('weights_sha256'))[:12]}… in {root / META_FILE}: refusing to load"
            )
        with np.load(weights, allow_pickle=False) as data:
            weight, bias = data["weight"], data["bias"]
        model = cls(
            weight,
            bias,
            [Intent(x) for x in meta["labels"]],
            FeatureConfig(**meta["features"]),
            meta,
            embedder,
        )
        if embedder is not None and meta.get("embedder_version") not in (None, embedder.base_name):
            log.warning(
                "intent_model.embedder_mismatch",
                trained_on=meta.get("embedder_version"),
                given=embedder.base_name,
            )
        return model


def find_model_dir(root: Path) -> Path:
    if (root / META_FILE).is_file():
        return root
    for candidate in sorted(root.rglob(META_FILE)):
        return candidate.parent
    raise IntentModelError(f"no {META_FILE} under {root}")
