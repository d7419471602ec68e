"""Every named URL of the project appears in some role × endpoint access table.

Access tables live beside each feature's tests as module-level lists (PAGE_ROWS,
API_ROWS, ACCESS, …) whose rows name URLs.  This guard imports those modules and
fails when a URL exists that no table mentions — a new endpoint must come with its
access rows.
"""
import importlib
import pkgutil

from django.urls import get_resolver

import tests

# Not user data, so not in any table: login/logout, the API root and schema pages,
# the admin and the token endpoint (tested in tests/organizations/test_api.py).
EXEMPT_PREFIXES = ("admin:",)
EXEMPT = {"accounts:login", "accounts:logout", "api:api-root", "api:token", "api-schema", "api-swagger",
          "api-redoc"}


def _named_urls(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_urls(pattern, namespace)
        elif pattern.name:
            yield f"{prefix}{pattern.name}"


def _strings(value, depth=0):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple, set, frozenset)) and depth < 3:
        for item in value:
            yield from _strings(item, depth + 1)
    elif isinstance(value, dict) and depth < 3:
        for item in list(value.keys()) + list(value.values()):
            yield from _strings(item, depth + 1)


def _table_names() -> set[str]:
    names = set()
    for module_info in pkgutil.walk_packages(tests.__path__, "tests."):
        leaf = module_info.name.rsplit(".", 1)[-1]
        if not leaf.startswith("test_") or ".browser." in module_info.name or ".benchmarks." in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for attribute, value in vars(module).items():
            if attribute.isupper() and ("ROWS" in attribute or attribute in ("ACCESS", "MATRIX", "PAGE_NAMES",
                                                                              "API_NAMES")):
                names.update(_strings(value))
    return names


def test_every_url_is_in_an_access_table():
    urls = {name for name in _named_urls(get_resolver())
            if name not in EXEMPT and not name.startswith(EXEMPT_PREFIXES) and "-format" not in name}
    missing = urls - _table_names()
    assert missing == set(), f"URLs without access rows: {sorted(missing)}"
