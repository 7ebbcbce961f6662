"""The promotion gate: a candidate becomes ``champion`` only if it clearly wins.

The reference is the current champion evaluated on the *same* held-out queries in the same
run (not a number from another run's data); with no champion, the reference is the base
model (what is serving) and the candidate must also clear an absolute bar.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PromotionDecision:
    promote: bool
    reason: str
    metric: str
    candidate: float
    reference: float
    reference_name: str
    margin: float
    min_score: float | None

    @property
    def outcome(self) -> str:
        return "promoted" if self.promote else "blocked"

    def tags(self, **more: str) -> dict[str, str]:
        """What a training run and its registered version are tagged with (plus ``more``)."""
        return {"promotion": self.outcome, "promotion_reason": self.reason, **more}

    def as_dict(self) -> dict[str, object]:
        return {
            "promote": self.promote,
            "reason": self.reason,
            "metric": self.metric,
            "candidate": self.candidate,
            "reference": self.reference,
            "reference_name": self.reference_name,
            "margin": self.margin,
            "min_score": self.min_score,
        }


def decide_promotion(
    candidate: float,
    base: float,
    champion: float | None,
    margin: float,
    min_score: float,
    metric: str = "heldout hybrid ndcg@10",
    champion_name: str = "champion",
) -> PromotionDecision:
    if champion is not None:
        reference, name, bar = champion, champion_name, None
    else:
        reference, name, bar = base, "base model (no champion yet)", min_score
    needed = reference + margin
    if bar is not None and candidate < bar:
        promote = False
        reason = f"blocked: {metric} {candidate:.4f} is below the minimum bar {bar:.4f} (no champion yet)"
    elif candidate < needed:
        promote = False
        reason = (
            f"blocked: {metric} {candidate:.4f} does not beat {name} {reference:.4f} "
            f"by the margin {margin:.4f} (needs >= {needed:.4f})"
        )
    else:
        promote = True
        reason = f"promoted: {metric} {candidate:.4f} beats {name} {reference:.4f} by >= {margin:.4f}"
    return PromotionDecision(
        promote=promote,
        reason=reason,
        metric=metric,
        candidate=candidate,
        reference=reference,
        reference_name=name,
        margin=margin,
        min_score=bar,
    )


def require_no_regression(
    decision: PromotionDecision, candidate: float, reference: float, tolerance: float, what: str
) -> PromotionDecision:
    """Block an otherwise passing decision when a second metric regresses beyond ``tolerance``."""
    if not decision.promote or candidate >= reference - tolerance:
        return decision
    reason = (
        f"blocked: {what} {candidate:.4f} regresses against {decision.reference_name} {reference:.4f} "
        f"(tolerance {tolerance:.4f}), although {decision.metric} passed ({decision.candidate:.4f} vs "
        f"{decision.reference:.4f})"
    )
    return PromotionDecision(
        promote=False,
        reason=reason,
        metric=decision.metric,
        candidate=decision.candidate,
        reference=decision.reference,
        reference_name=decision.reference_name,
        margin=decision.margin,
        min_score=decision.min_score,
    )
