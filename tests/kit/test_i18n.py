"""The message catalogs: in step with the code, complete in zh-CN and English, and what pages and tables read.

``scripts.i18n`` extracts the messages with Babel (the templates with Jinja2's extractor, the code with the keywords
of ``zhuisu.kit.i18n``); these tests hold the catalogs to them and the code to the catalogs: no text pair written by
hand in a template or a table, no Chinese in a template but the three words that are not UI text.
"""

import ast
import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from scripts import i18n as catalogs
from zhuisu.kit import i18n
from zhuisu.web.rendering import SCRIPT_MESSAGES, render_text

ROOT = Path(__file__).resolve().parent.parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]+")
#: Chinese a template may hold: the product's name, the name of the language on the toggle, a result value the
#: inspection data carries in Chinese.
TEMPLATE_CHINESE = {"追溯", "中文", "合格"}


def test_catalogs_hold_every_message_of_the_code_translated_in_both_languages() -> None:
    assert catalogs.check() == []


def test_the_catalogs_are_sizeable_and_the_same_messages_in_both() -> None:
    ids = {}
    for locale in catalogs.LOCALES:
        with catalogs.po_path(locale).open("rb") as fh:
            ids[locale] = {(m.context, m.id) for m in read_po(fh) if m.id}
    assert ids["zh_CN"] == ids["en"]
    assert len(ids["zh_CN"]) > 500
    assert (None, "Product") in ids["zh_CN"]
    assert ("recall", "Step") in ids["zh_CN"]


def test_the_check_finds_an_untranslated_message_and_a_stale_compiled_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(catalogs.LOCALE_DIR, tmp_path / "locale")
    monkeypatch.setattr(catalogs, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setattr(catalogs, "ROOT", tmp_path)
    po = catalogs.po_path("zh_CN")
    text = po.read_text(encoding="utf-8")
    assert 'msgid "Product"\nmsgstr "产品"\n' in text
    po.write_text(text.replace('msgid "Product"\nmsgstr "产品"\n', 'msgid "Product"\nmsgstr ""\n'), encoding="utf-8")
    assert catalogs.check() == [
        "zh_CN: 'Product' is not translated",
        "locale/zh_CN/LC_MESSAGES/messages.mo is out of date: run make i18n",
    ]
    # a message the code no longer has makes the catalog out of date; nothing was written by the check
    po.write_text(text + '\nmsgid "A message no code has"\nmsgstr "没有代码使用的消息"\n', encoding="utf-8")
    assert catalogs.check() == ["locale/zh_CN/LC_MESSAGES/messages.po is out of date with the code: run make i18n"]
    assert po.read_text(encoding="utf-8").endswith('msgstr "没有代码使用的消息"\n')


def test_messages_read_in_each_language_with_and_without_a_context() -> None:
    assert i18n.gettext("zh", "Product") == "产品"
    assert i18n.gettext("en", "Product") == "Product"
    assert i18n.pgettext("zh", "recall", "Step") == "环节"
    assert i18n.gettext("zh", "Step") == "业务步骤"
    assert i18n.pair("shipped") == ("发货", "shipped")
    assert i18n.cpair("step", "received") == ("收货", "received")
    assert i18n.gettext("zh", "received") == "已受理"
    # a language the node does not have reads as the default, zh-CN; a message not in the catalogs as it is
    assert i18n.gettext("fr", "Product") == "产品"
    assert i18n.gettext("zh", "no such message") == "no such message"


def test_a_template_renders_its_messages_in_the_page_language() -> None:
    zh = render_text("base.html", "zh", {})
    en = render_text("base.html", "en", {})
    assert "<title>追溯 · 重要产品追溯</title>" in zh
    assert "<title>zhuisu · product traceability</title>" in en
    # the scripts' texts, as the page hands them over
    assert _script_messages(zh)["aim_camera"] == "请将摄像头对准追溯码…"
    assert _script_messages(en)["aim_camera"] == "Point the camera at the code…"
    assert _script_messages(zh)["code_traced"] == "查询的追溯码"
    assert set(_script_messages(zh)) == set(SCRIPT_MESSAGES)


def _script_messages(page: str) -> dict[str, str]:
    found = re.search(r'<script id="messages" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    return dict(json.loads(found.group(1)))


def test_templates_hold_no_chinese_and_no_hand_written_pairs() -> None:
    for path in sorted((ROOT / "zhuisu" / "web" / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert set(CJK.findall(text)) <= TEMPLATE_CHINESE, path
        assert not re.search(r"(?<![\w.])t\(", text), f"{path}: t(zh, en) is gone: _('English') or pick(zh, en)"


def test_code_holds_no_hand_written_chinese_english_pairs() -> None:
    """A table of names is ``pair('English')`` (translated by the catalogs), not ``('中文', 'English')``. The demo's
    master data is left out: its Chinese are the names of its parties and products, beside their class ids."""
    found = []
    for path in sorted((ROOT / "zhuisu").rglob("*.py")):
        if "demo" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.Call):
                items = node.elts if isinstance(node, ast.Tuple) else node.args
                texts = [e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else None for e in items]
                for a, b in itertools.pairwise(texts):
                    if a and b and CJK.search(a) and not CJK.search(b) and re.search("[A-Za-z]{2}", b):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {a!r}, {b!r}")
    assert found == []
