/* mjpm-match : page du juge. Décrit la mesure, appelle POST /match, affiche la liste expliquée, les exclusions,
   la carte des sites, et réserve un candidat par POST /reservations. */
(function () {
  "use strict";

  var MJPM = window.MJPM;
  var el = MJPM.el;
  var L = MJPM.libelles;
  var formulaire = document.getElementById("demande");
  var erreurDemande = document.getElementById("erreur-demande");
  var saisieCommune = document.getElementById("commune");
  var propositions = document.getElementById("communes-proposees");
  var retenue = document.getElementById("commune-retenue");
  var communes = {}; // libellé proposé -> commune
  var choisie = null;
  var minuterie = null;

  function libelleCommune(c) {
    return c.nom + " (" + c.departement + ")" + (c.codes_postaux && c.codes_postaux.length ? " – " + c.codes_postaux[0] : "");
  }

  function choisir(commune) {
    choisie = commune;
    retenue.textContent = commune ? "Commune retenue : " + commune.nom + " (INSEE " + commune.insee + ")" : "";
  }

  saisieCommune.addEventListener("input", function () {
    var texte = saisieCommune.value.trim();
    if (communes[saisieCommune.value]) {
      choisir(communes[saisieCommune.value]);
      return;
    }
    choisir(null);
    clearTimeout(minuterie);
    if (texte.length < 2) return;
    minuterie = setTimeout(function () {
      MJPM.api("/referentiel/communes?limit=10&q=" + encodeURIComponent(texte)).then(function (page) {
        propositions.textContent = "";
        communes = {};
        page.items.forEach(function (c) {
          var libelle = libelleCommune(c);
          communes[libelle] = c;
          propositions.appendChild(el("option", { value: libelle }));
        });
      }, function () {});
    }, 200);
  });

  Array.prototype.forEach.call(document.querySelectorAll('input[name="pays"]'), function (radio) {
    radio.addEventListener("change", function () {
      var belgique = document.getElementById("pays-be").checked;
      document.getElementById("bloc-commune").hidden = belgique;
      document.getElementById("bloc-belgique").hidden = !belgique;
    });
  });

  /** La résidence : la commune choisie, sinon la première commune dont le nom commence par le texte saisi. */
  function residence() {
    if (document.getElementById("pays-be").checked) {
      var cp = document.getElementById("code_postal_be").value.trim();
      if (!/^\d{4}$/.test(cp)) return Promise.reject(new Error("Le code postal belge a 4 chiffres."));
      return Promise.resolve({ pays: "BE", code_postal: cp });
    }
    if (choisie) return Promise.resolve({ insee: choisie.insee });
    var texte = saisieCommune.value.replace(/\s*\(.*$/, "").trim();
    if (!texte) return Promise.reject(new Error("Indiquez la commune de résidence de la personne."));
    return MJPM.api("/referentiel/communes?limit=1&q=" + encodeURIComponent(texte)).then(function (page) {
      if (!page.items.length) throw new Error("Aucune commune ne commence par « " + texte + " ».");
      choisir(page.items[0]);
      return { insee: page.items[0].insee };
    });
  }

  function montrerErreur(zone, message) {
    zone.textContent = message;
    zone.hidden = !message;
  }

  formulaire.addEventListener("submit", function (evenement) {
    evenement.preventDefault();
    montrerErreur(erreurDemande, "");
    var bouton = document.getElementById("lancer");
    bouton.disabled = true;
    bouton.textContent = "Recherche en cours…";
    residence()
      .then(function (res) {
        var demande = {
          tribunal: document.getElementById("tribunal").value,
          nature: document.getElementById("nature").value,
          lieu_vie: document.getElementById("lieu_vie").value,
          residence: res,
          besoins: Array.prototype.map.call(formulaire.querySelectorAll('input[name="besoins"]:checked'), function (c) { return c.value; }),
          urgence: document.getElementById("urgence").checked,
        };
        var annee = document.getElementById("annee_naissance").value;
        if (annee) demande.annee_naissance = Number(annee);
        return MJPM.api("/match", { method: "POST", json: demande });
      })
      .then(afficherResultat, function (erreur) { montrerErreur(erreurDemande, erreur.message); })
      .then(function () {
        bouton.disabled = false;
        bouton.textContent = "Proposer des mandataires";
      });
  });

  // --- résultat ---------------------------------------------------------------------------------------------

  function afficherResultat(reponse) {
    var section = document.getElementById("resultat");
    section.hidden = false;
    var lieu = reponse.residence || {};
    var ou = lieu.commune ? lieu.commune.nom : lieu.commune_belge ? lieu.commune_belge.nom_fr + " (Belgique)" : "la résidence";
    document.getElementById("resume-resultat").textContent =
      reponse.candidats.length + " mandataire" + (reponse.candidats.length > 1 ? "s" : "") + " proposé" +
      (reponse.candidats.length > 1 ? "s" : "") + " pour une personne résidant à " + ou + " (demande n° " + reponse.match_id + ").";
    afficherExclus(reponse.exclus);
    var liste = document.getElementById("candidats");
    liste.textContent = "";
    reponse.candidats.forEach(function (c) { liste.appendChild(carteCandidat(reponse, c)); });
    if (!reponse.candidats.length) {
      liste.appendChild(el("li", { class: "note", texte: "Aucun professionnel éligible : voyez les motifs d'exclusion ci-dessus." }));
    }
    dessinerCarte(reponse);
    document.getElementById("titre-resultat").focus();
  }

  function afficherExclus(exclus) {
    var zone = document.getElementById("exclus");
    zone.textContent = "";
    zone.appendChild(el("p", {
      texte: MJPM.nombre(exclus.consideres, 0) + " professionnels examinés, " + MJPM.nombre(exclus.eligibles, 0) + " éligibles.",
    }));
    var motifs = Object.keys(exclus.par_motif || {});
    if (!motifs.length) return;
    motifs.sort(function (a, b) { return exclus.par_motif[b] - exclus.par_motif[a]; });
    var table = el("table", { class: "donnees", "aria-labelledby": "titre-exclus" }, [
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", texte: "Motif d'exclusion" }), el("th", { scope: "col", class: "num", texte: "Professionnels" })])]),
      el("tbody", {}, motifs.map(function (code) {
        var libelle = (exclus.motifs || {})[code] || code;
        return el("tr", {}, [
          el("th", { scope: "row", texte: libelle.charAt(0).toUpperCase() + libelle.slice(1) }),
          el("td", { class: "num", texte: MJPM.nombre(exclus.par_motif[code], 0) }),
        ]);
      })),
    ]);
    zone.appendChild(table);
  }

  function valeurCritere(c) {
    if (c.valeur === null || c.valeur === undefined) return "–";
    if (c.unite === "km") return MJPM.nombre(c.valeur, 1) + " km";
    if (/^part/.test(c.unite)) return MJPM.pourcent(c.valeur);
    if (c.unite === "jours") return MJPM.nombre(c.valeur, 0) + " j";
    if (c.unite === "designations") return MJPM.nombre(c.valeur, 0) + " désignation" + (c.valeur > 1 ? "s" : "") + " récente" + (c.valeur > 1 ? "s" : "");
    return MJPM.nombre(c.valeur, 2) + (c.unite ? " " + c.unite : "");
  }

  function carteCandidat(reponse, c) {
    var m = c.mandataire;
    var titreId = "candidat-" + m.id;
    var drapeaux = [];
    if (c.ajoute_pour_diversite) drapeaux.push("Ajouté pour la diversité des exercices");
    if (c.hors_zone_declaree) drapeaux.push("Hors de sa zone déclarée");
    if (c.donnees_anciennes) drapeaux.push("Disponibilités anciennes");
    if (c.complet) drapeaux.push("Complet");
    var faits = [
      ["Score", MJPM.nombre(c.score * 100, 0) + " / 100"],
      ["Distance", c.distance_km === null ? "–" : MJPM.nombre(c.distance_km, 1) + " km" + (m.site_le_plus_proche ? " (" + m.site_le_plus_proche.nom + ")" : "")],
      ["Places libres", MJPM.nombre(c.places_libres, 0)],
      ["Taux d'occupation", MJPM.pourcent(c.taux_occupation)],
      ["Dernière mise à jour", MJPM.date(c.derniere_mise_a_jour)],
    ];
    var composantes = el("table", { class: "donnees composantes" }, [
      el("caption", { texte: "Composantes du score" }),
      el("thead", {}, [el("tr", {}, ["Critère", "Valeur", "Sous-score", "Poids", "Contribution"].map(function (t, i) {
        return el("th", { scope: "col", class: i ? "num" : null, texte: t });
      }))]),
      el("tbody", {}, c.composantes.map(function (k) {
        return el("tr", {}, [
          el("th", { scope: "row", texte: L.criteres[k.critere] || k.critere }),
          el("td", { class: "num", texte: valeurCritere(k) }),
          el("td", { class: "num", texte: MJPM.nombre(k.sous_score, 2) }),
          el("td", { class: "num", texte: MJPM.nombre(k.poids, 2) }),
          el("td", { class: "num", texte: MJPM.nombre(k.contribution, 3) }),
        ]);
      })),
    ]);
    var reserver = el("button", { type: "button", class: "reserver", "aria-expanded": "false", texte: "Réserver" });
    var zoneReservation = el("div", { class: "zone-reservation" });
    var item = el("li", { class: "candidat", "aria-labelledby": titreId, "data-mandataire": m.id }, [
      el("h3", { id: titreId }, [el("span", { class: "rang", texte: c.rang + "." }), " " + m.nom + " ", el("span", { class: "type", texte: "– " + (L.types[m.type] || m.type) })]),
      drapeaux.length ? el("ul", { class: "drapeaux", "aria-label": "Signalements" }, drapeaux.map(function (d) { return el("li", { texte: d }); })) : null,
      el("dl", { class: "faits" }, faits.map(function (f) { return el("div", {}, [el("dt", { texte: f[0] }), el("dd", { texte: f[1] })]); })),
      el("p", { class: "explication", texte: c.explication }),
      composantes,
      reserver,
      zoneReservation,
    ]);
    reserver.addEventListener("click", function () {
      if (zoneReservation.firstChild) {
        zoneReservation.textContent = "";
        reserver.setAttribute("aria-expanded", "false");
        return;
      }
      reserver.setAttribute("aria-expanded", "true");
      zoneReservation.appendChild(formulaireReservation(reponse, c, reserver, zoneReservation));
      zoneReservation.querySelector("input").focus();
    });
    return item;
  }

  function formulaireReservation(reponse, c, bouton, zone) {
    var modele = document.getElementById("modele-reservation").content.cloneNode(true);
    var form = modele.querySelector("form");
    var suffixe = "-" + c.mandataire.id;
    Array.prototype.forEach.call(form.querySelectorAll("[data-nom]"), function (champ) {
      champ.id = champ.getAttribute("data-nom") + suffixe;
    });
    Array.prototype.forEach.call(form.querySelectorAll("label[data-pour]"), function (label) {
      label.setAttribute("for", label.getAttribute("data-pour") + suffixe);
    });
    var famille = form.querySelector('[data-nom="famille"]');
    var blocMotif = form.querySelector('[data-role="bloc-motif"]');
    famille.addEventListener("change", function () { blocMotif.hidden = famille.value !== "proche_refuse"; });
    var erreur = form.querySelector('[data-role="erreur"]');
    var cle = MJPM.uuid(); // une même réservation répétée (double clic, réseau) n'est enregistrée qu'une fois
    form.querySelector('[data-role="annuler"]').addEventListener("click", function () {
      zone.textContent = "";
      bouton.setAttribute("aria-expanded", "false");
      bouton.focus();
    });
    form.addEventListener("submit", function (evenement) {
      evenement.preventDefault();
      montrerErreur(erreur, "");
      var numero = form.querySelector('[data-nom="numero_rg"]').value.trim();
      if (!numero) {
        montrerErreur(erreur, "Indiquez le numéro RG du dossier.");
        return;
      }
      var corps = {
        match_id: reponse.match_id,
        mandataire: c.mandataire.id,
        numero_rg: numero,
        famille: { statut: famille.value },
      };
      var motif = form.querySelector('[data-nom="motif"]').value.trim();
      if (famille.value === "proche_refuse") corps.famille.motif = motif;
      var envoi = form.querySelector('button[type="submit"]');
      envoi.disabled = true;
      MJPM.api("/reservations", { method: "POST", json: corps, headers: { "Idempotency-Key": cle } }).then(
        function (r) {
          zone.textContent = "";
          var confirmation = el("div", { class: "confirmation", role: "status", tabindex: "-1" }, [
            el("p", {}, [el("strong", { texte: "Réservation n° " + r.id + " enregistrée" }),
              " pour " + c.mandataire.nom + ", dossier " + r.numero_rg + " : " + (L.statuts[r.statut] || r.statut) + "."]),
            el("p", { texte: "Sans réponse, elle expire le " + MJPM.date(r.expires_at) + " et la place est libérée." }),
          ]);
          zone.appendChild(confirmation);
          bouton.disabled = true;
          bouton.textContent = "Réservé";
          bouton.setAttribute("aria-expanded", "false");
          confirmation.focus();
        },
        function (e) {
          envoi.disabled = false;
          montrerErreur(erreur, "Réservation impossible : " + e.message);
        }
      );
    });
    return form;
  }

  function dessinerCarte(reponse) {
    var lieu = reponse.residence || {};
    var points = [];
    if (typeof lieu.lat === "number") {
      points.push({ lat: lieu.lat, lon: lieu.lon, residence: true, nom: "Résidence de la personne" });
    }
    reponse.candidats.forEach(function (c) {
      var s = c.mandataire.site_le_plus_proche;
      if (s) points.push({ lat: s.lat, lon: s.lon, rang: c.rang, nom: c.rang + ". " + c.mandataire.nom + " – " + s.nom });
    });
    var cible = document.getElementById("carte-candidats");
    if (!points.length) return;
    MJPM.chargerDepartements().then(
      function (collection) { MJPM.dessinerZone(cible, collection, points); },
      function () { MJPM.dessinerZone(cible, null, points); }
    );
  }
})();
