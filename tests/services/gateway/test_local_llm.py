"""The local answer model's preflight: every reason it cannot start is one line, not a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.gateway import local_llm
from services.gateway.local_llm import LOCAL_MODELS, LlamaServerProcess, LocalLLMUnavailable, preflight


def _files(tmp_path: Path, flags: str, available_kb: int) -> tuple[Path, Path]:
    cpu, mem = tmp_path / "cpuinfo", tmp_path / "meminfo"
    cpu.write_text(f"processor : 0\nflags\t\t: fpu sse2 {flags}\n")
    mem.write_text(f"MemTotal: 99999999 kB\nMemAvailable: {available_kb} kB\n")
    return cpu, mem


def test_missing_build_says_make_llm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_llm.importlib.util, "find_spec", lambda name: None)
    cpu, mem = _files(tmp_path, "avx avx2 fma f16c bmi2", 8_000_000)
    with pytest.raises(LocalLLMUnavailable, match="make llm"):
        preflight(LOCAL_MODELS["smollm2"], cpu, mem)


def test_cpu_without_avx2_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_llm.importlib.util, "find_spec", lambda name: object())
    cpu, mem = _files(tmp_path, "avx fma", 8_000_000)
    with pytest.raises(LocalLLMUnavailable, match="lacks avx2, f16c, bmi2"):
        preflight(LOCAL_MODELS["smollm2"], cpu, mem)


def test_not_enough_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_llm.importlib.util, "find_spec", lambda name: object())
    cpu, mem = _files(tmp_path, "avx avx2 fma f16c bmi2", 1_000_000)  # ~976 MB
    preflight(LOCAL_MODELS["smollm2"], cpu, mem)  # 135M fits
    with pytest.raises(LocalLLMUnavailable, match=r"not enough memory for qwen1\.5b"):
        preflight(LOCAL_MODELS["qwen1.5b"], cpu, mem)


def test_unknown_model() -> None:
    with pytest.raises(LocalLLMUnavailable, match="unknown local model"):
        local_llm.start_local_llm("gpt-17")


def test_server_command_and_client_env() -> None:
    server = LlamaServerProcess(LOCAL_MODELS["smollm2"], Path("/m/s.gguf"), port=8123)
    cmd = server.command
    assert cmd[1:3] == ["-m", "llama_cpp.server"]
    assert cmd[cmd.index("--model") + 1] == "/m/s.gguf" and cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert server.ready_url == "http://127.0.0.1:8123/v1/models"
    assert "--n_threads" not in cmd  # llama.cpp's default unless told (spinning threads under load)
    pinned = LlamaServerProcess(LOCAL_MODELS["smollm2"], Path("/m"), threads=2)
    assert pinned.command[-2:] == ["--n_threads", "2"]
    env = local_llm.client_env(server)
    assert env["SHOPTALK_OPENAI_BASE_URL"] == "http://127.0.0.1:8123/v1"
    assert env["SHOPTALK_LLM_MODEL"] == "smollm2-135m-instruct"
    assert int(env["SHOPTALK_LLM_MAX_TOKENS"]) == local_llm.LOCAL_MAX_TOKENS  # bounded answer time


def test_llm_setting_selects_the_one_client(tmp_path: Path) -> None:
    from ml.config import Settings
    from services.gateway.llm import LLMClient

    keyed: dict[str, Any] = {"openai_api_key": "sk-x", "openai_base_url": "http://127.0.0.1:9/v1"}
    assert LLMClient.from_settings(Settings(data_dir=tmp_path, llm="off", **keyed)) is None
    assert LLMClient.from_settings(Settings(data_dir=tmp_path, llm="openai")) is None  # no key
    local = LLMClient.from_settings(
        Settings(data_dir=tmp_path, llm="local", openai_base_url="http://127.0.0.1:9/v1", llm_model="m")
    )
    assert local is not None and local.model == "m"
    assert str(local.client.base_url).startswith("http://127.0.0.1:9/v1")
    assert LLMClient.from_settings(Settings(data_dir=tmp_path, llm="local")) is None  # not started


def test_settings_cap_the_answer_length(tmp_path: Path) -> None:
    from ml.config import Settings
    from services.gateway.llm import LLMClient

    settings = Settings(
        data_dir=tmp_path, llm="local", openai_base_url="http://127.0.0.1:9/v1", llm_max_tokens=123
    )
    client = LLMClient.from_settings(settings)
    assert client is not None and client.max_tokens == 123


def test_up_says_why_and_answers_offline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``shoptalk up --llm local`` without the build: one line why, the gateway runs offline."""
    from services.cli import up

    monkeypatch.setattr(local_llm.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setenv("SHOPTALK_LLM", "local")
    stop = up._start_local_llm("local", "qwen1.5b", timeout_s=5)
    stop()
    captured = capsys.readouterr()
    out = " ".join((captured.out + captured.err).split())  # rich wraps long lines
    assert "local answer model not started" in out and "make llm" in out and "Traceback" not in out
    import os

    assert os.environ["SHOPTALK_LLM"] == "off"


def test_a_crashing_server_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Weights llama.cpp cannot load: the server exits, and the reason is its last log line."""
    try:
        preflight(LOCAL_MODELS["smollm2"])
    except LocalLLMUnavailable as exc:
        pytest.skip(f"llama.cpp server not runnable here: {exc}")
    bogus = tmp_path / "broken.gguf"
    bogus.write_bytes(b"GGUF" + b"\0" * 64)
    monkeypatch.setattr(local_llm, "gguf_path", lambda model, models_dir=None: bogus)
    with pytest.raises(LocalLLMUnavailable, match="did not start") as info:
        local_llm.start_local_llm("smollm2", timeout_s=60, log_path=tmp_path / "llm.log")
    assert "\n" not in str(info.value)


async def test_a_local_client_streams_its_completions_and_gives_up_cleanly() -> None:
    """Against a single-slot server an abandoned non-streamed answer keeps it busy; the local client
    reads every answer as a stream, so its deadline closes the connection (and stops the server)."""
    import time

    from services.bench.stub_llm import OpenAIStubServer
    from services.gateway.llm import LLMClient, LLMFailure

    with OpenAIStubServer() as stub:
        stub.mode, stub.fixed_text = "fixed", "one two three four five six seven eight"
        client = LLMClient("k", "m", stub.base_url, timeout_s=1.0, max_retries=0, stream_completions=True)
        try:
            text, usage = await client.complete([{"role": "user", "content": "hi"}])
            assert text == stub.fixed_text and usage.completion_tokens > 0
            assert stub.requests[-1]["stream"] is True
            stub.chunk_delay_s = 0.3  # four chunks: 1.2 s, each inside the per-token deadline
            started = time.perf_counter()
            with pytest.raises(LLMFailure) as info:
                await client.complete([{"role": "user", "content": "hi"}])
            assert info.value.reason == "llm-timeout" and time.perf_counter() - started < 1.5
            text, _ = await client.complete([{"role": "user", "content": "json"}], json_mode=True)
            assert "stream" not in stub.requests[-1]  # JSON mode keeps the plain request
        finally:
            await client.aclose()
