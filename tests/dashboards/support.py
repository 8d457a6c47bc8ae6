"""Helpers of the dashboard tests that build data through the API."""

from app.database import utcnow

LILLE_TJ = "17590111500709"
LILLE = "59350"


def answered_reservations(client, *, judge: dict, pro: dict, mandataire_id: int, serie: str) -> list[int]:
    """Three reservations of a professional from one match at Lille's tribunal: the first accepted today, the second
    refused, the third left waiting. Their ids; `serie` tells their RG numbers apart (`26/<serie><n>`)."""
    match = client.post(
        "/match",
        headers=judge,
        json={"tribunal": LILLE_TJ, "nature": "tutelle", "residence": {"insee": LILLE}, "lieu_vie": "domicile"},
    )
    assert match.status_code == 200, match.text
    ids = []
    for number in range(3):
        response = client.post(
            "/reservations",
            headers=judge,
            json={
                "match_id": match.json()["match_id"],
                "mandataire": mandataire_id,
                "numero_rg": f"26/{serie}{number}",
                "famille": {"statut": "aucun_proche_disponible"},
            },
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    today = str(utcnow().date())
    accepted = client.post(f"/reservations/{ids[0]}/acceptation", headers=pro, json={"date_nomination": today})
    assert accepted.status_code == 200, accepted.text
    refused = client.post(f"/reservations/{ids[1]}/refus", headers=pro, json={"motif": "Conflit d'intérêts"})
    assert refused.status_code == 200, refused.text
    return ids
