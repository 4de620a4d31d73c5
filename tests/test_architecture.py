"""The house's rules, checked on the real import graph (grimp): which room may import which.

Rooms are the top-level packages of ``zhuisu``. The layers, bottom up (``docs/architecture.md`` draws them):

- the standards: ``epcis`` (the EPCIS 2.0 codec) and ``codes`` (trace codes): pure, no database, no web, no settings;
- the foundation: ``errors``, ``kit``, ``config``, ``db``, ``models``: no domain, no web;
- the kits: ``web`` (HTTP plumbing every route shares) and ``cli`` (what every command shares): no domain;
- the domains (``capture``, ``trace``, ``portal``, …): no ``app``; no other domain's ``routes``, ``pages``,
  ``repository`` or ``cli``; their services and repositories import no web framework;
- ``app``: the assembly (the FastAPI app, the root command, the signal wiring): imported by nothing but
  ``__main__``.

Each rule fails with the import chain that breaks it.
"""

import subprocess
import sys
from functools import cache

import grimp
import pytest

STANDARDS = ("zhuisu.epcis", "zhuisu.codes")
#: What the standards may use besides each other: the error root and the kit (time helpers, signals), which
#: import nothing of zhuisu.
PURE_LEAVES = ("zhuisu.errors", "zhuisu.kit")
FOUNDATION = ("zhuisu.errors", "zhuisu.kit", "zhuisu.config", "zhuisu.db", "zhuisu.models")
KITS = ("zhuisu.web", "zhuisu.cli")
NOT_DOMAINS = {*STANDARDS, *FOUNDATION, *KITS, "zhuisu.app", "zhuisu.migrations", "zhuisu.__main__"}
#: The readers of what capture writes: they hear of it through ``capture.signals``, capture knows none of them.
READERS = ("zhuisu.portal", "zhuisu.oversight", "zhuisu.exchange")
#: Another domain's repository, imported on purpose (and why).
SHARED_REPOSITORIES = {
    ("zhuisu.recall", "zhuisu.trace.repository"): "a recall impact is a forward walk of the trace graph, read with "
    "trace's own bulk statements (one per level)",
}
FRAMEWORKS = ("fastapi", "starlette", "jinja2", "typer", "rich")
HEAVY = ("sqlalchemy", "fastapi", "starlette", "jinja2", "pydantic", "pydantic_settings", "alembic", "psycopg")


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("zhuisu", include_external_packages=True, cache_dir=None)


def rooms() -> list[str]:
    return sorted(m for m in graph().find_children("zhuisu"))


def domains() -> list[str]:
    return [r for r in rooms() if r not in NOT_DOMAINS]


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _chains(importer: str, imported: str) -> list[str]:
    found = graph().find_shortest_chains(importer=importer, imported=imported, as_packages=True)
    return [" -> ".join(chain) for chain in sorted(found)]


def _direct(importer: str, imported: str) -> list[str]:
    """Direct imports from ``importer`` (a package and its modules) of ``imported`` (likewise)."""
    g = graph()
    found = []
    for details in g.find_matching_direct_imports(import_expression=f"{importer}.** -> {imported}.**"):
        found.append(f"{details['importer']} -> {details['imported']}")
    for details in g.find_matching_direct_imports(import_expression=f"{importer}.** -> {imported}"):
        found.append(f"{details['importer']} -> {details['imported']}")
    for details in g.find_matching_direct_imports(import_expression=f"{importer} -> {imported}.**"):
        found.append(f"{details['importer']} -> {details['imported']}")
    return sorted(set(found))


class TestStandards:
    @pytest.mark.parametrize("package", STANDARDS)
    def test_import_only_the_standards_and_pure_leaves(self, package: str) -> None:
        allowed = {*STANDARDS, *PURE_LEAVES}
        offending = []
        for module in sorted(graph().find_descendants(package) | {package}):
            for imported in graph().find_modules_directly_imported_by(module):
                if imported.startswith("zhuisu") and not any(
                    imported == a or imported.startswith(a + ".") for a in allowed
                ):
                    offending.append(f"{module} -> {imported}")
        assert not offending, "\n".join(offending)

    def test_pure_leaves_import_nothing_of_zhuisu(self) -> None:
        offending = [
            f"{module} -> {imported}"
            for module in sorted(
                m for m in graph().modules if any(m == p or m.startswith(p + ".") for p in PURE_LEAVES)
            )
            for imported in graph().find_modules_directly_imported_by(module)
            if imported.startswith("zhuisu")
            and not any(imported == p or imported.startswith(p + ".") for p in PURE_LEAVES)
        ]
        assert not offending, "\n".join(offending)

    def test_loading_them_loads_no_database_or_web_library(self) -> None:
        # a fresh interpreter: what importing every module of the standards brings in
        modules = sorted(m for p in STANDARDS for m in graph().find_descendants(p) | {p})
        code = (
            f"import sys\nfor m in {modules!r}: __import__(m)\nprint(sorted({{n.split('.')[0] for n in sys.modules}}))"
        )
        loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        assert [h for h in HEAVY if f"'{h}'" in loaded] == []


