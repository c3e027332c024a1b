"""Load benchmark of the companion API: the real ``astros run`` server, driven over loopback.

    .venv/bin/python bench/api_load.py [--requests 20000] [--clients 50] [--ws-clients 200]

Runs the appliance twice in its own process, each time with a fresh data directory and one user:
once as shipped (checked sessions cached for a second) and once the naive way (every request looks
its session up in the database). For each it reports:

- ``POST /api/v1/process`` "timer status" with ``--clients`` concurrent connections as fast as they
  are answered: requests per second and latency percentiles, over at least ``--requests`` requests;
- the same at a steady ``--rate`` requests per second over ``--clients`` connections for 10 s:
  latency percentiles counted from when each request was due;
- the server's resident memory after a warm-up and after all those requests;
- (shipped configuration only) ``--ws-clients`` WebSocket clients, each of which must receive every
  one of ``--broadcasts`` announcements; the delay is from the moment the appliance published the
  event to the moment each client had it.

Every request goes to 127.0.0.1 and the run stops by itself. The load comes from ``wrk`` (Debian
package ``wrk``) when it is installed, else from a separate Python process of aiohttp client tasks;
either way client and server each have a core. (A Python client needs about as much CPU per request
as the server, so on two cores it measures itself more than AstrOS; wrk does not.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark password"
TEXT = "timer status"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data: Path, cache_seconds: float) -> tuple[subprocess.Popen[bytes], str]:
    """``astros run`` on a free loopback port, with one user ``bench``; returns it and its URL."""
    port = free_port()
    config = data / "config.toml"
    config.write_text(
        f'data_dir = "{data}"\ntimezone = "UTC"\nlog_level = "WARNING"\n'
        f'[api]\nhost = "127.0.0.1"\nport = {port}\nsession_cache_seconds = {cache_seconds}\n'
        "ws_queue_size = 1000\n[voice]\nenabled = false\n"
    )
    astros = [sys.executable, "-m", "astros"]
    subprocess.run([*astros, "user", "add", "bench", "--password-stdin", "--config", str(config)],
                   input=f"{PASSWORD}\n".encode(), check=True, capture_output=True, cwd=ROOT)
    server = subprocess.Popen([*astros, "run", "--config", str(config)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=open(data / "server.log", "wb"))
    return server, f"http://127.0.0.1:{port}"


async def wait_ready(url: str, timeout: float = 120.0) -> str:
    """Wait until the server answers, then log in; returns the token."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(url + "/api/v1/health") as reply:
                    if reply.status == 200 and (await reply.json())["data"]["status"] == "ok":
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        else:
            raise RuntimeError("the server did not come up")
        async with http.post(url + "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}) as reply:
            return (await reply.json())["data"]["token"]


async def hammer(url: str, token: str, total: int, clients: int) -> dict[str, Any]:
    """``total`` POST /process requests over ``clients`` connections; rate and latency."""
    headers = {"Authorization": f"Bearer {token}"}
    body = json.dumps({"text": TEXT}).encode()
    latencies: list[float] = []
    failures = 0
    remaining = total
    connector = aiohttp.TCPConnector(limit=clients)

    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:
        async def worker() -> None:
            nonlocal remaining, failures
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                async with http.post(url + "/api/v1/process", data=body,
                                     headers={"Content-Type": "application/json"}) as reply:
                    await reply.read()
                    failures += reply.status != 200
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "failures": failures,
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "max_ms": latencies[-1] * 1000,
    }


async def paced(url: str, token: str, rate: float, clients: int, seconds: float) -> dict[str, Any]:
    """A steady ``rate`` requests/s spread over ``clients`` connections for ``seconds``. Latency
    counts from when each request was due, so a stalled server cannot hide its queue."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"text": TEXT}).encode()
    latencies: list[float] = []
    failures = 0
    interval = clients / rate  # each connection sends one request per interval
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients), headers=headers) as http:
        start = time.perf_counter() + 0.1

        async def worker(index: int) -> None:
            nonlocal failures
            due = start + index * interval / clients
            while due < start + seconds:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                async with http.post(url + "/api/v1/process", data=body) as reply:
                    await reply.read()
                    failures += reply.status != 200
                latencies.append(time.perf_counter() - due)
                due += interval

        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "requests": len(latencies), "failures": failures,
            "p50_ms": latencies[len(latencies) // 2] * 1000, "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
            "max_ms": latencies[-1] * 1000}


def load_process(url: str, token: str, total: int, clients: int, out: Any, rate: float = 0.0) -> None:
    """Entry point of the load-generating process (``rate``: paced, else as fast as possible)."""
    if rate:
        out.send(asyncio.run(paced(url, token, rate, clients, total / rate)))
    else:
        out.send(asyncio.run(hammer(url, token, total, clients)))


WRK_SCRIPT = """wrk.method = "POST"
wrk.body = '{"text": "%s"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
"""


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(url: str, token: str, total: int, clients: int) -> dict[str, Any]:
    """wrk with ``clients`` connections for as long as ``total`` requests take at the warm-up rate."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % (TEXT, token))
        script.flush()
        seconds = max(2, round(total / 1000))
        out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", script.name,
                              url + "/api/v1/process"], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, flags=re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "failures": int(errors.group(1)) if errors else 0,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "max_ms": _ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out).group(1)),
        "client": "wrk",
    }


