"""The analyst workspace: a thin FastAPI face over the library."""
