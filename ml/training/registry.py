"""The MLflow side: experiment, registered model, versions and the ``champion`` alias.

MLflow 3 uses aliases, not stages. SQLite + local artifacts under the data dir by default
(``settings.resolved_mlflow_uri``); a server URI (with S3/MinIO artifacts) by configuration.
A version's source is the run's ``adapter`` artifact folder, so
``ml.embedding.adapter.load_adapter("models:/NAME@champion", tracking_uri)`` loads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ml.config import Settings
from ml.embedding.adapter import Adapter, load_adapter

CHAMPION = "champion"
EXPERIMENT = "shoptalk-finetune"
ADAPTER_ARTIFACT = "adapter"
GATE_METRIC = "candidate_hybrid_ndcg_at_10"


class RegistryError(RuntimeError):
    """A registry request that cannot be satisfied (unknown version, no such model)."""


@dataclass
class VersionInfo:
    version: str
    run_id: str | None
    source: str
    created: int
    aliases: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def is_champion(self) -> bool:
        return CHAMPION in self.aliases

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "run_id": self.run_id,
            "source": self.source,
            "created": self.created,
            "aliases": self.aliases,
            "champion": self.is_champion,
            "tags": self.tags,
            "metrics": self.metrics,
        }


def _is_local(uri: str) -> bool:
    return uri.startswith("sqlite:") or uri.startswith("file:") or "://" not in uri


class ModelRegistry:
    def __init__(
        self,
        tracking_uri: str,
        model_name: str,
        artifact_root: Path | None = None,
        description: str = "ShopTalk residual embedding adapter (all-MiniLM-L6-v2 base).",
    ) -> None:
        import mlflow
        from mlflow import MlflowClient

        self.tracking_uri = tracking_uri
        self.model_name = model_name
        self.artifact_root = artifact_root
        self.description = description
        mlflow.set_tracking_uri(tracking_uri)
        self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)

    @classmethod
    def from_settings(
        cls, settings: Settings, model_name: str | None = None, description: str | None = None
    ) -> ModelRegistry:
        """The adapter's registry by default; ``model_name`` for another model (the intent model)."""
        uri = settings.resolved_mlflow_uri
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        root = (settings.data_dir / "mlartifacts").resolve() if _is_local(uri) else None
        if description is None:
            return cls(uri, model_name or settings.registered_model_name, root)
        return cls(uri, model_name or settings.registered_model_name, root, description)

    def experiment_id(self, name: str = EXPERIMENT) -> str:
        existing = self.client.get_experiment_by_name(name)
        if existing is not None:
            return str(existing.experiment_id)
        location = self.artifact_root.as_uri() if self.artifact_root else None
        return str(self.client.create_experiment(name, artifact_location=location))

    # ------------------------------------------------------------------ versions
    def _ensure_model(self) -> None:
        from mlflow.exceptions import MlflowException

        try:
            self.client.get_registered_model(self.model_name)
        except MlflowException:
            self.client.create_registered_model(self.model_name, description=self.description)

    def register(
        self,
        run_id: str,
        artifact_uri: str,
        tags: dict[str, str] | None = None,
        artifact: str = ADAPTER_ARTIFACT,
    ) -> str:
        """A new version whose source is the run's ``artifact`` folder."""
        self._ensure_model()
        version = self.client.create_model_version(
            self.model_name, source=f"{artifact_uri}/{artifact}", run_id=run_id, tags=tags or {}
        )
        return str(version.version)

    def champion_version(self) -> str | None:
        from mlflow.exceptions import MlflowException

        try:
            return str(self.client.get_model_version_by_alias(self.model_name, CHAMPION).version)
        except MlflowException:
            return None

    def champion_uri(self) -> str:
        return f"models:/{self.model_name}@{CHAMPION}"

    def load_champion(self) -> tuple[str, Adapter] | None:
        version = self.champion_version()
        if version is None:
            return None
        return version, load_adapter(self.champion_uri(), self.tracking_uri)

    def set_champion(self, version: str) -> None:
        from mlflow.exceptions import MlflowException

        try:
            self.client.get_model_version(self.model_name, str(version))
        except MlflowException as exc:
            raise RegistryError(f"{self.model_name} has no version {version}") from exc
        self.client.set_registered_model_alias(self.model_name, CHAMPION, str(version))

    def set_version_tags(self, version: str, tags: dict[str, str]) -> None:
        for key, value in tags.items():
            self.client.set_model_version_tag(self.model_name, str(version), key, value)

    def versions(self) -> list[VersionInfo]:
        from mlflow.exceptions import MlflowException

        try:
            found = self.client.search_model_versions(f"name = '{self.model_name}'")
        except MlflowException:
            return []
        champion = self.champion_version()
        out = []
        for mv in found:
            aliases = list(getattr(mv, "aliases", []) or [])
            if str(mv.version) == champion and CHAMPION not in aliases:
                aliases.append(CHAMPION)  # search results do not always carry aliases
            metrics: dict[str, float] = {}
            if mv.run_id:
                try:
                    metrics = dict(self.client.get_run(mv.run_id).data.metrics)
                except MlflowException:
                    metrics = {}
            out.append(
                VersionInfo(
                    version=str(mv.version),
                    run_id=mv.run_id,
                    source=mv.source or "",
                    created=int(mv.creation_timestamp or 0),
                    aliases=aliases,
                    tags=dict(mv.tags or {}),
                    metrics=metrics,
                )
            )
        return sorted(out, key=lambda v: int(v.version), reverse=True)
