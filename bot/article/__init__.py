"""From a page to an `Article`: trafilatura extraction, the headline, byline, date and site from the
page's metadata, and the clean-up of what extraction lets through (captions, share prompts).
"""
