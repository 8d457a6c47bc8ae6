"""Vendors registered by administrators, the access they hold for professionals, and the log of their calls.

Plain functions in the caller's transaction. Secrets (client secret, tokens) are stored as HMAC-SHA256 under
`TOKEN_SECRET`, like API tokens; a client secret is returned once, at creation or renewal."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.auth.constants import Role
from app.auth.exceptions import NotAuthenticated
from app.auth.principal import Principal
from app.auth.service import hash_token
from app.database import rowcount
from app.registry.service import check_version, keep_by_editor
from app.vendors.exceptions import AutorisationNotFound, EditeurNameTaken, EditeurNotFound
from app.vendors.models import Editeur, EditeurAppel, EditeurCode, EditeurJeton
from app.vendors.schemas import AutorisationOut, EditeurCreate, EditeurUpdate


@dataclass(frozen=True)
class EditorCall:
    """A vendor's call, authenticated by its access token: the vendor and the professional it acts for, who is the
    request's principal (role mandataire, their own record only)."""

    editor_id: int
    mandataire_id: int
    principal: Principal


# --- administrators ---------------------------------------------------------------------------------------------


def _new_secret(editeur: Editeur, secret_key: str) -> str:
    secret = secrets.token_urlsafe(32)
    editeur.secret_hash = hash_token(secret, secret_key)
    return secret


def _check_unique_name(session: Session, nom: str, editeur_id: int | None = None) -> None:
    query = select(Editeur.id).where(func.lower(Editeur.nom) == nom.lower())
    if editeur_id is not None:
        query = query.where(Editeur.id != editeur_id)
    if session.scalar(query) is not None:
        raise EditeurNameTaken(f"un éditeur porte déjà ce nom : {nom}", loc=["body", "nom"])


def create_editeur(session: Session, *, secret_key: str, payload: EditeurCreate) -> tuple[Editeur, str]:
    """Register a vendor; returns it and its client secret (shown once)."""
    _check_unique_name(session, payload.nom)
    editeur = Editeur(nom=payload.nom, redirect_uris=list(dict.fromkeys(payload.redirect_uris)), actif=True)
    secret = _new_secret(editeur, secret_key)
    session.add(editeur)
    session.flush()
    return editeur, secret


def get_editeur(session: Session, editeur_id: int) -> Editeur:
    editeur = session.get(Editeur, editeur_id)
    if editeur is None:
        raise EditeurNotFound(f"éditeur inconnu : {editeur_id}", loc=["path", "editeur_id"])
    return editeur


def list_editeurs(session: Session, *, limit: int, offset: int) -> tuple[int, list[Editeur]]:
    total = session.scalar(select(func.count()).select_from(Editeur)) or 0
    items = session.scalars(select(Editeur).order_by(Editeur.id).limit(limit).offset(offset))
    return total, list(items)


def update_editeur(session: Session, *, editeur: Editeur, payload: EditeurUpdate, now: datetime) -> Editeur:
    """Rename, change the redirect URIs, or disable a vendor (its tokens are then refused; enabling it again
    does not bring them back)."""
    check_version(editeur.version, payload.version)
    if payload.nom is not None and payload.nom != editeur.nom:
        _check_unique_name(session, payload.nom, editeur.id)
        editeur.nom = payload.nom
    if payload.redirect_uris is not None:
        editeur.redirect_uris = list(dict.fromkeys(payload.redirect_uris))
    if payload.actif is not None and payload.actif != editeur.actif:
        editeur.actif = payload.actif
        if not payload.actif:
            _revoke(session, now, EditeurJeton.editeur_id == editeur.id)
    session.flush()
    return editeur


def renew_secret(session: Session, *, secret_key: str, editeur: Editeur) -> str:
    """A new client secret (the old one stops working at once); tokens already issued stay valid."""
    secret = _new_secret(editeur, secret_key)
    session.flush()
    return secret


def list_appels(
    session: Session,
    *,
    editeur_id: int,
    mandataire_id: int | None,
    statut: int | None,
    depuis: datetime | None,
    limit: int,
    offset: int,
) -> tuple[int, list[EditeurAppel]]:
    """A vendor's calls, the latest first."""
    query = select(EditeurAppel).where(EditeurAppel.editeur_id == editeur_id)
    if mandataire_id is not None:
        query = query.where(EditeurAppel.mandataire_id == mandataire_id)
    if statut is not None:
        query = query.where(EditeurAppel.statut == statut)
    if depuis is not None:
        query = query.where(EditeurAppel.created_at >= depuis)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(EditeurAppel.created_at.desc(), EditeurAppel.id.desc()).limit(limit).offset(offset)
    )
    return total, list(rows)


