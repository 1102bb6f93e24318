#!/usr/bin/env python3
"""cdp-wsclient.py PORT PATH: a hand-written websocket client (RFC 6455,
no library) for the DevTools proxy tests.

Asks a page target for several large screenshots at once, then does not
read for a while, so the proxy's output to this client fills up and it
must stop reading Chrome (backpressure); then reads everything and checks
that every answer arrived whole.  Prints "ok N BYTES" or exits 1.
"""
import base64
import json
import os
import socket
import struct
import sys
import time

SHOTS = 6


class WS:
    def __init__(self, port, path):
        self.s = socket.create_connection(("127.0.0.1", port))
        # A small receive buffer so the kernel cannot hide the backlog.
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((
            "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: %s\r\nOrigin: http://127.0.0.1:%d\r\n\r\n"
            % (path, port, key, port)).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            d = self.s.recv(4096)
            if not d:
                sys.exit("closed during the upgrade")
            self.buf += d
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n")[0]
        if b" 101 " not in status:
            sys.exit("upgrade refused: %r" % status)
        self.next_id = 0

    def send(self, method, **params):
        self.next_id += 1
        data = json.dumps({"id": self.next_id, "method": method,
                           "params": params}).encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            hdr = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.s.sendall(hdr + mask + masked)
        return self.next_id

    def exact(self, n):
        while len(self.buf) < n:
            d = self.s.recv(1 << 20)
            if not d:
                sys.exit("connection closed mid-frame")
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def message(self):
        parts = []
        while True:
            b0, b1 = self.exact(2)
            n = b1 & 0x7f
            if n == 126:
                n = struct.unpack("!H", self.exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self.exact(8))[0]
            if b1 & 0x80:
                sys.exit("server frames must not be masked")
            parts.append(self.exact(n))
            if b0 & 0x80:
                return json.loads(b"".join(parts))

    def call(self, method, **params):
        i = self.send(method, **params)
        while True:
            m = self.message()
            if m.get("id") == i:
                return m


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    ws = WS(port, path)
    for _ in range(100):
        r = ws.call("Runtime.evaluate", expression="document.readyState",
                    returnByValue=True)
        if r["result"]["result"].get("value") == "complete":
            break
        time.sleep(0.1)
    ids = [ws.send("Page.captureScreenshot", format="png")
           for _ in range(SHOTS)]
    time.sleep(3)   # not reading: the proxy must hold Chrome back
    total = 0
    got = {}
    while len(got) < SHOTS:
        m = ws.message()
        if m.get("id") in ids:
            png = base64.b64decode(m["result"]["data"])
            if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 1000000:
                sys.exit("answer %d is not a large PNG" % m["id"])
            got[m["id"]] = len(png)
            total += len(m["result"]["data"])
    print("ok %d %d" % (len(got), total))


main()
