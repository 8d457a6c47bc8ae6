/* mjpm-match : autoriser un logiciel métier (page /application/authorization) et retirer un accès (/editeurs-autorises). */
(function () {
  "use strict";

  var MJPM = window.MJPM;
  var message = document.getElementById("message");

  function dire(texte, erreur) {
    message.textContent = texte;
    message.className = erreur ? "message erreur" : "message";
  }

  var formulaire = document.getElementById("autorisation");
  if (formulaire) {
    formulaire.addEventListener("submit", function (evenement) {
      evenement.preventDefault();
      var champs = {};
      new FormData(formulaire).forEach(function (valeur, nom) { champs[nom] = valeur; });
      dire("Autorisation en cours…");
      MJPM.api("/api/oauth/authorize", { method: "POST", json: champs })
        .then(function (reponse) { window.location.assign(reponse.redirect_uri); })
        .catch(function (erreur) { dire("Autorisation impossible : " + erreur.message, true); });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("button.retirer"), function (bouton) {
    bouton.addEventListener("click", function () {
      var nom = bouton.getAttribute("data-nom");
      if (!window.confirm("Retirer l'accès de « " + nom + " » à votre compte ?")) return;
      bouton.disabled = true;
      MJPM.api("/autorisations-editeurs/" + encodeURIComponent(bouton.getAttribute("data-editeur")), { method: "DELETE" })
        .then(function () {
          var ligne = bouton.closest("tr");
          ligne.parentNode.removeChild(ligne);
          dire("Accès de « " + nom + " » retiré.");
        })
        .catch(function (erreur) {
          bouton.disabled = false;
          dire("Retrait impossible : " + erreur.message, true);
        });
    });
  });
})();
