#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# click.py CHROMIUM PROFILE-DIR URL [COOKIE=VALUE]: open URL (with that
# cookie, thingino's session) in headless Chromium, driven
# through its DevTools protocol over a pipe (--remote-debugging-pipe: fd 3
# to Chromium, fd 4 from it, one JSON message per NUL), read the P2P
# switch's badge, click the page's switch button as a person would, wait
# for the page the form's POST leads to, read the badge again.  Prints
# "before=STATE after=STATE flash=TEXT"; exits 1 when something fails.
import fcntl
import json
import os
import select
import subprocess
import sys
import time

chromium, profile, url = sys.argv[1:4]
cookie = sys.argv[4].split("=", 1) if len(sys.argv) > 4 else None
to_r, to_w = os.pipe()
from_r, from_w = os.pipe()


def child_fds():
    # Out of the way first: either pipe end may be fd 3 or 4 already, and
    # os.dup2() makes the copy inheritable only when it copies.
    a = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10)
    b = fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
    os.dup2(a, 3)
    os.dup2(b, 4)


proc = subprocess.Popen(
    [chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
     "--remote-debugging-pipe", "--user-data-dir=" + profile,
     "about:blank"],
    preexec_fn=child_fds, close_fds=False,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_r)
os.close(from_w)
out = os.fdopen(to_w, "wb", buffering=0)
inp = os.fdopen(from_r, "rb", buffering=0)
buf = b""
next_id = 0
events = []


def recv(timeout=60):
    global buf
    while b"\0" not in buf:
        if not select.select([inp], [], [], timeout)[0]:
            raise SystemExit("no word from chromium within %d s" % timeout)
        chunk = inp.read(65536)
        if not chunk:
            raise SystemExit("chromium closed the pipe")
        buf += chunk
    msg, buf = buf.split(b"\0", 1)
    return json.loads(msg)


def call(method, params=None, session=None):
    global next_id
    next_id += 1
    m = {"id": next_id, "method": method, "params": params or {}}
    if session:
        m["sessionId"] = session
    out.write(json.dumps(m).encode() + b"\0")
    while True:
        r = recv()
        if r.get("id") == next_id:
            if "error" in r:
                raise SystemExit("%s: %s" % (method, r["error"]))
            return r.get("result", {})
        events.append(r)


def wait_load(session, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        for e in events:
            if e.get("method") == "Page.loadEventFired":
                events.clear()
                return
        events.append(recv(max(end - time.time(), 0.1)))
    raise SystemExit("no page load within %d s" % timeout)


def js(session, expr):
    r = call("Runtime.evaluate", {"expression": expr, "returnByValue": True},
             session)
    return r.get("result", {}).get("value")


BADGE = "(document.getElementById('p2pg-p2p') || {}).textContent"
try:
    target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = call("Target.attachToTarget",
                   {"targetId": target, "flatten": True})["sessionId"]
    call("Page.enable", {}, session)
    if cookie:
        call("Network.setCookie", {"name": cookie[0], "value": cookie[1],
                                   "url": url}, session)
    call("Page.navigate", {"url": url}, session)
    wait_load(session)
    before = js(session, BADGE)
    if not js(session, "!!document.querySelector('#p2pg-switch button')"):
        raise SystemExit("no switch button in the page")
    js(session, "document.querySelector('#p2pg-switch button').click()")
    wait_load(session)
    after = js(session, BADGE)
    flash = js(session, "(document.querySelector("
               "'#p2pg-flash, [role=alert]') || {}).textContent") or ""
    print("before=%s after=%s flash=%s" % (before, after, flash.strip()))
    call("Browser.close")
finally:
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
