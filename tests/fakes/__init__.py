"""Test doubles that speak real protocols (OpenAI wire format) or honour real seams (index protocols)."""
