"""qtask for Python: what a script task says to qtask, and a client for qtask's HTTP API.

Standard library only, Python 3.9+. Put this folder on PYTHONPATH (or `pip install sdk/python`).

In a script task (declared under `scripts:` in config/tasks.yaml)::

    import qtask
    p = qtask.payload()                       # the task's payload (also on stdin)
    qtask.progress(40, "fetching")            # progress 0-100 and a message
    qtask.log("warn", "slow feed", {"ms": 900})
    qtask.rows([{"key": "000001", "data": {"nav": 1.5}}])   # result rows, upserted by key
    qtask.result({"funds": 1})                # the task's result
    qtask.fail_permanently("bad input")       # fail without retrying (exits)

Everything else printed goes to the run's log (stdout at info, stderr at warn); exit code 0
means success. From a notebook or another program::

    c = qtask.Client("http://localhost:3000", token="qtk_...")
    ids = c.enqueue_batch([{"type": "backtest", "payload": {...}} for ...])["task_ids"]
    for i in ids: c.wait(i)
    rows = list(c.results(ids[0]))
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["payload", "progress", "log", "result", "rows", "fail_permanently", "Client", "QtaskError", "MARKER"]

#: What starts a line of the protocol on stdout.
MARKER = "::qtask::"
#: Rows sent per protocol line.
ROWS_PER_LINE = 1000


def _say(message):
    sys.stdout.write(MARKER + " " + json.dumps(message, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def payload():
    """The task's payload (a dict), from QTASK_PAYLOAD; {} outside a script task."""
    return json.loads(os.environ.get("QTASK_PAYLOAD") or "{}")


def progress(percent, message=None):
    """Reports progress, 0 to 100, with an optional message."""
    m = {"progress": float(percent)}
    if message is not None:
        m["message"] = str(message)[:500]
    _say(m)


def log(level, message, data=None):
    """A structured log line: level is debug, info, warn or error; data any JSON value."""
    if level not in ("debug", "info", "warn", "error"):
        raise ValueError("level must be debug, info, warn or error")
    m = {"log": level, "message": str(message)}
    if data is not None:
        m["data"] = data
    _say(m)


def result(value):
    """Sets the task's result (any JSON value); the last one sent wins."""
    _say({"result": value})


def rows(items):
    """Adds result rows: dicts {"key", "data"} or (key, data) pairs; a key sent again replaces its row."""
    batch = []
    for item in items:
        key, data = (item["key"], item.get("data")) if isinstance(item, dict) else item
        batch.append({"key": str(key), "data": data})
        if len(batch) == ROWS_PER_LINE:
            _say({"rows": batch})
            batch = []
    if batch:
        _say({"rows": batch})


def fail_permanently(reason, exit_code=1):
    """Fails the task without retrying it, whatever attempts are left, and exits."""
    _say({"fail_permanently": str(reason)[:2000]})
    sys.exit(exit_code)


class QtaskError(Exception):
    """An error answer of the API: its HTTP status, error code and message."""

    def __init__(self, status, code, message, details=None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details


FINISHED = ("succeeded", "failed", "cancelled")


class Client:
    """The qtask HTTP API with an API token (create one on the page 用户与令牌).

    base_url and token default to QTASK_API_URL and QTASK_API_TOKEN. Answers 429 (a quota
    or a limit) are retried after their Retry-After, up to `retries` times.
    """

    def __init__(self, base_url=None, token=None, timeout=30.0, retries=5):
        self.base_url = (base_url or os.environ.get("QTASK_API_URL") or "http://127.0.0.1:3000").rstrip("/")
        self.token = token or os.environ.get("QTASK_API_TOKEN")
        if not self.token:
            raise ValueError("an API token is needed: pass token= or set QTASK_API_TOKEN")
        self.timeout = timeout
        self.retries = retries

    def request(self, method, path, body=None, query=None):
        """Any API call: the JSON answer, or QtaskError (429 is retried after its Retry-After)."""
        url = self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"authorization": "Bearer " + self.token, "accept": "application/json"}
        if data is not None:
            headers["content-type"] = "application/json"
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as res:
                    text = res.read().decode("utf-8")
                    return json.loads(text) if text else None
            except urllib.error.HTTPError as err:
                text = err.read().decode("utf-8", "replace")
                if err.code == 429 and attempt < self.retries:
                    time.sleep(min(60.0, float(err.headers.get("retry-after") or 1)))
                    continue
                try:
                    e = json.loads(text)["error"]
                except (ValueError, KeyError, TypeError):
                    e = {"code": "http_error", "message": text[:500]}
                raise QtaskError(err.code, e.get("code"), e.get("message"), e.get("details")) from None
        raise AssertionError("unreachable")

    def enqueue(self, type, payload=None, **options):
        """Enqueues one task; options are the API's fields (priority, delay_ms, run_at, max_attempts,
        timeout_ms, idempotency_key, batch_id, queue). Returns the task (a dict)."""
        body = {"type": type, "payload": payload or {}}
        body.update({k: v for k, v in options.items() if v is not None})
        return self.request("POST", "/api/tasks", body)["task"]

    def enqueue_batch(self, tasks, batch_name=None):
        """Enqueues many tasks at once (all or none): dicts like enqueue's arguments. Returns {"batch_id", "task_ids"}."""
        body = {"tasks": [dict(t) for t in tasks]}
        if batch_name:
            body["batch_name"] = batch_name
        return self.request("POST", "/api/tasks/batch", body)

    def get(self, task_id):
        """One task (a dict with status, progress, result, error, …)."""
        return self.request("GET", f"/api/tasks/{int(task_id)}")["task"]

    def wait(self, task_id, timeout=None, poll=1.0):
        """Waits until the task has finished (succeeded, failed or cancelled) and returns it; TimeoutError after `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            task = self.get(task_id)
            if task["status"] in FINISHED:
                return task
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"task {task_id} is still {task['status']} after {timeout} s")
            time.sleep(poll)

    def results(self, task_id, page_size=500):
        """Every result row of the task, page after page, as dicts {"key", "data"}."""
        page = 1
        while True:
            got = self.request("GET", f"/api/tasks/{int(task_id)}/results", query={"page": page, "page_size": page_size})
            for item in got["items"]:
                yield item
            if page * page_size >= got["total"] or not got["items"]:
                return
            page += 1

    def cancel(self, task_id):
        """Cancels the task: a queued one at once, a running one by request. Returns the outcome."""
        return self.request("POST", f"/api/tasks/{int(task_id)}/cancel")["outcome"]
