"""The text of a PDF written by cur.pdf (fpdf2), read back the way a viewer copies it: page streams
inflated, two-byte glyph codes mapped to letters by the font's ToUnicode table. Enough for tests to
check that a report's words are really extractable, with no PDF reader as a dependency."""

import re
import zlib

STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>")
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _streams(data: bytes) -> list[bytes]:
    out = []
    for match in STREAM.finditer(data):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return out


def _literals(content: bytes) -> list[bytes]:
    """The (…) strings shown by Tj, with PDF escapes undone."""
    found, i = [], 0
    while (start := content.find(b"(", i)) != -1:
        buf, depth, j = bytearray(), 1, start + 1
        while j < len(content) and depth:
            c = content[j : j + 1]
            if c == b"\\":
                nxt = content[j + 1 : j + 2]
                if nxt.isdigit():
                    digits = re.match(rb"[0-7]{1,3}", content[j + 1 : j + 4]).group(0)
                    buf.append(int(digits, 8))
                    j += 1 + len(digits)
                    continue
                buf += ESCAPES.get(nxt, nxt)
                j += 2
                continue
            depth += c == b"("
            depth -= c == b")"
            if depth:
                buf += c
            j += 1
        found.append(bytes(buf))
        i = j
    return found


def pdf_text(data: bytes) -> str:
    streams = _streams(data)
    mapping = {}
    for s in streams:
        if b"beginbfchar" in s:
            for code, uni in BFCHAR.findall(s):
                mapping[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    text = []
    for s in streams:
        if b" Tj" not in s:
            continue
        for literal in _literals(s):
            text.append("".join(mapping.get(int.from_bytes(literal[k : k + 2]), "") for k in range(0, len(literal), 2)))
    return " ".join(text)
