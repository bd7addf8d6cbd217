"""Reaching the web safely: finding links in chat text, the address guard (no private, loopback or
link-local address, checked after DNS and on every redirect) and the size- and time-bounded fetch.
"""
