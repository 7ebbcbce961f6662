"""A hand-built catalog for recommendation tests (rugs and pads, phones, watches, drippers)."""

from __future__ import annotations

from ml.catalog.product import Product


def p(item_id: str, title: str, ptype: str, price: float, colors: list[str], brand: str = "Acme", **kw: object) -> Product:
    return Product(
        item_id=item_id, title=title, brand=brand, product_type=ptype, price=price, colors=colors,
        color_text=colors[0].title() if colors else None, **kw,  # type: ignore[arg-type]
    )


def hand_catalog() -> list[Product]:
    return [
        p("RUG1", "Farmhouse Area Rug 5x8 Grey", "RUG", 120, ["grey"], "Loomy",
          bullets=["Soft woven area rug for living rooms"], node_path="/Home/Rugs/Area Rugs"),
        p("RUG1B", "Farmhouse Area Rug 8x10 Blue", "RUG", 180, ["blue"], "Loomy",
          bullets=["Soft woven area rug for living rooms"], node_path="/Home/Rugs/Area Rugs"),
        p("RUG2", "Moroccan Shag Area Rug Cream", "RUG", 95, ["cream"], "Shaggy",
          bullets=["Plush shag area rug, soft underfoot"], node_path="/Home/Rugs/Area Rugs"),
        p("RUG3", "Vintage Persian Area Rug Red", "RUG", 300, ["red"], "Heritage",
          bullets=["Vintage style woven area rug"], node_path="/Home/Rugs/Area Rugs"),
        p("PAD1", "Non-Slip Rug Pad Gripper for Area Rugs", "RUG_PAD", 25, ["beige"], "Gripit",
          bullets=["Keeps your rug in place", "Fits under area rugs on hard floors"],
          node_path="/Home/Rugs/Rug Pads"),
        p("PAD2", "Felt Rug Pad Cushion", "RUG_PAD", 35, ["grey"], "Gripit",
          bullets=["Extra cushion for any rug", "Designed for area rugs"], node_path="/Home/Rugs/Rug Pads"),
        p("CASE13", "Clear Case for iPhone 13", "CELLULAR_PHONE_CASE", 15, ["clear"], "Shield",
          keywords=["iphone 13 case"], bullets=["Slim protective cover"]),
        p("CASE13B", "Rugged Armor Case for iPhone 13", "CELLULAR_PHONE_CASE", 19, ["black"], "Armor",
          keywords=["iphone 13 case"], bullets=["Drop protection"]),
        p("CASE12", "Clear Case for iPhone 12", "CELLULAR_PHONE_CASE", 14, ["clear"], "Shield",
          keywords=["iphone 12 case"], bullets=["Slim protective cover"]),
        p("SP13", "Tempered Glass Screen Protector for iPhone 13", "SCREEN_PROTECTOR", 9, ["clear"], "Glassy",
          keywords=["iphone 13 screen protector"], bullets=["Case friendly edges"]),
        p("SP12", "Tempered Glass Screen Protector for iPhone 12", "SCREEN_PROTECTOR", 9, ["clear"], "Glassy",
          keywords=["iphone 12 screen protector"], bullets=["Case friendly edges"]),
        p("WATCH1", "Chronograph Watch Stainless Steel", "WATCH", 150, ["silver"], "Timely",
          bullets=["Water resistant chronograph watch"]),
        p("STRAP1", "Leather Replacement Strap for Watch 20mm", "WATCH_BAND", 20, ["brown"], "Strappy",
          bullets=["Quick release band fits most watches"]),
        p("DRIP1", "Ceramic Pour Over Coffee Dripper", "COFFEE_DRIPPER", 30, ["white"], "Brewco",
          keywords=["pour over dripper", "coffee dripper"],
          bullets=["Pour over coffee dripper for two cups"]),
        p("FILT1", "Paper Coffee Filters for Pour Over Dripper 100 Count", "COFFEE_FILTER", 8, ["white"],
          "Brewco", bullets=["Fits cone dripper brewers"]),
        p("WATCH2", "Dive Watch Automatic Black Dial", "WATCH", 220, ["black"], "Deepsea",
          bullets=["Automatic dive watch, 200 m"]),
        p("WATCH3", "Minimalist Quartz Watch Rose Gold", "WATCH", 90, ["rose gold"], "Simple",
          bullets=["Slim quartz watch"]),
        p("STRAP2", "Silicone Sport Band for Watch 22mm", "WATCH_BAND", 12, ["black"], "Strappy",
          bullets=["Sweat proof band for watches"]),
        p("DRIP2", "Glass Pour Over Coffee Dripper", "COFFEE_DRIPPER", 25, ["clear"], "Brewco",
          keywords=["pour over dripper", "coffee dripper"],
          bullets=["Pour over dripper, heat resistant glass"]),
        p("FILT2", "Bamboo Coffee Filters for Dripper Cone 200 Count", "COFFEE_FILTER", 10, ["white"],
          "Leafy", bullets=["Made for cone drippers"]),
        p("SOFA1", "Velvet Sofa Green", "SOFA", 800, ["green"], "Couchy", bullets=["Three seater sofa"]),
    ]
