/* mjpm-match : jetons d'accès à l'API (page /jetons-d-acces) : créer un jeton personnel ; pour un administrateur,
   lister tous les jetons et en révoquer un. */
(function () {
  "use strict";

  var MJPM = window.MJPM;
  var el = MJPM.el;
  var droits = JSON.parse(document.getElementById("droits").textContent);
  var message = document.getElementById("message");
  var PAGE = 50;
  var debut = 0;
  var ETATS = { actif: "Actif", expire: "Expiré", revoque: "Révoqué" };
  var BADGES = { actif: "fr-badge--success", expire: "fr-badge--warning", revoque: "fr-badge--error" };
  var ACCES = { lecture: "Lecture seule", ecriture: "Lecture et écriture" };

  function dire(texte, erreur) {
    message.hidden = false;
    message.className = "fr-alert fr-alert--sm fr-mb-3w " + (erreur ? "fr-alert--error" : "fr-alert--info");
    message.querySelector("p").textContent = texte;
  }

  function perimetre(j) {
    if (j.mandataire) return "mandataire n° " + j.mandataire;
    if (j.tribunal) return "tribunal n° " + j.tribunal;
    if (j.departement) return "département " + j.departement;
    if (j.region) return "région " + j.region;
    return "national";
  }

  var formulaire = document.getElementById("nouveau-jeton");
  if (formulaire) {
    formulaire.addEventListener("submit", function (evenement) {
      evenement.preventDefault();
      var nom = formulaire.nom.value.trim();
      if (!nom) {
        dire("Indiquez à quoi sert ce jeton (champ « À quoi sert ce jeton »).", true);
        formulaire.nom.focus();
        return;
      }
      var corps = { nom: nom, acces: formulaire.querySelector("input[name=acces]:checked").value };
      if (formulaire.expire_le.value) corps.expire_le = formulaire.expire_le.value;
      MJPM.api("/jetons", { method: "POST", json: corps }).then(function (cree) {
        document.getElementById("jeton-valeur").textContent = cree.jeton;
        document.getElementById("jeton-cree").hidden = false;
        dire("Jeton « " + cree.nom + " » créé, valable jusqu'au " + MJPM.date(cree.expires_at) + ".");
        formulaire.reset();
        if (droits.administrateur) charger();
      }).catch(function (e) { dire(e.message, true); });
    });
  }

  function revoquer(jeton, bouton) {
    if (!window.confirm("Révoquer le jeton « " + (jeton.nom || jeton.id) + " » ? Les logiciels qui l'utilisent seront refusés.")) return;
    bouton.disabled = true;
    MJPM.api("/jetons/" + jeton.id, { method: "DELETE" }).then(function () {
      dire("Jeton « " + (jeton.nom || jeton.id) + " » révoqué.");
      charger();
    }).catch(function (e) {
      bouton.disabled = false;
      dire(e.message, true);
    });
  }

  function charger() {
    var actifs = document.getElementById("actifs").checked;
    var chemin = "/jetons?limit=" + PAGE + "&offset=" + debut + (actifs ? "&actifs=true" : "");
    return MJPM.api(chemin).then(function (page) {
      var lignes = page.items.map(function (j) {
        var action = j.etat === "actif" ? MJPM.bouton("Révoquer", { secondaire: true, petit: true }) : null;
        if (action) {
          action.setAttribute("aria-label", "Révoquer le jeton " + (j.nom || j.id));
          action.addEventListener("click", function () { revoquer(j, action); });
        }
        return el("tr", {}, [
          el("th", { scope: "row", texte: j.nom || "(sans nom)" }),
          el("td", { texte: droits.roles[j.role] || j.role }),
          el("td", { texte: perimetre(j) }),
          el("td", { texte: ACCES[j.acces] || j.acces }),
          el("td", { texte: MJPM.date(j.created_at) }),
          el("td", { texte: MJPM.date(j.expires_at) }),
          el("td", {}, [el("p", { class: "fr-badge fr-badge--sm " + (BADGES[j.etat] || ""), texte: ETATS[j.etat] || j.etat })]),
          el("td", {}, [action]),
        ]);
      });
      var zone = document.getElementById("liste-jetons");
      zone.textContent = "";
      zone.appendChild(MJPM.enveloppeTableau(el("table", {}, [
        el("caption", { texte: page.total + " jeton(s)" + (actifs ? " actif(s)" : "") }),
        el("thead", {}, [el("tr", {}, ["Nom", "Rôle", "Périmètre", "Droits", "Créé le", "Expire le", "État", "Action"]
          .map(function (t) { return el("th", { scope: "col", texte: t }); }))]),
        el("tbody", {}, lignes),
      ]), { petit: true }));
      document.getElementById("precedents").disabled = debut === 0;
      document.getElementById("suivants").disabled = debut + PAGE >= page.total;
    }).catch(function (e) { dire(e.message, true); });
  }

  if (droits.administrateur) {
    document.getElementById("actifs").addEventListener("change", function () { debut = 0; charger(); });
    document.getElementById("precedents").addEventListener("click", function () { debut = Math.max(0, debut - PAGE); charger(); });
    document.getElementById("suivants").addEventListener("click", function () { debut += PAGE; charger(); });
    charger();
  }
})();
