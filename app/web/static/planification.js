/* mjpm-match : page de planification de l'offre (agents) : simuler, proposer des communes, comparer un scénario. */
(function () {
  "use strict";

  var MJPM = window.MJPM;
  var el = MJPM.el;
  var message = document.getElementById("message");
  var ajouts = []; // le scénario : {insee, commune, capacite, exercice}
  var INDICATEURS = [
    ["arrivees", "Arrivées", 0],
    ["designations", "Désignations", 0],
    ["distance_moyenne_km", "Distance moyenne (km)", 1],
    ["distance_p90_km", "Distance, 9e décile (km)", 1],
    ["au_dela_capacite", "Désignations au-delà de la capacité", 0],
    ["sans_candidat", "Mesures sans candidat", 0],
    ["gini_occupation", "Dispersion de l'occupation en fin d'année (Gini)", 3],
    ["occupation_moyenne", "Occupation moyenne en fin d'année", "%"],
  ];

  function dire(texte, erreur) {
    message.querySelector("p").textContent = texte;
    message.className = "fr-alert fr-alert--sm fr-mb-3w fr-alert--" + (erreur ? "error" : "info");
    message.hidden = !texte;
  }

  function valeur(v, chiffres) {
    return chiffres === "%" ? MJPM.pourcent(v) : MJPM.nombre(v, chiffres);
  }

  function entier(id) {
    var texte = document.getElementById(id).value.trim();
    return texte === "" ? null : Number(texte);
  }

  function territoire() {
    return "?departement=" + encodeURIComponent(document.getElementById("departement").value);
  }

  function simulation() {
    var parametres = { annees: 1, strategies: ["moteur"], graine: entier("graine") || 0 };
    var arrivees = entier("arrivees");
    if (arrivees !== null) parametres.arrivees = arrivees;
    return parametres;
  }

  function occupe(bouton, texte) {
    var initial = bouton.textContent;
    bouton.disabled = true;
    bouton.textContent = texte;
    return function () {
      bouton.disabled = false;
      bouton.textContent = initial;
    };
  }

  function montrer(section, titre) {
    document.getElementById(section).hidden = false;
    document.getElementById(titre).focus();
  }

  /** Un tableau des indicateurs : une colonne par offre, et l'écart quand il y en a deux. */
  function tableauIndicateurs(legende, colonnes) {
    var ecart = colonnes.length === 2;
    var tete = el("thead", {}, [el("tr", {}, [el("th", { scope: "col", texte: "Indicateur" })].concat(
      colonnes.map(function (c) { return el("th", { scope: "col", class: "num", texte: c.titre }); }),
      ecart ? [el("th", { scope: "col", class: "num", texte: "Écart" })] : []
    ))]);
    var corps = el("tbody", {}, INDICATEURS.map(function (indicateur) {
      var cle = indicateur[0];
      var cellules = colonnes.map(function (c) {
        return el("td", { class: "num", texte: valeur(c.resultat[cle], indicateur[2]) });
      });
      if (ecart) {
        var a = colonnes[0].resultat[cle], b = colonnes[1].resultat[cle];
        var d = a === null || b === null || a === undefined || b === undefined ? null : b - a;
        var texte = d === null ? "–" : (d > 0 ? "+" : "") + valeur(d, indicateur[2]);
        cellules.push(el("td", { class: "num", texte: texte }));
      }
      return el("tr", {}, [el("th", { scope: "row", texte: indicateur[1] })].concat(cellules));
    }));
    return MJPM.enveloppeTableau(el("table", {}, [el("caption", { texte: legende }), tete, corps]), { petit: true });
  }

  document.getElementById("simulation").addEventListener("submit", function (evenement) {
    evenement.preventDefault();
    var fin = occupe(evenement.submitter || this.querySelector("button"), "Simulation en cours…");
    dire("");
    MJPM.api("/planification/simulations" + territoire(), { method: "POST", json: simulation() })
      .then(function (reponse) {
        var zone = document.getElementById("resultats-actuel");
        zone.textContent = "";
        var h = reponse.hypotheses;
        zone.appendChild(el("p", { texte: MJPM.nombre(h.arrivees_par_an[0], 0) + " arrivées simulées, " +
          MJPM.nombre(h.professionnels, 0) + " professionnels pouvant les recevoir." }));
        reponse.resultats.forEach(function (r) {
          zone.appendChild(tableauIndicateurs(r.libelle, [{ titre: "Offre actuelle", resultat: r }]));
        });
        montrer("actuel", "titre-actuel");
      })
      .catch(function (e) { dire(e.message, true); })
      .then(fin);
  });

  function ajouter(implantation, capacite, exercice) {
    ajouts.push({ insee: implantation.insee, commune: implantation.commune, capacite: capacite, exercice: exercice });
    dessinerScenario();
    dire(implantation.commune + " ajoutée au scénario.");
  }

  document.getElementById("implantations").addEventListener("submit", function (evenement) {
    evenement.preventDefault();
    var fin = occupe(evenement.submitter || this.querySelector("button"), "Calcul en cours…");
    var corps = {
      nombre: entier("nombre"),
      capacite: entier("capacite"),
      exercice: document.getElementById("exercice").value,
      norme_km: entier("norme"),
      simulation: simulation(),
    };
    dire("");
    MJPM.api("/planification/implantations" + territoire(), { method: "POST", json: corps })
      .then(function (reponse) {
        var avant = reponse.avant, apres = reponse.apres;
        document.getElementById("resume-propositions").textContent =
          "Dans la meilleure répartition des places libres, arrivées d'un an sans place à moins de " +
          MJPM.nombre(reponse.hypotheses.norme_km, 0) + " km : " + MJPM.nombre(avant.sans_candidat_dans_la_norme, 0) +
          " avant, " + MJPM.nombre(apres.sans_candidat_dans_la_norme, 0) + " après ; distance moyenne " +
          MJPM.nombre(avant.distance_moyenne_km, 1) + " km avant, " + MJPM.nombre(apres.distance_moyenne_km, 1) + " km après.";
        var lignes = reponse.implantations.map(function (imp, i) {
          var bouton = MJPM.bouton("Ajouter " + imp.commune + " au scénario", { secondaire: true, petit: true });
          bouton.addEventListener("click", function () { ajouter(imp, corps.capacite, corps.exercice); });
          return el("tr", {}, [
            el("td", { class: "num", texte: String(i + 1) }),
            el("th", { scope: "row", texte: imp.commune + " (" + imp.insee + ")" }),
            el("td", { class: "num", texte: MJPM.nombre(imp.couvertes, 0) }),
            el("td", { class: "num", texte: MJPM.nombre(imp.gain_km, 0) }),
            el("td", {}, [bouton]),
          ]);
        });
        var tete = el("thead", {}, [el("tr", {}, [
          "Rang", "Commune", "Arrivées sans candidat qu'il prendrait", "Kilomètres économisés", "",
        ].map(function (t, i) {
          return el("th", { scope: "col", class: i === 2 || i === 3 ? "num" : null }, i === 4 ? [el("span", { class: "fr-sr-only", texte: "Action" })] : [t]);
        }))]);
        var zone = document.getElementById("liste-propositions");
        zone.textContent = "";
        zone.appendChild(MJPM.enveloppeTableau(el("table", {}, [el("caption", { texte: "Dans l'ordre où elles ont été choisies" }), tete, el("tbody", {}, lignes)]), { petit: true }));
        document.getElementById("tout-ajouter").onclick = function () {
          reponse.implantations.forEach(function (imp) { ajouter(imp, corps.capacite, corps.exercice); });
          dire(reponse.implantations.length + " communes ajoutées au scénario.");
        };
        montrer("propositions", "titre-propositions");
      })
      .catch(function (e) { dire(e.message, true); })
      .then(fin);
  });

  function dessinerScenario() {
    var zone = document.getElementById("ajouts");
    zone.textContent = "";
    if (!ajouts.length) {
      zone.appendChild(el("p", { texte: "Aucun professionnel ajouté : ajoutez une commune proposée." }));
      return;
    }
    zone.appendChild(el("ul", {}, ajouts.map(function (a, i) {
      var retirer = MJPM.bouton("Retirer " + a.commune + " du scénario", { secondaire: true, petit: true, classe: "fr-ml-1w" });
      retirer.addEventListener("click", function () {
        ajouts.splice(i, 1);
        dessinerScenario();
      });
      var exercice = a.exercice === "service" ? "service" : "mandataire individuel";
      return el("li", {}, [exercice + " à " + a.commune + ", " + a.capacite + " mesures", retirer]);
    })));
  }

  document.getElementById("comparer").addEventListener("click", function () {
    var fin = occupe(this, "Comparaison en cours…");
    var croissance = document.getElementById("croissance").value.trim();
    var scenario = {
      ajouts: ajouts.map(function (a) { return { insee: a.insee, capacite: a.capacite, exercice: a.exercice }; }),
    };
    if (croissance !== "") scenario.croissance = Number(croissance) / 100;
    dire("");
    MJPM.api("/planification/scenarios/comparaison" + territoire(), {
      method: "POST",
      json: { simulation: simulation(), scenario: scenario },
    })
      .then(function (reponse) {
        var zone = document.getElementById("tableau-comparaison");
        zone.textContent = "";
        reponse.actuel.resultats.forEach(function (r, i) {
          zone.appendChild(tableauIndicateurs(r.libelle, [
            { titre: "Offre actuelle", resultat: r },
            { titre: "Scénario", resultat: reponse.modifie.resultats[i] },
          ]));
        });
        montrer("comparaison", "titre-comparaison");
      })
      .catch(function (e) { dire(e.message, true); })
      .then(fin);
  });
})();
