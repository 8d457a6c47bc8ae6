"""One label per code: every member of every vocabulary a person reads has its French label in app/labels.py."""

from enum import StrEnum

import pytest

from app import labels
from app.auth.constants import Role
from app.designation.constants import Famille, ReservationStatut
from app.registry.constants import (
    CategorieEtablissement,
    CauseSortie,
    CodeLangue,
    LieuVie,
    MandataireStatut,
    MandataireType,
    MesureStatut,
    MotifAbsence,
    Nature,
    Specialite,
)
from app.transfer.constants import Decision, MotifTransfert, StatutTransfert

VOCABULARIES: list[tuple[type[StrEnum], dict[str, str]]] = [
    (MandataireType, labels.TYPES_MANDATAIRE),
    (MandataireStatut, labels.STATUTS_MANDATAIRE),
    (Nature, labels.NATURES),
    (LieuVie, labels.LIEUX_VIE),
    (MesureStatut, labels.STATUTS_MESURE),
    (CauseSortie, labels.CAUSES_SORTIE),
    (Specialite, labels.SPECIALITES),
    (CodeLangue, labels.LANGUES),
    (MotifAbsence, labels.MOTIFS_ABSENCE),
    (CategorieEtablissement, labels.CATEGORIES_ETABLISSEMENT),
    (Role, labels.ROLES),
    (Famille, labels.FAMILLES),
    (ReservationStatut, labels.STATUTS_RESERVATION),
    (ReservationStatut, labels.STATUTS_RESERVATION_DEJA),
    (MotifTransfert, labels.MOTIFS_TRANSFERT),
    (StatutTransfert, labels.STATUTS_TRANSFERT),
    (Decision, labels.DECISIONS_TRANSFERT),
]


@pytest.mark.parametrize(("enum", "vocabulary"), VOCABULARIES, ids=lambda v: getattr(v, "__name__", ""))
def test_every_code_has_exactly_one_label(enum, vocabulary):
    assert set(vocabulary) == {member.value for member in enum}
    assert all(label.strip() and "_" not in label for label in vocabulary.values())
    assert labels.for_enum(enum, vocabulary)[next(iter(enum))] == vocabulary[next(iter(enum)).value]


def test_a_member_without_a_label_is_refused_at_import():
    class Nouvelle(StrEnum):
        TUTELLE = "tutelle"
        INCONNUE = "inconnue"

    with pytest.raises(KeyError, match="inconnue"):
        labels.for_enum(Nouvelle, labels.NATURES)


def test_label_and_elision():
    assert labels.label(labels.NATURES, "curatelle_renforcee") == "Curatelle renforcée"
    assert labels.label(labels.NATURES, "nouveau_code") == "nouveau_code" and labels.label(labels.NATURES, None) == "–"
    assert labels.elide("accepter", "de") == "d'accepter" and labels.elide("refuser", "de") == "de refuser"
    assert labels.elide("EHPAD", "le") == "l'EHPAD"
