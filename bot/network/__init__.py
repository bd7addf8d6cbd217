"""Reaching the web safely: finding links in chat text, the address guard (no private, loopback or
link-local address, checked after DNS and on every redirect), the size- and time-bounded fetch,
and decoding bytes to text (one set of rules for fetched pages and saved files).
"""
