"""Fund statistics through the API client: reads every fund page by page (GET /api/funds) and
reports, per fund type, how many funds there are and their mean and median one-year return.

Declared in config/tasks.yaml as `fund_stats_py`; it needs an API token (a viewer token is
enough): QTASK_API_TOKEN, and QTASK_API_URL when the app is not on http://127.0.0.1:3000.
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "sdk", "python"))
import qtask  # noqa: E402

client = qtask.Client()
by_type = {}
page, total = 1, None
while True:
    got = client.request("GET", "/api/funds", query={"page": page, "page_size": 200})
    total = got["total"]
    for f in got["items"]:
        by_type.setdefault(f["fund_type"] or "unknown", []).append(f["return_1y"])
    qtask.progress(min(100, page * 200 * 100 / max(total, 1)), f"{min(page * 200, total)} / {total} funds")
    if page * 200 >= total:
        break
    page += 1

rows = []
for kind, returns in sorted(by_type.items()):
    known = [r for r in returns if r is not None]
    rows.append(
        {
            "key": kind,
            "data": {
                "fund_type": kind,
                "funds": len(returns),
                "mean_return_1y": round(statistics.fmean(known), 6) if known else None,
                "median_return_1y": round(statistics.median(known), 6) if known else None,
            },
        }
    )
qtask.rows(rows)
qtask.result({"funds": total, "types": len(rows)})
print(f"{total} funds in {len(rows)} types")