def run_load(url: str, token: str, total: int, clients: int, rate: float = 0.0) -> dict[str, Any]:
    if shutil.which("wrk") and not rate:
        return run_wrk(url, token, total, clients)
    receive, send = multiprocessing.Pipe(duplex=False)
    proc = multiprocessing.get_context("spawn").Process(target=load_process,
                                                        args=(url, token, total, clients, send, rate))
    proc.start()
    result = receive.recv()
    proc.join()
    result["client"] = "aiohttp"
    return result


async def broadcasts(url: str, token: str, clients: int, count: int) -> dict[str, Any]:
    """``clients`` WebSockets; ``count`` announcements; each client's delay for each one."""
    ws_url = url.replace("http://", "ws://") + "/ws/bench"
    delays: list[float] = []
    received = [0] * clients
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        sockets = []
        for _ in range(clients):
            ws = await http.ws_connect(ws_url)
            await ws.send_json({"type": "auth", "data": {"token": token}})
            assert json.loads((await ws.receive(timeout=10)).data)["type"] == "auth"
            sockets.append(ws)

        async def listen(index: int, ws: aiohttp.ClientWebSocketResponse) -> None:
            while received[index] < count:
                msg = await ws.receive(timeout=30)
                now = time.time()
                data = json.loads(msg.data)
                if data["type"] == "status" and data["data"]["status"] == "announcement":
                    delays.append(now - data["data"]["timestamp"])
                    received[index] += 1

        listeners = [asyncio.create_task(listen(i, ws)) for i, ws in enumerate(sockets)]
        headers = {"Authorization": f"Bearer {token}"}
        for n in range(count):
            async with http.post(url + "/api/v1/process", json={"text": f"broadcast dinner is ready {n}"},
                                 headers=headers) as reply:
                assert reply.status == 200, await reply.text()
            await asyncio.sleep(0.05)
        await asyncio.wait_for(asyncio.gather(*listeners), 60)
        for ws in sockets:
            await ws.close()
    delays.sort()
    return {
        "clients": clients,
        "broadcasts": count,
        "all_received": all(n == count for n in received),
        "p50_ms": statistics.median(delays) * 1000,
        "p99_ms": delays[int(len(delays) * 0.99)] * 1000,
        "max_ms": delays[-1] * 1000,
    }


def measure(label: str, cache_seconds: float, args: argparse.Namespace, websockets: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="astros-bench-") as folder:
        server, url = start_server(Path(folder), cache_seconds)
        try:
            token = asyncio.run(wait_ready(url))
            run_load(url, token, 1000, args.clients)  # warm-up
            rss_before = psutil.Process(server.pid).memory_info().rss
            result = run_load(url, token, args.requests, args.clients)
            rss_after = psutil.Process(server.pid).memory_info().rss
            result.update(label=label, rss_before_mb=rss_before / 2**20, rss_after_mb=rss_after / 2**20,
                          rss_growth_pct=(rss_after - rss_before) / rss_before * 100)
            steady = run_load(url, token, int(args.rate * 10), args.clients, rate=args.rate)
            result["steady"] = steady
            if websockets:
                result["websocket"] = asyncio.run(broadcasts(url, token, args.ws_clients, args.broadcasts))
            return result
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--ws-clients", type=int, default=200)
    parser.add_argument("--broadcasts", type=int, default=20)
    parser.add_argument("--rate", type=float, default=1000.0, help="requests/s of the steady run")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {args.requests} x POST /api/v1/process {TEXT!r}, {args.clients} clients")
    results = [
        measure("cached session check (shipped)", 1.0, args, websockets=True),
        measure("database lookup per request (naive)", 0.0, args, websockets=False),
    ]
    for r in results:
        print(f"\n{r['label']}:\n  {r['rps']:.0f} requests/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
              f"max {r['max_ms']:.1f} ms, {r['failures']} failed ({r['client']})")
        print(f"  resident memory {r['rss_before_mb']:.1f} MB -> {r['rss_after_mb']:.1f} MB "
              f"({r['rss_growth_pct']:+.1f}%) over {r['requests']} requests")
        st = r["steady"]
        print(f"  steady {st['rps']:.0f} requests/s over {args.clients} clients ({st['requests']} requests): "
              f"p50 {st['p50_ms']:.1f} ms, p99 {st['p99_ms']:.1f} ms, max {st['max_ms']:.1f} ms, "
              f"{st['failures']} failed")
        if "websocket" in r:
            w = r["websocket"]
            print(f"  {w['clients']} WebSocket clients x {w['broadcasts']} broadcasts: all received: "
                  f"{w['all_received']}; delay p50 {w['p50_ms']:.1f} ms, p99 {w['p99_ms']:.1f} ms, "
                  f"max {w['max_ms']:.1f} ms")


if __name__ == "__main__":
    main()
