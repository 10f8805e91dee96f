# SPDX-License-Identifier: Apache-2.0
"""Drive Debian's headless chromium over the Chrome DevTools Protocol, for the dashboard tests.

One Browser per window size: started with a fresh profile and --remote-debugging-port=0 (the
port it picked is read from DevToolsActivePort), one page, talked to over its WebSocket with
python3-websocket (Debian). What the tests need and --dump-dom cannot give: console messages
and uncaught exceptions, evaluating JavaScript in the page (the DOM as the page left it, the
timing marks), clicks, and screenshots of exactly the viewport. Stopped by PID in close().
"""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket

CHROME = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-port=0", "--remote-allow-origins=*"]


class Browser:
    def __init__(self, width, height, log=None):
        self.t_start = time.time()
        self.profile = tempfile.mkdtemp(prefix="greendc-chrome.")
        self.proc = subprocess.Popen(
            [CHROME] + FLAGS + ["--user-data-dir=" + self.profile,
                                f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        port = None
        while time.time() < deadline:
            try:
                lines = open(port_file).read().split()
                if len(lines) >= 2:
                    port = lines[0]
                    break
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited with status %s" % self.proc.returncode)
            time.sleep(0.01)
        if not port:
            self.close()
            raise RuntimeError("chromium did not open its DevTools port in 30 s")
        page = None
        while page is None and time.time() < deadline:
            tabs = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=5))
            page = next((t for t in tabs if t.get("type") == "page"), None)
            if page is None:
                time.sleep(0.02)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30,
                                              suppress_origin=True)
        self.n = 0
        self.events = []
        self.errors = []  # console errors, uncaught exceptions, failed loads, CSP reports
        self.t_ready = time.time()
        for m in ("Runtime.enable", "Log.enable", "Page.enable", "Network.enable"):
            self.call(m)
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def _event(self, e):
        m, p = e.get("method"), e.get("params", {})
        self.events.append(e)
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            self.errors.append("console.%s: %s" % (p["type"], " ".join(
                str(a.get("value", a.get("description", ""))) for a in p.get("args", []))))
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.errors.append("exception: %s %s" % (d.get("text", ""), d.get("exception", {}).get("description", "")))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
            en = p["entry"]
            self.errors.append("log %s: %s %s" % (en.get("level"), en.get("text"), en.get("url", "")))
        elif m == "Network.loadingFailed" and not p.get("canceled"):
            self.errors.append("load failed: %s" % p.get("errorText"))

    def call(self, method, **params):
        self.n += 1
        my = self.n
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self._event(msg)

    def pump(self, seconds):
        """Take in events for a while (console messages that come after the last call)."""
        self.ws.settimeout(0.05)
        end = time.time() + seconds
        while time.time() < end:
            try:
                self._event(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                pass
        self.ws.settimeout(30)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("eval %r: %s" % (expr[:80], r["exceptionDetails"]))
        return r.get("result", {}).get("value")

    def goto(self, url):
        self.call("Page.navigate", url=url)

    def wait(self, expr, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            try:
                v = self.eval(expr)
            except RuntimeError:
                v = None
            if v:
                return v
            time.sleep(0.02)
        raise TimeoutError("waited %s s for %s" % (timeout, expr))

    def screenshot(self, path):
        r = self.call("Page.captureScreenshot", format="png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def click(self, selector):
        return self.eval("(() => { const e = document.querySelector(%s); if (!e) return false; e.click(); return true; })()"
                         % json.dumps(selector))

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
