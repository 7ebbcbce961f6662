"""A ``kserve.Model`` base that validates, runs the model off the event loop and maps errors.

Subclasses declare ``inputs``/``outputs`` (:class:`~services.common.tensors.TensorSpec`),
implement ``infer_v2(request) -> InferResponse`` and ``infer_v1(instances) -> list`` (both
synchronous; they run in the server's thread pool so health checks keep answering), and list
the library exceptions that mean "bad payload" in ``client_errors``. Those become
``InvalidInput`` (HTTP 400 with the reason); anything else becomes ``InferenceError``
(HTTP 500 with a JSON reason) — never a dropped connection.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any, ClassVar, Protocol, TypeVar

from kserve import Model
from kserve.errors import InferenceError, InvalidInput
from kserve.protocol.infer_type import InferRequest, InferResponse

from ml.logging import get_logger
from services.common.tensors import TensorSpec

log = get_logger(__name__)
T = TypeVar("T")


class Backend(Protocol):
    """The ``ml/`` model a service wraps: loaded once, named by its version."""

    @property
    def model_version(self) -> str: ...

    def load(self) -> Any: ...


class V2Model(Model):
    inputs: ClassVar[tuple[TensorSpec, ...]] = ()
    outputs: ClassVar[tuple[TensorSpec, ...]] = ()
    client_errors: ClassVar[tuple[type[Exception], ...]] = ()

    def __init__(self, name: str, max_batch: int = 64, backend: Backend | None = None) -> None:
        super().__init__(name)
        self.max_batch = max_batch
        self.backend = backend

    # --- lifecycle (a backend's by default) -----------------------------------------------
    def warm_up(self) -> None:
        """Run once after loading, before the model reports ready (first request pays nothing)."""

    def load(self) -> bool:
        if self.backend is not None:
            self.backend.load()
        self.warm_up()
        self.ready = True
        log.info("model.ready", model=self.name, **self.response_parameters())
        return self.ready

    # --- metadata (GET /v2/models/NAME) -------------------------------------------------
    def get_input_types(self) -> list[dict[str, Any]]:
        return [spec.as_metadata() for spec in self.inputs]

    def get_output_types(self) -> list[dict[str, Any]]:
        return [spec.as_metadata() for spec in self.outputs]

    # --- to implement ---------------------------------------------------------------------
    def infer_v2(self, request: InferRequest) -> InferResponse:
        raise NotImplementedError

    def infer_v1(self, instances: list[Any]) -> list[Any]:
        raise NotImplementedError

    def response_parameters(self) -> dict[str, Any]:
        """Reported with every response (v2 ``parameters``, v1 top-level keys)."""
        return {} if self.backend is None else {"model_version": self.backend.model_version}

    # --- kserve entry point ---------------------------------------------------------------
    async def predict(
        self,
        payload: dict[str, Any] | InferRequest,
        headers: dict[str, str] | None = None,
        response_headers: dict[str, str] | None = None,
    ) -> dict[str, Any] | InferResponse:
        if isinstance(payload, InferRequest):
            return await self._run(self.infer_v2, payload)
        if isinstance(payload, dict):
            instances = payload.get("instances")
            if not isinstance(instances, list):
                raise InvalidInput('v1 requests need an "instances" list')
            if not instances:
                raise InvalidInput('"instances" is an empty batch')
            if len(instances) > self.max_batch:
                raise InvalidInput(
                    f'"instances" has {len(instances)} elements; the limit is {self.max_batch}'
                )
            predictions = await self._run(self.infer_v1, instances)
            return {"predictions": predictions, **self.response_parameters()}
        raise InvalidInput(f"unsupported payload type {type(payload).__name__}")

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, functools.partial(fn, *args))
        except InvalidInput:
            raise
        except self.client_errors as exc:
            raise InvalidInput(str(exc)) from exc
        except Exception as exc:
            log.exception("model.inference_failed", model=self.name, error=type(exc).__name__)
            raise InferenceError(f"{self.name} failed: {type(exc).__name__}: {exc}") from exc
