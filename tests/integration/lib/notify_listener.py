#!/usr/bin/python3
"""notify_listener.py SOCKET LOG PORT - stands in for systemd's side of
sd_notify(3): binds a datagram socket at SOCKET and writes one line per
message to LOG: "<monotonic seconds> pid=<sender> <message, newlines as
|>" (the sender's pid from SCM_CREDENTIALS, as systemd's NotifyAccess=main
checks it). When a
message holds READY=1 it fetches http://127.0.0.1:PORT/ at once and adds
a line "<time> http-at-ready=<status or error>", so a test can tell
whether the service answered at the moment it declared itself ready."""
import os
import socket
import struct
import sys
import time
import urllib.request

path, log_path, port = sys.argv[1], sys.argv[2], sys.argv[3]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(path)
CRED = struct.Struct("3i")  # struct ucred: pid, uid, gid
with open(log_path, "a", buffering=1) as log:
    log.write(f"{time.monotonic():.3f} listening\n")
    while True:
        data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(CRED.size))
        msg = data.decode(errors="replace")
        pid = next((CRED.unpack(d[:CRED.size])[0] for lvl, typ, d in anc
                    if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS), -1)
        now = time.monotonic()
        log.write(f"{now:.3f} pid={pid} {msg.replace(chr(10), '|')}\n")
        if "READY=1" in msg.split("\n"):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    got = str(r.status)
            except Exception as e:  # noqa: BLE001 - any failure is the answer
                got = type(e).__name__
            log.write(f"{time.monotonic():.3f} http-at-ready={got}\n")
