"""Ingest: feeds, polite and safe fetching, extraction, dates, dedupe. Knows nothing of nlp or search."""
