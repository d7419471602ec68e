"""What an uploaded material must be: an office document, a PDF, an OFD or an image,
not larger than the limit, and never an executable whatever its name says.

The extension is checked against the list and the first bytes against what such a
file starts with, so a renamed program (``setup.exe`` → ``setup.pdf``) is refused.
"""
import os

from django.conf import settings

from config.errors import DomainError

# extension → the signatures a genuine file of that kind starts with
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "ofd": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
ALLOWED = tuple(SIGNATURES)
# Programs and scripts: refused even when renamed (Windows PE, ELF, Mach-O, shell scripts).
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"#!")
EXECUTABLE_EXTENSIONS = {"exe", "dll", "bat", "cmd", "com", "msi", "scr", "ps1", "vbs", "js", "jar", "sh", "apk",
                         "elf", "bin", "py", "php", "html", "htm", "svg"}


class FileRefused(DomainError):
    code = "file_refused"
    status = 400


def max_bytes() -> int:
    return int(getattr(settings, "MATERIAL_MAX_MB", 20)) * 1024 * 1024


def extension_of(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def check_upload(upload) -> str:
    """The file's extension if the file may be stored; otherwise :class:`FileRefused`."""
    name = os.path.basename(upload.name or "")
    extension = extension_of(name)
    if extension in EXECUTABLE_EXTENSIONS:
        raise FileRefused(f"“{name}”是可执行文件或脚本，不能上传。", code="executable")
    if extension not in SIGNATURES:
        raise FileRefused(f"“{name}”的类型不能上传：只接受 PDF、OFD、图片（JPG、PNG）、Word 或 Excel 文件。",
                          code="file_type")
    if upload.size == 0:
        raise FileRefused(f"“{name}”是空文件。", code="file_empty")
    if upload.size > max_bytes():
        raise FileRefused(f"“{name}”超过 {max_bytes() // (1024 * 1024)} MB，请压缩或分开上传。", code="file_too_large")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(EXECUTABLE_SIGNATURES):
        raise FileRefused(f"“{name}”实际是可执行文件，不能上传。", code="executable")
    if not head.startswith(SIGNATURES[extension]):
        raise FileRefused(f"“{name}”的内容与扩展名 .{extension} 不符，文件可能已损坏或被改名。", code="file_mismatch")
    return extension