class TestLayers:
    @pytest.mark.parametrize("lower", [*FOUNDATION, *KITS])
    def test_foundation_and_kits_import_no_domain(self, lower: str) -> None:
        offending = [chain for d in [*domains(), "zhuisu.app"] for chain in _direct(lower, d)]
        assert not offending, "\n".join(offending)

    def test_only_the_entry_point_imports_the_app(self) -> None:
        offending = [c for r in rooms() if r not in ("zhuisu.app", "zhuisu.__main__") for c in _direct(r, "zhuisu.app")]
        assert not offending, "\n".join(offending)

    def test_no_domain_imports_another_domains_routes_pages_cli_or_repository(self) -> None:
        offending = []
        for importer in domains():
            for other in domains():
                if other == importer:
                    continue
                for module in sorted(graph().find_descendants(other)):
                    if (
                        module.rsplit(".", 1)[-1] in ("routes", "pages", "cli", "repository")
                        or "_routes" in module
                        or "_cli" in module
                    ):
                        if (importer, module) not in SHARED_REPOSITORIES:
                            offending += _direct(importer, module)
        assert not offending, "\n".join(offending)

    def test_services_and_repositories_use_no_web_framework(self) -> None:
        offending = []
        for domain in domains():
            for module in sorted(graph().find_descendants(domain)):
                if module.rsplit(".", 1)[-1] in ("service", "repository"):
                    offending += [
                        f"{module} -> {i}"
                        for i in graph().find_modules_directly_imported_by(module)
                        if i.split(".")[0] in FRAMEWORKS or i.startswith("zhuisu.web")
                    ]
        assert not offending, "\n".join(offending)

    @pytest.mark.parametrize("reader", READERS)
    def test_capture_imports_no_reader(self, reader: str) -> None:
        chains = _chains("zhuisu.capture", reader)
        assert not chains, "\n".join(chains)

    def test_no_cycles_between_rooms(self) -> None:
        cycles = [
            f"{a} <-> {b}: {_chains(a, b)[0]} / {_chains(b, a)[0]}"
            for i, a in enumerate(rooms())
            for b in rooms()[i + 1 :]
            if _chains(a, b) and _chains(b, a)
        ]
        assert not cycles, "\n".join(cycles)


class TestTheTest:
    """The rules above catch what they are for: a forbidden import, added to a copy of the graph."""

    @pytest.mark.parametrize(
        ("importer", "imported", "rule"),
        [
            ("zhuisu.epcis.hashing", "zhuisu.models", "standards"),
            ("zhuisu.capture.service", "zhuisu.portal.stories", "capture_reader"),
            ("zhuisu.ledger.service", "zhuisu.trace.routes", "foreign_routes"),
            ("zhuisu.db.session", "zhuisu.parties.service", "foundation"),
            ("zhuisu.trace.repository", "fastapi", "framework"),
            ("zhuisu.codes.gtin", "zhuisu.capture.service", "cycle"),
        ],
    )
    def test_forbidden_import_is_caught(self, importer: str, imported: str, rule: str) -> None:
        global graph
        original = graph
        bad = grimp.build_graph("zhuisu", include_external_packages=True, cache_dir=None)
        bad.add_import(importer=importer, imported=imported)
        graph = cache(lambda: bad)
        try:
            with pytest.raises(AssertionError, match=importer.replace(".", r"\.")):
                {
                    "standards": lambda: TestStandards().test_import_only_the_standards_and_pure_leaves("zhuisu.epcis"),
                    "capture_reader": lambda: TestLayers().test_capture_imports_no_reader("zhuisu.portal"),
                    "foreign_routes": lambda: (
                        TestLayers().test_no_domain_imports_another_domains_routes_pages_cli_or_repository()
                    ),
                    "foundation": lambda: TestLayers().test_foundation_and_kits_import_no_domain("zhuisu.db"),
                    "framework": lambda: TestLayers().test_services_and_repositories_use_no_web_framework(),
                    "cycle": lambda: TestLayers().test_no_cycles_between_rooms(),
                }[rule]()
        finally:
            graph = original
