"""Constraints checked on retrieved products, and the no-match judgement."""

from __future__ import annotations

from ml.catalog.product import Product
from ml.retrieval.types import Hit, SearchMode, SearchResult
from ml.understanding.fit import fit, rank_by_fit
from ml.understanding.no_match import NoMatchJudge
from ml.understanding.slots import extract_slots
from ml.understanding.types import Intent, Slots, Understanding
from ml.understanding.vocab import CatalogVocabulary


def product(item_id: str, title: str, ptype: str, colors: list[str] | None = None, **kw: object) -> Product:
    return Product(item_id=item_id, title=title, product_type=ptype, colors=colors or [], price=10.0, **kw)  # type: ignore[arg-type]


CATALOG = [
    product("C1", "Clear Case for iPhone 13", "CELLULAR_PHONE_CASE", ["clear"]),
    product(
        "C2", "Leather Wallet Case for iPhone 13 Pro", "CELLULAR_PHONE_CASE", ["brown"], material="Leather"
    ),
    product("C3", "Rugged Case for iPhone 13 mini", "CELLULAR_PHONE_CASE", ["black"]),
    product("C4", "Shockproof Case for Samsung Galaxy S21", "CELLULAR_PHONE_CASE", ["blue"]),
    product("C5", "Slim Case for Galaxy S21 Ultra", "CELLULAR_PHONE_CASE", ["pink"]),
    product("S1", "Women's Running Shoes, Pink", "SHOES", ["pink"]),
    product("S2", "Women's Trail Running Shoes", "SHOES", ["grey"]),
    product("S3", "Men's Running Shoes", "SHOES", ["black"]),
    product("T1", "Dome Tent 2 Person", "TENT", ["green"]),
    product("T2", "Family Cabin Tent, 6-Person", "TENT", ["grey"]),
    product("J1", "Glass Storage Jar with Lid", "KITCHEN", ["clear"]),
    product("J2", "Glass Storage Jar, Open Top", "KITCHEN", ["clear"]),
]
VOCAB = CatalogVocabulary.from_products(CATALOG * 2)


def hits(*products: Product) -> list[Hit]:
    return [Hit(item_id=p.item_id, rank=i, score=1.0, product=p) for i, p in enumerate(products, start=1)]


def ids(found: list[Hit]) -> list[str]:
    return [h.item_id for h in found]


def test_device_compatibility_is_exact() -> None:
    cases = [p for p in CATALOG if p.product_type == "CELLULAR_PHONE_CASE"]
    assert ids(rank_by_fit(hits(*cases), Slots(device_models=["iphone 13"]), VOCAB)) == ["C1"]
    assert ids(rank_by_fit(hits(*cases), Slots(device_models=["galaxy s21"]), VOCAB)) == ["C4"]
    assert ids(rank_by_fit(hits(*cases), Slots(device_models=["galaxy s21 ultra"]), VOCAB)) == ["C5"]


def test_excluded_colour_material_and_terms_are_dropped() -> None:
    shoes = [p for p in CATALOG if p.product_type == "SHOES"]
    assert "S1" not in ids(rank_by_fit(hits(*shoes), Slots(exclude_colors=["pink"]), VOCAB))
    cases = [p for p in CATALOG if p.product_type == "CELLULAR_PHONE_CASE"]
    assert "C2" not in ids(rank_by_fit(hits(*cases), Slots(exclude_materials=["leather"]), VOCAB))
    jars = [p for p in CATALOG if p.product_type == "KITCHEN"]
    assert ids(rank_by_fit(hits(*jars), Slots(exclude_terms=["lid"]), VOCAB)) == ["J2"]


def test_audience_and_capacity() -> None:
    shoes = [p for p in CATALOG if p.product_type == "SHOES"]
    women, _ = extract_slots("running shoes for women", VOCAB)
    assert women.audience == ["women"]
    assert "S3" not in ids(rank_by_fit(hits(*shoes), women, VOCAB))
    tents = [p for p in CATALOG if p.product_type == "TENT"]
    family, _ = extract_slots("a tent for a family of four", VOCAB)
    assert family.capacity == 4
    assert ids(rank_by_fit(hits(*tents), family, VOCAB)) == ["T2"]


def test_a_product_naming_no_device_ranks_after_those_that_fit() -> None:
    generic = product("G1", "Universal Phone Pouch", "CELLULAR_PHONE_CASE")
    ok, penalty = fit(generic, Slots(device_models=["iphone 13"]), VOCAB)
    assert ok and penalty > 0
    ranked = rank_by_fit(hits(generic, CATALOG[0]), Slots(device_models=["iphone 13"]), VOCAB)
    assert ids(ranked) == ["C1", "G1"] and [h.rank for h in ranked] == [1, 2]


def _judge(text: str, best_cosine: float) -> bool:
    slots, residual = extract_slots(text, VOCAB)
    u = Understanding(text=text, intent=Intent.search, confidence=1.0, slots=slots, residual_terms=residual)
    found = [h.model_copy(update={"vector_score": best_cosine}) for h in hits(*CATALOG[:3])]
    result = SearchResult(query=text, mode=SearchMode.hybrid, requested_mode=SearchMode.hybrid, hits=found)
    return NoMatchJudge().is_no_match(u, slots, result, found, VOCAB)


def test_no_match_on_unknown_needs_not_on_known_ones() -> None:
    assert _judge("a rocket engine for my spaceship", 0.25)
    assert not _judge("a tent for camping", 0.25)  # a catalog type: never a no-match by words
    assert not _judge("something for storing glass jars", 0.5)
    assert _judge("glass storage", 0.1)  # catalog words, but nothing is close at all


def test_a_word_only_naming_another_things_kind_ranks_after_the_thing() -> None:
    """ "coffee" among coffee pods, cold brew and a coffee table: the table has the word only as the
    modifier of another type's name, so it ranks after the coffee (kept, never dropped); the pods
    ("coffee pod" names a type too) are the word's main sense here and stay."""
    shelf = [
        product("T1", "Glam Round Coffee Table, Khaki", "TABLE"),
        product("G1", "Organic Coffee Pods, 24 Count", "GROCERY"),
        product("T2", "Rustic Side Table", "TABLE"),
        product("G2", "Cold Brew Coffee, Light Roast", "GROCERY"),
    ]
    vocab = CatalogVocabulary.from_products(shelf * 3)
    assert vocab.types_for("coffee table") == ["TABLE"]
    ranked = ids(rank_by_fit(hits(*shelf), Slots(), vocab, need_terms=["coffee"]))
    assert ranked == ["G1", "T2", "G2", "T1"]  # only the coffee table moves, behind the rest
    # the shopper who says "coffee table" wants the table; a named type turns the rule off
    assert ids(rank_by_fit(hits(*shelf), Slots(), vocab, need_terms=["coffee", "table"]))[0] == "T1"
    assert (
        ids(rank_by_fit(hits(*shelf), Slots(product_types=["TABLE"]), vocab, need_terms=["coffee"]))[0]
        == "T1"
    )
