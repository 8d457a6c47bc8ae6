"""Every error (and warning) code the service answers is in the README's catalogue, and the catalogue names no
code the service no longer answers. The codes are read from `app/`'s source, so a new one cannot be missed:
- a `default_code = "..."` of an error class;
- a `code="..."` keyword (an error raised with its own code, a rejected import line, a warning);
- the first argument of a `_refused("...", message)` helper (sign-in refusals), and of a `PydanticCustomError`
  whose type is not one of pydantic's own (those are documented by pydantic);
- the code of a (field, code, message) reason of a batch or an import;
- the matching engine's exclusion reasons (`engine.REASONS`), answered as the code of a refused designation;
- the reason codes a batch gives pydantic's errors (`professionals.schemas.REASON_CODES`).
"""

import ast
import re
from pathlib import Path

import pytest

from app.errors import PYDANTIC_ERROR_TYPES
from app.matching import engine
from app.professionals import schemas as professionals_schemas

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"[a-z][a-z0-9_]*")


def _code(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value):
        return node.value
    return None


def _is_message(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and " " in node.value
    return isinstance(node, ast.JoinedStr | ast.Call | ast.Name)


def codes_in_source() -> dict[str, set[str]]:
    """Code → the files that answer it."""
    found: dict[str, set[str]] = {}

    def add(code: str | None, path: Path) -> None:
        if code is not None:
            found.setdefault(code, set()).add(str(path.relative_to(ROOT)))

    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "default_code" for target in node.targets
            ):
                add(_code(node.value), path)
            elif isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        add(_code(keyword.value), path)
                name = node.func.id if isinstance(node.func, ast.Name) else None
                if name == "_refused" and node.args:
                    add(_code(node.args[0]), path)
                if name == "PydanticCustomError" and node.args and _code(node.args[0]) not in PYDANTIC_ERROR_TYPES:
                    add(_code(node.args[0]), path)
            elif isinstance(node, ast.Tuple) and len(node.elts) == 3:
                field, code, message = node.elts
                named = isinstance(field, ast.Constant) and (field.value is None or isinstance(field.value, str))
                if named and _is_message(message):
                    add(_code(code), path)
    for code in engine.REASONS:
        add(code, Path(engine.__file__))
    for code in professionals_schemas.REASON_CODES.values():
        add(code, Path(professionals_schemas.__file__))
    return found


def codes_in_readme() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Error codes\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def answered() -> dict[str, set[str]]:
    """Read once for the module's checks: parsing every module of `app/` is what they cost."""
    return codes_in_source()


def test_the_readme_catalogue_lists_every_error_code_once(answered):
    listed = codes_in_readme()
    assert len(listed) == len(set(listed)), [code for code in listed if listed.count(code) > 1]
    missing = {code: sorted(files) for code, files in answered.items() if code not in listed}
    assert not missing, f"codes to add to the README's « Error codes »: {missing}"
    extra = sorted(set(listed) - set(answered))
    assert not extra, f"codes the service no longer answers, to remove from the README: {extra}"


def test_the_collector_finds_each_way_of_answering_a_code(answered):
    """The collector itself: one code of each form above (a collector that found nothing would pass)."""
    forms = ("version_perimee", "conflit_concurrent", "compte_desactive", "doublon", "hors_departement")
    for code in (*forms, "date_hors_limites", "nombre_invalide"):
        assert code in answered, code
