"""``shoptalk bench inference``: the inference services, served vs in-process.

* embedder texts/s at batch sizes 1, 16, 64 — over HTTP to a local ModelServer vs the same
  model in-process (the serving-overhead ratio), with torch threads 1 and 2;
* ASR real-time factor (processing seconds per audio second) of Whisper base int8 on
  espeak-ng speech, CTranslate2 threads 1 and 2;
* captioner images/s with a tiny randomly initialised BLIP (no BLIP weights offline: this
  measures the captioning path, not BLIP-base speed).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from services.cli.bench import bench_app
from services.cli.common import console, out, settings_for_cli, write_json

_WORDS = [
    "waterproof",
    "hiking",
    "boots",
    "leather",
    "sneakers",
    "silicone",
    "phone",
    "case",
    "rugged",
    "armor",
    "oak",
    "coffee",
    "table",
    "blue",
    "cotton",
    "t-shirt",
    "wireless",
    "earbuds",
    "stainless",
    "steel",
    "water",
    "bottle",
    "backpack",
    "25l",
    "travel",
    "mug",
    "ergonomic",
    "office",
    "chair",
    "memory",
    "foam",
    "pillow",
    "ceramic",
    "vase",
    "running",
    "shoes",
    "wool",
    "socks",
    "lamp",
]
_SPEECH = [
    "I need a blue phone case",
    "show me waterproof hiking boots under one hundred dollars",
    "do you have a wooden coffee table for a small living room",
]


def _texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(_WORDS, k=rng.randint(6, 24))) for _ in range(n)]


def _rate(fn: Callable[[list[str]], Any], texts: list[str], batch: int) -> float:
    fn(texts[:batch])  # warm-up
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        fn(texts[i : i + batch])
    return len(texts) / (time.perf_counter() - start)


def bench_embedder(
    batches: list[int], threads: list[int], n_texts: int, log: Callable[[str], None]
) -> list[dict]:
    import torch

    from ml.clients.embedder import EmbedderClient
    from ml.embedding.sentence import SentenceEmbedder
    from services.common.launcher import ModelServerProcess

    rows = []
    embedder = SentenceEmbedder(threads=1, batch_size=max(batches))
    _ = embedder.dim
    for t in threads:
        torch.set_num_threads(t)
        env = {"OMP_NUM_THREADS": str(t), "SHOPTALK_TORCH_THREADS": str(t)}
        log(f"embedder: starting ModelServer with {t} torch thread(s)")
        with (
            tempfile.TemporaryDirectory() as data,
            ModelServerProcess("embedder", env={**env, "SHOPTALK_DATA_DIR": data}) as server,
            EmbedderClient(server.url, timeout_s=120) as client,
        ):
            for batch in batches:
                texts = _texts(n_texts if batch > 1 else max(16, n_texts // 4), seed=batch)
                local = _rate(embedder.embed, texts, batch)
                served = _rate(client.embed, texts, batch)
                rows.append(
                    {
                        "torch_threads": t,
                        "batch": batch,
                        "in_process_texts_per_s": round(local, 1),
                        "served_texts_per_s": round(served, 1),
                        "served_vs_in_process": round(served / local, 3),
                    }
                )
                log(f"embedder threads={t} batch={batch}: {local:.0f}/s in-process, {served:.0f}/s served")
    torch.set_num_threads(1)
    return rows


def _speech(workdir: Path) -> list[bytes]:
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise typer.BadParameter("espeak-ng is needed for the ASR benchmark (apt-get install espeak-ng)")
    clips = []
    for i, text in enumerate(_SPEECH):
        path = workdir / f"s{i}.wav"
        subprocess.run([binary, "-v", "en-us", "-s", "140", "-w", str(path), text], check=True, timeout=60)
        clips.append(path.read_bytes())
    return clips


def bench_asr(model: str, threads: list[int], data_dir: Path, log: Callable[[str], None]) -> list[dict]:
    from ml.asr.audio import SAMPLE_RATE, decode_audio
    from ml.asr.models import resolve_whisper_model
    from ml.asr.transcriber import Transcriber

    path = resolve_whisper_model(model, data_dir)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        clips = [decode_audio(c) for c in _speech(Path(tmp))]
    audio_s = sum(c.size for c in clips) / SAMPLE_RATE
    for t in threads:
        transcriber = Transcriber(path, compute_type="int8", threads=t)
        transcriber.transcribe(clips[0], language="en")  # load + warm-up
        start = time.perf_counter()
        for clip in clips:
            transcriber.transcribe(clip, language="en")
        seconds = time.perf_counter() - start
        rows.append(
            {
                "model": f"whisper-{model}",
                "compute_type": "int8",
                "threads": t,
                "audio_s": round(audio_s, 2),
                "processing_s": round(seconds, 2),
                "real_time_factor": round(seconds / audio_s, 3),
            }
        )
        log(f"asr {model} threads={t}: RTF {seconds / audio_s:.3f}")
    return rows


def bench_captioner(batches: list[int], n_images: int, log: Callable[[str], None]) -> list[dict]:
    import io

    from PIL import Image

    from ml.captioning.blip import BlipCaptioner
    from services.bench.tiny_blip import build_tiny_blip

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        captioner = BlipCaptioner(build_tiny_blip(Path(tmp) / "tiny-blip"), max_new_tokens=20)
        rng = random.Random(0)
        images = []
        for _ in range(n_images):
            buf = io.BytesIO()
            Image.new("RGB", (256, 256), tuple(rng.randint(0, 255) for _ in range(3))).save(buf, "JPEG")
            images.append(buf.getvalue())
        captioner.caption(images[:1])
        for batch in batches:
            start = time.perf_counter()
            for i in range(0, len(images), batch):
                captioner.caption(images[i : i + batch])
            rate = len(images) / (time.perf_counter() - start)
            rows.append({"model": "tiny-random-blip", "batch": batch, "images_per_s": round(rate, 1)})
            log(f"captioner batch={batch}: {rate:.1f} images/s")
    return rows


# Per section: title, then (column, how a row's cell is written) — the tables are data.
_TABLES: dict[str, tuple[str, tuple[tuple[str, Callable[[dict[str, Any]], str]], ...]]] = {
    "embedder": (
        "embedder texts/s: served over HTTP (ModelServer) vs in-process",
        (
            ("torch threads", lambda r: str(r["torch_threads"])),
            ("batch", lambda r: str(r["batch"])),
            ("in-process /s", lambda r: f"{r['in_process_texts_per_s']:.1f}"),
            ("served /s", lambda r: f"{r['served_texts_per_s']:.1f}"),
            ("served / in-process", lambda r: f"{r['served_vs_in_process']:.2f}"),
        ),
    ),
    "asr": (
        "ASR real-time factor (lower is faster; < 1 is faster than real time)",
        (
            ("model", lambda r: r["model"]),
            ("compute", lambda r: r["compute_type"]),
            ("threads", lambda r: str(r["threads"])),
            ("audio s", lambda r: f"{r['audio_s']:.1f}"),
            ("processing s", lambda r: f"{r['processing_s']:.2f}"),
            ("RTF", lambda r: f"{r['real_time_factor']:.3f}"),
        ),
    ),
    "captioner": (
        "captioner images/s — tiny random BLIP (path cost, not BLIP-base speed)",
        (
            ("model", lambda r: r["model"]),
            ("batch", lambda r: str(r["batch"])),
            ("images/s", lambda r: f"{r['images_per_s']:.1f}"),
        ),
    ),
}


def _print(result: dict[str, Any]) -> None:
    for section, (title, columns) in _TABLES.items():
        if not result.get(section):
            continue
        table = Table(title=title)
        for name, _ in columns:
            table.add_column(name, justify="right")
        for row in result[section]:
            table.add_row(*(cell(row) for _, cell in columns))
        out.print(table)


@bench_app.command("inference")
def bench_inference(
    json_out: Annotated[Path, typer.Option("--json")] = Path("bench-results/inference.json"),
    texts: Annotated[int, typer.Option(help="Texts per embedder measurement.")] = 256,
    threads: Annotated[
        list[int] | None, typer.Option("--threads", help="Thread counts (repeatable).")
    ] = None,
    asr_model: Annotated[str, typer.Option(help="Whisper model for the RTF measurement.")] = "base",
    skip: Annotated[
        list[str] | None, typer.Option("--skip", help="Suites to skip: embedder, asr, captioner.")
    ] = None,
) -> None:
    """Embedder served-vs-in-process throughput, ASR real-time factor, captioner images/s."""
    settings = settings_for_cli()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    thread_counts = threads or [1, 2]
    skipped = set(skip or [])

    def log(message: str) -> None:
        console.print(f"· {message}")

    result: dict[str, Any] = {"threads": thread_counts, "cpu_count": os.cpu_count()}
    if "embedder" not in skipped:
        result["embedder"] = bench_embedder([1, 16, 64], thread_counts, texts, log)
    if "asr" not in skipped:
        result["asr"] = bench_asr(asr_model, thread_counts, settings.data_dir, log)
    if "captioner" not in skipped:
        result["captioner"] = bench_captioner([1, 8], 32, log)
        result["captioner_note"] = (
            "tiny randomly initialised BLIP; real BLIP weights are not available offline"
        )
    _print(result)
    write_json(json_out, result)


def register(app: typer.Typer) -> None:
    """Commands attach to ``bench_app`` on import; nothing else to register."""
