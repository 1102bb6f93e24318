#!/usr/bin/env python3
"""wsclient.py: a hand-written websocket client (RFC 6455, standard library
only) for the process and terminal tests; imported by their inline Python.

    ws = WS(port, "/v1/pty/1/ws")
    ws.send_text('{"type":"resize","cols":100,"rows":30}')
    ws.send_binary(b"tput cols\\r")
    op, data = ws.recv(timeout=10)     # (1|2|8, bytes), or (None, b"")
    ws.read_until(b"100", timeout=10)  # binary output up to a pattern
"""
import base64
import os
import socket
import struct
import time


class WS:
    def __init__(self, port, path, headers=""):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((
            "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: %s\r\n%s\r\n" % (path, port, key, headers)
        ).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            d = self.s.recv(4096)
            if not d:
                raise OSError("closed during the upgrade")
            self.buf += d
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        self.status = int(head.split(b" ")[1])
        self.head = head.decode("latin-1")
        self.out = b""          # binary output read so far
        self.texts = []         # text messages, in order
        self.closed = None      # close code once received

    def _frame(self, op, data):
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            hdr = struct.pack("!BB", 0x80 | op, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x80 | op, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x80 | op, 0x80 | 127, n)
        return hdr + mask + bytes(b ^ mask[i % 4] for i, b in
                                  enumerate(data))

    def send_text(self, s):
        self.s.sendall(self._frame(1, s.encode()))

    def send_binary(self, b):
        self.s.sendall(self._frame(2, b))

    def close(self, code=1000):
        try:
            self.s.sendall(self._frame(8, struct.pack("!H", code)))
        except OSError:
            pass

    def _exact(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError
            self.s.settimeout(left)
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def recv(self, timeout=10):
        """One whole message (fragments joined): (opcode, payload)."""
        deadline = time.time() + timeout
        msg, mop = b"", None
        try:
            while True:
                b0, b1 = self._exact(2, deadline)
                op, fin, n = b0 & 0x0f, b0 & 0x80, b1 & 0x7f
                if n == 126:
                    n = struct.unpack("!H", self._exact(2, deadline))[0]
                elif n == 127:
                    n = struct.unpack("!Q", self._exact(8, deadline))[0]
                data = self._exact(n, deadline)
                if op == 8:
                    self.closed = struct.unpack("!H", data[:2])[0] \
                        if len(data) >= 2 else 1005
                    return 8, data
                if op == 9:
                    self.s.sendall(self._frame(10, data))
                    continue
                if op == 10:
                    continue
                if op != 0:
                    mop = op
                msg += data
                if fin:
                    if mop == 2:
                        self.out += msg
                    else:
                        self.texts.append(msg.decode())
                    return mop, msg
        except (TimeoutError, socket.timeout, EOFError, OSError):
            return None, b""

    def read_until(self, pattern, timeout=10):
        """Binary output until pattern shows up; True if it did."""
        deadline = time.time() + timeout
        while pattern not in self.out:
            left = deadline - time.time()
            if left <= 0:
                return False
            op, _ = self.recv(left)
            if op is None or op == 8:
                return pattern in self.out
        return True
