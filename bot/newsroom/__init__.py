"""The newsroom's view of what was shared: stories grouped across outlets, digests, and the daily
digest schedule's timing.
"""
