#!/usr/bin/env python3
"""Drives a headless Chromium through the DevTools protocol to check an
`rtprof report --html` page, with the standard library only (a minimal
RFC 6455 client: http.client finds the page, a socket speaks WebSocket).

Usage: cdp.py CHROMIUM PAGE.html CHECKS.js EXPECT.json [SHOT.png]

Loads PAGE.html from file://, fails on any console error, uncaught exception,
log entry of level error, or request for anything but the page itself; then
calls CHECKS.js (an async function of the EXPECT.json document, returning a
list of [ok, what] pairs) in the page and prints one line per check. With SHOT.png
it also saves a full-page screenshot there. Exit 0 when all passed, 1 when
one failed, 2 when the browser could not be driven."""
import base64
import hashlib
import http.client
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
TIMEOUT = 60


class WebSocket:
    """Text frames over one socket: client frames masked, server frames not;
    fragments reassembled, pings answered."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                          .encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("the DevTools endpoint closed the connection during the handshake")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise OSError(f"WebSocket handshake refused: {lines[0]}")
        want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        accept = [line.split(":", 1)[1].strip() for line in lines[1:] if line.lower().startswith("sec-websocket-accept:")]
        if accept != [want]:
            raise OSError("WebSocket handshake: bad Sec-WebSocket-Accept")

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise OSError("the DevTools connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _send_frame(self, opcode, payload):
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(c ^ mask[i & 3] for i, c in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send(self, text):
        self._send_frame(0x1, text.encode())

    def recv(self):
        parts = []
        while True:
            b0, b1 = self._read(2)
            fin, opcode, n = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(c ^ mask[i & 3] for i, c in enumerate(payload))
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:
                raise OSError("the DevTools connection was closed by the browser")
            parts.append(payload)
            if fin:
                return b"".join(parts).decode()


class Page:
    """One page target: commands by id, events kept in order."""

    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, deadline):
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e["method"] == method:
                    return self.events.pop(i)
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(f"no {method} event")


def start_browser(chromium, profile):
    args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--remote-debugging-port=0", f"--user-data-dir={profile}",
            "--window-size=1400,2000", "about:blank"]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(profile, "chromium.log"), "w"))
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        if proc.poll() is not None:
            raise OSError(f"chromium exited with status {proc.returncode}")
        if os.path.exists(port_file):
            lines = open(port_file).read().split()
            if lines:
                return proc, int(lines[0])
        time.sleep(0.1)
    raise TimeoutError("chromium wrote no DevToolsActivePort")


def page_target(port):
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        conn.request("GET", "/json/list")
        targets = json.loads(conn.getresponse().read())
        conn.close()
        pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
        if pages:
            return pages[0]["webSocketDebuggerUrl"]
        time.sleep(0.1)
    raise TimeoutError("no page target")


def problems_in(events, page_url):
    """Console errors, exceptions, error log entries and foreign requests."""
    out = []
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            out.append(f"uncaught exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console." + p["type"] + ": " + " ".join(str(a.get("value", a.get("description")))
                                                                   for a in p.get("args", [])))
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            out.append(f"log error ({p['entry'].get('source')}): {p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif m == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if url != page_url and not url.startswith("data:"):
                out.append(f"request for {url}")
    return out


def main():
    if len(sys.argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    chromium, html, checks, expect = sys.argv[1:5]
    shot = sys.argv[5] if len(sys.argv) == 6 else None
    expression = "(" + open(checks).read() + ")(" + open(expect).read() + ")"
    page_url = "file://" + os.path.abspath(html)
    profile = tempfile.mkdtemp(prefix="rtprof-chromium.")
    proc = None
    try:
        try:
            proc, port = start_browser(chromium, profile)
            page = Page(WebSocket(page_target(port)))
            for domain in ("Runtime", "Log", "Network", "Page"):
                page.call(domain + ".enable")
            page.call("Page.navigate", url=page_url)
            page.wait_event("Page.loadEventFired", time.time() + TIMEOUT)
        except (OSError, TimeoutError, RuntimeError, ValueError) as e:
            log = os.path.join(profile, "chromium.log")
            tail = open(log).read()[-2000:] if os.path.exists(log) else ""
            print(f"cannot drive chromium: {e}\n{tail}")
            return 2
        failed = 0

        def report(ok, what):
            nonlocal failed
            print(("ok   " if ok else "FAIL ") + what)
            failed += 0 if ok else 1

        r = page.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True,
                      timeout=TIMEOUT * 1000)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            report(False, f"the checks threw: {d.get('exception', {}).get('description') or d.get('text')}")
        else:
            for ok, what in r["result"]["value"]:
                report(bool(ok), what)
        if shot:
            metrics = page.call("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            width, height = 1400, min(int(size["height"]) + 1, 16000)
            page.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                      mobile=False)
            png = base64.b64decode(page.call("Page.captureScreenshot", format="png")["data"])
            with open(shot, "wb") as f:
                f.write(png)
            report(png[:8] == b"\x89PNG\r\n\x1a\n", f"full-page screenshot {shot} ({width}x{height}, {len(png)} bytes)")
        time.sleep(0.2)  # late console messages
        page.call("Runtime.evaluate", expression="0")
        problems = problems_in(page.events, page_url)
        for p in problems:
            report(False, p)
        report(not problems, "no console errors, no exceptions, no request beyond the page itself")
        return 1 if failed else 0
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
