"""GS1 Digital Link resolver answers: the RFC 9264 linkset of a code, and the link of one link type.

Link types are the GS1 Web vocabulary's (``gs1:pip`` product information page, the default; ``gs1:traceability``
the JSON twin; ``gs1:certificationInfo``; ``gs1:recallStatus``) and zhuisu's ``zs:ledgerProof``.
"""

from typing import Any

from starlette.requests import Request

from zhuisu.errors import NotFound
from zhuisu.portal.schemas import PublicProductRead
from zhuisu.web.rendering import DL_PREFIX, story_path

MEDIA_TYPE = "application/linkset+json"
GS1 = "https://gs1.org/voc/"
PIP = "gs1:pip"


def anchor(story: PublicProductRead) -> str:
    """The URI the linkset is about: the code's Digital Link for GS1 keys, else the portal URL."""
    return story.code if story.code.startswith(DL_PREFIX) else story_path(story.code)


def _links(request: Request, story: PublicProductRead) -> dict[str, list[dict[str, Any]]]:
    base = str(request.base_url).rstrip("/")
    page = base + story_path(story.code)
    name = story.product.name if story.product else story.code
    links: dict[str, list[dict[str, Any]]] = {
        "gs1:pip": [{"href": page, "title": name, "type": "text/html", "hreflang": ["zh", "en"]}],
        "gs1:traceability": [
            {
                "href": f"{base}/api/v1/portal/products/{story_path(story.code).lstrip('/')}",
                "title": "追溯信息 / trace story",
                "type": "application/json",
            }
        ],
        "gs1:recallStatus": [
            {
                "href": page + "#recall",
                "title": "召回 / recalled" if story.recalled else "未召回 / not recalled",
                "type": "text/html",
            }
        ],
    }
    if story.certificates:
        links["gs1:certificationInfo"] = [
            {"href": page + "#certificates", "title": "证书 / certificates", "type": "text/html"}
        ]
    if story.journey:
        links["zs:ledgerProof"] = [
            {"href": f"{base}/ledger/proof/{step.event_id}", "type": "text/plain", "title": step.step_en}
            for step in story.journey
        ]
    return links


def linkset(request: Request, story: PublicProductRead) -> dict[str, Any]:
    """The RFC 9264 JSON linkset, link relation types written out as GS1 Web vocabulary URIs."""
    entry: dict[str, Any] = {"anchor": anchor(story)}
    for link_type, targets in _links(request, story).items():
        prefix, _, name = link_type.partition(":")
        entry[(GS1 if prefix == "gs1" else "https://zhuisu.cn/voc/") + name] = targets
    entry[GS1 + "defaultLink"] = entry[GS1 + "pip"]
    return {"linkset": [entry]}


def link_for(request: Request, story: PublicProductRead, link_type: str) -> str:
    """The target of one link type; raises NotFound when the code has no such link."""
    short = link_type.removeprefix(GS1)
    short = short if ":" in short else "gs1:" + short
    targets = _links(request, story).get(short)
    if not targets:
        raise NotFound(
            f"追溯码没有 {link_type} 类型的链接",
            message_en=f"the code has no link of type {link_type}",
            link_type=link_type,
        )
    href: str = targets[0]["href"]
    return href
