"""Product images and catalog facets over the real app (in-memory test catalog, no servers)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from ml.config import Settings
from services.gateway.app import create_app
from services.gateway.routes.catalog import compute_facets
from tests.fakes.catalog import build_test_searcher, sample_products


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("images")
    products = sample_products()
    first = products[0].model_copy(update={"image_path": "ab/first.jpg"})
    Image.new("RGB", (256, 256), (200, 40, 40)).save(buf := io.BytesIO(), "JPEG")
    (tmp / "img" / "ab").mkdir(parents=True)
    (tmp / "img" / "ab" / "first.jpg").write_bytes(buf.getvalue())
    broken = products[1].model_copy(update={"image_path": "ab/missing.jpg"})
    bare = products[2].model_copy(update={"image_path": None})
    for name, colour in (("side", (40, 200, 40)), ("back", (40, 40, 200))):
        Image.new("RGB", (200, 120), colour).save(tmp / "img" / "ab" / f"{name}.jpg", "JPEG")
    views = ["ab/first.jpg", "ab/side.jpg", "ab/gone.jpg", "ab/back.jpg"]  # one view not on disk
    gallery = products[3].model_copy(update={"image_path": views[0], "image_paths": views})
    catalog = [first, broken, bare, gallery, *products[4:]]
    app = create_app(Settings(data_dir=tmp / "data", images_dir=Path(tmp / "img")),
                     searcher=build_test_searcher(catalog))
    with TestClient(app) as c:
        c.ids = [first.item_id, broken.item_id, bare.item_id, gallery.item_id]  # type: ignore[attr-defined]
        yield c


def test_image_sizes_etag_and_not_modified(client: TestClient) -> None:
    iid = client.ids[0]  # type: ignore[attr-defined]
    full = client.get(f"/v1/products/{iid}/image")
    thumb = client.get(f"/v1/products/{iid}/image", params={"size": "thumb"})
    assert full.status_code == thumb.status_code == 200
    assert Image.open(io.BytesIO(full.content)).size == (256, 256)
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 96
    assert full.headers["etag"] != thumb.headers["etag"] and "max-age" in full.headers["cache-control"]
    assert "x-image-placeholder" not in full.headers
    again = client.get(f"/v1/products/{iid}/image", headers={"If-None-Match": full.headers["etag"]})
    assert again.status_code == 304 and not again.content


@pytest.mark.parametrize("which", [1, 2])
def test_missing_or_no_image_is_a_placeholder_not_an_error(client: TestClient, which: int) -> None:
    iid = client.ids[which]  # type: ignore[attr-defined]
    r = client.get(f"/v1/products/{iid}/image")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.headers["x-image-placeholder"] == "true"
    Image.open(io.BytesIO(r.content)).verify()
    listed = client.get(f"/v1/products/{iid}/images").json()
    assert listed["images"][0]["role"] == "placeholder"


def test_unknown_id_is_404_with_the_id_and_bad_size_is_422(client: TestClient) -> None:
    r = client.get("/v1/products/B0UNKNOWN9/image")
    assert r.status_code == 404 and "B0UNKNOWN9" in r.text
    assert client.get("/v1/products/B0UNKNOWN9/images").status_code == 404
    iid = client.ids[0]  # type: ignore[attr-defined]
    assert client.get(f"/v1/products/{iid}/image", params={"size": "xl"}).status_code == 422


def test_gallery_lists_every_view_on_disk_and_serves_the_nth(client: TestClient) -> None:
    iid = client.ids[3]  # type: ignore[attr-defined]
    listed = client.get(f"/v1/products/{iid}/images").json()["images"]
    assert [(i["index"], i["role"]) for i in listed] == [(0, "main"), (1, "other"), (3, "other")]
    assert listed[0]["url"] == f"/v1/products/{iid}/image"  # the card's URL: one cache entry
    assert listed[2]["url"] == f"/v1/products/{iid}/images/3"
    assert listed[2]["thumb_url"] == f"/v1/products/{iid}/images/3?size=thumb"
    colours: list[list[float]] = []
    for entry in listed:
        full, thumb = client.get(entry["url"]), client.get(entry["thumb_url"])
        assert full.status_code == thumb.status_code == 200 and "x-image-placeholder" not in full.headers
        assert "max-age" in full.headers["cache-control"] and full.headers["etag"] != thumb.headers["etag"]
        assert max(Image.open(io.BytesIO(thumb.content)).size) <= 96
        pixel = Image.open(io.BytesIO(full.content)).convert("RGB").getpixel((5, 5))
        assert isinstance(pixel, tuple)
        colours.append(list(pixel))
        again = client.get(entry["url"], headers={"If-None-Match": full.headers["etag"]})
        assert again.status_code == 304
    assert [c.index(max(c)) for c in colours] == [0, 1, 2]  # the red, green and blue views, in order
    same = client.get(f"/v1/products/{iid}/images/0")
    assert same.headers["etag"] == client.get(f"/v1/products/{iid}/image").headers["etag"]
    gone = client.get(f"/v1/products/{iid}/images/2")  # named but not on disk: a placeholder
    assert gone.status_code == 200 and gone.headers["x-image-placeholder"] == "true"


def test_nth_image_out_of_range_is_404_with_the_id(client: TestClient) -> None:
    iid = client.ids[3]  # type: ignore[attr-defined]
    r = client.get(f"/v1/products/{iid}/images/4")
    assert r.status_code == 404 and iid in r.json()["error"] and "no picture 4" in r.json()["error"]
    bare = client.ids[2]  # type: ignore[attr-defined]
    assert client.get(f"/v1/products/{bare}/images/0").headers["x-image-placeholder"] == "true"
    assert client.get(f"/v1/products/{bare}/images/1").status_code == 404
    assert client.get("/v1/products/B0UNKNOWN9/images/0").status_code == 404
    assert client.get(f"/v1/products/{iid}/images/-1").status_code == 422


def test_facets_from_the_catalog(client: TestClient) -> None:
    facets = client.get("/v1/catalog/facets").json()
    products = sample_products()
    assert facets["products"] == len(products)
    assert {t["value"] for t in facets["types"]} == {p.product_type for p in products}
    assert all("_" not in t["name"] for t in facets["types"])
    assert facets["price"] == {"min": min(p.price for p in products), "max": max(p.price for p in products)}
    colors = {c["value"] for c in facets["colors"]}
    assert colors == {c for p in products for c in p.colors}
    assert client.get("/v1/catalog/facets").json() == facets  # cached, same answer


def test_compute_facets_merges_brand_spellings_and_skips_empty() -> None:
    brands = ["Acme", "ACME", "  ", None]
    products = [p.model_copy(update={"brand": b}) for p, b in zip(sample_products(), brands, strict=False)]
    facets = compute_facets(products)
    assert [(b.value, b.count) for b in facets.brands] == [("Acme", 2)]


def test_every_sample_product_is_served_a_drawn_picture(tmp_path: Path) -> None:
    """The sample promises a picture per product, main image or not; sizes and caching hold for all."""
    from ml.catalog.reader import read_catalog
    from ml.paths import SAMPLE_CATALOG
    from services.gateway.routes.catalog import resolve_image

    products = read_catalog(SAMPLE_CATALOG).products
    settings = Settings(data_dir=tmp_path / "data")
    assert [p.item_id for p in products if resolve_image(p, settings) is None] == []
    no_main = [p for p in products if p.main_image_id is None]
    assert no_main  # as in ABO, some listings have no main image: they show another view
    picked = [no_main[0], next(p for p in products if p.main_image_id)]
    app = create_app(settings, searcher=build_test_searcher(picked))
    with TestClient(app) as c:
        for p in picked:
            full = c.get(f"/v1/products/{p.item_id}/image")
            thumb = c.get(f"/v1/products/{p.item_id}/image", params={"size": "thumb"})
            assert full.status_code == thumb.status_code == 200, p.item_id
            assert "x-image-placeholder" not in full.headers and full.headers["content-type"] == "image/jpeg"
            assert Image.open(io.BytesIO(full.content)).size == (160, 160)
            assert max(Image.open(io.BytesIO(thumb.content)).size) <= 96
            assert "max-age" in full.headers["cache-control"]
            assert full.headers["etag"] != thumb.headers["etag"]
            again = c.get(f"/v1/products/{p.item_id}/image", headers={"If-None-Match": full.headers["etag"]})
            assert again.status_code == 304
            listed = c.get(f"/v1/products/{p.item_id}/images").json()["images"]
            assert listed[0]["role"] == "main" and listed[0]["synthetic"] is True
