"""A tiny randomly initialised BLIP saved like a real one — for fast tests and smoke benchmarks.

No BLIP weights install offline. The tokenizer is the BERT ``vocab.txt`` shipped with the
all-MiniLM-L6-v2 package plus BLIP's ``[DEC]``/``[ENC]`` tokens; the image processor is saved
too (transformers 5 needs it to reload a ``BlipProcessor``). Captions are random words.
"""

from __future__ import annotations

from pathlib import Path

from ml.atomic_dir import staged_dir


def build_tiny_blip(output_dir: str | Path, seed: int = 0, image_size: int = 32) -> Path:
    out = Path(output_dir)
    if (out / "config.json").is_file() and (out / "preprocessor_config.json").is_file():
        return out
    import torch
    from transformers import (
        BertTokenizer,
        BlipConfig,
        BlipForConditionalGeneration,
        BlipImageProcessor,
        BlipProcessor,
    )

    from ml.embedding.sentence import default_model_path

    vocab = Path(default_model_path()) / "vocab.txt"
    tokenizer = BertTokenizer(vocab=str(vocab), do_lower_case=True)  # transformers 5: `vocab`, a path
    tokenizer.add_special_tokens({"bos_token": "[DEC]", "additional_special_tokens": ["[ENC]"]})
    tokenizer.enc_token_id = tokenizer.convert_tokens_to_ids("[ENC]")
    torch.manual_seed(seed)
    config = BlipConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": 32,
            "encoder_hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "max_position_embeddings": 64,
            "bos_token_id": tokenizer.bos_token_id,
            "pad_token_id": tokenizer.pad_token_id,
            "sep_token_id": tokenizer.sep_token_id,
            "eos_token_id": tokenizer.sep_token_id,
        },
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "image_size": image_size,
            "patch_size": 8,
        },
        projection_dim=32,
    )
    model = BlipForConditionalGeneration(config).eval()
    processor = BlipProcessor(
        image_processor=BlipImageProcessor(size={"height": image_size, "width": image_size}),
        tokenizer=tokenizer,
    )
    with staged_dir(out, "tiny-blip") as staging:
        model.save_pretrained(staging)
        processor.save_pretrained(staging)
        processor.image_processor.save_pretrained(staging)
    return out
