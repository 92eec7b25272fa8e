"""Small, valid binary files for demo and benchmark mail, made here rather than shipped."""

from collections.abc import Sequence


def pdf_document(lines: Sequence[str], padding: bytes = b"") -> bytes:
    """A one-page PDF with the lines as text; padding goes into an (unreferenced) binary stream."""
    text = "\n".join(f"({line.replace('(', '[').replace(')', ']')}) Tj T*" for line in lines)
    content = f"BT /F1 10 Tf 12 TL 50 780 Td\n{text}\nET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if padding:
        objects.append(b"<< /Length " + str(len(padding)).encode() + b" >>\nstream\n" + padding + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
