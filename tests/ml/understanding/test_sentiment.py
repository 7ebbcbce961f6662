"""Frustration signal: frustrated shoppers are flagged; neutral turns and product negations are not."""

from __future__ import annotations

import pytest

from ml.understanding.sentiment import analyse, frustration, neutralise

FRUSTRATED = [
    "this is useless",
    "This is ridiculous.",
    "you're not helping",
    "you are not helping at all",
    "not very helpful",
    "I already said black!!!",
    "I already told you I want a sofa",
    "are you even listening?",
    "THIS IS RIDICULOUS",
    "I SAID BLACK SOFAS",
    "I said NOT PINK",
    "this sucks",
    "these are all terrible",
    "this is the worst assistant ever",
    "what a waste of time",
    "omg seriously?!",
    "that is not what I asked for, again",
    "forget it, you don't understand",
    "how many times do I have to say it",
    "ugh",
    "I am really disappointed",
    "what the hell is this",
    "I give up",
    "I'm so tired of searching",
    "this is crap",
    "terrible service",
]

NEUTRAL = [
    "hello!",
    "thanks, that's all",
    "where is my order?",
    "grey sofa under $700",
    "cheaper ones?",
    "what about for a Galaxy S21?",
    "tell me more about the first one",
    "USB LED desk lamp",
    "iPhone 13 case, SM-G991B",
    "Love it!!!",
    "no thanks",
    "I hate pink, show me black ones",
    "wrong size, I need a queen",
    "stupid question, but does it come in blue?",
    "I NEED A REPLACEMENT CRIB",  # caps lock alone is not anger
    "MY ORDER A7731 IS WRONG",
    "my payment failed",
    "is coffee bad for you?",
    "forget it, thanks anyway",
    "sin tapa",
    "nevermind, show me chairs instead",
    "I'm done, thanks!",
    "unbelievable price!",
    "can I return it if it does not fit?",
    "terrible twos toddler shirt",  # negative to VADER, but not aimed at the conversation
]

# Product wording that VADER alone scores as negative: it must never read as frustration.
PRODUCT_NEGATIVE = [
    "not pink",
    "running shoes for women, not pink",
    "no lid",
    "a travel mug, no lid please",
    "without leather",
    "a wallet without leather",
    "no leather, no metal",
    "a sofa for no more than $700",
    "not less than $90",
    "no, not that one",
    "mosquito killer lamp",
    "star wars lego",
    "stress ball for anxiety",
    "shockproof case with drop protection, anti-scratch",
    "dead bolt lock",
    "stain resistant sofa, no pet hair",
    "a rug that hides dirt",
    "I don't want leather",
    "damn good coffee",
    "hell's kitchen apron",
    "a fan that is not annoying",
    "my phone case? it is broken, I need a new one",
    "a horror movie poster",
]


@pytest.mark.parametrize("text", FRUSTRATED)
def test_frustrated_messages_are_flagged(text: str) -> None:
    compound, frustrated = frustration(text)
    assert frustrated, analyse(text)
    assert -1.0 <= compound <= 1.0


@pytest.mark.parametrize("text", NEUTRAL + PRODUCT_NEGATIVE)
def test_neutral_and_product_wording_is_not_frustration(text: str) -> None:
    compound, frustrated = frustration(text)
    assert not frustrated, analyse(text)
    assert -1.0 <= compound <= 1.0


@pytest.mark.parametrize("text", PRODUCT_NEGATIVE)
def test_product_negations_are_not_scored_negative(text: str) -> None:
    """Attribute negation and product vocabulary are neutralised before VADER scores the text."""
    compound, _ = frustration(text)
    assert compound > -0.2, (text, neutralise(text))


def test_sentiment_words_stay_negated() -> None:
    """A negator in front of a sentiment word still counts ("not helping" is negative)."""
    assert "not" in neutralise("you are not helping").split()
    assert "not" not in neutralise("shoes, not pink").split()
    assert frustration("you are not helping")[0] < 0
    assert frustration("not good")[0] < 0


def test_caller_terms_are_neutral() -> None:
    """Catalog words passed by the caller do not colour the score ("Useless Box" toy aside)."""
    text = "the sinister black gothic mirror, is that one in stock?"
    assert frustration(text)[0] < 0
    assert frustration(text, neutral_terms={"sinister", "gothic"})[0] == pytest.approx(0.0, abs=0.05)


def test_signals_are_explained() -> None:
    signal = analyse("I ALREADY SAID NO PINK!!!")
    assert signal.frustrated
    assert {"already-said", "shouting", "exclamations"} <= set(signal.cues)
    assert analyse("").frustrated is False
    assert analyse("   ").cues == ()


def test_positive_emphasis_is_not_anger() -> None:
    assert not frustration("This is PERFECT, THANK YOU SO MUCH!!!")[1]
    assert frustration("this is NOT WHAT I WANT!!!")[1]
