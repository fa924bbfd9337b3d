"""Persistence: SQLModel tables (``models``) and the engine/session code (``engine``)."""
