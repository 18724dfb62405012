#!/usr/bin/env python3
"""Regenerate the sample PNGs in this directory (committed; run by hand only).

Pure standard library (zlib, struct) so the bytes are reproducible and every
malformed file is malformed in exactly one documented way.
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def ihdr(width, height, color_type):
    # bit depth 8, compression 0, filter 0, interlace 0
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))


def png(width, height, color_type, rows):
    raw = b"".join(b"\x00" + bytes(row) for row in rows)  # filter type 0 per row
    return (SIGNATURE + ihdr(width, height, color_type)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def gradient_64():
    """64x64 RGB: red grows to the right, green downwards, blue constant."""
    return png(64, 64, 2, [[c for x in range(64) for c in (x * 4, y * 4, 128)]
                           for y in range(64)])


def logo_rgba():
    """100x60 RGBA: an orange disc with a soft edge on a transparent field."""
    rows = []
    for y in range(60):
        row = []
        for x in range(100):
            d = ((x - 50) ** 2 + (y - 30) ** 2) ** 0.5
            alpha = max(0, min(255, int((26 - d) * 64)))
            row += (240, 120 + x // 2, 30, alpha)
        rows.append(row)
    return png(100, 60, 6, rows)


def gray_16():
    """16x16 8-bit grayscale checkerboard of 4x4 squares."""
    return png(16, 16, 0, [[255 if (x // 4 + y // 4) % 2 else 32 for x in range(16)]
                           for y in range(16)])


def truncated():
    """A valid header and IHDR, then the file stops halfway through IDAT."""
    good = gradient_64()
    idat = good.index(b"IDAT") - 4
    (length,) = struct.unpack(">I", good[idat:idat + 4])
    return good[:idat + 8 + length // 2]


def badcrc():
    """gray-16 with one bit of the IHDR CRC flipped (a critical chunk)."""
    data = bytearray(gray_16())
    data[8 + 8 + 13] ^= 0x01  # signature, IHDR length+type, IHDR data, CRC
    return bytes(data)


def stripes_256():
    """256x256 RGB, one colour per row: ~1 KiB that decodes to 192 KiB, an
    answer larger than one message from an input that fits one."""
    return png(256, 256, 2, [[c for x in range(256) for c in (y, 255 - y, 64)]
                             for y in range(256)])


def huge_dims():
    """IHDR claims 100000x100000 RGB (about 28 GiB decoded); IDAT holds one row."""
    return (SIGNATURE + ihdr(100000, 100000, 2)
            + chunk(b"IDAT", zlib.compress(b"\x00" * (1 + 3 * 100000), 9))
            + chunk(b"IEND", b""))


SAMPLES = {
    "gradient-64.png": gradient_64,
    "logo-rgba.png": logo_rgba,
    "gray-16.png": gray_16,
    "truncated.png": truncated,
    "badcrc.png": badcrc,
    "huge-dims.png": huge_dims,
    "stripes-256.png": stripes_256,
}

if __name__ == "__main__":
    for name, make in SAMPLES.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(make())
