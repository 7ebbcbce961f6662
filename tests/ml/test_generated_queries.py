"""Generated shopper queries per kind, judged from the catalog's own fields."""

from __future__ import annotations

from ml.catalog.product import Product
from ml.evaluation.generated import KINDS, as_eval_set, generate, judge, queries_of_kind


def bottle(item_id: str, color: str = "blue", bullets: tuple[str, ...] = ()) -> Product:
    return Product(
        item_id=item_id,
        title=f"Insulated Stainless Steel Water Bottle {color.title()} 32 oz",
        brand="Hydra",
        product_type="KITCHEN",
        colors=[color],
        material="Stainless Steel",
        model_name="HX-200",
        model_number=f"HB-{item_id.upper()}7",
        keywords=["water bottle"],
        bullets=list(bullets) or ["Keeps drinks cold for 24 hours and hot for 12", "Leak proof lid"],
    )


CATALOG = [bottle("a1"), bottle("a2", "red"), bottle("a3", bullets=("Fits most cup holders",))]


def test_every_kind_is_generated_and_deterministic() -> None:
    queries = generate(CATALOG, per_kind=2, seed=3)
    assert {q.kind for q in queries} == set(KINDS)
    assert [q.text for q in queries] == [q.text for q in generate(CATALOG, per_kind=2, seed=3)]
    assert all(q.text == q.text.strip() and q.text for q in queries)


def test_paraphrase_uses_bullet_words_the_title_lacks() -> None:
    query = queries_of_kind(CATALOG[0], "paraphrase", seed=0)
    assert query is not None and query.bullet is not None
    title = set(CATALOG[0].title.lower().split())
    assert len([w for w in query.text.split() if w not in title and w != "that"]) >= 2
    grades = judge(query, CATALOG)
    assert grades["a1"] == 3
    if query.bullet.startswith("keeps"):  # a2 shares the bullet, a3 does not
        assert grades.get("a2") == 2 and "a3" not in grades


def test_identifier_finds_the_model_number_with_or_without_hyphens() -> None:
    texts = {queries_of_kind(CATALOG[0], "identifier", seed=s).text for s in range(12)}  # type: ignore[union-attr]
    assert texts & {"hb-a17", "hba17"}
    query = queries_of_kind(CATALOG[0], "identifier", seed=0)
    assert query is not None
    if query.model is not None:
        assert judge(query, CATALOG) == {"a1": 3}


def test_typo_changes_one_word_and_keeps_the_judgments() -> None:
    query = queries_of_kind(CATALOG[1], "typo", seed=1)
    assert query is not None
    assert query.text not in CATALOG[1].title.lower()
    queries, qrels, kinds = as_eval_set([query], CATALOG)
    assert kinds[query.qid] == "typo" and qrels[query.qid]["a2"] == 3 and queries[query.qid] == query.text


def test_attribute_query_grades_same_type_products_with_the_attribute() -> None:
    for seed in range(20):
        query = queries_of_kind(CATALOG[1], "attribute", seed=seed)
        if query is not None and query.asked.get("color") == "red":
            grades = judge(query, CATALOG)
            assert grades == {"a2": 3}  # the only red bottle
            return
    raise AssertionError("no colour query generated in 20 seeds")
