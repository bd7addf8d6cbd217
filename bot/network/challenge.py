"""Is this error answer a bot check? Sites behind anti-bot services answer automated readers
with 403, 429 or 503 and a challenge page ("Just a moment…", "Press & Hold"), where a reporter
in a browser gets the article. Saying "403 Forbidden" leaves the reporter guessing; saying
"the site blocks automated readers" tells them to open it themselves.

Judged from the status, the headers the services set, and the first kilobytes of the body
(their challenge markup), never from the status alone: a 403 from a plain web server is a 403.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Statuses anti-bot services answer with; other errors (404, 500) are what they say.
CHALLENGE_STATUSES = frozenset({401, 403, 405, 429, 503})
SCAN_BYTES = 32_768  # challenge pages are small and say what they are at the top

_MARKERS = re.compile(
    rb"challenge-platform|cf-chl|_cf_chl_opt|cf-turnstile|challenges\.cloudflare|"
    rb"attention required! \| cloudflare|just a moment\.\.\.|checking your browser|"
    rb"px-captcha|_pxappid|perimeterx|captcha-delivery|datadome|"
    rb"g-recaptcha|h-captcha|hcaptcha\.com|recaptcha/api|"
    rb"_incapsula_resource|incapsula incident|pardon our interruption|"
    rb"verify (?:that )?you are (?:a )?human|are you a robot|not a robot|"
    rb"press (?:&amp;|&|and) hold|"
    rb"unusual (?:traffic|activity)|automated (?:access|requests|queries)",
    re.IGNORECASE,
)
# Akamai's bot manager answers "Access Denied … Reference #18.…" from its edge servers.
_AKAMAI = re.compile(rb"access denied.{0,400}reference #\d", re.IGNORECASE | re.DOTALL)


def is_bot_check(status: int, headers: Mapping[str, str], head: bytes) -> bool:
    """Does this error answer come from an anti-bot service rather than from the article's
    server? `headers` is case-insensitive (httpx's), `head` the start of the decoded body."""
    if (headers.get("cf-mitigated") or "").strip().lower() == "challenge":
        return True  # Cloudflare's own header on every challenge it serves
    if status not in CHALLENGE_STATUSES:
        return False
    if "x-datadome" in headers or "x-dd-b" in headers:
        return True
    if "x-sucuri-block" in headers or "x-px-block" in headers:
        return True
    server = (headers.get("server") or "").lower()
    if "akamaighost" in server and _AKAMAI.search(head):
        return True
    return bool(_MARKERS.search(head))
