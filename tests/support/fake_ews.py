"""A small Exchange Web Services server on 127.0.0.1 for the real exchangelib to talk to over HTTP.

It answers the SOAP operations exchangelib uses for our mailbox: GetFolder (root, inbox, sent items),
FindFolder and CreateFolder (the processed / quarantine subfolders), FindItem with paging and sorting,
GetItem with MimeContent, MoveItem, CreateItem with SendAndSaveCopy, DeleteItem, and FindItem restricted to
one InternetMessageId (the search for a message already sent, or for the copies a purge deletes). It checks
HTTP Basic credentials (401 otherwise) and records every operation it served and every search. With
`tls_directory` it serves HTTPS under a certificate from a throwaway CA (ca.pem in that folder), as an Exchange
server with the board's internal CA does. `folder_error` (an EWS response code such as ErrorAccessDenied)
answers every GetFolder with it, as a server does when the account has no access to the mailbox.
"""

from __future__ import annotations

import base64
import itertools
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree

S = "http://schemas.xmlsoap.org/soap/envelope/"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"


@dataclass
class FakeItem:
    id: str
    folder: str
    mime: bytes
    received: datetime


@dataclass
class FakeEwsState:
    username: str
    password: str
    folders: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, parent id)
    items: dict[str, FakeItem] = field(default_factory=dict)
    sent: list[bytes] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    searches: list[tuple[str, str]] = field(default_factory=list)  # (folder id, InternetMessageId)
    deleted: list[bytes] = field(default_factory=list)
    bodies_fetched: list[str] = field(default_factory=list)  # item ids whose MimeContent was sent
    unauthorized: int = 0
    folder_error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.folders.update({"root": ("root", ""), "inbox": ("Inbox", "root"), "sentitems": ("Sent Items", "root")})

    def deliver(self, raw: bytes, *, received: datetime | None = None) -> str:
        with self.lock:
            number = next(self.counter)
            item_id = base64.b64encode(f"item-{number:06d}".encode()).decode()
            moment = received or datetime(2026, 12, 1, 9, 0, tzinfo=UTC) + timedelta(seconds=number)
            self.items[item_id] = FakeItem(item_id, "inbox", raw, moment)
            return item_id

    def folder_named(self, name: str, parent: str = "inbox") -> str | None:
        for folder_id, (folder_name, folder_parent) in self.folders.items():
            if folder_parent == parent and folder_name.lower() == name.lower():
                return folder_id
        return None

    def in_folder(self, folder_id: str) -> list[FakeItem]:
        return sorted((i for i in self.items.values() if i.folder == folder_id), key=lambda i: i.received)


def internet_message_id(mime: bytes) -> str:
    return str(BytesHeaderParser().parsebytes(mime).get("Message-ID") or "").strip()


def _message_id_restriction(op: Any) -> str | None:
    """The InternetMessageId a FindItem is restricted to (IsEqualTo on message:InternetMessageId), if any."""
    equal = op.find(f"{{{M}}}Restriction/{{{T}}}IsEqualTo")
    if equal is None:
        return None
    uri = equal.find(f"{{{T}}}FieldURI")
    constant = equal.find(f".//{{{T}}}Constant")
    if uri is None or uri.get("FieldURI") != "message:InternetMessageId" or constant is None:
        return None
    return str(constant.get("Value"))


def _envelope(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{S}"><s:Header>'
        f'<h:ServerVersionInfo xmlns:h="{T}" MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" '
        'MinorBuildNumber="6" Version="V2017_07_11"/></s:Header>'
        f'<s:Body xmlns:m="{M}" xmlns:t="{T}">{body}</s:Body></s:Envelope>'
    ).encode()


def _response(service: str, messages: list[str]) -> bytes:
    return _envelope(
        f"<m:{service}Response><m:ResponseMessages>{''.join(messages)}</m:ResponseMessages></m:{service}Response>"
    )


def _ok(service: str, inner: str) -> str:
    return (
        f'<m:{service}ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>'
        f"{inner}</m:{service}ResponseMessage>"
    )


def _error(service: str, code: str, text: str, container: str = "") -> str:
    return (
        f'<m:{service}ResponseMessage ResponseClass="Error"><m:MessageText>{escape(text)}</m:MessageText>'
        f"<m:ResponseCode>{code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>{container}"
        f"</m:{service}ResponseMessage>"
    )


