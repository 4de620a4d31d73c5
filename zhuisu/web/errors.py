"""One error shape for the whole API: RFC 7807 problem documents, as the GS1 EPCIS REST binding prescribes.

``{"type": "epcisException:…", "title", "status", "detail", "instance", "code", …}`` with ``code`` a stable
snake_case string clients may depend on, and extra members such as ``errors`` (one per field: event index, JSON
pointer, what was expected, message). Messages are zh-CN unless the client asks for English.
"""

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zhuisu.errors import ZhuisuError
from zhuisu.kit.i18n import pair
from zhuisu.web.i18n import request_language

logger = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: pair("Bad request"),
    401: pair("Not authenticated"),
    403: pair("Forbidden"),
    404: pair("Not found"),
    405: pair("Method not allowed"),
    406: pair("Not acceptable"),
    409: pair("Conflict"),
    413: pair("Payload too large"),
    415: pair("Unsupported media type"),
    422: pair("Unprocessable request"),
    500: pair("Internal server error"),
}
_TYPES = {
    400: "epcisException:ValidationException",
    401: "epcisException:SecurityException",
    403: "epcisException:SecurityException",
    404: "epcisException:NoSuchNameException",
    413: "epcisException:CaptureLimitExceededException",
}


#: The GS1 REST binding's 404 response admits only this type, whatever resource was missing.
NO_SUCH_NAME = "epcisException:NoSuchNameException"
_URI_SAFE = "/%:@!$&'()*+,;=-._~"


def instance_uri(request: Request) -> str:
    """The absolute URI of the request's resource (the binding's ``instance`` is ``format: uri``), with the path as
    the client sent it (percent-encoded)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    return str(request.base_url).rstrip("/") + quote(path, safe=_URI_SAFE)


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    detail: str,
    problem_type: str | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> JSONResponse:
    lang = request_language(request)
    zh, en = _TITLES.get(status, pair("Error"))
    if status == 404:
        problem_type = NO_SUCH_NAME
    body = {
        "type": problem_type or _TYPES.get(status, "epcisException:ImplementationException"),
        "title": en if lang == "en" else zh,
        "status": status,
        "detail": detail,
        "instance": instance_uri(request),
        "code": code,
        **members,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _zhuisu_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ZhuisuError)
    return error_response(request, exc)


def error_response(request: Request, exc: ZhuisuError) -> JSONResponse:
    """The problem document for ``exc``, as the exception handler renders it (for middleware, which runs outside
    the handlers)."""
    lang = request_language(request)
    if exc.status_code >= 500:
        logger.error("internal error", exc_info=exc)
    headers = {"WWW-Authenticate": 'Bearer realm="zhuisu"'} if exc.status_code == 401 else None
    return problem_response(
        request,
        status=exc.status_code,
        code=exc.code,
        detail=exc.localized(lang),
        problem_type=exc.problem_type,
        headers=headers,
        **exc.problem_members(lang),
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    lang = request_language(request)
    zh, en = _TITLES.get(exc.status_code, pair("Error"))
    return problem_response(
        request,
        status=exc.status_code,
        code=f"http_{exc.status_code}",
        detail=str(exc.detail) if exc.detail and lang == "en" else (en if lang == "en" else zh),
        headers=getattr(exc, "headers", None),
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    lang = request_language(request)
    errors = [
        {
            "pointer": "/" + "/".join(str(p) for p in e.get("loc", ())[1:]),
            "code": e.get("type", "invalid"),
            "message": e.get("msg", ""),
        }
        for e in exc.errors()
    ]
    detail = "请求参数无效" if lang != "en" else "invalid request parameters"
    return problem_response(
        request,
        status=400,
        code="invalid_request",
        detail=detail,
        problem_type="epcisException:QueryParameterException",
        errors=errors,
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    lang = request_language(request)
    detail = "服务器内部错误，已记录" if lang != "en" else "internal server error; it has been logged"
    return problem_response(request, status=500, code="internal_error", detail=detail)


#: What the OpenAPI schema says of a request whose parameters or body FastAPI cannot read (``_validation_error``).
_INVALID_REQUEST = {
    "description": "Invalid request: a problem document (`code` invalid_request, or what the route names) "
    "listing each invalid parameter in `errors`."
}
#: What it says of a path whose parameter names nothing, or holds what no route's path can (a newline, say).
_NOT_FOUND = {"description": "Not found: a problem document (`code` not_found, or http_404 when no route matches)."}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (an OpenAPI document FastAPI made) saying what the handlers answer: a request FastAPI cannot
    validate is a 400 problem document, where FastAPI documents a 422 ``HTTPValidationError`` nobody is sent; a
    path with parameters may be a 404.

    >>> op = {"parameters": [{"name": "q", "in": "query"}], "responses": {"200": {}, "422": {"content": {
    ...     "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}}}
    >>> doc = document_errors({"paths": {"/x": {"get": op}}, "components": {"schemas": {"HTTPValidationError": {}}}})
    >>> sorted(doc["paths"]["/x"]["get"]["responses"]), doc["components"]["schemas"]
    (['200', '400'], {})
    >>> op = {"parameters": [{"name": "id", "in": "path"}], "responses": {"200": {}}}
    >>> sorted(document_errors({"paths": {"/x/{id}": {"get": op}}})["paths"]["/x/{id}"]["get"]["responses"])
    ['200', '400', '404']
    """
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "HTTPValidationError" in str(responses.get("422", "")):
                del responses["422"]
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", dict(_INVALID_REQUEST))
            if any(p.get("in") == "path" for p in operation.get("parameters", ())):
                responses.setdefault("404", dict(_NOT_FOUND))
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema


def install(app: FastAPI) -> None:
    app.add_exception_handler(ZhuisuError, _zhuisu_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
    made = app.openapi

    def openapi() -> dict[str, Any]:
        return document_errors(made())  # made once and kept by FastAPI; the second pass changes nothing

    app.openapi = openapi  # type: ignore[method-assign]
