"""KServe ``asr`` model: faster-whisper transcription of uploaded audio."""
