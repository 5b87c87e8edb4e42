"""Small catalogs for tests."""

from __future__ import annotations

from retrieval.product import Product

PRODUCTS = [
    Product(
        id="shoe-1",
        title="Trail Running Shoes",
        description="Lightweight running shoes with grip",
        category_path=("Footwear", "Sports Shoes", "Running Shoes"),
        brand="Asics",
        price=3999.0,
        attributes={"color": "Black"},
        stock=5,
    ),
    Product(
        id="shoe-2",
        title="Road Running Shoes",
        description="Cushioned shoes for road running",
        category_path=("Footwear", "Sports Shoes", "Running Shoes"),
        brand="Nike",
        price=1499.0,
        attributes={"color": "Blue"},
        stock=3,
    ),
    Product(
        id="boot-1",
        title="Waterproof Hiking Boots",
        description="Leather boots for hiking in rain",
        category_path=("Footwear", "Boots"),
        brand="Woodland",
        price=4599.0,
        attributes={"color": "Brown"},
        stock=2,
    ),
    Product(
        id="watch-1",
        title="Analog Wrist Watch",
        description="Classic steel watch for men",
        category_path=("Watches", "Wrist Watches"),
        brand="Titan",
        price=2499.0,
        attributes={"color": "Silver"},
        stock=7,
    ),
    Product(
        id="dress-1",
        title="Red Summer Dress",
        description="Cotton dress for summer days",
        category_path=("Clothing", "Womens Clothing", "Dresses"),
        brand="Zara",
        price=899.0,
        attributes={"color": "Red"},
        stock=0,
    ),
    Product(
        id="mug-1",
        title="Ceramic Coffee Mug",
        description="A large mug for coffee or tea",
        category_path=("Kitchen", "Mugs"),
        brand="Home",
        price=299.0,
        attributes={},
        stock=12,
    ),
]
