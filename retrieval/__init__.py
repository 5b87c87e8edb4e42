"""Product retrieval over Qdrant: catalog loading, encoders, index adapters and search.

A library: it never imports FastAPI. The API wires it up in its lifespan.
"""
