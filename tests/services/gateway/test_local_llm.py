"""The local answer model's preflight: every reason it cannot start is one line, not a traceback."""

from __future__ import annotations

from pathlib import Path

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
    env = local_llm.client_env(server)
    assert env["SHOPTALK_OPENAI_BASE_URL"] == "http://127.0.0.1:8123/v1"
    assert env["SHOPTALK_LLM_MODEL"] == "smollm2-135m-instruct"


def test_llm_setting_selects_the_one_client(tmp_path: Path) -> None:
    from ml.config import Settings
    from services.gateway.llm import LLMClient

    keyed = {"openai_api_key": "sk-x", "openai_base_url": "http://127.0.0.1:9/v1"}
    assert LLMClient.from_settings(Settings(data_dir=tmp_path, llm="off", **keyed)) is None
    assert LLMClient.from_settings(Settings(data_dir=tmp_path, llm="openai")) is None  # no key
    local = LLMClient.from_settings(
        Settings(data_dir=tmp_path, llm="local", openai_base_url="http://127.0.0.1:9/v1", llm_model="m")
    )
    assert local is not None and local.model == "m"
    assert str(local.client.base_url).startswith("http://127.0.0.1:9/v1")
    assert LLMClient.from_settings(Settings(data_dir=tmp_path, llm="local")) is None  # not started
