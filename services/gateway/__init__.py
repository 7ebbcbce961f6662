"""ShopTalk gateway (FastAPI)."""
