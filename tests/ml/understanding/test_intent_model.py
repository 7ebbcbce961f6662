"""The intent classifier, trained for real on MiniLM embeddings of the committed train split."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from ml.training.intents import classification_metrics, evaluate, split
from ml.understanding.intent_model import (
    META_FILE,
    WEIGHTS_FILE,
    FeatureConfig,
    IntentClassifier,
    IntentModelError,
    lexical_features,
)
from ml.understanding.types import Intent
from tests.ml.understanding.intent_support import caching_embedder, committed

pytestmark = pytest.mark.slow  # real MiniLM embeddings of the ~4,000 committed rows (~20 s on a quiet core)

ISSUE_EXAMPLES = {
    "hello!": Intent.chit_chat,
    "thanks, that's all": Intent.chit_chat,
    "where is my order?": Intent.service,
    "I want to talk to a real person": Intent.handoff,
    "what's the weather like?": Intent.out_of_scope,
    "a sofa for no more than $700": Intent.search,
    "cheaper ones?": Intent.refine,
    "which one is the cheapest?": Intent.ask_about,
}


@pytest.fixture(scope="module")
def trained() -> tuple[IntentClassifier, dict]:
    rows, vectors = committed()
    train, test = split(rows)
    train_idx = [i for i, r in enumerate(rows) if r.split == "train"]
    test_idx = [i for i, r in enumerate(rows) if r.split == "test"]
    model = IntentClassifier.train(
        [r.text for r in train],
        vectors[train_idx],
        [r.intent for r in train],
        embedder=caching_embedder(),
    )
    return model, evaluate(model, vectors[test_idx], test)


def test_learns_the_held_out_split(trained) -> None:
    _, metrics = trained
    assert metrics["rows"] >= 700
    assert metrics["macro_f1"] >= 0.90, metrics["per_intent"]
    for intent, values in metrics["per_intent"].items():
        assert values["f1"] >= 0.80, (intent, values)
    matrix = np.asarray(metrics["confusion"]["matrix"])
    assert matrix.shape == (7, 7) and matrix.sum() == metrics["rows"]
    assert np.trace(matrix) / matrix.sum() == pytest.approx(metrics["accuracy"])


def test_the_issues_examples_are_classified_right(trained) -> None:
    model, _ = trained
    texts = list(ISSUE_EXAMPLES)
    for text, (intent, confidence, scores) in zip(texts, model.predict(texts), strict=True):
        assert intent == ISSUE_EXAMPLES[text], (text, intent, scores)
        assert set(scores) == {i.value for i in Intent}
        assert sum(scores.values()) == pytest.approx(1.0, abs=1e-5)
        assert confidence == pytest.approx(max(scores.values())) and confidence > 0.4


def test_predict_vectors_reuses_a_precomputed_embedding(trained) -> None:
    model, _ = trained
    texts = ["any in grey?", "can I pay with paypal?"]
    vectors = caching_embedder().embed_base(texts)
    assert [p[0] for p in model.predict_vectors(vectors, texts)] == [p[0] for p in model.predict(texts)]
    assert model.predict([]) == [] and model.predict_vectors(np.zeros((0, 384), np.float32), []) == []
    with pytest.raises(ValueError):
        model.predict_vectors(vectors[:1], texts)
    with pytest.raises(IntentModelError):
        model.predict_vectors(np.zeros((2, 768), np.float32), texts)  # another embedder's width


def test_save_load_round_trip_and_tamper_detection(trained, tmp_path: Path) -> None:
    model, metrics = trained
    folder = model.save(tmp_path / "m", {"test_macro_f1": metrics["macro_f1"]})
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["labels"] == [i.value for i in Intent]
    assert meta["embedder_version"] == "all-MiniLM-L6-v2" and meta["embedding_dim"] == 384
    assert meta["test_macro_f1"] == metrics["macro_f1"] and len(meta["weights_sha256"]) == 64
    assert (folder / WEIGHTS_FILE).stat().st_size < 1_000_000  # a small file

    loaded = IntentClassifier.load(folder, caching_embedder())
    assert loaded.version == model.version
    texts = ["hi there", "in black?", "refund please"]
    vectors = caching_embedder().embed_base(texts)
    np.testing.assert_allclose(loaded.probabilities(vectors, texts), model.probabilities(vectors, texts))

    raw = bytearray((folder / WEIGHTS_FILE).read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (folder / WEIGHTS_FILE).write_bytes(bytes(raw))
    with pytest.raises(IntentModelError, match="sha256"):
        IntentClassifier.load(folder)
    (folder / WEIGHTS_FILE).unlink()
    with pytest.raises(IntentModelError):
        IntentClassifier.load(folder)
    with pytest.raises(IntentModelError):
        IntentClassifier.load(tmp_path / "nothing-here")


def test_classifying_one_message_is_fast_after_load(trained) -> None:
    model, _ = trained
    text = ["do you have it in a bigger size?"]
    vector = caching_embedder().embed_base(text)
    model.predict_vectors(vector, text)
    start = time.perf_counter()
    for _ in range(50):
        model.predict_vectors(vector, text)
    per_message_ms = (time.perf_counter() - start) / 50 * 1000
    assert per_message_ms < 20, per_message_ms  # ~0.5 ms measured; the embedding dominates


def test_lexical_features_fold_accents_and_case() -> None:
    config = FeatureConfig()
    a, b, c = lexical_features(["Je cherche un CANAPÉ", "je cherche un canape", "where is my order"], config)
    assert a @ b == pytest.approx(2.0, abs=1e-5)  # two unit blocks, identical
    assert a @ c < 0.5


def test_metrics_are_computed_from_the_confusion_matrix() -> None:
    truth = [Intent.search, Intent.search, Intent.refine, Intent.handoff]
    predicted = [Intent.search, Intent.refine, Intent.refine, Intent.handoff]
    m = classification_metrics(truth, predicted)
    search = m["per_intent"]["search"]
    assert search == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert m["per_intent"]["refine"]["precision"] == 0.5
    assert m["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1.0) / 3)  # intents with support only
    assert m["accuracy"] == 0.75
