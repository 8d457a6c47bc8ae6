"""The optional online geocoder, against httpx.MockTransport only (no network in tests)."""

import httpx
import pytest

from app.errors import InvalidInput
from app.geo.geocoder import AddressLocator
from app.geo.locate import GazetteerLocator
from app.geo.schemas import Residence

SEARCH_URL = "https://geocoder.test/geocodage/search"


def address_locator(gazetteer, handler) -> AddressLocator:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return AddressLocator(GazetteerLocator(gazetteer), client, SEARCH_URL)


def feature(lat, lon, score=0.9):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"score": score, "citycode": "59350", "label": "1 Place du Théâtre 59000 Lille"},
            }
        ],
    }


def test_street_address_is_located_precisely(gazetteer):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=feature(50.6372, 3.0633))

    located = address_locator(gazetteer, handler).locate(Residence(adresse="1 place du Théâtre", code_postal="59000"))
    assert located.precision == "adresse"
    assert (located.lat, located.lon) == (50.6372, 3.0633)
    assert located.departement.code == "59"
    assert seen[0].url.params["q"] == "1 place du Théâtre"
    assert seen[0].url.params["postcode"] == "59000"


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500),
        httpx.Response(200, json=feature(50.6372, 3.0633, score=0.2)),
        httpx.Response(200, text="not json"),
        httpx.Response(200, json={"features": []}),
    ],
)
def test_failures_fall_back_to_the_gazetteer(gazetteer, response):
    located = address_locator(gazetteer, lambda request: response).locate(
        Residence(adresse="1 place du Théâtre", insee="59350")
    )
    assert located.precision == "commune"
    assert located.commune.insee == "59350"


def test_a_network_error_falls_back_to_the_gazetteer(gazetteer):
    def handler(request):
        raise httpx.ConnectError("down", request=request)

    located = address_locator(gazetteer, handler).locate(Residence(adresse="1 place du Théâtre", code_postal="59000"))
    assert located.precision == "commune"


def test_an_answer_outside_france_is_rejected(gazetteer):
    locator = address_locator(gazetteer, lambda request: httpx.Response(200, json=feature(40.0, -30.0)))
    with pytest.raises(InvalidInput) as error:
        locator.locate(Residence(adresse="nowhere", code_postal="59000"), loc=["body", "residence"])
    assert error.value.loc == ["body", "residence", "adresse"]


def test_belgian_residences_never_call_the_geocoder(gazetteer):
    def handler(request):
        raise AssertionError("the geocoder must not be called")

    assert address_locator(gazetteer, handler).locate(Residence(pays="BE", code_postal="7500")).pays == "BE"


def test_the_app_uses_the_geocoder_only_when_configured(client):
    assert client.app.state.locator.__class__.__name__ == "GazetteerLocator"
