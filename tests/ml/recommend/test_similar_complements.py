"""Similar items (same type, variants collapsed, filters) and complements mined from the catalog."""

from __future__ import annotations

import pytest

from ml.catalog.document import document_text
from ml.recommend.complements import ComplementMiner, made_for_types
from ml.recommend.for_you import Recommender, UnknownItem
from ml.recommend.variants import same_item, variant_key
from ml.retrieval.types import SearchFilters
from ml.understanding.vocab import CatalogVocabulary
from tests.fakes.catalog import HashingEmbedder, InMemoryVectorIndex
from tests.ml.recommend.catalog import hand_catalog, p


@pytest.fixture(scope="module")
def products():  # type: ignore[no-untyped-def]
    return hand_catalog()


@pytest.fixture(scope="module")
def recommender(products):  # type: ignore[no-untyped-def]
    embedder = HashingEmbedder()
    index = InMemoryVectorIndex()
    index.upsert(products, embedder.embed([document_text(x) for x in products]))
    return Recommender(index, embedder)


def test_variant_key_ignores_colour_and_size() -> None:
    a = p("A", "Farmhouse Area Rug 5x8 Grey", "RUG", 1, ["grey"], "Loomy")
    b = p("B", "Farmhouse Area Rug 8x10 Blue", "RUG", 1, ["blue"], "Loomy")
    c = p("C", "Farmhouse Runner Rug Grey", "RUG", 1, ["grey"], "Loomy")
    assert variant_key(a) == variant_key(b)
    assert not same_item(a, c)
    d = p("D", "Totally different title", "RUG", 1, [], "Loomy", model_number="X-1")
    e = p("E", "Another title", "RUG", 1, [], "Loomy", model_number="x-1")
    assert same_item(d, e)


def test_similar_excludes_itself_its_variants_and_other_types(recommender) -> None:  # type: ignore[no-untyped-def]
    found = recommender.similar("RUG1", k=5)
    ids = [s.product.item_id for s in found]
    assert "RUG1" not in ids and "RUG1B" not in ids  # itself and its colour/size variant
    assert ids and all(s.product.product_type == "RUG" for s in found)
    assert set(ids) <= {"RUG2", "RUG3"}


def test_similar_respects_filters(recommender) -> None:  # type: ignore[no-untyped-def]
    cheap = recommender.similar("RUG1", k=5, filters=SearchFilters(price_max=100))
    assert [s.product.item_id for s in cheap] == ["RUG2"]
    # a type filter for another type cannot turn rugs' neighbours into sofas
    other = recommender.similar("RUG1", k=5, filters=SearchFilters(product_types=["SOFA"]))
    assert all(s.product.product_type == "RUG" for s in other)


def test_similar_items_for_a_device_are_for_that_device(recommender) -> None:  # type: ignore[no-untyped-def]
    """An iPhone 13 case's alternatives are iPhone 13 cases (or cases naming no phone), never the
    iPhone 12 one, however close its text; items naming no device are not filtered."""
    generic = p("CASEX", "Clear Slim Case", "CELLULAR_PHONE_CASE", 9, ["clear"], "Shield",
                bullets=["Slim protective cover"])
    recommender.index.upsert([generic], HashingEmbedder().embed([document_text(generic)]))
    try:
        ids = [s.product.item_id for s in recommender.similar("CASE13", k=5)]
        assert "CASE13B" in ids and "CASEX" in ids and "CASE12" not in ids, ids
        assert "CASE12" in [s.product.item_id for s in recommender.similar("CASEX", k=5)]
    finally:
        recommender.index.delete(["CASEX"])


def test_unknown_item_raises_with_the_id(recommender) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownItem) as err:
        recommender.similar("NOPE", k=3)
    assert err.value.item_id == "NOPE"


def test_made_for_phrases_name_other_types(products) -> None:  # type: ignore[no-untyped-def]
    vocab = CatalogVocabulary.from_products(products)
    by_id = {x.item_id: x for x in products}
    assert "RUG" in made_for_types(by_id["PAD1"], vocab)
    assert "WATCH" in made_for_types(by_id["STRAP1"], vocab)
    assert made_for_types(by_id["SOFA1"], vocab) == set()


def test_complements_are_mined_both_ways(products) -> None:  # type: ignore[no-untyped-def]
    miner = ComplementMiner.from_products(products)
    rug = [x.item_id for x, _ in miner.complements("RUG1", 5)]
    assert rug and set(rug) <= {"PAD1", "PAD2"}
    pad = {x.item_id for x, _ in miner.complements("PAD1", 5)}
    assert {"RUG2", "RUG3"} <= pad and "SOFA1" not in pad
    assert len(pad & {"RUG1", "RUG1B"}) == 1  # variants collapsed
    assert {x.item_id for x, _ in miner.complements("WATCH1", 3)} == {"STRAP1", "STRAP2"}
    assert {x.item_id for x, _ in miner.complements("DRIP1", 3)} == {"FILT1", "FILT2"}
    assert {x.item_id for x, _ in miner.complements("STRAP1", 5)} == {"WATCH1", "WATCH2", "WATCH3"}
    assert miner.complements("SOFA1", 5) == []


def test_device_accessories_match_the_exact_model(products) -> None:  # type: ignore[no-untyped-def]
    miner = ComplementMiner.from_products(products)
    case13 = [x.item_id for x, _ in miner.complements("CASE13", 5)]
    assert case13[0] == "SP13" and "SP12" not in case13
    sp13 = {x.item_id for x, _ in miner.complements("SP13", 5)}
    assert "CASE12" not in sp13 and sp13 & {"CASE13", "CASE13B"}
    assert [x.item_id for x, _ in miner.complements("SP12", 5)] == ["CASE12"]


def test_recommender_complements_404_and_cache_of_miner(recommender) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownItem):
        recommender.complements("NOPE")
    first = recommender.miner()
    assert recommender.miner() is first  # mined once per catalog version
    recommender.index.upsert(
        [p("RUG9", "Jute Area Rug Natural", "RUG", 60, ["natural"], "Juty")],
        recommender.embedder.embed(["jute area rug"]),
    )
    recommender.invalidate()
    assert recommender.miner() is not first  # re-ingest (new count) re-mines
