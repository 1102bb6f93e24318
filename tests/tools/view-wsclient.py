#!/usr/bin/env python3
"""view-wsclient.py PORT PATH MODE [ARG]: a hand-written websocket client
(RFC 6455, no library) for the live view's bad-input and slow-reader
tests.  Prints one JSON line.

Modes:
  frames N     read until N frame messages arrived: {"frames": N, ...}
  unmasked     send an unmasked text frame
  oversize     announce a 1 MiB text message (only its header is sent)
  binary       send a binary message
  badjson      send text that is not JSON
  unknown      send {"type": "teleport"}
  stall SECS   read the hello, then read nothing for SECS seconds; then
               report whether the server closed the connection meanwhile
The bad-input modes report the close frame: {"code": C, "reason": "..."}.
"""
import base64
import json
import os
import socket
import struct
import sys
import time


class WS:
    def __init__(self, port, path, rcvbuf=None):
        self.s = socket.socket()
        if rcvbuf:
            # Before connecting, so the window stays small.
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((
            "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: %s\r\n\r\n" % (path, port, key)).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            d = self.s.recv(4096)
            if not d:
                raise SystemExit(json.dumps({"error": "closed in handshake"}))
            self.buf += d
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        self.status = int(head.split()[1])
        if self.status != 101:
            print(json.dumps({"status": self.status}))
            sys.exit(0)

    def send(self, op, data, mask=True):
        h = bytes([0x80 | op])
        n = len(data)
        m = 0x80 if mask else 0
        if n < 126:
            h += bytes([m | n])
        elif n < 65536:
            h += bytes([m | 126]) + struct.pack(">H", n)
        else:
            h += bytes([m | 127]) + struct.pack(">Q", n)
        if mask:
            k = os.urandom(4)
            h += k
            data = bytes(b ^ k[i % 4] for i, b in enumerate(data))
        self.s.sendall(h + data)

    def need(self, n):
        while len(self.buf) < n:
            d = self.s.recv(1 << 16)
            if not d:
                raise EOFError
            self.buf += d

    def recv(self):
        self.need(2)
        op = self.buf[0] & 0x0F
        n = self.buf[1] & 0x7F
        off = 2
        if n == 126:
            self.need(4)
            n = struct.unpack(">H", self.buf[2:4])[0]
            off = 4
        elif n == 127:
            self.need(10)
            n = struct.unpack(">Q", self.buf[2:10])[0]
            off = 10
        self.need(off + n)
        data = self.buf[off:off + n]
        self.buf = self.buf[off + n:]
        return op, data


def until_close(ws):
    ws.s.settimeout(10)
    try:
        while True:
            op, data = ws.recv()
            if op == 8:
                code = struct.unpack(">H", data[:2])[0] if len(data) >= 2 else 1005
                return {"code": code, "reason": data[2:].decode()}
    except (EOFError, socket.timeout, ConnectionError) as e:
        return {"code": 0, "error": type(e).__name__}


def main():
    port, path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    if mode == "stall":
        ws = WS(port, path, rcvbuf=4096)
        op, data = ws.recv()
        t0 = time.time()
        time.sleep(float(arg))
        # Whatever is queued is old frames; what matters is whether the
        # server gave up on us: drain and look for the end.
        ws.s.settimeout(5)
        got = 0
        closed = False
        try:
            while True:
                d = ws.s.recv(1 << 20)
                if not d:
                    closed = True
                    break
                got += len(d)
        except (socket.timeout, ConnectionError):
            pass
        print(json.dumps({"hello": json.loads(data)["type"], "closed": closed,
                          "bytes_after": got, "secs": round(time.time() - t0, 1)}))
        return
    ws = WS(port, path)
    if mode == "frames":
        ws.s.settimeout(15)
        frames = 0
        tiles = 0
        while frames < int(arg):
            op, data = ws.recv()
            if op == 2 and data[0] == 1:
                frames += 1
                tiles += struct.unpack(">H", data[14:16])[0]
        print(json.dumps({"frames": frames, "tiles": tiles}))
        return
    if mode == "unmasked":
        ws.send(1, b'{"type":"move","x":1,"y":1}', mask=False)
    elif mode == "oversize":
        ws.s.sendall(bytes([0x81, 0x80 | 127]) + struct.pack(">Q", 1 << 20) +
                     os.urandom(4))
    elif mode == "binary":
        ws.send(2, b"\x01\x02\x03")
    elif mode == "badjson":
        ws.send(1, b"{not json")
    elif mode == "unknown":
        ws.send(1, b'{"type":"teleport","x":1,"y":1}')
    print(json.dumps(until_close(ws)))


main()
