"""Search: stores (embedded SQLite, Elasticsearch), the query language, trends, alerts, exports."""
