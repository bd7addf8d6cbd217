"""Running the pipeline: analysis (CPU-bound, in worker processes), the async pipeline that never
raises, the briefing service every Discord entry point uses, the work queue and the rate limits.
"""
