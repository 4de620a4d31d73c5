"""Pages of every domain (portal, regulator desk, enterprise console): templates, page language, the 429 handler."""

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from zhuisu.codes._regions import region_label
from zhuisu.errors import TooManyRequests
from zhuisu.kit import i18n
from zhuisu.kit.time import BEIJING, parse_iso
from zhuisu.web.errors import problem_response
from zhuisu.web.i18n import negotiate
from zhuisu.web.ratelimit import retry_after_header

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "web" / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"
LANG_COOKIE = "zhuisu_lang"
SESSION_COOKIE = "zhuisu_session"
DL_PREFIX = "https://id.gs1.org/"


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    return i18n.gettext(context.get("lang", "zh"), message)


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
    return i18n.catalog(context.get("lang", "zh")).ngettext(singular, plural, n)


@jinja2.pass_context
def _pgettext(context: jinja2.runtime.Context, message_context: str, message: str) -> str:
    return i18n.pgettext(context.get("lang", "zh"), message_context, message)


@jinja2.pass_context
def _pick(context: jinja2.runtime.Context, zh: str, en: str) -> str:
    """``pick(zh, en)``: of a pair of texts that comes with the data (a catalog class's names, a table's pair), the
    one in the page's language. Texts written in a template are ``_('English')``, translated by the catalogs."""
    return en if context.get("lang") == "en" else zh


#: The texts the pages' scripts show (``desk.js``, ``portal.js``), key → message: the page writes them translated
#: into ``<script id="messages">`` and the scripts read them there.
SCRIPT_MESSAGES = {
    "coverage": i18n.N_("coverage"),
    "target": i18n.N_("target"),
    "events": i18n.N_("events"),
    "code_traced": i18n.N_("code traced"),
    "thing": i18n.N_("thing"),
    "party": i18n.N_("party"),
    "aim_camera": i18n.N_("Point the camera at the code…"),
    "no_camera": i18n.N_("The camera is not available; pick a photo instead."),
    "reading_photo": i18n.N_("Reading the photo…"),
    "no_code_in_photo": i18n.N_("No code found in the photo."),
}


@jinja2.pass_context
def _script_messages(context: jinja2.runtime.Context) -> dict[str, str]:
    lang = context.get("lang", "zh")
    return {key: i18n.gettext(lang, message) for key, message in SCRIPT_MESSAGES.items()}


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=jinja2.select_autoescape(),
    extensions=["jinja2.ext.i18n"],
    # templates are package data: compiled once per process, not checked on disk at every render (a product page
    # renders two); a template edited in development shows after a restart
    auto_reload=False,
)
# The page's language is the render context's ``lang``: the callables read it there (one environment for every
# request; ``{% trans %}`` and ``_()`` alike).
_env.install_gettext_callables(_gettext, _ngettext, newstyle=False, pgettext=_pgettext)  # type: ignore[attr-defined]
_env.globals["pick"] = _pick
_env.globals["script_messages"] = _script_messages
templates = Jinja2Templates(env=_env)


def story_path(code: str) -> str:
    """The portal path of a code: the Digital Link path for GS1 keys, ``/c/<code>`` for anything else."""
    if code.startswith(DL_PREFIX):
        return "/" + code.removeprefix(DL_PREFIX)
    return "/c/" + quote(code, safe="")


templates.env.globals["story_path"] = story_path
#: ``{{ code | region }}``: a GB/T 2260 code or prefix by its names (山东省济南市历下区), else as it is.
templates.env.filters["region"] = region_label


def beijing(value: str | datetime | None) -> str:
    """``{{ time | beijing }}``: a datetime or an RFC 3339 time as Beijing time, ``2026-12-04 16:30`` (what every desk
    and console page shows; the portal shows its offset too)."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, datetime) else parse_iso(value)
    except ValueError:
        return str(value)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


templates.env.filters["beijing"] = beijing


async def too_many_requests(request: Request, exc: Exception) -> Response:
    """Exception handler: the 429 problem with a ``Retry-After`` header."""
    assert isinstance(exc, TooManyRequests)
    lang = page_language(request)
    retry = retry_after_header(float(exc.extra.get("retry_after", 1)))
    return problem_response(
        request,
        status=429,
        code=exc.code,
        detail=exc.localized(lang),
        problem_type=exc.problem_type,
        headers={"Retry-After": retry},
        retry_after=int(retry),
    )


def page_language(request: Request) -> str:
    """zh or en: ``?lang=``, else the language cookie, else Accept-Language, else the node's default."""
    default = getattr(request.app.state, "default_language", "zh")
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in ("zh", "en"):
            return value
    return negotiate(request.headers.get("accept-language"), default)


def render_text(template: str, lang: str, context: dict[str, Any]) -> str:
    """A page in ``lang`` without a request (stored pages: nothing in them depends on the request)."""
    return templates.env.get_template(template).render({"lang": lang, **context})


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    """A page in the request's language; ``?lang=`` also sets the language cookie (the toggle)."""
    lang = page_language(request)
    response = templates.TemplateResponse(
        request,
        template,
        {"lang": lang, **context},
        status_code=status,
    )
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
