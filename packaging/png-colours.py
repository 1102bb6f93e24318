#!/usr/bin/env python3
"""png-colours.py PNG: how many distinct colours a sample of an 8-bit RGB
PNG (deskd's screenshots) has; the tests use it to tell a blank screen
from one with windows.  Handles any filter type."""
import struct
import sys
import zlib


def main():
    d = open(sys.argv[1], "rb").read()
    w, h, depth, ctype = struct.unpack(">IIBB", d[16:26])
    bpp = {2: 3, 6: 4}[ctype] * depth // 8
    pos, idat = 8, b""
    while pos < len(d):
        n, t = struct.unpack(">I4s", d[pos:pos + 8])
        if t == b"IDAT":
            idat += d[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompressobj().decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    seen = set()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride if f else 0):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        if y % 9 == 0:
            for x in range(0, stride, bpp * 13):
                seen.add(bytes(line[x:x + 3]))
        prev = line
    print(len(seen))


main()
