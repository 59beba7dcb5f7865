"""The Python helper: the protocol lines it prints, and the client against a stub of the API."""
import io
import json
import os
import sys
import threading
import unittest
from contextlib import redirect_stdout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import qtask  # noqa: E402


def said(fn, *args):
    out = io.StringIO()
    with redirect_stdout(out):
        fn(*args)
    return [json.loads(line[len(qtask.MARKER):]) for line in out.getvalue().splitlines()]


class Protocol(unittest.TestCase):
    def test_messages(self):
        self.assertEqual(said(qtask.progress, 40, "fetching"), [{"progress": 40.0, "message": "fetching"}])
        self.assertEqual(said(qtask.log, "warn", "slow", {"ms": 9}), [{"log": "warn", "message": "slow", "data": {"ms": 9}}])
        self.assertEqual(said(qtask.result, {"n": 1}), [{"result": {"n": 1}}])
        self.assertRaises(ValueError, qtask.log, "loud", "x")

    def test_rows_in_chunks(self):
        lines = said(qtask.rows, [(i, {"v": i}) for i in range(2500)])
        self.assertEqual([len(m["rows"]) for m in lines], [1000, 1000, 500])
        self.assertEqual(lines[0]["rows"][1], {"key": "1", "data": {"v": 1}})
        self.assertEqual(said(qtask.rows, [{"key": "a", "data": None}]), [{"rows": [{"key": "a", "data": None}]}])

    def test_fail_permanently_exits(self):
        out = io.StringIO()
        with redirect_stdout(out), self.assertRaises(SystemExit) as e:
            qtask.fail_permanently("bad input")
        self.assertEqual(e.exception.code, 1)
        self.assertIn('{"fail_permanently": "bad input"}', out.getvalue())

    def test_payload_from_the_environment(self):
        os.environ["QTASK_PAYLOAD"] = '{"date": "2024-05-06"}'
        try:
            self.assertEqual(qtask.payload(), {"date": "2024-05-06"})
        finally:
            del os.environ["QTASK_PAYLOAD"]


class Stub(BaseHTTPRequestHandler):
    """A few answers of the API, and a log of what was asked."""

    calls = []
    busy = 0

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        Stub.calls.append((self.command, self.path, self.headers.get("authorization"), body))
        if self.path == "/api/tasks" and Stub.busy > 0:
            Stub.busy -= 1
            return self.answer(429, {"error": {"code": "too_many_requests", "message": "slow down"}}, {"retry-after": "0"})
        if self.path == "/api/tasks":
            return self.answer(201, {"task": {"id": "7", "status": "queued"}})
        if self.path == "/api/tasks/batch":
            return self.answer(201, {"batch_id": "b", "task_ids": ["1", "2"]})
        if self.path == "/api/tasks/7":
            done = sum(1 for c in Stub.calls if c[1] == "/api/tasks/7") >= 2
            return self.answer(200, {"task": {"id": "7", "status": "succeeded" if done else "running"}, "runs": []})
        if self.path.startswith("/api/tasks/7/results"):
            page = int(self.path.split("page=")[1].split("&")[0])
            items = [{"key": str(i), "data": i} for i in range((page - 1) * 2, min(page * 2, 5))]
            return self.answer(200, {"items": items, "page": page, "page_size": 2, "total": 5})
        if self.path == "/api/tasks/7/cancel":
            return self.answer(200, {"outcome": "cancel_requested", "task": {}})
        return self.answer(400, {"error": {"code": "invalid_input", "message": "no such thing", "details": {"x": 1}}})

    do_GET = do_POST = handle_any


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.client = qtask.Client(f"http://127.0.0.1:{cls.server.server_address[1]}", token="qtk_test")

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def setUp(self):
        Stub.calls = []

    def test_enqueue_with_options_and_the_token(self):
        task = self.client.enqueue("backtest", {"fund_code": "000001"}, priority=700, max_attempts=None)
        self.assertEqual(task["id"], "7")
        self.assertEqual(Stub.calls[0], ("POST", "/api/tasks", "Bearer qtk_test", {"type": "backtest", "payload": {"fund_code": "000001"}, "priority": 700}))

    def test_retries_after_429(self):
        Stub.busy = 2
        self.assertEqual(self.client.enqueue("noop")["id"], "7")
        self.assertEqual(len(Stub.calls), 3)

    def test_batch_wait_results_cancel(self):
        self.assertEqual(self.client.enqueue_batch([{"type": "noop"}], batch_name="nightly")["task_ids"], ["1", "2"])
        self.assertEqual(Stub.calls[0][3], {"tasks": [{"type": "noop"}], "batch_name": "nightly"})
        self.assertEqual(self.client.wait(7, poll=0.01)["status"], "succeeded")
        self.assertEqual([r["data"] for r in self.client.results(7, page_size=2)], [0, 1, 2, 3, 4])
        self.assertEqual(self.client.cancel(7), "cancel_requested")

    def test_errors_carry_status_code_and_message(self):
        with self.assertRaises(qtask.QtaskError) as e:
            self.client.get(99)
        self.assertEqual((e.exception.status, e.exception.code, e.exception.message, e.exception.details), (400, "invalid_input", "no such thing", {"x": 1}))

    def test_needs_a_token(self):
        old = os.environ.pop("QTASK_API_TOKEN", None)
        try:
            self.assertRaises(ValueError, qtask.Client, "http://x")
        finally:
            if old is not None:
                os.environ["QTASK_API_TOKEN"] = old


if __name__ == "__main__":
    unittest.main()
