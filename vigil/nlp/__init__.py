"""NLP: language detection, spaCy pipelines and tagging components. Knows nothing of ingest or search."""