# --- professionals ----------------------------------------------------------------------------------------------


def _revoke(session: Session, now: datetime, *conditions) -> int:
    return rowcount(
        session.execute(
            update(EditeurJeton).where(EditeurJeton.revoked_at.is_(None), *conditions).values(revoked_at=now)
        )
    )


def list_autorisations(session: Session, *, mandataire_id: int, now: datetime) -> list[AutorisationOut]:
    """The vendors holding a valid access or refresh token for the professional."""
    rows = session.execute(
        select(Editeur.id, Editeur.nom, EditeurJeton.created_at, EditeurJeton.expires_at)
        .join(Editeur, Editeur.id == EditeurJeton.editeur_id)
        .where(
            EditeurJeton.mandataire_id == mandataire_id,
            EditeurJeton.revoked_at.is_(None),
            Editeur.actif.is_(True),
            (EditeurJeton.expires_at > now) | (EditeurJeton.refresh_expires_at > now),
        )
        .order_by(Editeur.nom, EditeurJeton.created_at.desc())
    )
    seen: dict[int, AutorisationOut] = {}
    for editeur_id, nom, created_at, expires_at in rows:
        seen.setdefault(
            editeur_id,
            AutorisationOut(editeur_id=editeur_id, nom=nom, accordee_le=created_at, acces_expire_le=expires_at),
        )
    return list(seen.values())


def revoke_autorisation(session: Session, *, mandataire_id: int, editeur_id: int, now: datetime) -> None:
    """The professional withdraws a vendor's access: every token of the pair is revoked at once (404 when the
    vendor holds none), and the vendor no longer keeps the professional's measures."""
    revoked = _revoke(session, now, EditeurJeton.mandataire_id == mandataire_id, EditeurJeton.editeur_id == editeur_id)
    if not revoked:
        raise AutorisationNotFound(
            f"aucun accès en cours pour l'éditeur {editeur_id}",
            loc=["path", "editeur_id"],
        )
    # The vendor no longer keeps the professional's measures: they are declared by hand again (those it sent stay
    # locked, each its own `editor_id`).
    keep_by_editor(session, mandataire_id=mandataire_id, editor_id=None, only_from=editeur_id)


# --- vendors' calls ---------------------------------------------------------------------------------------------


def authenticate_access_token(session: Session, *, secret_key: str, token: str, now: datetime) -> EditorCall:
    """The vendor and professional of a valid access token; NotAuthenticated (401) for an unknown, expired or
    revoked token, or a disabled vendor."""
    row = session.execute(
        select(EditeurJeton.editeur_id, EditeurJeton.mandataire_id, EditeurJeton.expires_at, EditeurJeton.revoked_at)
        .join(Editeur, Editeur.id == EditeurJeton.editeur_id)
        .where(EditeurJeton.access_hash == hash_token(token, secret_key), Editeur.actif.is_(True))
    ).first()
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated("jeton d'accès inconnu ou révoqué")
    if row.expires_at <= now:
        raise NotAuthenticated("jeton d'accès expiré : renouvelez-le avec le jeton de rafraîchissement")
    principal = Principal(
        token_id=None,
        role=Role.MANDATAIRE,
        departements=frozenset(),
        mandataire_id=row.mandataire_id,
        editor_id=row.editeur_id,
    )
    return EditorCall(editor_id=row.editeur_id, mandataire_id=row.mandataire_id, principal=principal)


def record_call(
    session: Session, *, call: EditorCall, method: str, route: str, status: int, duration_ms: int, now: datetime
) -> None:
    session.add(
        EditeurAppel(
            editeur_id=call.editor_id,
            mandataire_id=call.mandataire_id,
            methode=method[:10],
            route=route[:200],
            statut=status,
            duree_ms=duration_ms,
            created_at=now,
        )
    )


def purge(session: Session, *, now: datetime, retention_days: int) -> int:
    """Apply the audit retention to the call log, and forget codes and tokens that can no longer be used;
    returns the number of calls deleted."""
    cutoff = now - timedelta(days=retention_days)
    calls = rowcount(session.execute(delete(EditeurAppel).where(EditeurAppel.created_at < cutoff)))
    session.execute(
        delete(EditeurJeton).where(
            EditeurJeton.created_at < cutoff,
            (EditeurJeton.revoked_at.is_not(None))
            | (func.coalesce(EditeurJeton.refresh_expires_at, EditeurJeton.expires_at) < now),
        )
    )
    session.execute(delete(EditeurCode).where(EditeurCode.expires_at < cutoff))
    return calls
