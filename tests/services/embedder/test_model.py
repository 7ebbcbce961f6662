"""The embedder kserve.Model in-process: v2/v1 requests, batches, metadata, and 400s for bad input."""

from __future__ import annotations

import numpy as np
import pytest
from kserve.errors import InvalidInput
from kserve.protocol.infer_type import InferInput, InferRequest

from ml.embedding.adapter import ResidualAdapter, load_adapter, save_adapter
from ml.embedding.sentence import SentenceEmbedder
from services.embedder.model import EmbedderModel


def request(texts: list[str], datatype: str = "BYTES", shape: list[int] | None = None) -> InferRequest:
    tensor = InferInput("text", shape if shape is not None else [len(texts)], datatype, data=texts)
    return InferRequest("embedder", [tensor], request_id="r1")


async def test_v2_batch_returns_normalised_fp32_and_model_version(embedder_model: EmbedderModel) -> None:
    texts = ["waterproof hiking boots", "blue phone case", "oak coffee table"]
    response, _ = await embedder_model(request(texts))
    (output,) = response.outputs
    assert output.name == "embedding" and output.datatype == "FP32"
    vectors = np.asarray(output.data, dtype=np.float32).reshape(output.shape)
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    expected = embedder_model.embedder.embed(texts)
    np.testing.assert_allclose(vectors, expected, atol=1e-5)
    assert response.parameters["model_version"] == "all-MiniLM-L6-v2+identity"
    assert response.parameters["dim"] == 384
    assert response.id == "r1"


async def test_v1_predict_returns_predictions_and_version(embedder_model: EmbedderModel) -> None:
    response, _ = await embedder_model({"instances": ["red shoes", {"text": "red shoes"}]})
    first, second = response["predictions"]
    assert len(first) == 384 and first == pytest.approx(second, abs=1e-6)
    assert response["model_version"] == "all-MiniLM-L6-v2+identity"


def test_metadata_lists_every_tensor(embedder_model: EmbedderModel) -> None:
    assert embedder_model.get_input_types() == [{"name": "text", "datatype": "BYTES", "shape": [-1]}]
    assert embedder_model.get_output_types() == [
        {"name": "embedding", "datatype": "FP32", "shape": [-1, 384]}
    ]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (request([1.0], datatype="FP32"), "must be BYTES"),
        (request([], shape=[0]), "empty batch"),
        (request(["a"], shape=[3]), "does not match shape"),
        (request(["x"] * 65), "limit is 64"),
        (InferRequest("embedder", [InferInput("txt", [1], "BYTES", data=["a"])]), "unexpected input"),
        (InferRequest("embedder", []), "missing required input"),
        ({"instances": []}, "empty batch"),
        ({"instances": [3]}, "must be a string"),
        ({"inputs": "nope"}, "instances"),
    ],
)
async def test_bad_payloads_are_invalid_input(
    embedder_model: EmbedderModel, payload: object, reason: str
) -> None:
    with pytest.raises(InvalidInput, match=reason):
        await embedder_model(payload)  # type: ignore[arg-type]


async def test_non_utf8_bytes_element_is_invalid_input(embedder_model: EmbedderModel) -> None:
    tensor = InferInput("text", [1], "BYTES")
    tensor.set_data_from_numpy(np.array([b"\xff\xfe"], dtype=object), binary_data=True)
    with pytest.raises(InvalidInput, match="not UTF-8"):
        await embedder_model(InferRequest("embedder", [tensor]))


async def test_adapter_changes_vectors_and_reported_version(tmp_path, embedder_model: EmbedderModel) -> None:  # type: ignore[no-untyped-def]
    import torch

    module = ResidualAdapter(384)
    with torch.no_grad():
        module.linear.weight.normal_(0, 0.05)
    version = save_adapter(module, tmp_path / "adapter")
    model = EmbedderModel(SentenceEmbedder(adapter=load_adapter(str(tmp_path / "adapter"))))
    model.load()
    response, _ = await model(request(["red shoes"]))
    assert response.parameters["model_version"] == f"all-MiniLM-L6-v2+{version}"
    vector = np.asarray(response.outputs[0].data, dtype=np.float32)
    base = embedder_model.embedder.embed(["red shoes"])[0]
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert float(vector @ base) < 0.9999


async def test_unexpected_model_failure_is_an_inference_error_with_reason(
    embedder_model: EmbedderModel,
) -> None:
    from kserve.errors import InferenceError

    class Broken:
        dim = 384
        model_version = "broken"

        def embed(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("CUDA out of memory")

    model = EmbedderModel(Broken())  # type: ignore[arg-type]
    model.dim, model.ready = 384, True
    with pytest.raises(InferenceError, match="embedder failed: RuntimeError: CUDA out of memory"):
        await model(request(["x"]))