def _folder_xml(state: FakeEwsState, folder_id: str) -> str:
    name, parent = state.folders[folder_id]
    children = sum(1 for _, p in state.folders.values() if p == folder_id)
    count = sum(1 for i in state.items.values() if i.folder == folder_id)
    parent_xml = f'<t:ParentFolderId Id={quoteattr(parent)} ChangeKey="ck"/>' if parent else ""
    return (
        f'<t:Folder><t:FolderId Id={quoteattr(folder_id)} ChangeKey="ck"/>{parent_xml}'
        f"<t:FolderClass>IPF.Note</t:FolderClass><t:DisplayName>{escape(name)}</t:DisplayName>"
        f"<t:TotalCount>{count}</t:TotalCount><t:ChildFolderCount>{children}</t:ChildFolderCount>"
        f"<t:UnreadCount>0</t:UnreadCount></t:Folder>"
    )


def _folder_refs(element: Any) -> list[str]:
    refs: list[str] = []
    for node in element.iter():
        if node.tag == f"{{{T}}}DistinguishedFolderId" or node.tag == f"{{{T}}}FolderId":
            refs.append(node.get("Id"))
    return refs


def _field_uris(operation: Any) -> set[str]:
    """The properties an operation asked for (its ItemShape's AdditionalProperties)."""
    return {node.get("FieldURI") for node in operation.iter(f"{{{T}}}FieldURI")}


