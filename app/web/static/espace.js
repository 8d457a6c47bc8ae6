/* mjpm-match : l'espace professionnel. Chaque page appelle l'API JSON (cookie de session, en-tête anti-CSRF sur
   les écritures, voir commun.js) ; la page courante est donnée par #espace-donnees. */
(function () {
  "use strict";

  var MJPM = window.MJPM;
  var el = MJPM.el;
  var L = MJPM.libelles;
  var donnees = JSON.parse(document.getElementById("espace-donnees").textContent);
  var ID = donnees.mandataire;
  var message = document.getElementById("message");

  function dire(texte, erreur) {
    message.textContent = texte;
    message.className = "message fr-alert fr-alert--sm " + (erreur ? "fr-alert--error" : "fr-alert--success");
    if (!texte) message.className = "message";
  }

  function libelle(famille, code) {
    return (L[famille] && L[famille][code]) || code || "–";
  }

  function faits(dl, paires) {
    dl.textContent = "";
    paires.forEach(function (p) {
      dl.appendChild(el("dt", { texte: p[0] }));
      dl.appendChild(el("dd", { texte: p[1] === null || p[1] === undefined || p[1] === "" ? "–" : String(p[1]) }));
    });
  }

  function tableau(legende, entetes, lignes) {
    return el("div", { class: "fr-table" }, [
      el("table", {}, [
        el("caption", { texte: legende }),
        el("thead", {}, [el("tr", {}, entetes.map(function (t) { return el("th", { scope: "col", texte: t }); }))]),
        el("tbody", {}, lignes),
      ]),
    ]);
  }

  function cellules(valeurs) {
    return el("tr", {}, valeurs.map(function (v) {
      return v instanceof Node ? el("td", {}, [v]) : el("td", { texte: v === null || v === undefined ? "–" : String(v) });
    }));
  }

  function avertissements(liste) {
    var zone = document.getElementById("avertissements");
    if (!zone) return;
    zone.textContent = "";
    (liste || []).forEach(function (a) {
      zone.appendChild(el("div", { class: "fr-alert fr-alert--warning fr-alert--sm" }, [el("p", { texte: a.message })]));
    });
  }

  /** Le nombre de réservations en attente, sur chaque page de l'espace. */
  function compteur(nombre) {
    Array.prototype.forEach.call(document.querySelectorAll(".compteur-attente"), function (b) {
      b.textContent = nombre + " en attente";
    });
    var rappel = document.getElementById("rappel-attente");
    rappel.hidden = nombre === 0;
    rappel.querySelector(".compteur-texte").textContent =
      nombre + (nombre === 1 ? " réservation attend votre réponse" : " réservations attendent votre réponse");
  }

  function rafraichirCompteur() {
    return MJPM.api("/mandataires/" + ID + "/reservations?statut=en_attente").then(function (liste) {
      compteur(liste.length);
    });
  }

  function moi() {
    return MJPM.api("/mandataires/moi");
  }

  // --- profil ---------------------------------------------------------------------------------------------

  function sites(m) {
    return tableau("Sites et antennes", ["Nom", "Commune", "Capacité propre", "Mesures en cours", "Places libres"],
      m.sites.map(function (s) {
        return cellules([s.nom, s.commune + " (" + s.departement + ")", s.capacite === null ? "–" : MJPM.nombre(s.capacite, 0),
          MJPM.nombre(s.mesures_en_cours, 0), s.places_libres === null ? "–" : MJPM.nombre(s.places_libres, 0)]);
      }));
  }

  function profil() {
    moi().then(function (m) {
      avertissements(m.avertissements);
      faits(document.getElementById("identite"), [
        ["Nom", m.nom],
        ["Type", libelle("types", m.type) + (m.dpf ? " (délégué aux prestations familiales)" : "")],
        ["SIRET", m.siret],
        ["Courriel", m.email],
        ["Téléphone", m.telephone],
        ["Natures de mesures", m.natures.map(function (n) { return libelle("natures", n); }).join(", ")],
        ["Départements", m.departements.join(", ")],
        ["Tribunaux", m.tribunaux.map(function (t) { return t.nom; }).join(", ") || "tous ceux de ses départements"],
        ["Établissements couverts", m.etablissements.map(function (e) { return e.nom; }).join(", ")],
      ]);
      faits(document.getElementById("charge"), [
        ["Capacité déclarée", MJPM.nombre(m.capacite, 0)],
        ["Mesures en cours", MJPM.nombre(m.mesures_en_cours, 0)],
        ["Mesures en attente", MJPM.nombre(m.mesures_en_attente, 0)],
        ["Places libres", m.places_libres === null ? "–" : MJPM.nombre(m.places_libres, 0)],
        ["Taux d'occupation", MJPM.pourcent(m.taux_occupation)],
        ["Nouvelles mesures", m.accepte_nouvelles_mesures ? "acceptées"
          : "refusées pour le moment" + (m.motif_nouvelles_mesures ? " : " + m.motif_nouvelles_mesures : "")],
      ]);
      document.getElementById("fraicheur").textContent = MJPM.date(m.derniere_mise_a_jour);
      var zone = document.getElementById("sites");
      zone.textContent = "";
      zone.appendChild(m.sites.length ? sites(m) : el("p", { texte: "Aucun site déclaré." }));
    }).catch(function (e) { dire(e.message, true); });
  }

  // --- disponibilités et absences ----------------------------------------------------------------------------

  var courant = null; // la fiche lue (sa version sert aux écritures)

  function remplirDisponibilite(m) {
    courant = m;
    avertissements(m.avertissements);
    var f = document.getElementById("disponibilite");
    f.capacite.value = m.capacite;
    f.rayon_km.value = m.rayon_km === null ? "" : m.rayon_km;
    f.langues.value = m.langues.join(", ");
    f.accepte.checked = m.accepte_nouvelles_mesures;
    f.motif_nouvelles_mesures.value = m.motif_nouvelles_mesures || "";
    Array.prototype.forEach.call(f.querySelectorAll("input[name=specialites]"), function (c) {
      c.checked = m.specialites.indexOf(c.value) >= 0;
    });
    var champs = document.getElementById("antennes-champs");
    champs.textContent = "";
    document.getElementById("antennes").hidden = !m.sites.length;
    m.sites.forEach(function (s) {
      var id = "antenne-" + s.id;
      champs.appendChild(el("div", { class: "fr-input-group fr-col-12 fr-col-md-4" }, [
        el("label", { class: "fr-label", for: id, texte: s.nom + " (" + s.commune + ")" }),
        el("input", { class: "fr-input antenne-capacite", id: id, type: "number", min: 0, max: 20000, step: 1,
          inputmode: "numeric", "data-site": s.id, value: s.capacite === null ? "" : s.capacite }),
      ]));
    });
    var zone = document.getElementById("absences");
    zone.textContent = "";
    if (!m.absences.length) {
      zone.appendChild(el("p", { texte: "Aucune absence déclarée." }));
      return;
    }
    zone.appendChild(tableau("Absences déclarées", ["Du", "Au", "Motif", "Actions"], m.absences.map(function (a) {
      var modifier = el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary",
        texte: "Modifier", "aria-label": "Modifier l'absence du " + MJPM.date(a.debut) });
      modifier.addEventListener("click", function () { editerAbsence(a); });
      var supprimer = el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--tertiary",
        texte: "Supprimer", "aria-label": "Supprimer l'absence du " + MJPM.date(a.debut) });
      supprimer.addEventListener("click", function () {
        ecrire({ absences: { supprimer: [a.id] } }, "Absence supprimée.");
      });
      return cellules([MJPM.date(a.debut), MJPM.date(a.fin), libelle("motifs_absence", a.motif),
        el("div", { class: "actions" }, [modifier, supprimer])]);
    })));
  }

  function ecrire(changements, succes) {
    var corps = Object.assign({ version: courant.version }, changements);
    return MJPM.api("/mandataires/" + ID + "/disponibilite", { method: "PATCH", json: corps }).then(function (m) {
      remplirDisponibilite(m);
      dire(succes + (m.avertissements.length ? " Voyez les avertissements." : ""));
      return m;
    }).catch(function (e) {
      dire(e.message, true);
      throw e;
    });
  }

  function viderAbsence() {
    var f = document.getElementById("absence");
    f.reset();
    f.elements.id.value = "";
    document.getElementById("titre-absence").textContent = "Déclarer une absence";
    document.getElementById("absence-envoyer").textContent = "Déclarer l'absence";
    document.getElementById("absence-annuler").hidden = true;
  }

  function editerAbsence(a) {
    var f = document.getElementById("absence");
    f.elements.id.value = a.id;
    f.debut.value = a.debut;
    f.fin.value = a.fin;
    f.motif.value = a.motif;
    document.getElementById("titre-absence").textContent = "Modifier l'absence du " + MJPM.date(a.debut);
    document.getElementById("absence-envoyer").textContent = "Enregistrer la modification";
    document.getElementById("absence-annuler").hidden = false;
    f.debut.focus();
  }

  function disponibilites() {
    var f = document.getElementById("disponibilite");
    f.addEventListener("submit", function (evenement) {
      evenement.preventDefault();
      if (f.capacite.value === "") {
        dire("Indiquez votre capacité (capacite).", true);
        f.capacite.focus();
        return;
      }
      var antennes = Array.prototype.map.call(f.querySelectorAll(".antenne-capacite"), function (c) {
        return { id: Number(c.getAttribute("data-site")), capacite: c.value === "" ? null : Number(c.value) };
      });
      var changements = {
        capacite: Number(f.capacite.value),
        accepte_nouvelles_mesures: f.accepte.checked,
        rayon_km: f.rayon_km.value === "" ? null : Number(f.rayon_km.value),
        langues: f.langues.value.split(",").map(function (l) { return l.trim(); }).filter(Boolean),
        specialites: Array.prototype.filter.call(f.querySelectorAll("input[name=specialites]"), function (c) {
          return c.checked;
        }).map(function (c) { return c.value; }),
      };
      if (antennes.length) changements.antennes = antennes;
      if (!f.accepte.checked) changements.motif_nouvelles_mesures = f.motif_nouvelles_mesures.value.trim() || null;
      ecrire(changements, "Disponibilité enregistrée.").catch(function () {});
    });
    var a = document.getElementById("absence");
    a.addEventListener("submit", function (evenement) {
      evenement.preventDefault();
      if (!a.debut.value || !a.fin.value) {
        dire("Indiquez le premier et le dernier jour de l'absence.", true);
        (a.debut.value ? a.fin : a.debut).focus();
        return;
      }
      var valeurs = { debut: a.debut.value, fin: a.fin.value, motif: a.motif.value };
      var id = a.elements.id.value;
      var operation = id ? { modifier: [Object.assign({ id: Number(id) }, valeurs)] } : { ajouter: [valeurs] };
      ecrire({ absences: operation }, id ? "Absence modifiée." : "Absence déclarée.").then(viderAbsence).catch(function () {});
    });
    document.getElementById("absence-annuler").addEventListener("click", viderAbsence);
    moi().then(remplirDisponibilite).catch(function (e) { dire(e.message, true); });
  }

  // --- réservations ----------------------------------------------------------------------------------------

  var aujourdhui = new Date().toISOString().slice(0, 10);

  function carteReservation(r) {
    var titreId = "reservation-" + r.id;
    var details = el("dl", { class: "faits" });
    faits(details, [
      ["Tribunal", r.tribunal.nom],
      ["Numéro RG", r.numero_rg],
      ["Nature", libelle("natures", r.nature)],
      ["Cabinet", r.cabinet],
      ["Jugement prévu", MJPM.date(r.date_jugement_prevue)],
      ["Urgence", r.urgence ? "oui" : "non"],
      ["Réservée le", MJPM.date(r.created_at)],
      ["Expire le", MJPM.date(r.expires_at)],
      ["État", libelle("statuts", r.statut)],
    ]);
    var enfants = [
      el("h2", { id: titreId, class: "fr-h5", texte: "Réservation n° " + r.id + " · " + libelle("natures", r.nature) }),
      details,
    ];
    if (r.hors_liste) enfants.push(el("p", { texte: "Réservée hors de la liste proposée : " + (r.justification || "") }));
    if (r.motif_refus) enfants.push(el("p", { texte: "Motif du refus : " + r.motif_refus }));
    if (r.statut === "en_attente") {
      var idDate = "date-" + r.id, idMotif = "motif-" + r.id;
      var accepter = el("form", { class: "reponse accepter", novalidate: true, "aria-label": "Accepter la réservation n° " + r.id }, [
        el("div", { class: "fr-input-group" }, [
          el("label", { class: "fr-label", for: idDate, texte: "Date du jugement de nomination" }),
          el("input", { class: "fr-input", id: idDate, name: "date_nomination", type: "date", value: aujourdhui, required: true }),
        ]),
        el("button", { class: "fr-btn", type: "submit", texte: "Accepter la réservation n° " + r.id }),
      ]);
      accepter.addEventListener("submit", function (evenement) {
        evenement.preventDefault();
        MJPM.api("/reservations/" + r.id + "/acceptation", {
          method: "POST", json: { date_nomination: accepter.date_nomination.value },
        }).then(function () {
          dire("Réservation n° " + r.id + " acceptée : la mesure est en cours.");
          recharger();
        }).catch(function (e) { dire(e.message, true); });
      });
      var refuser = el("form", { class: "reponse refuser", novalidate: true, "aria-label": "Refuser la réservation n° " + r.id }, [
        el("div", { class: "fr-input-group" }, [
          el("label", { class: "fr-label", for: idMotif, texte: "Motif du refus (transmis au tribunal)" }),
          el("textarea", { class: "fr-input", id: idMotif, name: "motif", rows: 2, maxlength: 1000, required: true }),
        ]),
        el("button", { class: "fr-btn fr-btn--secondary", type: "submit", texte: "Refuser la réservation n° " + r.id }),
      ]);
      refuser.addEventListener("submit", function (evenement) {
        evenement.preventDefault();
        var motif = refuser.motif.value.trim();
        if (!motif) {
          dire("Donnez le motif du refus : il est transmis au tribunal.", true);
          refuser.motif.setAttribute("aria-invalid", "true");
          refuser.motif.focus();
          return;
        }
        MJPM.api("/reservations/" + r.id + "/refus", { method: "POST", json: { motif: motif } }).then(function () {
          dire("Réservation n° " + r.id + " refusée ; le tribunal est prévenu et la place est libérée.");
          recharger();
        }).catch(function (e) { dire(e.message, true); });
      });
      enfants.push(el("div", { class: "reponses" }, [accepter, refuser]));
    }
    return el("article", { class: "bloc reservation", "aria-labelledby": titreId }, enfants);
  }

  var demande = 0; // la dernière liste demandée : une réponse plus ancienne arrivée après elle est ignorée

  function recharger() {
    var statut = document.getElementById("statut-reservation").value;
    var zone = document.getElementById("reservations");
    var numero = ++demande;
    rafraichirCompteur().catch(function () {});
    return MJPM.api("/mandataires/" + ID + "/reservations" + (statut ? "?statut=" + statut : "")).then(function (liste) {
      if (numero !== demande) return;
      zone.textContent = "";
      if (!liste.length) {
        zone.appendChild(el("p", { texte: statut === "en_attente" ? "Aucune réservation n'attend votre réponse." : "Aucune réservation." }));
        return;
      }
      liste.forEach(function (r) { zone.appendChild(carteReservation(r)); });
    }).catch(function (e) { dire(e.message, true); });
  }

  function reservations() {
    document.getElementById("statut-reservation").addEventListener("change", recharger);
    document.getElementById("filtre-reservations").addEventListener("submit", function (e) { e.preventDefault(); recharger(); });
    recharger();
  }

  // --- mesures -----------------------------------------------------------------------------------------------

  var PAR_PAGE = 50;
  var decalage = 0;

  function filtresMesures() {
    var f = document.getElementById("filtres-mesures");
    var p = new URLSearchParams();
    p.set("mandataire", ID);
    ["q", "statut", "nature", "pays"].forEach(function (nom) {
      var valeur = f.elements[nom].value.trim();
      if (valeur) p.set(nom, valeur);
    });
    return p;
  }

  function chargerMesures() {
    var p = filtresMesures();
    var exports = document.getElementById("exports-mesures");
    exports.textContent = "";
    exports.appendChild(document.createTextNode("Télécharger ces mesures : "));
    exports.appendChild(el("a", { href: "/mesures.csv?" + p.toString(), texte: "CSV", download: true }));
    exports.appendChild(document.createTextNode(" · "));
    exports.appendChild(el("a", { href: "/mesures.xlsx?" + p.toString(), texte: "XLSX (Excel)", download: true }));
    p.set("limit", PAR_PAGE);
    p.set("offset", decalage);
    var zone = document.getElementById("mesures");
    var numero = ++demande;
    return MJPM.api("/mesures?" + p.toString()).then(function (page) {
      if (numero !== demande) return;
      zone.textContent = "";
      var pagination = document.getElementById("pagination");
      if (!page.items.length) {
        zone.appendChild(el("p", { texte: "Aucune mesure ne correspond à ces critères." }));
        pagination.hidden = true;
        return;
      }
      var legende = MJPM.nombre(page.total, 0) + " mesure(s) ; " + (decalage + 1) + " à " + (decalage + page.items.length) + " affichées";
      zone.appendChild(tableau(legende, ["Numéro RG", "Tribunal", "Nature", "Lieu de vie", "Résidence", "Nomination", "État"],
        page.items.map(function (m) {
          var residence = m.commune ? m.commune + (m.code_postal ? " (" + m.code_postal + ")" : "") : (m.code_postal || "–");
          if (m.pays === "BE") residence += ", Belgique";
          return cellules([m.numero_rg, m.tribunal.nom, libelle("natures", m.nature), libelle("lieux_vie", m.lieu_vie),
            residence, MJPM.date(m.date_nomination), libelle("statuts_mesure", m.statut)]);
        })));
      pagination.hidden = page.total <= PAR_PAGE;
      document.getElementById("page-courante").textContent =
        "Page " + (Math.floor(decalage / PAR_PAGE) + 1) + " sur " + Math.ceil(page.total / PAR_PAGE);
      document.getElementById("page-precedente").disabled = decalage === 0;
      document.getElementById("page-suivante").disabled = decalage + PAR_PAGE >= page.total;
    }).catch(function (e) { dire(e.message, true); });
  }

  function mesures() {
    document.getElementById("filtres-mesures").addEventListener("submit", function (e) {
      e.preventDefault();
      decalage = 0;
      chargerMesures();
    });
    document.getElementById("page-precedente").addEventListener("click", function () {
      decalage = Math.max(0, decalage - PAR_PAGE);
      chargerMesures();
    });
    document.getElementById("page-suivante").addEventListener("click", function () {
      decalage += PAR_PAGE;
      chargerMesures();
    });
    chargerMesures();
  }

  // --- import ------------------------------------------------------------------------------------------------

  function rapport(r, essai) {
    var zone = document.getElementById("rapport-contenu");
    zone.textContent = "";
    var bilan;
    if (r.rejected) {
      bilan = el("div", { class: "fr-alert fr-alert--error" }, [el("p", {
        texte: r.rejected + " ligne(s) rejetée(s) sur " + r.lignes + " : rien n'a été enregistré. Corrigez-les puis recommencez.",
      })]);
    } else {
      bilan = el("div", { class: "fr-alert fr-alert--success" }, [el("p", {
        texte: (essai ? "Fichier valide, rien n'a été enregistré (vérification) : " : "Import enregistré : ") +
          r.created + " mesure(s) créée(s), " + r.updated + " modifiée(s), " + r.unchanged + " inchangée(s) sur " + r.lignes + " ligne(s).",
      })]);
    }
    zone.appendChild(bilan);
    zone.appendChild(el("p", { texte: "Fichier « " + r.fichier + " » (" + r.format.toUpperCase() + (r.encodage ? ", " + r.encodage : "") + ")." }));
    function lignes(liste, legende) {
      if (!liste.length) return;
      zone.appendChild(tableau(legende, ["Ligne", "Colonne", "Motif"], liste.map(function (e) {
        return cellules([e.ligne, e.colonne || "–", e.message]);
      })));
    }
    lignes(r.erreurs, "Lignes rejetées");
    lignes(r.avertissements, "Avertissements");
    var section = document.getElementById("rapport");
    section.hidden = false;
    document.getElementById("titre-rapport").focus();
  }

  function importer() {
    var f = document.getElementById("import");
    var mode = "essai";
    Array.prototype.forEach.call(f.querySelectorAll("button[name=mode]"), function (b) {
      b.addEventListener("click", function () { mode = b.value; });
    });
    f.addEventListener("submit", function (evenement) {
      evenement.preventDefault();
      if (evenement.submitter && evenement.submitter.value) mode = evenement.submitter.value;
      var fichier = f.fichier.files[0];
      if (!fichier) {
        dire("Choisissez un fichier CSV ou XLSX.", true);
        f.fichier.focus();
        return;
      }
      var essai = mode !== "import";
      var corps = new FormData();
      corps.append("fichier", fichier);
      dire(essai ? "Vérification du fichier…" : "Import en cours…");
      fetch("/mesures/import" + (essai ? "?dry_run=true" : ""), {
        method: "POST", body: corps, credentials: "same-origin",
        headers: { Accept: "application/json", "X-Requested-With": "mjpm" },
      }).then(function (reponse) {
        return reponse.json().catch(function () { return null; }).then(function (json) {
          if (json && (json.rapport || reponse.ok)) {
            var r = json.rapport || json;
            dire(r.rejected ? "Le fichier a des lignes rejetées : voyez le rapport." : essai ? "Fichier vérifié." : "Import enregistré.", Boolean(r.rejected));
            rapport(r, essai);
            return;
          }
          var detail = json && json.detail ? json.detail.map(function (d) { return d.msg; }).join(" ; ") : "Erreur " + reponse.status;
          dire(detail, true);
        });
      }).catch(function (e) { dire(e.message, true); });
    });
  }

  // --- carte -------------------------------------------------------------------------------------------------

  function carte() {
    Promise.all([MJPM.api("/mandataires/" + ID + "/carte"), MJPM.chargerDepartements().catch(function () { return null; })])
      .then(function (res) {
        var c = res[0];
        var zone = document.getElementById("communes");
        zone.textContent = "";
        if (!c.communes.length) {
          zone.appendChild(el("p", { texte: "Aucune mesure en cours ou en attente." }));
          return;
        }
        var points = c.communes.map(function (k) {
          return { lat: k.lat, lon: k.lon, effectif: k.mesures, nom: k.commune + " : " + k.mesures + " mesure(s)" };
        });
        MJPM.dessinerZone(document.getElementById("carte-mesures"), res[1], points, { effectifs: true });
        zone.appendChild(tableau("Mesures en cours et en attente par commune de résidence", ["Commune", "Département", "Pays", "Mesures"],
          c.communes.map(function (k) {
            return cellules([k.commune, k.departement || "–", k.pays === "BE" ? "Belgique" : "France", MJPM.nombre(k.mesures, 0)]);
          })));
        if (c.sans_position) {
          zone.appendChild(el("p", { class: "fr-text--sm", texte: c.sans_position + " mesure(s) sans commune connue ne figurent pas sur la carte." }));
        }
      }).catch(function (e) { dire(e.message, true); });
  }

  // --- service -----------------------------------------------------------------------------------------------

  function service() {
    moi().then(function (m) {
      var zone = document.getElementById("antennes-service");
      zone.textContent = "";
      zone.appendChild(m.sites.length ? sites(m) : el("p", { texte: "Aucune antenne déclarée." }));
      return MJPM.api("/mandataires/" + m.id + "/comptes").then(function (personnes) {
        var membres = document.getElementById("membres");
        membres.textContent = "";
        if (!personnes.length) {
          membres.appendChild(el("p", { texte: "Aucun compte n'agit encore pour le service : demandez-en à votre DREETS ou DDETS." }));
          return;
        }
        var ETATS = { invite: "Invité", actif: "Actif", desactive: "Désactivé" };
        membres.appendChild(MJPM.enveloppeTableau(el("table", {}, [
          el("caption", { texte: personnes.length + " personne(s) agissent pour le service" }),
          el("thead", {}, [el("tr", {}, ["Nom", "Adresse électronique", "État du compte", "Dernière connexion"]
            .map(function (t) { return el("th", { scope: "col", texte: t }); }))]),
          el("tbody", {}, personnes.map(function (p) {
            return el("tr", {}, [
              el("th", { scope: "row", texte: p.prenom + " " + p.nom }),
              el("td", { texte: p.email }),
              el("td", { texte: ETATS[p.etat] || p.etat }),
              el("td", { texte: p.derniere_connexion_at ? MJPM.date(p.derniere_connexion_at) : "jamais" }),
            ]);
          })),
        ]), { petit: true }));
      });
    }).catch(function (e) { dire(e.message, true); });
  }

  // --- effectifs (ETP) par année ------------------------------------------------------------------------------

  // Le champ du formulaire de chaque partie de la requête que l'API peut refuser.
  var CHAMPS_ETP = { annee: "etp-annee", etp: "etp-valeur" };

  function erreurChamp(id, texte) {
    var champ = document.getElementById(id);
    var erreur = document.getElementById("erreur-" + id);
    var aide = "aide-" + id;
    erreur.textContent = texte || "";
    erreur.hidden = !texte;
    champ.classList.toggle("fr-input--error", Boolean(texte));
    champ.parentNode.classList.toggle("fr-input-group--error", Boolean(texte));
    if (texte) {
      champ.setAttribute("aria-invalid", "true");
      champ.setAttribute("aria-describedby", aide + " " + erreur.id);
    } else {
      champ.removeAttribute("aria-invalid");
      champ.setAttribute("aria-describedby", aide);
    }
  }

  function listerEtp() {
    return MJPM.api("/mandataires/" + ID + "/etp").then(function (annees) {
      var zone = document.getElementById("etp-declares");
      zone.textContent = "";
      if (!annees.length) {
        zone.appendChild(el("p", { texte: "Aucune année déclarée." }));
        return;
      }
      zone.appendChild(MJPM.enveloppeTableau(el("table", {}, [
        el("caption", { texte: "Effectifs déclarés, par année" }),
        el("thead", {}, [el("tr", {}, ["Année", "Effectifs (ETP)", "Action"].map(function (t) {
          return el("th", { scope: "col", texte: t });
        }))]),
        el("tbody", {}, annees.map(function (a) {
          var corriger = el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary",
            texte: "Corriger", "aria-label": "Corriger les ETP de " + a.annee });
          corriger.addEventListener("click", function () {
            var f = document.getElementById("etp");
            f.annee.value = a.annee;
            f.etp.value = MJPM.nombre(a.etp, 2);
            f.etp.focus();
          });
          return el("tr", {}, [
            el("th", { scope: "row", texte: String(a.annee) }),
            el("td", { texte: MJPM.nombre(a.etp, 2) }),
            el("td", {}, [corriger]),
          ]);
        })),
      ]), { petit: true }));
    });
  }

  function effectifs() {
    var f = document.getElementById("etp");
    f.annee.value = new Date().getFullYear() - 1; // l'année close, celle qu'on déclare d'ordinaire
    f.addEventListener("submit", function (evenement) {
      evenement.preventDefault();
      erreurChamp(CHAMPS_ETP.annee, "");
      erreurChamp(CHAMPS_ETP.etp, "");
      dire("");
      var annee = f.annee.value.trim();
      if (!annee) {
        erreurChamp(CHAMPS_ETP.annee, "Indiquez l'année, en quatre chiffres.");
        f.annee.focus();
        return;
      }
      // La virgule décimale française est admise ; toute autre saisie part telle quelle et l'API dit ce qui ne va pas.
      var saisie = f.etp.value.trim().replace(/\s/g, "").replace(",", ".");
      var etp = saisie !== "" && isFinite(Number(saisie)) ? Number(saisie) : saisie || null;
      MJPM.api("/mandataires/" + ID + "/etp/" + encodeURIComponent(annee), { method: "PUT", json: { etp: etp } })
        .then(function (declare) {
          dire("Effectifs de " + declare.annee + " enregistrés : " + MJPM.nombre(declare.etp, 2) + " ETP.");
          f.etp.value = "";
          return listerEtp();
        })
        .catch(function (e) {
          var premier = null;
          var autres = [];
          (e.details || []).forEach(function (d) {
            var loc = d.loc || [];
            var id = CHAMPS_ETP[loc[loc.length - 1]];
            if (id && (loc[0] === "body" || loc[0] === "path")) {
              erreurChamp(id, d.msg.charAt(0).toUpperCase() + d.msg.slice(1));
              premier = premier || id;
            } else {
              autres.push(d.msg);
            }
          });
          if (premier) {
            dire("Les effectifs n'ont pas été enregistrés : corrigez le champ signalé.", true);
            document.getElementById(premier).focus();
          } else {
            dire(autres.length ? autres.join(" ; ") : e.message, true);
          }
        });
    });
    listerEtp().catch(function (e) { dire(e.message, true); });
  }

  var PAGES = {
    profil: profil,
    disponibilites: disponibilites,
    reservations: reservations,
    mesures: mesures,
    import: importer,
    carte: carte,
    service: service,
    effectifs: effectifs,
  };
  (PAGES[donnees.page] || function () {})();
})();
