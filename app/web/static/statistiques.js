/* mjpm-match : statistiques du tribunal (GET /tribunaux/{t}/statistiques) sur une période, par défaut les douze
   derniers mois. */
(function () {
  "use strict";

  var MJPM = window.MJPM;
  var el = MJPM.el;
  var L = MJPM.libelles;

  function iso(d) { return d.toISOString().slice(0, 10); }
  var aujourdhui = new Date();
  var ilYaUnAn = new Date(aujourdhui.getTime());
  ilYaUnAn.setFullYear(ilYaUnAn.getFullYear() - 1);
  document.getElementById("debut").value = iso(ilYaUnAn);
  document.getElementById("fin").value = iso(aujourdhui);

  function valeur(id) { return document.getElementById(id).value.trim(); }
  function jours(v) { return v === null || v === undefined ? "–" : MJPM.nombre(v, 1) + " jour" + (v >= 2 ? "s" : ""); }

  function charger() {
    var params = new URLSearchParams();
    ["debut", "fin"].forEach(function (nom) { if (valeur(nom)) params.set(nom, valeur(nom)); });
    var erreur = document.getElementById("erreur");
    erreur.hidden = true;
    document.body.removeAttribute("data-etat");
    return MJPM.api("/tribunaux/" + encodeURIComponent(valeur("tribunal")) + "/statistiques?" + params).then(afficher, function (e) {
      erreur.querySelector("p").textContent = e.message;
      erreur.hidden = false;
    }).then(function () { document.body.setAttribute("data-etat", "pret"); });
  }

  function ligne(cellules) {
    return el("tr", {}, cellules.map(function (c, i) {
      return el(i ? "td" : "th", { scope: i ? null : "row", class: typeof c === "number" ? "num" : null, texte: typeof c === "number" ? MJPM.nombre(c, 0) : c });
    }));
  }

  function afficher(s) {
    document.getElementById("periode").textContent = s.tribunal.nom + " : réservations faites " +
      (s.debut ? "du " + MJPM.date(s.debut) : "depuis l'origine") + (s.fin ? " au " + MJPM.date(s.fin) : " à aujourd'hui") + ".";
    var st = s.par_statut;
    var chiffres = [
      ["Réservations", MJPM.nombre(s.reservations, 0)],
      ["Acceptées", MJPM.nombre(st.acceptee, 0)],
      ["Refusées", MJPM.nombre(st.refusee, 0)],
      ["Expirées sans réponse", MJPM.nombre(s.expirations.nombre, 0) + (s.expirations.part_des_reponses === null ? "" : " (" + MJPM.pourcent(s.expirations.part_des_reponses) + " des réponses)")],
      ["En attente", MJPM.nombre(st.en_attente, 0)],
      ["Annulées", MJPM.nombre(st.annulee, 0)],
      ["Hors liste", MJPM.nombre(s.hors_liste, 0)],
      ["Délai médian d'acceptation", jours(s.delai_acceptation.mediane_jours)],
      ["9 acceptations sur 10 en moins de", jours(s.delai_acceptation.p90_jours)],
    ];
    var dl = document.getElementById("chiffres");
    dl.textContent = "";
    chiffres.forEach(function (c) { dl.appendChild(el("div", {}, [el("dt", { texte: c[0] }), el("dd", { texte: c[1] })])); });
    var corps = document.querySelector("#par-nature tbody");
    corps.textContent = "";
    s.par_nature_exercice.forEach(function (r) {
      corps.appendChild(ligne([L.natures[r.nature] || r.nature, L.types[r.exercice] || r.exercice, r.reservations, r.en_attente, r.acceptee, r.refusee, r.annulee, r.expiree]));
    });
    if (!s.par_nature_exercice.length) corps.appendChild(el("tr", {}, [el("td", { colspan: 8, texte: "Aucune réservation sur la période." })]));
    var refus = document.querySelector("#refus tbody");
    refus.textContent = "";
    s.refus.forEach(function (r) { refus.appendChild(ligne([r.motif, r.nombre])); });
    if (!s.refus.length) refus.appendChild(el("tr", {}, [el("td", { colspan: 2, texte: "Aucun refus sur la période." })]));
  }

  document.getElementById("filtres").addEventListener("submit", function (evenement) {
    evenement.preventDefault();
    charger().then(function () { document.getElementById("titre-chiffres").focus(); });
  });
  charger();
})();