def _item_refs(element: Any) -> list[str]:
    return [node.get("Id") for node in element.iter(f"{{{T}}}ItemId")]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/xml; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="fake-ews"')
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(length)
        expected = base64.b64encode(f"{state.username}:{state.password}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            with state.lock:
                state.unauthorized += 1
            self._send(401, b"Unauthorized", "text/plain")
            return
        envelope = ElementTree.fromstring(data)
        body = envelope.find(f"{{{S}}}Body")
        operation = next(iter(body))
        service = operation.tag.split("}", 1)[1]
        with state.lock:
            state.operations.append(service)
            handler = getattr(self, f"_op_{service}", None)
            if handler is None:
                self._send(
                    500,
                    _envelope(
                        f"<s:Fault><faultcode>s:Client</faultcode><faultstring>{service}</faultstring></s:Fault>"
                    ),
                )
                return
            payload = handler(state, operation)
        self._send(200, payload)

    # --- folders ---------------------------------------------------------------------------------------

    def _op_GetFolder(self, state: FakeEwsState, op: Any) -> bytes:
        messages = []
        for ref in _folder_refs(op.find(f"{{{M}}}FolderIds")):
            if state.folder_error:
                messages.append(_error("GetFolder", state.folder_error, "Refused by the fake server."))
            elif ref in state.folders:
                messages.append(_ok("GetFolder", f"<m:Folders>{_folder_xml(state, ref)}</m:Folders>"))
            else:
                messages.append(_error("GetFolder", "ErrorFolderNotFound", "The specified folder could not be found."))
        return _response("GetFolder", messages)

    def _op_FindFolder(self, state: FakeEwsState, op: Any) -> bytes:
        parents = _folder_refs(op.find(f"{{{M}}}ParentFolderIds"))
        wanted = None
        constant = op.find(f".//{{{T}}}Constant")
        if constant is not None:
            wanted = constant.get("Value")
        messages = []
        for parent in parents:
            found = [
                fid
                for fid, (name, p) in state.folders.items()
                if p == parent and (wanted is None or name.lower() == wanted.lower())
            ]
            folders = "".join(_folder_xml(state, fid) for fid in found)
            messages.append(
                _ok(
                    "FindFolder",
                    f'<m:RootFolder IndexedPagingOffset="{len(found)}" TotalItemsInView="{len(found)}" '
                    f'IncludesLastItemInRange="true"><t:Folders>{folders}</t:Folders></m:RootFolder>',
                )
            )
        return _response("FindFolder", messages)

    def _op_CreateFolder(self, state: FakeEwsState, op: Any) -> bytes:
        parent = _folder_refs(op.find(f"{{{M}}}ParentFolderId"))[0]
        messages = []
        for name_el in op.iter(f"{{{T}}}DisplayName"):
            folder_id = f"folder-{next(state.counter)}"
            state.folders[folder_id] = (name_el.text or "", parent)
            messages.append(
                _ok(
                    "CreateFolder",
                    f'<m:Folders><t:Folder><t:FolderId Id="{folder_id}" ChangeKey="ck"/></t:Folder></m:Folders>',
                )
            )
        return _response("CreateFolder", messages)

    # --- items -----------------------------------------------------------------------------------------

    def _op_FindItem(self, state: FakeEwsState, op: Any) -> bytes:
        folder = _folder_refs(op.find(f"{{{M}}}ParentFolderIds"))[0]
        view = op.find(f"{{{M}}}IndexedPageItemView")
        offset = int(view.get("Offset", "0")) if view is not None else 0
        size = int(view.get("MaxEntriesReturned", "1000")) if view is not None else 1000
        items = state.in_folder(folder)
        wanted = _message_id_restriction(op)
        if wanted is not None:
            state.searches.append((folder, wanted))
            items = [i for i in items if internet_message_id(i.mime) == wanted]
        page = items[offset : offset + size]
        last = offset + len(page) >= len(items)
        sized = "item:Size" in _field_uris(op)
        xml = "".join(
            f'<t:Message><t:ItemId Id="{i.id}" ChangeKey="ck"/>'
            f"<t:DateTimeReceived>{i.received.strftime('%Y-%m-%dT%H:%M:%SZ')}</t:DateTimeReceived>"
            + (f"<t:Size>{len(i.mime)}</t:Size>" if sized else "")
            + "</t:Message>"
            for i in page
        )
        return _response(
            "FindItem",
            [
                _ok(
                    "FindItem",
                    f'<m:RootFolder IndexedPagingOffset="{offset + len(page)}" TotalItemsInView="{len(items)}" '
                    f'IncludesLastItemInRange="{"true" if last else "false"}"><t:Items>{xml}</t:Items></m:RootFolder>',
                )
            ],
        )

    def _op_GetItem(self, state: FakeEwsState, op: Any) -> bytes:
        fields = _field_uris(op)
        messages = []
        for ref in _item_refs(op.find(f"{{{M}}}ItemIds")):
            item = state.items.get(ref)
            if item is None:
                messages.append(
                    _error("GetItem", "ErrorItemNotFound", "The specified object was not found.", "<m:Items/>")
                )
                continue
            inner = ""
            if "item:MimeContent" in fields or not fields:
                state.bodies_fetched.append(item.id)
                mime = base64.b64encode(item.mime).decode()
                inner += f'<t:MimeContent CharacterSet="UTF-8">{mime}</t:MimeContent>'
            inner += f'<t:ItemId Id="{item.id}" ChangeKey="ck"/>'
            if "item:Size" in fields:
                inner += f"<t:Size>{len(item.mime)}</t:Size>"
            messages.append(_ok("GetItem", f"<m:Items><t:Message>{inner}</t:Message></m:Items>"))
        return _response("GetItem", messages)

    def _op_MoveItem(self, state: FakeEwsState, op: Any) -> bytes:
        target = _folder_refs(op.find(f"{{{M}}}ToFolderId"))[0]
        messages = []
        for ref in _item_refs(op.find(f"{{{M}}}ItemIds")):
            item = state.items.pop(ref, None)
            if item is None:
                messages.append(
                    _error("MoveItem", "ErrorItemNotFound", "The specified object was not found.", "<m:Items/>")
                )
                continue
            # Exchange gives a moved item a new id.
            new_id = base64.b64encode(f"moved-{next(state.counter):06d}".encode()).decode()
            state.items[new_id] = FakeItem(new_id, target, item.mime, item.received)
            messages.append(
                _ok("MoveItem", f'<m:Items><t:Message><t:ItemId Id="{new_id}" ChangeKey="ck"/></t:Message></m:Items>')
            )
        return _response("MoveItem", messages)

    def _op_DeleteItem(self, state: FakeEwsState, op: Any) -> bytes:
        messages = []
        for ref in _item_refs(op.find(f"{{{M}}}ItemIds")):
            item = state.items.pop(ref, None)
            if item is None:
                messages.append(_error("DeleteItem", "ErrorItemNotFound", "The specified object was not found."))
                continue
            state.deleted.append(item.mime)
            messages.append(_ok("DeleteItem", ""))
        return _response("DeleteItem", messages)

    def _op_CreateItem(self, state: FakeEwsState, op: Any) -> bytes:
        disposition = op.get("MessageDisposition")
        messages = []
        for mime_el in op.iter(f"{{{T}}}MimeContent"):
            raw = base64.b64decode(mime_el.text or "")
            if disposition in {"SendOnly", "SendAndSaveCopy"}:
                state.sent.append(raw)
            if disposition in {"SaveOnly", "SendAndSaveCopy"}:
                item_id = f"sent-{next(state.counter)}"
                state.items[item_id] = FakeItem(item_id, "sentitems", raw, datetime.now(UTC))
            messages.append(_ok("CreateItem", "<m:Items/>"))
        return _response("CreateItem", messages)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, state: FakeEwsState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def fake_ews(
    username: str = "TESTSHIRE\\scrbot",
    password: str = "correct horse",  # noqa: S107
    tls_directory: Path | None = None,
) -> Iterator[tuple[str, FakeEwsState]]:
    """Yields (service endpoint URL, state) while the server runs."""
    state = FakeEwsState(username, password)
    server = _Server(state)
    scheme = "http"
    if tls_directory is not None:
        from tests.support.fake_graph import make_certificates

        _ca, cert_path, key_path = make_certificates(tls_directory)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_path, key_path)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/EWS/Exchange.asmx", state
    finally:
        server.shutdown()
        server.server_close()
