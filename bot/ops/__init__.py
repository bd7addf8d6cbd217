"""For operators: metrics, health and logs. No Discord here; the Discord layer feeds it."""
