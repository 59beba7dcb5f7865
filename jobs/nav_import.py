"""NAV import as a script task: fetches each fund's NAV series from the HTTP source in
QTASK_NAV_SOURCE_URL (`{code}` in it is replaced by the fund code; the JSON format of
fund_nav_sync: {"code", "name"?, "points": [{"date", "nav", "acc_nav"?}]}) and reports the
points as result rows, with progress per fund.

Declared in config/tasks.yaml as `nav_import_py`; the URL comes from the worker's
environment (env_from), never from the payload.
"""
import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "sdk", "python"))
import qtask  # noqa: E402

p = qtask.payload()
codes = [c.strip() for c in p.get("codes", "").split(",") if c.strip()]
if not codes:
    qtask.fail_permanently("codes is empty: give fund codes separated by commas")
base = os.environ["QTASK_NAV_SOURCE_URL"]
since = p.get("since")

total = 0
failed = []
for i, code in enumerate(codes):
    url = base.replace("{code}", code) if "{code}" in base else f"{base}{'&' if '?' in base else '?'}code={code}"
    try:
        with urllib.request.urlopen(url, timeout=30) as res:
            points = json.load(res).get("points", [])
    except Exception as err:  # one fund's failure does not stop the others
        failed.append(code)
        qtask.log("warn", f"{code}: {type(err).__name__}")
        continue
    points = [pt for pt in points if not since or pt["date"] >= since]
    qtask.rows({"key": f"{code}@{pt['date']}", "data": {"code": code, **pt}} for pt in points)
    total += len(points)
    print(f"{code}: {len(points)} points")
    qtask.progress((i + 1) * 100 / len(codes), f"{i + 1} / {len(codes)}")

qtask.result({"funds": len(codes), "points": total, "failed": failed})
sys.exit(1 if failed and len(failed) == len(codes) else 0)
