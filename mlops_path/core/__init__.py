"""The pure core: catalog, path logic and progress store. Never imports typer or rich."""
