#!/usr/bin/env python3
"""Write small DICOM files exercising pydicom 3.0.1's value and VR rules one at a time.

Usage: make_edge_cases.py OUTDIR   (files are named after their case). The bytes are built here
by hand, element by element (PS3.5 §7.1); what they MEAN is left to pydicom (the oracle, via
pydicom_dump.py) and to our parser: neither side's expected output is written here.
"""
import os
import struct
import sys

LONG = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}
UNDEF = 0xFFFFFFFF


def ex(tag, vr, val, le=True, length=None):
    """Explicit VR element."""
    e = "<" if le else ">"
    n = len(val) if length is None else length
    if vr in LONG:
        return struct.pack(e + "HH2sHL", tag >> 16, tag & 0xFFFF, vr.encode(), 0, n) + val
    return struct.pack(e + "HH2sH", tag >> 16, tag & 0xFFFF, vr.encode(), n) + val


def im(tag, val, length=None):
    """Implicit VR little endian element."""
    return struct.pack("<HHL", tag >> 16, tag & 0xFFFF, len(val) if length is None else length) + val


def item(body, undefined=False, le=True):
    e = "<" if le else ">"
    if undefined:
        return struct.pack(e + "HHL", 0xFFFE, 0xE000, UNDEF) + body + struct.pack(e + "HHL", 0xFFFE, 0xE00D, 0)
    return struct.pack(e + "HHL", 0xFFFE, 0xE000, len(body)) + body


SEQ_END = struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)


def part10(dataset, ts="1.2.840.10008.1.2.1"):
    uid = ts.encode() + (b"\0" if len(ts) % 2 else b"")
    meta = ex(0x00020010, "UI", uid)
    return b"\0" * 128 + b"DICM" + ex(0x00020000, "UL", struct.pack("<L", len(meta))) + meta + dataset


