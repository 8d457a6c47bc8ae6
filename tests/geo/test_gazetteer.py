"""The committed reference files: the checks the foundation issue names, on the loaded gazetteer."""

import numpy as np
import shapely

from app.geo.distance import haversine_km

COMMUNES_WITHOUT_GEOMETRY = ["14581", "15031", "15035", "15047", "15171"]


def test_commune_count_is_that_of_france_and_the_drom(gazetteer):
    assert 34_700 <= len(gazetteer.communes) <= 35_000
    departements = {c.departement for c in gazetteer.communes.values()}
    assert len(departements) == 101 == len(gazetteer.departements)
    assert len(gazetteer.regions) == 18


def test_lille_is_where_it_should_be(gazetteer):
    lille = gazetteer.communes["59350"]
    assert lille.nom == "Lille" and lille.departement == "59" and lille.region == "32"
    assert float(haversine_km(lille.lat, lille.lon, 50.63, 3.06)) < 3


def test_paris_to_marseille_is_661_km(gazetteer):
    paris, marseille = gazetteer.communes["75056"], gazetteer.communes["13055"]
    assert abs(float(haversine_km(paris.lat, paris.lon, marseille.lat, marseille.lon)) - 661) <= 5


def test_every_commune_point_lies_inside_its_departement(gazetteer):
    by_departement: dict[str, list] = {}
    for commune in gazetteer.communes.values():
        by_departement.setdefault(commune.departement, []).append(commune)
    outside = []
    for code, communes in by_departement.items():
        polygon = gazetteer.departements[code].geometry
        inside = shapely.contains_xy(polygon, np.array([c.lon for c in communes]), np.array([c.lat for c in communes]))
        outside += [c.insee for c, ok in zip(communes, inside, strict=True) if not ok]
    assert outside == []


def test_communes_without_geometry_are_located_in_their_departement(gazetteer):
    for insee in COMMUNES_WITHOUT_GEOMETRY:
        commune = gazetteer.communes[insee]
        assert gazetteer.departement_at(commune.lat, commune.lon).code == commune.departement


def test_every_tribunal_resolves_to_a_departement(gazetteer):
    assert len(gazetteer.tribunaux) > 280
    for tribunal in gazetteer.tribunaux.values():
        assert tribunal.departement in gazetteer.departements, tribunal
        assert gazetteer.communes[tribunal.insee].departement == tribunal.departement
    types = {t.type for t in gazetteer.tribunaux.values()}
    assert types == {"tribunal_judiciaire", "tribunal_proximite"}


def test_tournai_is_located(gazetteer):
    (tournai,) = gazetteer.belgian_by_postcode["7500"]
    assert tournai.nis == "57081"
    assert float(haversine_km(tournai.lat, tournai.lon, 50.6056, 3.3883)) < 5
    assert 550 <= len(gazetteer.belgian) <= 600


def test_postcodes_index_every_commune(gazetteer):
    assert {c.insee for c in gazetteer.communes_by_postcode["59000"]} == {"59350"}
    assert all(c.codes_postaux for c in gazetteer.communes.values())
