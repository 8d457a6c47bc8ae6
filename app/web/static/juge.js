/* mjpm-match : page du juge. Décrit la mesure (avec l'établissement de la personne), appelle POST /match, affiche
   la liste expliquée avec les coordonnées, les exclusions et la carte des sites ; réserve un candidat, en écarte un
   (POST /match/{id}/exclusions), explique l'absence d'un professionnel (POST /match/explain) et le réserve hors
   liste avec une justification ; reprend une recherche précédente (GET /tribunaux/{t}/demandes). */
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
  var saisieEtablissement = document.getElementById("etablissement");
  var etablissementsProposes = document.getElementById("etablissements-proposes");
  var etablissementRetenu = document.getElementById("etablissement-retenu");
  var selectTribunal = document.getElementById("tribunal");
  var communes = {}; // libellé proposé -> commune
  var etablissements = {}; // libellé proposé -> établissement
  var professionnels = {}; // libellé proposé -> mandataire
  var choisie = null;
  var etablissement = null;
  var exclure = []; // professionnels écartés par le juge, gardés d'une recherche à la suivante
  var derniereDemande = null;

  function tribunal() { return selectTribunal.value; }
  function departementTribunal() { return selectTribunal.options[selectTribunal.selectedIndex].getAttribute("data-departement"); }

  /** Propose des valeurs dans une liste <datalist> à mesure de la saisie (appel différé de 200 ms). */
  function suggestions(saisie, liste, adresse, libelle, table, surChoix) {
    var minuterie = null;
    saisie.addEventListener("input", function () {
      if (table()[saisie.value]) {
        surChoix(table()[saisie.value]);
        return;
      }
      surChoix(null);
      clearTimeout(minuterie);
      var texte = saisie.value.trim();
      if (texte.length < 2) return;
      minuterie = setTimeout(function () {
        MJPM.api(adresse(texte)).then(function (page) {
          liste.textContent = "";
          var nouvelle = {};
          page.items.forEach(function (item) {
            nouvelle[libelle(item)] = item;
            liste.appendChild(el("option", { value: libelle(item) }));
          });
          table(nouvelle);
        }, function () {});
      }, 200);
    });
  }

  function libelleCommune(c) {
    return c.nom + " (" + c.departement + ")" + (c.codes_postaux && c.codes_postaux.length ? " – " + c.codes_postaux[0] : "");
  }

  function choisir(commune) {
    choisie = commune;
    retenue.textContent = commune ? "Commune retenue : " + commune.nom + " (INSEE " + commune.insee + ")" : "";
  }

  suggestions(saisieCommune, propositions,
    function (texte) { return "/referentiel/communes?limit=10&q=" + encodeURIComponent(texte); },
    libelleCommune,
    function (nouvelle) { if (nouvelle) communes = nouvelle; return communes; },
    function (c) { if (c || choisie) choisir(c); });

  function libelleEtablissement(e) { return e.nom + " (FINESS " + e.finess + ")"; }

  function choisirEtablissement(e) {
    etablissement = e;
    etablissementRetenu.textContent = e ? "Établissement retenu : " + e.nom + " (FINESS " + e.finess + ")" : "";
    if (!e) return;
    var lieu = document.getElementById("lieu_vie");
    if (lieu.value === "domicile" || lieu.value === "sdf") lieu.value = "etablissement";
    if (!saisieCommune.value.trim() && !document.getElementById("pays-be").checked) {
      MJPM.api("/referentiel/communes/" + encodeURIComponent(e.insee)).then(function (c) {
        saisieCommune.value = libelleCommune(c);
        choisir(c);
      }, function () {});
    }
  }

  suggestions(saisieEtablissement, etablissementsProposes,
    function (texte) {
      return "/etablissements?limit=10&departement=" + encodeURIComponent(departementTribunal()) + "&q=" + encodeURIComponent(texte);
    },
    libelleEtablissement,
    function (nouvelle) { if (nouvelle) etablissements = nouvelle; return etablissements; },
    function (e) { if (e || etablissement) choisirEtablissement(e); });

  Array.prototype.forEach.call(document.querySelectorAll('input[name="pays"]'), function (radio) {
    radio.addEventListener("change", basculerPays);
  });
  function basculerPays() {
    var belgique = document.getElementById("pays-be").checked;
    document.getElementById("bloc-commune").hidden = belgique;
    document.getElementById("bloc-belgique").hidden = !belgique;
  }

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

  /** Affiche (ou efface) un message dans une alerte du DSFR ou un paragraphe. */
  function montrerErreur(zone, message) {
    (zone.querySelector("p") || zone).textContent = message;
    zone.hidden = !message;
  }

  function montrerExclus() {
    var note = document.getElementById("exclus-demande");
    note.textContent = exclure.length
      ? exclure.length + " professionnel" + (exclure.length > 1 ? "s restent écartés" : " reste écarté") + " de cette recherche."
      : "";
    note.hidden = !exclure.length;
  }

  function demande(res) {
    var d = {
      tribunal: tribunal(),
      nature: document.getElementById("nature").value,
      lieu_vie: document.getElementById("lieu_vie").value,
      residence: res,
      besoins: Array.prototype.map.call(formulaire.querySelectorAll('input[name="besoins"]:checked'), function (c) { return c.value; }),
      urgence: document.getElementById("urgence").checked,
    };
    var annee = document.getElementById("annee_naissance").value;
    if (annee) d.annee_naissance = Number(annee);
    if (etablissement) d.etablissement = etablissement.id;
    if (exclure.length) d.exclure = exclure.slice();
    return d;
  }

  formulaire.addEventListener("submit", function (evenement) {
    evenement.preventDefault();
    montrerErreur(erreurDemande, "");
    var bouton = document.getElementById("lancer");
    bouton.disabled = true;
    bouton.textContent = "Recherche en cours…";
    residence()
      .then(function (res) {
        derniereDemande = demande(res);
        return MJPM.api("/match", { method: "POST", json: derniereDemande });
      })
      .then(function (reponse) { afficherResultat(reponse, ""); chargerPrecedentes(); },
        function (erreur) { montrerErreur(erreurDemande, erreur.message); })
      .then(function () {
        bouton.disabled = false;
        bouton.textContent = "Proposer des mandataires";
      });
  });

  // --- recherches précédentes ---------------------------------------------------------------------------------

  function libelleDemande(m) {
    var d = m.demande;
    var texte = (L.natures[d.nature] || d.nature) + " – " + MJPM.date(m.created_at);
    if (d.etablissement) texte += " – en établissement";
    if ((d.exclure || []).length) texte += " – " + d.exclure.length + " écarté" + (d.exclure.length > 1 ? "s" : "");
    return texte;
  }

  function chargerPrecedentes() {
    MJPM.api("/tribunaux/" + encodeURIComponent(tribunal()) + "/demandes?limit=5").then(function (page) {
      var liste = document.getElementById("liste-precedentes");
      liste.textContent = "";
      page.items.forEach(function (m) {
        var bouton = el("button", { type: "button", class: "fr-btn fr-btn--tertiary", texte: "Reprendre : " + libelleDemande(m) });
        bouton.addEventListener("click", function () { reprendre(m.demande); });
        liste.appendChild(el("li", {}, [bouton]));
      });
      document.getElementById("precedentes").hidden = !page.items.length;
    }, function () {});
  }

  /** Remplit le formulaire avec les champs d'une demande précédente, sans la relancer. */
  function reprendre(d) {
    ["nature", "lieu_vie"].forEach(function (nom) { document.getElementById(nom).value = d[nom]; });
    if (Array.prototype.some.call(selectTribunal.options, function (o) { return o.value === d.tribunal; })) selectTribunal.value = d.tribunal;
    document.getElementById("annee_naissance").value = d.annee_naissance || "";
    document.getElementById("urgence").checked = !!d.urgence;
    Array.prototype.forEach.call(formulaire.querySelectorAll('input[name="besoins"]'), function (c) {
      c.checked = (d.besoins || []).indexOf(c.value) >= 0;
    });
    exclure = (d.exclure || []).slice();
    montrerExclus();
    var attentes = [];
    var res = d.residence || {};
    document.getElementById("pays-be").checked = res.pays === "BE";
    document.getElementById("pays-fr").checked = res.pays !== "BE";
    basculerPays();
    document.getElementById("code_postal_be").value = res.pays === "BE" ? res.code_postal || "" : "";
    choisir(null);
    saisieCommune.value = "";
    if (res.insee) {
      attentes.push(MJPM.api("/referentiel/communes/" + encodeURIComponent(res.insee)).then(function (c) {
        saisieCommune.value = libelleCommune(c);
        choisir(c);
      }));
    }
    etablissement = null;
    saisieEtablissement.value = "";
    etablissementRetenu.textContent = "";
    if (d.etablissement) {
      attentes.push(MJPM.api("/etablissements/" + d.etablissement).then(function (e) {
        saisieEtablissement.value = libelleEtablissement(e);
        etablissement = e;
        etablissementRetenu.textContent = "Établissement retenu : " + e.nom + " (FINESS " + e.finess + ")";
      }));
    }
    return Promise.all(attentes).then(function () {
      var titre = document.getElementById("titre-demande");
      titre.setAttribute("tabindex", "-1");
      titre.focus();
      document.body.setAttribute("data-reprise", "prete");
    }, function (e) { montrerErreur(erreurDemande, "Reprise incomplète : " + e.message); });
  }

  // --- résultat -----------------------------------------------------------------------------------------------

  function afficherResultat(reponse, message) {
    var section = document.getElementById("resultat");
    section.hidden = false;
    section.setAttribute("data-match", reponse.match_id);
    var lieu = reponse.residence || {};
    var ou = lieu.commune ? lieu.commune.nom : lieu.commune_belge ? lieu.commune_belge.nom_fr + " (Belgique)" : "la résidence";
    document.getElementById("resume-resultat").textContent =
      reponse.candidats.length + " mandataire" + (reponse.candidats.length > 1 ? "s" : "") + " proposé" +
      (reponse.candidats.length > 1 ? "s" : "") + " pour une personne résidant à " + ou + " (demande n° " + reponse.match_id + ").";
    montrerErreur(document.getElementById("message-resultat"), message || "");
    afficherExclus(reponse.exclus);
    var liste = document.getElementById("candidats");
    liste.textContent = "";
    reponse.candidats.forEach(function (c) { liste.appendChild(carteCandidat(reponse, c)); });
    if (!reponse.candidats.length) {
      liste.appendChild(el("li", { class: "note", texte: "Aucun professionnel éligible : voyez les motifs d'exclusion ci-dessus." }));
    }
    document.getElementById("reponse-pourquoi").textContent = "";
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
    var table = el("table", { "aria-labelledby": "titre-exclus" }, [
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", texte: "Motif d'exclusion" }), el("th", { scope: "col", class: "num", texte: "Professionnels" })])]),
      el("tbody", {}, motifs.map(function (code) {
        var libelle = (exclus.motifs || {})[code] || code;
        return el("tr", {}, [
          el("th", { scope: "row", texte: libelle.charAt(0).toUpperCase() + libelle.slice(1) }),
          el("td", { class: "num", texte: MJPM.nombre(exclus.par_motif[code], 0) }),
        ]);
      })),
    ]);
    zone.appendChild(el("div", { class: "fr-table fr-table--no-caption" }, [table]));
  }

  function valeurCritere(c) {
    if (c.valeur === null || c.valeur === undefined) return "–";
    if (c.unite === "km") return MJPM.nombre(c.valeur, 1) + " km";
    if (/^part/.test(c.unite)) return MJPM.pourcent(c.valeur);
    if (c.unite === "jours") return MJPM.nombre(c.valeur, 0) + " j";
    if (c.unite === "designations") return MJPM.nombre(c.valeur, 0) + " désignation" + (c.valeur > 1 ? "s" : "") + " récente" + (c.valeur > 1 ? "s" : "");
    return MJPM.nombre(c.valeur, 2) + (c.unite ? " " + c.unite : "");
  }

  function coordonnees(m) {
    var s = m.site_le_plus_proche;
    var lignes = [];
    if (s) lignes.push(["Adresse du site", s.nom + (s.commune ? ", " + s.commune : "")]);
    if (m.telephone) lignes.push(["Téléphone", el("a", { href: "tel:" + m.telephone.replace(/[^0-9+]/g, ""), texte: m.telephone })]);
    if (m.email) lignes.push(["Courriel", el("a", { href: "mailto:" + m.email, texte: m.email })]);
    if (!lignes.length) return null;
    return el("dl", { class: "faits coordonnees", "aria-label": "Coordonnées" }, lignes.map(function (l) {
      return el("div", {}, [el("dt", { texte: l[0] }), el("dd", {}, [l[1]])]);
    }));
  }

  /** Un bouton qui ouvre ou ferme un formulaire dans `zone`. */
  function bascule(bouton, zone, fabrique) {
    bouton.addEventListener("click", function () {
      if (zone.firstChild) {
        zone.textContent = "";
        bouton.setAttribute("aria-expanded", "false");
        return;
      }
      bouton.setAttribute("aria-expanded", "true");
      zone.appendChild(fabrique());
      zone.querySelector("input, textarea").focus();
    });
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
    var composantes = el("div", { class: "fr-table fr-table--sm composantes" }, [el("table", {}, [
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
    ])]);
    var reserver = el("button", { type: "button", class: "fr-btn reserver", "aria-expanded": "false", texte: "Réserver" });
    var ecarter = el("button", { type: "button", class: "fr-btn fr-btn--secondary ecarter", "aria-expanded": "false", texte: "Écarter" });
    var zone = el("div", { class: "zone-reservation" });
    var item = el("li", { class: "candidat", "aria-labelledby": titreId, "data-mandataire": m.id }, [
      el("h3", { id: titreId, class: "fr-h5" }, [el("span", { class: "rang", texte: c.rang + "." }), " " + m.nom + " ", el("span", { class: "type", texte: "– " + (L.types[m.type] || m.type) })]),
      drapeaux.length ? el("ul", { class: "drapeaux", "aria-label": "Signalements" }, drapeaux.map(function (d) { return el("li", { texte: d }); })) : null,
      el("dl", { class: "faits" }, faits.map(function (f) { return el("div", {}, [el("dt", { texte: f[0] }), el("dd", { texte: f[1] })]); })),
      coordonnees(m),
      el("p", { class: "explication", texte: c.explication }),
      composantes,
      el("ul", { class: "fr-btns-group fr-btns-group--inline-md" }, [el("li", {}, [reserver]), el("li", {}, [ecarter])]),
      zone,
    ]);
    bascule(reserver, zone, function () { ecarter.setAttribute("aria-expanded", "false"); zone.textContent = ""; return formulaireReservation(reponse, m, reserver, zone, false); });
    bascule(ecarter, zone, function () { reserver.setAttribute("aria-expanded", "false"); zone.textContent = ""; return formulaireExclusion(reponse, m, ecarter, zone); });
    return item;
  }

  /** Donne aux champs d'un modèle des identifiants propres à un professionnel, et à leurs étiquettes ; « Annuler »
   * referme le formulaire (vide la zone) et rend la main au bouton qui l'a ouvert. */
  function instancier(modeleId, suffixe, bouton, zone) {
    var form = document.getElementById(modeleId).content.cloneNode(true).querySelector("form");
    Array.prototype.forEach.call(form.querySelectorAll("[data-nom]"), function (champ) {
      champ.id = champ.getAttribute("data-nom") + suffixe;
    });
    Array.prototype.forEach.call(form.querySelectorAll("label[data-pour]"), function (label) {
      label.setAttribute("for", label.getAttribute("data-pour") + suffixe);
    });
    form.querySelector('[data-role="annuler"]').addEventListener("click", function () {
      zone.textContent = "";
      bouton.setAttribute("aria-expanded", "false");
      bouton.focus();
    });
    return form;
  }

  function formulaireExclusion(reponse, m, bouton, zone) {
    var form = instancier("modele-exclusion", "-exclusion-" + m.id, bouton, zone);
    var erreur = form.querySelector('[data-role="erreur"]');
    form.addEventListener("submit", function (evenement) {
      evenement.preventDefault();
      var motif = form.querySelector('[data-nom="motif_exclusion"]').value.trim();
      if (motif.length < 3) {
        montrerErreur(erreur, "Indiquez le motif de l'exclusion (3 caractères au moins).");
        return;
      }
      form.querySelector('button[type="submit"]').disabled = true;
      MJPM.api("/match/" + encodeURIComponent(reponse.match_id) + "/exclusions", {
        method: "POST", json: { mandataire: m.id, motif: motif },
      }).then(function (nouvelle) {
        if (exclure.indexOf(m.id) < 0) exclure.push(m.id);
        if (derniereDemande) derniereDemande.exclure = exclure.slice();
        montrerExclus();
        afficherResultat(nouvelle, m.nom + " est écarté de cette recherche (motif gardé dans l'audit) : la liste a été classée de nouveau.");
        chargerPrecedentes();
      }, function (e) {
        form.querySelector('button[type="submit"]').disabled = false;
        montrerErreur(erreur, "Exclusion impossible : " + e.message);
      });
    });
    return form;
  }

  function formulaireReservation(reponse, m, bouton, zone, horsListe) {
    var form = instancier("modele-reservation", (horsListe ? "-hors-liste-" : "-") + m.id, bouton, zone);
    if (horsListe) {
      form.querySelector('[data-role="legende"]').textContent = "Réserver " + m.nom + " hors liste";
      form.querySelector('[data-role="bloc-justification"]').hidden = false;
    }
    var famille = form.querySelector('[data-nom="famille"]');
    var blocMotif = form.querySelector('[data-role="bloc-motif"]');
    famille.addEventListener("change", function () { blocMotif.hidden = famille.value !== "proche_refuse"; });
    var erreur = form.querySelector('[data-role="erreur"]');
    var cle = MJPM.uuid(); // une même réservation répétée (double clic, réseau) n'est enregistrée qu'une fois
    form.addEventListener("submit", function (evenement) {
      evenement.preventDefault();
      montrerErreur(erreur, "");
      var numero = form.querySelector('[data-nom="numero_rg"]').value.trim();
      if (!numero) {
        montrerErreur(erreur, "Indiquez le numéro RG du dossier.");
        return;
      }
      var corps = { match_id: reponse.match_id, mandataire: m.id, numero_rg: numero, famille: { statut: famille.value } };
      var motif = form.querySelector('[data-nom="motif"]').value.trim();
      if (famille.value === "proche_refuse") corps.famille.motif = motif;
      if (horsListe) {
        corps.hors_liste = true;
        corps.justification = form.querySelector('[data-nom="justification"]').value.trim();
        if (corps.justification.length < 10) {
          montrerErreur(erreur, "Justifiez le choix hors liste (10 caractères au moins).");
          return;
        }
      }
      var envoi = form.querySelector('button[type="submit"]');
      envoi.disabled = true;
      MJPM.api("/reservations", { method: "POST", json: corps, headers: { "Idempotency-Key": cle } }).then(
        function (r) {
          zone.textContent = "";
          var confirmation = el("div", { class: "fr-alert fr-alert--success confirmation", role: "status", tabindex: "-1" }, [
            el("p", {}, [el("strong", { texte: "Réservation n° " + r.id + " enregistrée" }),
              (r.hors_liste ? " hors liste" : "") + " pour " + m.nom + ", dossier " + r.numero_rg + " : " + (L.statuts[r.statut] || r.statut) + "."]),
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

  // --- pourquoi pas ce professionnel ? ----------------------------------------------------------------------

  var saisiePro = document.getElementById("nom-pourquoi");
  var professionnel = null;
  suggestions(saisiePro, document.getElementById("professionnels-proposes"),
    function (texte) { return "/mandataires?limit=10&tribunal=" + encodeURIComponent(tribunal()) + "&q=" + encodeURIComponent(texte); },
    function (m) { return m.nom + " – " + (L.types[m.type] || m.type) + " (n° " + m.id + ")"; },
    function (nouvelle) { if (nouvelle) professionnels = nouvelle; return professionnels; },
    function (m) { professionnel = m; });

  document.getElementById("form-pourquoi").addEventListener("submit", function (evenement) {
    evenement.preventDefault();
    var zone = document.getElementById("reponse-pourquoi");
    zone.textContent = "";
    var reponse = { match_id: document.getElementById("resultat").getAttribute("data-match") };
    var texte = saisiePro.value.trim();
    var trouve = professionnel
      ? Promise.resolve(professionnel)
      : texte.length < 2
        ? Promise.reject(new Error("Tapez au moins deux lettres du nom."))
        : MJPM.api("/mandataires?limit=2&tribunal=" + encodeURIComponent(tribunal()) + "&q=" + encodeURIComponent(texte.replace(/ – .*$/, ""))).then(function (page) {
          if (!page.items.length) throw new Error("Aucun professionnel de ce nom n'est inscrit pour votre tribunal.");
          if (page.items.length > 1) throw new Error("Plusieurs professionnels portent ce nom : choisissez dans la liste proposée.");
          return page.items[0];
        });
    trouve
      .then(function (m) {
        return MJPM.api("/match/explain", { method: "POST", json: Object.assign({}, derniereDemande, { mandataire: m.id }) });
      })
      .then(function (r) { zone.appendChild(explication(reponse, r)); },
        function (e) { zone.appendChild(el("div", { class: "fr-alert fr-alert--error fr-alert--sm", role: "alert" }, [el("p", { texte: e.message })])); });
  });

  function explication(reponse, r) {
    var bloc = el("div", { class: "fr-callout pourquoi-reponse" }, [
      el("h4", { class: "fr-callout__title", texte: r.nom }),
      el("p", { class: "fr-callout__text", texte: r.message }),
    ]);
    if (r.motifs.length) {
      bloc.appendChild(el("p", { texte: "Règles qu'il ne remplit pas :" }));
      bloc.appendChild(el("ul", { class: "motifs-pourquoi" }, r.motifs.map(function (m) {
        return el("li", { texte: m.libelle.charAt(0).toUpperCase() + m.libelle.slice(1) });
      })));
    } else if (r.candidat && !r.retenu) {
      bloc.appendChild(el("p", { texte: "Score " + MJPM.nombre(r.candidat.score * 100, 0) + " / 100 : " + r.candidat.explication }));
    }
    if (r.eligible && !r.retenu) {
      var m = { id: r.mandataire, nom: r.nom };
      var bouton = el("button", { type: "button", class: "fr-btn", "aria-expanded": "false", texte: "Réserver hors liste" });
      var zone = el("div", { class: "zone-reservation" });
      bascule(bouton, zone, function () { return formulaireReservation(reponse, m, bouton, zone, true); });
      bloc.appendChild(bouton);
      bloc.appendChild(zone);
    }
    return bloc;
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

  // Au chargement : les recherches précédentes du tribunal, et la reprise demandée par l'adresse (?demande=...).
  chargerPrecedentes();
  var reprise = new URLSearchParams(window.location.search).get("demande");
  if (reprise) {
    MJPM.api("/audit/matches/" + encodeURIComponent(reprise)).then(function (m) { return reprendre(m.demande); },
      function (e) { montrerErreur(erreurDemande, "Recherche introuvable : " + e.message); });
  }
})();