IMPLICIT = "1.2.840.10008.1.2"
CASES = {
    "is_forms": ex(0x00200012, "IS", b" +7 ") + ex(0x00200013, "IS", b"1e2 ") + ex(0x00200011, "IS", b"1.5\\-3"),
    "numbers_underscores": ex(0x00200012, "IS", b"1_0") + ex(0x00280030, "DS", b"1_0.5_0\\1e1_0\\1__0"),
    "numbers_underscores_ok": ex(0x00200012, "IS", b"1_000\\-2_0 ") + ex(0x00280030, "DS", b"1_0.5_0\\1e1_0 "),
    "is_beyond_2_53": ex(0x00200012, "IS", b"12345678901234567890\\-9007199254740993"),
    "ds_nul_padded": ex(0x00280030, "DS", b"0.\x00\x00\\1.5\x00") + ex(0x00200013, "IS", b"7\x00\\8"),
    "is_empty_in_list": ex(0x00201041, "IS", b"1\\\\3 "),
    "is_blank": ex(0x00200012, "IS", b"  "),
    "ds_forms": ex(0x00280030, "DS", b" 1.5\\-0\\1e400\\nan\\-inf\\.5 "),
    "ds_bad": ex(0x00280030, "DS", b"1.5\\abc"),
    "strings_split_strip": ex(0x00080060, "CS", b" A\x00B\\ \x00") + ex(0x00400241, "AE", b" A B \\ C\x00")
    + ex(0x00100020, "LO", b" a \\ b\x00 ") + ex(0x00081030, "LO", b"x\\y") + ex(0x00400280, "ST", b" x\\y \x00")
    + ex(0x00080020, "DA", b"20010101 \\ 2002") + ex(0x00080030, "TM", b" 1010 ") + ex(0x00080120, "UR", b" http://x\\y \x00 ")
    + ex(0x00080016, "UI", b" 1.2 \\3.4\x00"),
    "pn_groups": ex(0x00100010, "PN", b"A^B=C^D==\\=X\\Y=\x00"),
    "pn_empty_groups": ex(0x00100010, "PN", b"=="),
    "pn_empty_in_list": ex(0x00100010, "PN", b"A\\\\B"),
    "at_values": ex(0x00209165, "AT", b"\x10\x00\x20\x00\x08\x00\x05\x00"),
    "at_odd": ex(0x00209165, "AT", b"\x10\x00\x20\x00\x08"),
    "numbers": ex(0x00189087, "FL", struct.pack("<fff", 0.1, float("nan"), float("-inf")))
    + ex(0x0008040C, "UV", struct.pack("<QQ", 2**63 + 5, 7)) + ex(0x00189219, "SV", struct.pack("<q", -(2**60) - 1))
    + ex(0x00280010, "US", b"") + ex(0x00181310, "US", struct.pack("<4H", 1, 2, 65535, 0)) + ex(0x0018605A, "FL", b""),
    "us_odd": ex(0x00280010, "US", b"\x01\x00\x02"),
    "latin1_default": ex(0x00100010, "PN", bytes([0xE9, 0x80, 0x9F])) + ex(0x00081030, "LO", bytes([0x41, 0xA0, 0xFF])),
    "charset_empty": ex(0x00080005, "CS", b"") + ex(0x00100010, "PN", bytes([0xE9])),
    "charset_unknown": ex(0x00080005, "CS", b"ISO_IR 999") + ex(0x00100010, "PN", bytes([0xE9])),
    "charset_misspelt": ex(0x00080005, "CS", b"ISO IR 144") + ex(0x00100010, "PN", bytes([0xB1, 0xE0])),
    "charset_utf8_bad": ex(0x00080005, "CS", b"ISO_IR 192") + ex(0x00100010, "PN", bytes([0xE9, 0x41]))
    + ex(0x00081030, "LO", "\ufeffé".encode()),
    "charset_greek_thai": ex(0x00080005, "CS", b"ISO_IR 126") + ex(0x00100010, "PN", bytes([0xC1, 0xAE, 0xD2])),
    "charset_thai": ex(0x00080005, "CS", b"ISO_IR 166") + ex(0x00100010, "PN", bytes([0xA1, 0xDB, 0xA0])),
    "charset_escape_default": ex(0x00081030, "LO", b"ab\x1b(Bcd\x1b-Aef"),
    "charset_korean": ex(0x00080005, "CS", b"\\ISO 2022 IR 149")
    + ex(0x00100010, "PN", "Hong^Gildong=".encode() + b"\x1b$)C" + "洪^吉洞".encode("euc_kr") + b"=\x1b$)C" + "홍^길동".encode("euc_kr")),
    "charset_jis_x_0212": ex(0x00080005, "CS", b"\\ISO 2022 IR 159")
    + ex(0x00100010, "PN", b"Yamada^Tarou=\x1b$(D0!0\"\x1b(B^\x1b$(D0!\x1b(B"),
    "charset_jis_x_0208": ex(0x00080005, "CS", b"\\ISO 2022 IR 87")
    + ex(0x00100010, "PN", b"Yamada^Tarou=" + "山田".encode("iso2022_jp") + b"^" + "太郎".encode("iso2022_jp")),
    "charset_sjis_specials": ex(0x00080005, "CS", b"ISO_IR 13")
    + ex(0x00081030, "LO", bytes.fromhex("815f8160816181 7c819181928 1ca1c7f1a".replace(" ", "")) + b"\xb1\xb2 ")
    + ex(0x00081040, "LO", bytes.fromhex("817fef408540eb4041")),
    "charset_jis_specials": ex(0x00080005, "CS", b"\\ISO 2022 IR 87")
    + ex(0x00081030, "LO", b"\x1b$B!@!A!B!]!q!r\"L\x1b(B \x1b(J\\~\x1b(B\\~"),
    "charset_gb2312_dot": ex(0x00080005, "CS", b"\\ISO 2022 IR 58")
    + ex(0x00100010, "PN", b"John^Smith=\x1b$)A" + "约翰・史密斯―".encode("gb2312")),
    # Python's codecs, not Node's ICU: GBK's user-defined areas and 0x80 are invalid; GB18030 keeps
    # its 2005 code points (A6D9, FE59, A8BC); an incomplete sequence at the end is one U+FFFD.
    "charset_gbk_invalid": ex(0x00080005, "CS", b"GBK ") + ex(0x00100010, "PN", b"\x80\xaa\xa1\x81\x41A\xfe\xa1\x81\x30\x81\x30 ")
    + ex(0x00081030, "LO", b"\xa1\xa4\xa1\xaa\x81"),
    "charset_gb18030_2005": ex(0x00080005, "CS", b"GB18030 ") + ex(0x00100010, "PN", b"\xa6\xd9\xfe\x59\xa8\xbc\x81\x35\xf4\x37\x80\x81\x30")
    + ex(0x00081030, "LO", b"\x84\x31\xa4\x39\x95\x32\x82\x36\x85\x30\x81\x30\x81\x30\x81"),
    "charset_gb2312_invalid": ex(0x00080005, "CS", b"ISO 2022 58 ") + ex(0x00100010, "PN", b"\xa8\xbb\xb0\xa1\x81\x40\xa1\xa4\xa1"),
    # Python's euc_kr, not Windows-949: UHC pairs (8141) are invalid, so the fragment falls back to
    # the first charset; a make-up sequence (A4D4 + 3 jamo) is one syllable.
    "charset_korean_uhc": ex(0x00080005, "CS", b"\\ISO 2022 IR 149") + ex(0x00100010, "PN", b"\x1b$)C\x81\x41\xb0\xa1 ")
    + ex(0x00081030, "LO", b"\x1b$)C\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xd4\xb0\xa1"),
    "charset_item_override": ex(0x00080005, "CS", b"ISO_IR 100") + ex(0x00081140, "SQ", item(
        ex(0x00080005, "CS", b"ISO_IR 192") + ex(0x00100010, "PN", "Ωé".encode())) + item(ex(0x00100010, "PN", b"\xe9"))),
    "lut_descriptor_ss": ex(0x00283002, "SS", struct.pack("<hhh", -32768, 0, 16)) + ex(0x00281101, "SS", struct.pack("<h", -1)),
    "group_length": ex(0x00080000, "UL", b"\x04\x00\x00\x00") + ex(0x00090000, "UL", b"\x04\x00\x00\x00"),
    "un_known_tag": ex(0x00100020, "UN", b"abc ") + ex(0x00081140, "UN", item(im(0x00081150, b"1.2\0")), length=None),
    "un_undefined_sq": ex(0x00091010, "UN", item(im(0x00100010, b"Doe^J "), undefined=True) + SEQ_END, length=UNDEF)
    + ex(0x00100020, "LO", b"after"),
    "private_creator_explicit_un": ex(0x00290010, "LO", b"SIEMENS CSA HEADER") + ex(0x00291008, "UN", b"IMAGE NUM 4 ")
    + ex(0x00291009, "UN", b"12345678") + ex(0x00291110, "UN", b"unknown creator"),
    "empty_sq_and_items": ex(0x00081140, "SQ", b"") + ex(0x00081150, "SQ", item(b"") + item(b"", undefined=True) + SEQ_END, length=UNDEF),
    "trailing_bytes": ex(0x00100020, "LO", b"id") + b"\x01\x02\x03\x04\x05",
    "unknown_vr": ex(0x00100020, "ZZ", b"ab"),
    "invalid_vr_switch": ex(0x00100020, "LO", b"id") + im(0x00100030, b"19700101"),
    "duplicate_tag": ex(0x00100020, "LO", b"first") + ex(0x00100030, "DA", b"19700101") + ex(0x00100020, "LO", b"second"),
    "item_delimiter_at_top": ex(0x00100020, "LO", b"id") + struct.pack("<HHL", 0xFFFE, 0xE00D, 0) + ex(0x00100030, "DA", b"19700101"),
}
PART10 = {
    "implicit_ambiguous": part10(im(0x00280103, b"\x01\x00") + im(0x00280106, b"\xff\xff") + im(0x00081140, item(
        im(0x00280106, b"\xfe\xff") + im(0x00283002, b"\x00\x80\x00\x00\x10\x00") + im(0x00283006, b"\x01\x00\x02\x00"))
        + item(im(0x00280103, b"\x00\x00") + im(0x00280106, b"\xfe\xff")), length=None) + im(0x60003000, b"\x01\x02")
        + im(0x7FE00010, b"\x01\x02\x03\x04"), IMPLICIT),
    "implicit_no_pixel_rep": part10(im(0x00280106, b"\xff\xff") + im(0x00280100, b"\x08\x00"), IMPLICIT),
    "implicit_private": part10(im(0x00190010, b"GEMS_ACQU_01") + im(0x0019100F, b"1.5 ") + im(0x00191018, b"\x01\x02")
        + im(0x00191099, b"\x05\x00") + im(0x00191101, b"x") + im(0x00091001, b"none"), IMPLICIT),
    "implicit_undefined_private_sq": part10(im(0x00090010, b"ACME") + im(0x00091001, item(im(0x00100020, b"in ")) + SEQ_END, length=UNDEF), IMPLICIT),
    "big_endian": part10(ex(0x00080016, "UI", b"1.2\0", le=False) + ex(0x00280010, "US", b"\x01\x00", le=False)
        + ex(0x00209165, "AT", b"\x00\x10\x00\x20", le=False) + ex(0x00189087, "FD", struct.pack(">d", 1.25), le=False),
        "1.2.840.10008.1.2.2"),
    # Pixel Representation encoded as a sequence (a fuzz finding): its items' US/SS become SS.
    "pixel_representation_sq": part10(ex(0x00280103, "SQ", item(im(0x00280106, b"\xff\xff") + im(0x00280103, b"\x00\x00")
        + im(0x00081140, item(im(0x00280107, b"\xfe\xff")))) + item(im(0x00280106, b"\xfe\xff")))
        + ex(0x00081150, "SQ", item(im(0x00280106, b"\xfd\xff")))),
    "encapsulated_pixels": part10(ex(0x00280100, "US", b"\x08\x00") + ex(0x7FE00010, "OB",
        item(b"") + item(b"\xfe\xff\xdd\xe0abcd") + SEQ_END, length=UNDEF) + ex(0xFFFCFFFC, "OB", b"\0\0")),
    "explicit_pixels_then_more": part10(ex(0x00280100, "US", b"\x10\x00") + ex(0x7FE00010, "OW", b"\x01\x02\x03\x04")
        + ex(0x7FE10010, "LO", b"after pixels ")),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in CASES.items():
        with open(os.path.join(out, name + ".dcm"), "wb") as f:
            f.write(data)
    for name, data in PART10.items():
        with open(os.path.join(out, name + ".dcm"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
