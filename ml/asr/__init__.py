"""Speech recognition: audio decoding (PyAV), Whisper model resolution, transcription (faster-whisper)."""
