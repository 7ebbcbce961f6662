"""Open Inference Protocol v2 tensors: declare them, decode inputs strictly, encode outputs.

Conventions (documented in ``services/README.md``):

* text is a ``BYTES`` tensor of UTF-8 strings, shape ``[N]``;
* audio and images are ``BYTES`` tensors whose elements are the file's bytes — base64 text
  over REST (JSON and the binary-data extension alike, because KServe 0.21 re-reads binary
  ``BYTES`` as UTF-8), raw bytes over gRPC;
* embeddings are ``FP32`` ``[N, dim]``.

Every decoding problem raises :class:`kserve.errors.InvalidInput` with a reason (HTTP 400).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from kserve.errors import InvalidInput
from kserve.protocol.infer_type import InferInput, InferOutput, InferRequest, InferResponse

T = TypeVar("T")


@dataclass(frozen=True)
class TensorSpec:
    name: str
    datatype: str
    shape: tuple[int, ...]
    optional: bool = False
    description: str = ""

    def as_metadata(self) -> dict[str, Any]:
        return {"name": self.name, "datatype": self.datatype, "shape": list(self.shape)}


def check_inputs(request: InferRequest, specs: Sequence[TensorSpec]) -> dict[str, InferInput]:
    """Inputs by name, after checking names and datatypes against ``specs``."""
    known = {spec.name: spec for spec in specs}
    found: dict[str, InferInput] = {}
    for tensor in request.inputs:
        spec = known.get(tensor.name)
        if spec is None:
            raise InvalidInput(f"unexpected input {tensor.name!r}; expected {sorted(known)}")
        if tensor.datatype != spec.datatype:
            raise InvalidInput(f"input {tensor.name!r} must be {spec.datatype}, got {tensor.datatype}")
        if tensor.name in found:
            raise InvalidInput(f"input {tensor.name!r} given twice")
        found[tensor.name] = tensor
    missing = [spec.name for spec in specs if not spec.optional and spec.name not in found]
    if missing:
        raise InvalidInput(f"missing required input(s) {missing}")
    return found


def _elements(tensor: InferInput) -> list[Any]:
    try:
        array = tensor.as_numpy()
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"input {tensor.name!r}: data does not match shape {tensor.shape}: {exc}") from exc
    return list(array.reshape(-1))


def _check_batch(tensor: InferInput, values: list[Any], max_batch: int | None) -> None:
    if not values:
        raise InvalidInput(f"input {tensor.name!r} is an empty batch")
    if max_batch is not None and len(values) > max_batch:
        raise InvalidInput(f"input {tensor.name!r} has {len(values)} elements; the limit is {max_batch}")


def text_elements(
    tensor: InferInput, max_batch: int | None = None, max_chars: int | None = None
) -> list[str]:
    """UTF-8 strings from a ``BYTES`` tensor."""
    values = _elements(tensor)
    _check_batch(tensor, values, max_batch)
    texts: list[str] = []
    for i, value in enumerate(values):
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidInput(f"input {tensor.name!r} element {i} is not UTF-8") from exc
        if not isinstance(value, str):
            raise InvalidInput(f"input {tensor.name!r} element {i} is {type(value).__name__}, not a string")
        if max_chars is not None and len(value) > max_chars:
            raise InvalidInput(
                f"input {tensor.name!r} element {i} has {len(value)} characters (> {max_chars})"
            )
        texts.append(value)
    return texts


def decode_base64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"{what} is not valid base64 ({exc})") from exc


def binary_elements(tensor: InferInput, max_batch: int | None = None) -> list[bytes]:
    """File bytes from a ``BYTES`` tensor: base64 strings (REST) or raw bytes (gRPC)."""
    values = _elements(tensor)
    _check_batch(tensor, values, max_batch)
    out: list[bytes] = []
    for i, value in enumerate(values):
        what = f"input {tensor.name!r} element {i}"
        if isinstance(value, str):
            out.append(decode_base64(value, what))
        elif isinstance(value, bytes):
            out.append(value)
        else:
            raise InvalidInput(f"{what} is {type(value).__name__}; send base64 text")
    return out


def binary_instances(instances: Sequence[Any], kind: str) -> list[bytes]:
    """File bytes from v1 ``instances``: each a base64 string or ``{"b64": "..."}``."""
    blobs: list[bytes] = []
    for i, item in enumerate(instances):
        value = item.get("b64") if isinstance(item, dict) else item
        if not isinstance(value, str):
            raise InvalidInput(f'instance {i} must be base64 {kind} or {{"b64": "..."}}')
        blobs.append(decode_base64(value, f"instance {i}"))
    return blobs


def each_element(
    blobs: Sequence[bytes], fn: Callable[[bytes], T], errors: tuple[type[Exception], ...], kind: str
) -> list[T]:
    """``fn`` over every element; a bad one is a 400 naming its index (``"image element 2: …"``)."""
    out: list[T] = []
    for i, blob in enumerate(blobs):
        try:
            out.append(fn(blob))
        except errors as exc:
            raise InvalidInput(f"{kind} element {i}: {exc}") from exc
    return out


def string_parameter(request: InferRequest, name: str, max_chars: int = 512) -> str | None:
    params = request.parameters or {}
    value = params.get(name)
    if value is None:
        return None
    if hasattr(value, "string_param"):  # gRPC InferParameter
        value = value.string_param
    if not isinstance(value, str):
        raise InvalidInput(f"parameter {name!r} must be a string")
    if len(value) > max_chars:
        raise InvalidInput(f"parameter {name!r} is longer than {max_chars} characters")
    return value or None


def bytes_output(name: str, values: Sequence[str]) -> InferOutput:
    return InferOutput(name=name, shape=[len(values)], datatype="BYTES", data=list(values))


def json_output(name: str, values: Sequence[Any]) -> InferOutput:
    return bytes_output(name, [json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in values])


def fp32_output(name: str, array: np.ndarray) -> InferOutput:
    array = np.ascontiguousarray(array, dtype=np.float32)
    output = InferOutput(name=name, shape=list(array.shape), datatype="FP32")
    output.set_data_from_numpy(array, binary_data=False)
    return output


def build_response(
    request: InferRequest, model_name: str, outputs: list[InferOutput], parameters: dict[str, Any]
) -> InferResponse:
    return InferResponse(
        response_id=request.id or "",
        model_name=model_name,
        infer_outputs=outputs,
        parameters=parameters,
        use_binary_outputs=request.use_binary_outputs,
        requested_outputs=request.request_outputs,
    )
