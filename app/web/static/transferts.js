/* mjpm-match : page des transferts de mesures (agents : calculer et suivre ; juges : décider et confirmer). */
(function () {
  "use strict";

  var MJPM = window.MJPM;
  var el = MJPM.el;
  var droits = JSON.parse(document.getElementById("droits").textContent);
  var message = document.getElementById("message");
  var ETATS = MJPM.libelles.decisions_transfert || {};
  var ETATS_PLAN = MJPM.libelles.statuts_transfert || {};
  var courant = null;

  /** Le message de la page : une alerte du DSFR, d'erreur ou d'information. */
  function dire(texte, erreur) {
    message.querySelector("p").textContent = texte;
    message.className = "fr-alert fr-alert--sm fr-mb-3w fr-alert--" + (erreur ? "error" : "info");
    message.hidden = !texte;
  }

  function nature(code) {
    return (MJPM.libelles.natures || {})[code] || code;
  }

  function chargerPlans() {
    return MJPM.api("/transferts").then(function (plans) {
      var zone = document.getElementById("plans");
      zone.textContent = "";
      if (!plans.length) {
        zone.appendChild(el("p", { texte: "Aucun plan de transfert." }));
        return;
      }
      var corps = el("tbody", {}, plans.map(function (plan) {
        var ouvrir = MJPM.bouton("Ouvrir le plan n° " + plan.id, { secondaire: true, petit: true });
        ouvrir.addEventListener("click", function () { afficher(plan.id); });
        return el("tr", {}, [
          el("td", { class: "num", texte: String(plan.id) }),
          el("td", { texte: MJPM.date(plan.created_at) }),
          el("td", { class: "num", texte: String(plan.mandataire_id) }),
          el("td", { texte: droits.motifs[plan.motif] || plan.motif }),
          el("td", { texte: ETATS_PLAN[plan.statut] || plan.statut }),
          el("td", { class: "num", texte: String(plan.mesures.length) }),
          el("td", { class: "num", texte: String(plan.sans_proposition) }),
          el("td", {}, [ouvrir]),
        ]);
      }));
      var tete = el("thead", {}, [el("tr", {}, [
        "N°", "Calculé le", "Professionnel", "Motif", "État", "Mesures visibles", "Sans proposition", "",
      ].map(function (t, i) {
        // La dernière colonne porte les boutons : un titre pour les lecteurs d'écran seulement.
        return el("th", { scope: "col" }, i === 7 ? [el("span", { class: "fr-sr-only", texte: "Action" })] : [t]);
      }))]);
      zone.appendChild(MJPM.enveloppeTableau(el("table", {}, [el("caption", { texte: "Plans que vous suivez" }), tete, corps]), { petit: true }));
    }).catch(function (e) { dire(e.message, true); });
  }

  function proposition(p) {
    if (!p) return "–";
    return p.nom + (p.distance_km !== null ? " (" + MJPM.nombre(p.distance_km, 0) + " km)" : "");
  }

  function choisir(mesure, mandataire) {
    return MJPM.api("/transferts/" + courant + "/mesures/" + mesure + "/choix", {
      method: "PUT",
      json: { mandataire: mandataire },
    }).then(function () {
      dire("Choix enregistré pour la mesure " + mesure + ".");
      return afficher(courant);
    }).catch(function (e) { dire(e.message, true); });
  }

  function remplacer(mesure, cellule) {
    MJPM.api("/transferts/" + courant + "/mesures/" + mesure + "/candidats").then(function (candidats) {
      cellule.textContent = "";
      if (!candidats.length) {
        cellule.appendChild(el("p", { texte: "Aucun autre professionnel éligible." }));
        return;
      }
      var id = "remplacant-" + mesure;
      var liste = el("select", { id: id, class: "fr-select" }, candidats.map(function (c) {
        return el("option", { value: c.mandataire.id, texte: c.rang + ". " + c.mandataire.nom + " – " + c.explication });
      }));
      var bouton = MJPM.bouton("Retenir ce professionnel", { petit: true, classe: "fr-mt-1w" });
      bouton.addEventListener("click", function () { choisir(mesure, Number(liste.value)); });
      cellule.appendChild(el("label", { for: id, class: "fr-label", texte: "Remplacer par" }));
      cellule.appendChild(liste);
      cellule.appendChild(bouton);
      liste.focus();
    }).catch(function (e) { dire(e.message, true); });
  }

  function afficher(id) {
    courant = id;
    return MJPM.api("/transferts/" + id).then(function (plan) {
      var detail = document.getElementById("detail");
      detail.hidden = false;
      document.getElementById("titre-plan").textContent = "Plan de transfert n° " + plan.id;
      document.getElementById("resume").textContent =
        plan.nombre_mesures + " mesure(s) du professionnel " + plan.mandataire_id + " (" +
        (droits.motifs[plan.motif] || plan.motif) + ") ; " + plan.sans_proposition +
        " sans proposition ; coût total " + MJPM.nombre(plan.cout_total, 3) + ".";
      var exports = document.getElementById("exports");
      exports.textContent = "";
      exports.appendChild(el("a", { class: "fr-link", href: "/transferts/" + plan.id + ".csv", texte: "Télécharger (CSV)" }));
      exports.appendChild(document.createTextNode(" · "));
      exports.appendChild(el("a", { class: "fr-link", href: "/transferts/" + plan.id + ".xlsx", texte: "Télécharger (XLSX)" }));
      var lignes = plan.mesures.map(function (m) {
        var actions = el("td", {});
        var decidable = droits.decider && plan.statut === "ouvert" && (m.decision === "a_decider" || m.decision === "retenue");
        if (decidable && m.proposition) {
          var garder = MJPM.bouton("Garder la proposition", { petit: true, classe: "fr-mb-1w" });
          garder.addEventListener("click", function () { choisir(m.mesure_id, m.proposition.mandataire_id); });
          actions.appendChild(garder);
        }
        if (decidable) {
          var autre = MJPM.bouton("Remplacer", { petit: true, secondaire: true });
          autre.addEventListener("click", function () { remplacer(m.mesure_id, actions); });
          actions.appendChild(autre);
        }
        var coche = el("td", {});
        if (droits.decider && m.decision === "retenue") {
          coche.appendChild(el("input", {
            type: "checkbox", class: "a-confirmer", value: m.mesure_id, id: "confirmer-" + m.mesure_id,
            "aria-label": "Confirmer la mesure " + m.numero_rg,
          }));
        }
        var raison = m.proposition ? m.proposition.explication : (m.motif_sans_proposition === "aucun_candidat"
          ? "Personne ne remplit les règles de désignation pour cette mesure."
          : "Les professionnels éligibles n'ont plus de place libre.");
        return el("tr", {}, [
          coche,
          el("td", { texte: m.numero_rg }),
          el("td", { texte: m.tribunal }),
          el("td", { texte: nature(m.nature) }),
          el("td", { texte: ETATS[m.decision] || m.decision }),
          el("td", { texte: proposition(m.proposition) }),
          el("td", { texte: raison }),
          el("td", { texte: m.alternatives.map(proposition).join(" ; ") || "–" }),
          actions,
        ]);
      });
      var zone = document.getElementById("mesures");
      zone.textContent = "";
      zone.appendChild(MJPM.enveloppeTableau(el("table", {}, [
        el("caption", { texte: "Mesures du plan" + (droits.decider ? " pour votre tribunal" : "") }),
        el("thead", {}, [el("tr", {}, [
          "Confirmer", "Numéro RG", "Tribunal", "Nature", "État", "Proposition", "Explication", "Autres possibilités", "Décision",
        ].map(function (t) { return el("th", { scope: "col", texte: t }); }))]),
        el("tbody", {}, lignes),
      ]), { petit: true }));
      document.getElementById("titre-plan").focus();
    }).catch(function (e) { dire(e.message, true); });
  }

  var formulaire = document.getElementById("nouveau");

  /** Remplit la liste des professionnels trouvés (par nom, dans le territoire de l'agent, ou par identifiant). */
  function chercher() {
    var texte = formulaire.querySelector("#recherche").value.trim();
    var choix = formulaire.mandataire;
    var requete;
    if (/^[0-9]+$/.test(texte)) {
      requete = MJPM.api("/mandataires/" + texte).then(function (m) { return [m]; });
    } else if (texte.length >= 2) {
      requete = MJPM.api("/mandataires?limit=50&q=" + encodeURIComponent(texte)).then(function (page) { return page.items; });
    } else {
      dire("Tapez deux lettres au moins du nom, ou l'identifiant du professionnel.", true);
      return;
    }
    requete.then(function (trouves) {
      choix.textContent = "";
      if (!trouves.length) {
        choix.appendChild(el("option", { value: "", texte: "Aucun professionnel trouvé" }));
        dire("Aucun professionnel de votre territoire ne correspond à « " + texte + " ».", true);
        return;
      }
      trouves.forEach(function (m) {
        var type = (MJPM.libelles.types || {})[m.type] || m.type;
        choix.appendChild(el("option", { value: m.id, texte: m.nom + " (" + type + ", n° " + m.id + ", " + m.mesures_en_cours + " mesure(s) en cours)" }));
      });
      antennes(trouves[0]);
      dire(trouves.length + " professionnel(s) trouvé(s) : choisissez-le dans la liste « Professionnel qui cesse ».");
      choix.focus();
      choix.onchange = function () {
        antennes(trouves.filter(function (m) { return String(m.id) === choix.value; })[0]);
      };
    }).catch(function (e) { dire(e.message, true); });
  }

  function antennes(m) {
    var liste = formulaire.antenne;
    liste.textContent = "";
    liste.appendChild(el("option", { value: "", texte: "Toutes ses mesures en cours" }));
    ((m && m.sites) || []).forEach(function (site) {
      liste.appendChild(el("option", { value: site.id, texte: site.nom + " (" + site.mesures_en_cours + " mesure(s) en cours)" }));
    });
  }

  if (formulaire) {
    formulaire.querySelector("#chercher").addEventListener("click", chercher);
    formulaire.querySelector("#recherche").addEventListener("keydown", function (evenement) {
      if (evenement.key === "Enter") {
        evenement.preventDefault();
        chercher();
      }
    });
    formulaire.addEventListener("submit", function (evenement) {
      evenement.preventDefault();
      if (!formulaire.mandataire.value) {
        dire("Recherchez puis choisissez le professionnel qui cesse (champ « Professionnel qui cesse »).", true);
        formulaire.querySelector("#recherche").focus();
        return;
      }
      var corps = {
        mandataire: Number(formulaire.mandataire.value),
        motif: formulaire.motif.value,
      };
      if (formulaire.antenne.value) corps.antenne = Number(formulaire.antenne.value);
      dire("Calcul du plan…");
      MJPM.api("/transferts", { method: "POST", json: corps }).then(function (plan) {
        dire("Plan n° " + plan.id + " calculé : " + plan.nombre_mesures + " mesure(s), " + plan.sans_proposition + " sans proposition.");
        return chargerPlans().then(function () { return afficher(plan.id); });
      }).catch(function (e) { dire(e.message, true); });
    });
  }

  var confirmer = document.getElementById("confirmer");
  if (confirmer) {
    confirmer.addEventListener("click", function () {
      var mesures = Array.prototype.map.call(document.querySelectorAll(".a-confirmer:checked"), function (c) {
        return Number(c.value);
      });
      if (!mesures.length) {
        dire("Cochez au moins une mesure dont le choix est retenu.", true);
        return;
      }
      MJPM.api("/transferts/" + courant + "/confirmation", { method: "POST", json: { mesures: mesures } }).then(function () {
        dire(mesures.length + " réservation(s) envoyée(s) aux professionnels retenus.");
        return afficher(courant);
      }).catch(function (e) { dire(e.message, true); });
    });
  }

  var cloturer = document.getElementById("cloturer");
  if (cloturer) {
    cloturer.addEventListener("click", function () {
      MJPM.api("/transferts/" + courant + "/cloture", { method: "POST" }).then(function () {
        dire("Plan clôturé.");
        return chargerPlans().then(function () { return afficher(courant); });
      }).catch(function (e) { dire(e.message, true); });
    });
  }

  chargerPlans();
})();
