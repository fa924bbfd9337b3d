"""The domain core: no typer, no rich, no terminal."""
