"""A long-running collector (what supervisord kept running): polls its source every few
seconds and prints a heartbeat line, until it is told to stop (SIGTERM from a stop on the
schedules page, a shutdown, or its worker's end), when it finishes the round and exits 0.

Declared in config/tasks.yaml as `collector_py`, run by the supervised schedule quote_collector.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "sdk", "python"))
import qtask  # noqa: E402

every = float(qtask.payload().get("every_seconds", 5))
stopping = False


def stop(signum, frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, stop)
rounds = 0
while not stopping:
    rounds += 1
    print(f"heartbeat {rounds}: source polled", flush=True)
    if rounds % 12 == 0:
        qtask.log("info", "still collecting", {"rounds": rounds})
    deadline = time.monotonic() + every
    while not stopping and time.monotonic() < deadline:
        time.sleep(0.2)
print(f"stopped after {rounds} rounds")
