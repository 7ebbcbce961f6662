"""Request-scoped access to the objects the app factory built."""

from __future__ import annotations

from fastapi import Request

from ml.config import Settings
from ml.observability.tracing import new_trace_id
from services.gateway.orchestrator import ChatOrchestrator


def get_orchestrator(request: Request) -> ChatOrchestrator:
    orchestrator: ChatOrchestrator = request.app.state.orchestrator
    return orchestrator


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def trace_id(request: Request) -> str:
    return str(getattr(request.state, "trace_id", None) or new_trace_id())
