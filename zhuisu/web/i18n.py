"""Which language a request wants: zh (default) or en, from Accept-Language."""

from starlette.requests import Request

SUPPORTED = ("zh", "en")


def negotiate(header: str | None, default: str = "zh") -> str:
    """The best supported language in an Accept-Language header.

    >>> negotiate("en-US,en;q=0.9"), negotiate("fr, zh-CN;q=0.8, en;q=0.5"), negotiate(None)
    ('en', 'zh', 'zh')
    """
    best, best_q = default, -1.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        if lang not in SUPPORTED:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > best_q:
            best, best_q = lang, q
    return best


def request_language(request: Request) -> str:
    default = getattr(request.app.state, "default_language", "zh")
    return negotiate(request.headers.get("accept-language"), default)
