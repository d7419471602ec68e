"""A stored file as a download — one way for every scoped download view and API action
(the caller has already found the record through ``visible_to``)."""
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

GONE = "文件已不存在，请联系管理员。"


def attachment(stored, filename: str, *, content_type: str | None = None) -> FileResponse:
    """``stored`` (a FieldFile) sent as ``filename``; a file missing from storage is a
    404 with a Chinese message, not a server error."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404(GONE)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


def content_attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """Bytes made for this request (a filled form) sent as ``filename``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
