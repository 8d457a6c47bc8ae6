/* mjpm-match : réservations du tribunal (GET /tribunaux/{t}/reservations), filtrées par état, numéro RG et
   période, 20 par page ; chaque ligne rouvre sa recherche sur la page du juge (/juge?demande=...). */
(function () {
  "use strict";

  var MJPM = window.MJPM;
  var el = MJPM.el;
  var L = MJPM.libelles;
  var PAR_PAGE = 20;
  var decalage = 0;
  var total = 0;

  function valeur(id) { return document.getElementById(id).value.trim(); }

  function charger() {
    var params = new URLSearchParams({ limit: PAR_PAGE, offset: decalage });
    ["statut", "numero_rg", "debut", "fin"].forEach(function (nom) { if (valeur(nom)) params.set(nom, valeur(nom)); });
    var erreur = document.getElementById("erreur");
    erreur.hidden = true;
    document.body.removeAttribute("data-etat");
    return MJPM.api("/tribunaux/" + encodeURIComponent(valeur("tribunal")) + "/reservations?" + params).then(afficher, function (e) {
      erreur.querySelector("p").textContent = e.message;
      erreur.hidden = false;
    }).then(function () { document.body.setAttribute("data-etat", "pret"); });
  }

  function precisions(r) {
    var morceaux = [];
    if (r.hors_liste) morceaux.push("Hors liste : " + (r.justification || ""));
    if (r.motif_refus) morceaux.push("Motif du refus : " + r.motif_refus);
    if (r.urgence) morceaux.push("Urgence");
    return morceaux.join(" ; ") || "–";
  }

  function afficher(page) {
    total = page.total;
    var corps = document.querySelector("#liste tbody");
    corps.textContent = "";
    page.items.forEach(function (r) {
      corps.appendChild(el("tr", { "data-statut": r.statut }, [
        el("th", { scope: "row", texte: r.numero_rg }),
        el("td", { texte: r.mandataire_nom }),
        el("td", { texte: L.natures[r.nature] || r.nature }),
        el("td", {}, [el("span", { class: "fr-badge fr-badge--sm fr-badge--no-icon statut-" + r.statut, texte: L.statuts[r.statut] || r.statut })]),
        el("td", { texte: MJPM.date(r.created_at) }),
        el("td", { texte: MJPM.date(r.answered_at) }),
        el("td", { texte: r.statut === "en_attente" ? MJPM.date(r.expires_at) : "–" }),
        el("td", { texte: precisions(r) }),
        el("td", {}, [r.match_id ? el("a", { class: "fr-link", href: "/juge?demande=" + encodeURIComponent(r.match_id), texte: "Nouvelle recherche à partir de celle-ci", title: "Nouvelle recherche à partir de celle du dossier " + r.numero_rg }) : "–"]),
      ]));
    });
    var fin = Math.min(decalage + PAR_PAGE, total);
    document.getElementById("compte").textContent = total
      ? total + " réservation" + (total > 1 ? "s" : "") + " ; " + (decalage + 1) + " à " + fin + " affichées."
      : "Aucune réservation ne correspond à ces filtres.";
    document.getElementById("page-courante").textContent = "Page " + (Math.floor(decalage / PAR_PAGE) + 1) + " sur " + Math.max(1, Math.ceil(total / PAR_PAGE));
    document.getElementById("precedente").disabled = decalage === 0;
    document.getElementById("suivante").disabled = fin >= total;
  }

  document.getElementById("filtres").addEventListener("submit", function (evenement) {
    evenement.preventDefault();
    decalage = 0;
    charger().then(function () { document.getElementById("titre-liste").focus(); });
  });
  document.getElementById("precedente").addEventListener("click", function () { decalage = Math.max(0, decalage - PAR_PAGE); charger(); });
  document.getElementById("suivante").addEventListener("click", function () { decalage += PAR_PAGE; charger(); });
  charger();
})();
