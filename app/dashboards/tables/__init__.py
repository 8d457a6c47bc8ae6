"""The dashboard tables: every module of this package declares one (`TABLE`), found here in their declared
order; adding a table is adding a module."""

import importlib
import pkgutil

from app.dashboards.table import Table


def _declared() -> dict[str, Table]:
    tables = [importlib.import_module(f"{__name__}.{module.name}").TABLE for module in pkgutil.iter_modules(__path__)]
    tables.sort(key=lambda table: table.ordre)
    by_name = {table.nom: table for table in tables}
    if len(by_name) != len(tables) or len({table.ordre for table in tables}) != len(tables):
        raise RuntimeError("two dashboard tables share a name or a place")
    return by_name


TABLES: dict[str, Table] = _declared()
