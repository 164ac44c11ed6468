#!/usr/bin/env python3
"""http_tap.py - a TCP relay that shows what a scraper and the exporter
say to each other: it listens on LISTEN_PORT, forwards every connection
to 127.0.0.1:TARGET_PORT byte for byte, and appends to LOG the head
(request or status line and headers) of the first request and the first
response of each connection, plus the bytes relayed each way.

    http_tap.py LISTEN_PORT TARGET_PORT LOG

The test stops it by its pid.
"""
import socket
import sys
import threading

HEAD_MAX = 8192
lock = threading.Lock()


def log(path, text):
    with lock, open(path, "a") as f:
        f.write(text)
        f.flush()


def pump(src, dst, path, tag):
    head, logged, total = b"", False, 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            total += len(data)
            if not logged:
                head += data[: HEAD_MAX - len(head)]
                end = head.find(b"\r\n\r\n")
                if end >= 0 or len(head) >= HEAD_MAX:
                    text = head[: end if end >= 0 else len(head)].decode("latin-1")
                    log(path, "".join(f"{tag} {line}\n" for line in text.split("\r\n")))
                    logged = True
            dst.sendall(data)
    except OSError:
        pass
    finally:
        log(path, f"{tag}-bytes {total}\n")
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    listen_port, target_port, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(16)
    while True:
        client, _ = srv.accept()
        try:
            upstream = socket.create_connection(("127.0.0.1", target_port), timeout=10)
        except OSError:
            client.close()
            continue
        upstream.settimeout(None)
        threading.Thread(target=pump, args=(client, upstream, path, "req"), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client, path, "resp"), daemon=True).start()


if __name__ == "__main__":
    main()
