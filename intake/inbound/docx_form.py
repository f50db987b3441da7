"""The referral form as a Word document (.docx), possibly password-protected (004 §3.6 advises it).

Reads table cells (label cell, value cell) and content controls (`w:sdt`, by tag or title, with ticked
check boxes) with python-docx, and paragraphs between section headings. A protected file is decrypted in
memory with msoffcrypto-tool; the password is used once and never stored.

Hostile files are bounded before anything expensive happens: the key-derivation work factor (spin count)
is read from the EncryptionInfo stream and refused above a cap; the encrypted package's size is checked
before decrypting; the zip's member count and total uncompressed size are checked from its directory
before any member is inflated.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from errors import BadInput
from intake.inbound.form_fields import FormValues, field_for_label, field_for_path
from intake.inbound.limits import LimitExceeded, Limits

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_TICK_GLYPHS = {"☒", "☑", "✓", "✔"}


class FormError(BadInput):
    """The attachment is not a readable referral form; the message names why, never the content."""


class PasswordNeeded(FormError):
    """The form is password-protected and no password was given."""


class WrongPassword(FormError):
    """The password given does not open the form."""


@dataclass(frozen=True)
class DocxForm:
    values: dict[str, str]
    was_encrypted: bool

    def __repr__(self) -> str:
        return f"DocxForm(fields={len(self.values)}, was_encrypted={self.was_encrypted})"


def is_encrypted_office_file(data: bytes) -> bool:
    return data[:8] == _OLE_MAGIC


def is_docx_candidate(filename: str, content_type: str, data: bytes) -> bool:
    name = filename.lower()
    if name.endswith((".docx", ".docm")) or "wordprocessingml" in content_type:
        return True
    # Password-protected Word files arrive as an OLE container, often named .docx still, or .doc.
    return name.endswith(".doc") and is_encrypted_office_file(data)


def _decrypt(data: bytes, password: str, limits: Limits) -> bytes:
    import msoffcrypto
    from msoffcrypto.exceptions import DecryptionError, FileFormatError, InvalidKeyError

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
    except (FileFormatError, DecryptionError, OSError, ValueError) as exc:
        raise FormError(f"not a readable Word file ({type(exc).__name__})") from None
    if getattr(office, "format", "") != "ooxml":
        raise FormError("a protected legacy Word (.doc) file: ask the referrer to send the form as .docx")
    info: dict[str, Any] = getattr(office, "info", {}) or {}
    spin = int(info.get("spinValue", 0) or 0)
    if spin > limits.max_kdf_spin_count:
        raise LimitExceeded(
            f"the file asks for {spin:,} password hashing rounds (limit {limits.max_kdf_spin_count:,}); "
            "ask the referrer to save it again from Word"
        )
    try:
        package_size = office.file.get_size("EncryptedPackage")
    except (OSError, AttributeError, KeyError):
        package_size = 0
    if package_size > limits.max_attachment_bytes:
        raise LimitExceeded("the encrypted form is larger than the attachment limit")
    if not password:
        raise PasswordNeeded("the form is password-protected")
    out = io.BytesIO()
    try:
        office.load_key(password=password, verify_password=True)
        office.decrypt(out)
    except InvalidKeyError:
        raise WrongPassword("the password does not open this form") from None
    except (DecryptionError, FileFormatError, ValueError) as exc:
        raise FormError(f"the protected form could not be decrypted ({type(exc).__name__})") from None
    return out.getvalue()


def _check_zip(data: bytes, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FormError("not a Word document (the file is not a valid .docx)") from None
    members = archive.infolist()
    if len(members) > limits.max_docx_members:
        raise LimitExceeded(f"the .docx has more than {limits.max_docx_members} parts")
    total = sum(m.file_size for m in members)
    if total > limits.max_docx_uncompressed_bytes:
        raise LimitExceeded(
            f"the .docx would decompress to more than {limits.max_docx_uncompressed_bytes // 1_048_576} MiB"
        )
    if "word/document.xml" not in {m.filename for m in members}:
        raise FormError("not a Word document (no word/document.xml)")


def check_docx_zip(data: bytes, limits: Limits) -> None:
    """The zip-bomb checks, for any .docx read (a review report too: intake/documents/docx_text.py)."""
    _check_zip(data, limits)


def _checkbox_state(sdt: Any) -> bool | None:
    props = sdt.find(f"{W}sdtPr")
    box = props.find(f"{W14}checkbox") if props is not None else None
    if box is None:
        return None
    state = box.find(f"{W14}checked")
    return state is not None and state.get(f"{W14}val") in {"1", "true"}


def _text(element: Any) -> str:
    """Text of an element, paragraphs on separate lines, check box controls as ☒ / ☐."""
    lines: list[str] = []
    current: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag
        if tag == f"{W}sdt":
            checked = _checkbox_state(node)
            if checked is not None:
                current.append("☒ " if checked else "☐ ")
                return  # its content is only the box's glyph
        elif tag == f"{W}t" and node.text:
            current.append(node.text)
        elif tag == f"{W}tab":
            current.append("\t")
        elif tag in {f"{W}br", f"{W}cr"}:
            lines.append("".join(current))
            current.clear()
        for child in node:
            walk(child)
        if tag == f"{W}p":
            lines.append("".join(current))
            current.clear()

    walk(element)
    if current:
        lines.append("".join(current))
    return "\n".join(line.strip() for line in lines if line.strip()).strip()


def _control_text(sdt: Any) -> tuple[str, str, str]:
    """(tag, title, value) of a content control; placeholder text counts as empty."""
    props = sdt.find(f"{W}sdtPr")
    tag = title = ""
    showing_placeholder = False
    checked: bool | None = None
    if props is not None:
        tag_el = props.find(f"{W}tag")
        alias_el = props.find(f"{W}alias")
        tag = (tag_el.get(f"{W}val") if tag_el is not None else "") or ""
        title = (alias_el.get(f"{W}val") if alias_el is not None else "") or ""
        showing_placeholder = props.find(f"{W}showingPlcHdr") is not None
        checked = _checkbox_state(sdt)
    content = sdt.find(f"{W}sdtContent")
    if checked is not None:
        return tag, title, "yes" if checked else ""
    value = "" if showing_placeholder or content is None else _text(content)
    return tag, title, value


def _rows(document: Any) -> Iterator[list[str]]:
    body = document.element.body
    for table in body.iter(f"{W}tbl"):
        for tr in table.iter(f"{W}tr"):
            cells: list[str] = []
            for tc in tr.iter(f"{W}tc"):
                if tc.getparent() is tr:  # not the cells of a table nested inside this row
                    cells.append(_text(tc))
            yield cells


def read_form(data: bytes, *, password: str = "", limits: Limits | None = None) -> DocxForm:
    """The form's values by referral field path. Raises PasswordNeeded, WrongPassword, FormError,
    LimitExceeded."""
    import docx

    limits = limits or Limits()
    if len(data) > limits.max_attachment_bytes:
        raise LimitExceeded("the form is larger than the attachment limit")
    encrypted = is_encrypted_office_file(data)
    if encrypted:
        data = _decrypt(data, password, limits)
    elif data[:4] != _ZIP_MAGIC:
        raise FormError("not a Word document")
    _check_zip(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types for broken packages
        raise FormError(f"the Word document could not be read ({type(exc).__name__})") from None

    form = FormValues()
    # Content controls first: their tag or title names the field exactly. (Check boxes are read with the
    # paragraph around them, as ☒ / ☐ before the option's text.)
    for sdt in list(document.element.body.iter(f"{W}sdt")):
        if _checkbox_state(sdt) is not None:
            continue
        tag, title, value = _control_text(sdt)
        form_field = field_for_path(tag) or field_for_label(tag) or field_for_label(title)
        if form_field is not None and value:
            form.put(form_field, value)
            parent = sdt.getparent()
            if parent is not None:
                parent.remove(sdt)  # read once: not again as table text
    for cells in _rows(document):
        form.add_row(cells)
    for paragraph in document.element.body.iter(f"{W}p"):
        if next(paragraph.iterancestors(f"{W}tbl"), None) is not None:
            continue
        text = _text(paragraph)
        if text:
            form.add_text_line(text)
    return DocxForm(values=dict(form.values), was_encrypted=encrypted)
