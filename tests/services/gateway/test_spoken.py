"""The spoken summary: best pick, price, how many more — short enough to say in under 25 s."""

from __future__ import annotations

from services.gateway.schemas import ChatResponse, ProductCard
from services.gateway.spoken import MAX_WORDS, spoken_price, spoken_summary


def _card(
    i: int, title: str, price: float, cited: bool = False, brand: str | None = "Trailmark"
) -> ProductCard:
    return ProductCard(item_id=f"B0TEST{i:04d}", title=title, brand=brand, product_type="BOOT", price=price,
                       why="", rank=i, cited=cited)


def _chat(cards: list[ProductCard], answer: str, **kw: object) -> ChatResponse:
    return ChatResponse(answer=answer, products=cards, search_mode="hybrid", query="q",
                        filters={}, answered_by="offline", trace_id="t", session_id="s", **kw)  # type: ignore[arg-type]


LONG = " ".join(f"{i}. Boot {i} [B0TEST{i:04d}] costs $1,323.49 and is waterproof." for i in range(1, 9))


def test_search_summary_names_the_best_pick_price_and_count() -> None:
    cards = [_card(i, f"Waterproof Hiking Boot {i}", 1323.49 + i, cited=(i == 2)) for i in range(1, 6)]
    text = spoken_summary(_chat(cards, LONG))
    assert text.startswith("My top pick is Waterproof Hiking Boot 2 by Trailmark")
    assert "1325 dollars 49" in text and "4 more are on your screen" in text
    assert "[" not in text and "Boot 3" not in text  # not the written list
    assert len(text.split()) <= MAX_WORDS


def test_questions_speak_the_first_sentence_without_citations() -> None:
    chat = _chat([_card(1, "Boot", 10.0)], "Yes, it is waterproof [B0TEST0001]. It also has a padded collar.",
                 intent="ask_about")
    assert spoken_summary(chat) == "Yes, it is waterproof."


def test_alternatives_are_said_to_be_alternatives_and_long_titles_are_clipped() -> None:
    title = " ".join(["Very"] * 40) + " Long Boot"
    chat = _chat([_card(1, title, 9.5, brand=None)], LONG, alternatives=True)
    text = spoken_summary(chat)
    assert text.startswith("I couldn't find an exact match.") and "9 dollars 50" in text
    assert len(text.split()) <= 30 and "more" not in text


def test_nothing_found_speaks_the_answer_start() -> None:
    chat = _chat([], "I found nothing like that. Try another word.")
    assert spoken_summary(chat) == "I found nothing like that."
    assert spoken_price(5.0) == "5 dollars" and spoken_price(19.999) == "20 dollars"
