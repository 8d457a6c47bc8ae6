"""A rejected FINESS import: the one error shape, with the report beside `detail`."""

from app.errors import InvalidInput
from app.finess.schemas import FinessImportOut


class RejectedFinessImport(InvalidInput):
    """An import with rejected lines, or a file that cannot be read: nothing is written."""

    def __init__(self, report: FinessImportOut) -> None:
        self.report = report
        self.detail = [
            {"type": error.code, "loc": ["body", error.fichier, error.ligne], "msg": error.message}
            for error in report.erreurs
        ]
        first = report.erreurs[0]
        super().__init__(first.message, code=first.code, loc=["body", first.fichier, first.ligne])

    def content(self) -> dict:
        return {"detail": self.detail, "rapport": self.report.model_dump(mode="json")}
