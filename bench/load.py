"""Load on loopback: gunicorn (production settings, 2 workers) serving the demo data; concurrent
clients hit the dashboard, the obligations list and a feed. Prints requests/s, latency
percentiles and errors per target.

Run: .venv/bin/python bench/load.py [--clients 50] [--seconds 30] [--workers 2]
"""

import argparse
import http.client
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(env, port, workers):
    """The production server on loopback, in its own session (stopped with its group)."""
    return subprocess.Popen(
        [PY, "-m", "gunicorn", "tracker.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip


def environment(db):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DB_")},
        "PRODUCTION": "true", "SECRET_KEY": secrets.token_urlsafe(50), "DB_NAME": db,
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }  # fmt: skip


def manage(env, *args):
    return subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout  # fmt: skip


def prepare(env):
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "load_demo")
    code = (
        "from obligations.feeds import new_token; from obligations.models import Feed, Order; "
        "from django.contrib.auth.models import User; t, h = new_token(); "
        "Feed.objects.create(user=User.objects.get(username='reader'), name='load', "
        "order=Order.objects.get(number='13768'), token_hash=h); print(t)"
    )
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def session_cookie(port):
    """Sign in as the demo reader through the login form (CSRF token and all)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"csrfmiddlewaretoken={token}&username=reader&password=demo-tracker-2017"
    conn.request("POST", "/accounts/login/", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
        "Referer": f"https://127.0.0.1:{port}/accounts/login/", "X-Forwarded-Proto": "https"})  # fmt: skip
    response = conn.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    if not session:
        raise SystemExit("could not sign in")
    return f"sessionid={session.group(1)}"


def hammer(port, path, headers, clients, seconds, expected=200):
    latencies, errors, lock = [], [0], threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                bad += response.status != expected
            except (OSError, http.client.HTTPException):
                bad += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q = statistics.quantiles(latencies, n=100)
    return len(latencies) / seconds, q[49] * 1000, q[94] * 1000, q[98] * 1000, errors[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(str(Path(tmp) / "load.sqlite3"))
        token = prepare(env)
        port = free_port()
        server = gunicorn(env, port, args.workers)
        try:
            time.sleep(3)
            cookie = session_cookie(port)
            secure = {"X-Forwarded-Proto": "https"}
            targets = [
                ("dashboard home", "/", {"Cookie": cookie, **secure}, 200),
                ("obligations list", "/obligations/", {"Cookie": cookie, **secure}, 200),
                ("feed (EO 13768, 245 events)", f"/calendar/{token}.ics", secure, 200),
                ("invalid feed token (404)", f"/calendar/{secrets.token_urlsafe(32)}.ics", secure,
                 404),
            ]  # fmt: skip
            print(f"gunicorn -w {args.workers}, {args.clients} clients, {args.seconds:.0f} s each")
            failed = False
            for name, path, headers, expected in targets:
                rate, p50, p95, p99, errors = hammer(
                    port, path, headers, args.clients, args.seconds, expected
                )
                ok = errors == 0
                failed |= not ok
                print(f"{name:30} {rate:8.1f} req/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                      f"p99 {p99:6.1f} ms  errors {errors}  {'PASS' if ok else 'FAIL'}")  # fmt: skip
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
