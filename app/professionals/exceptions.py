"""Errors of the professionals' routes: DomainErrors with stable codes, rendered by `app.errors` in the one
error shape. A rejected batch or import adds its report (`rapport`) beside `detail`, as the contract documents."""

from app.errors import Conflict, DomainError, InvalidInput
from app.professionals.schemas import ImportOut


class UnsupportedMediaType(DomainError):
    status_code = 415
    default_code = "type_de_contenu_non_pris_en_charge"


class UnsupportedFormat(DomainError):
    """A file that is neither CSV nor XLSX."""

    status_code = 415
    default_code = "format_non_pris_en_charge"


class SpreadsheetTooLarge(DomainError):
    """A workbook whose members, once decompressed, pass the limit (a decompression bomb)."""

    status_code = 413
    default_code = "fichier_trop_volumineux"


class PendingReservation(Conflict):
    default_code = "reservation_en_attente"


class SheetUnreadable(InvalidInput):
    """A spreadsheet that cannot be read as a whole (encoding, broken workbook, a limit passed): the import's
    report names it on the line where it was found (1, the header, when no line is to blame)."""

    def __init__(
        self,
        message: str,
        *,
        format: str,
        encodage: str | None = None,
        ligne: int | None = None,
        colonne: str | None = None,
    ) -> None:
        loc: list[str | int] = ["body", "fichier"]
        if ligne is not None:
            loc.append(ligne)
        if colonne is not None:
            loc.append(colonne)
        super().__init__(message, loc=loc)
        self.format, self.encodage, self.ligne, self.colonne = format, encodage, ligne, colonne


class EncodingUnreadable(SheetUnreadable):
    """A CSV file neither in UTF-8 nor in Windows-1252 (UTF-16 included)."""

    default_code = "encodage_illisible"


class FileUnreadable(SheetUnreadable):
    """A CSV line the csv module refuses, or a broken workbook."""

    default_code = "fichier_illisible"


class LineTooLong(SheetUnreadable):
    default_code = "ligne_trop_longue"


class CellTooLong(SheetUnreadable):
    default_code = "cellule_trop_longue"


class TooManyColumns(SheetUnreadable):
    default_code = "trop_de_colonnes"


class ForbiddenCharacter(SheetUnreadable):
    """A control character in a cell."""

    default_code = "caractere_interdit"


class TooManyRows(SheetUnreadable):
    default_code = "trop_de_lignes"


class RejectedLot(InvalidInput):
    """A batch refused as a whole (empty, too large, or strict with a rejected measure): nothing is written."""

    def __init__(self, report: dict, detail: list[dict] | None = None) -> None:
        self.report = report  # plain data in the shape of LotOut
        self.detail = detail or [
            {
                "type": motif["code"],
                "loc": ["body", "mesures", item["index"], *filter(None, [motif["champ"]])],
                "msg": motif["message"],
            }
            for item in report["resultats"]
            for motif in item["motifs"]
        ]
        first = self.detail[0]
        super().__init__(first["msg"], code=first["type"], loc=first["loc"])

    def content(self) -> dict:
        return {"detail": self.detail, "rapport": self.report}


class RejectedImport(InvalidInput):
    """An import with rejected lines, or a file that cannot be read: nothing is written."""

    def __init__(self, report: ImportOut, detail: list[dict] | None = None) -> None:
        self.report = report
        self.detail = detail or [
            {
                "type": error.code,
                "loc": ["body", "fichier", error.ligne, *([error.colonne] if error.colonne else [])],
                "msg": error.message,
            }
            for error in report.erreurs
        ]
        first = self.detail[0]
        super().__init__(first["msg"], code=first["type"], loc=first["loc"])

    def content(self) -> dict:
        return {"detail": self.detail, "rapport": self.report.model_dump(mode="json")}
