/* mjpm-match : fonctions communes des pages (appels à l'API, mise en forme française, tableaux). */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var MJPM = (window.MJPM = window.MJPM || {});
  var donnees = document.getElementById("libelles");
  MJPM.libelles = donnees ? JSON.parse(donnees.textContent) : {};

  var entier = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
  var decimal = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });
  var pourcent = new Intl.NumberFormat("fr-FR", { style: "percent", maximumFractionDigits: 1 });
  var jour = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long" });

  /** Crée un élément HTML (ou SVG si `svg` est vrai) avec ses attributs et ses enfants. */
  function el(tag, attrs, enfants, svg) {
    var node = svg ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (nom) {
      var valeur = attrs[nom];
      if (valeur === null || valeur === undefined || valeur === false) return;
      if (nom === "texte") node.textContent = valeur;
      else node.setAttribute(nom, valeur === true ? "" : String(valeur));
    });
    (enfants || []).forEach(function (enfant) {
      if (enfant === null || enfant === undefined) return;
      node.appendChild(typeof enfant === "string" ? document.createTextNode(enfant) : enfant);
    });
    return node;
  }
  MJPM.el = el;
  MJPM.svg = function (tag, attrs, enfants) {
    return el(tag, attrs, enfants, true);
  };

  function messageErreur(statut, corps) {
    if (corps && Array.isArray(corps.detail) && corps.detail.length) {
      return corps.detail
        .map(function (d) {
          var ou = (d.loc || []).filter(function (p) { return p !== "body"; }).join(" › ");
          return (d.msg || d.type) + (ou ? " (" + ou + ")" : "");
        })
        .join(" ; ");
    }
    if (statut === 401) return "Session expirée ou jeton révoqué : reconnectez-vous.";
    if (statut === 403) return "Accès refusé pour votre rôle ou votre territoire.";
    if (statut === 404) return "Service introuvable (404).";
    return "Erreur du serveur (" + statut + ").";
  }

  /**
   * Appelle l'API avec le cookie de session (même origine). Les requêtes qui modifient des données portent
   * l'en-tête anti-CSRF exigé par le serveur et envoient du JSON.
   */
  MJPM.api = function (chemin, options) {
    options = options || {};
    var methode = (options.method || "GET").toUpperCase();
    var entetes = Object.assign({ Accept: "application/json" }, options.headers || {});
    var corps;
    if (options.json !== undefined) {
      entetes["Content-Type"] = "application/json";
      corps = JSON.stringify(options.json);
    }
    if (methode !== "GET" && methode !== "HEAD") entetes["X-Requested-With"] = "mjpm";
    return fetch(chemin, { method: methode, headers: entetes, body: corps, credentials: "same-origin" }).then(
      function (reponse) {
        return reponse
          .json()
          .catch(function () { return null; })
          .then(function (donnees) {
            if (!reponse.ok) {
              var erreur = new Error(messageErreur(reponse.status, donnees));
              erreur.statut = reponse.status;
              // Le détail de l'API (type, loc, msg) : une page peut placer chaque message à côté de son champ.
              erreur.details = donnees && Array.isArray(donnees.detail) ? donnees.detail : [];
              throw erreur;
            }
            return donnees;
          });
      }
    );
  };

  MJPM.uuid = function () {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var octets = new Uint8Array(16);
    crypto.getRandomValues(octets);
    return Array.prototype.map.call(octets, function (o) { return ("0" + o.toString(16)).slice(-2); }).join("");
  };

  var NUMERIQUES = ["entier", "decimal", "pourcentage", "integer", "number", "ratio"];
  MJPM.estNumerique = function (colonne) {
    return NUMERIQUES.indexOf(String(colonne.type || "").toLowerCase()) >= 0;
  };

  /** Valeur mise en forme à la française selon le type de la colonne. */
  MJPM.formater = function (valeur, type, cle) {
    if (valeur === null || valeur === undefined || valeur === "") return "–";
    type = String(type || "").toLowerCase();
    if (typeof valeur === "boolean") return valeur ? "oui" : "non";
    if (type === "date" || type === "datetime") {
      var d = new Date(valeur);
      return isNaN(d) ? String(valeur) : jour.format(d);
    }
    if (typeof valeur === "number") {
      if (type === "pourcentage" || type === "ratio" || (!type && cle && /^(taux|part)_/.test(cle))) {
        return pourcent.format(valeur);
      }
      if (type === "entier" || type === "integer") return entier.format(valeur);
      return decimal.format(valeur);
    }
    if (Array.isArray(valeur)) return valeur.join(", ");
    if (typeof valeur === "object") return JSON.stringify(valeur);
    return String(valeur);
  };
  MJPM.nombre = function (valeur, chiffres) {
    if (valeur === null || valeur === undefined) return "–";
    return new Intl.NumberFormat("fr-FR", { maximumFractionDigits: chiffres === undefined ? 2 : chiffres }).format(valeur);
  };
  MJPM.pourcent = function (valeur) {
    return valeur === null || valeur === undefined ? "–" : pourcent.format(valeur);
  };
  MJPM.date = function (valeur) {
    return valeur ? jour.format(new Date(valeur)) : "–";
  };

  /**
   * Un tableau dans l'enveloppe du composant « Tableau » du DSFR (fr-table). `options.petit` : lignes resserrées,
   * `options.bordures` : bordures entre les lignes.
   */
  MJPM.enveloppeTableau = function (table, options) {
    options = options || {};
    var classes = "fr-table" + (options.petit ? " fr-table--sm" : "") + (options.bordures === false ? "" : " fr-table--bordered");
    return el("div", { class: classes }, [
      el("div", { class: "fr-table__wrapper" }, [
        // Le conteneur défile quand le tableau déborde : il doit pouvoir recevoir le focus (clavier).
        el("div", { class: "fr-table__container", tabindex: "0" }, [el("div", { class: "fr-table__content" }, [table])]),
      ]),
    ]);
  };

  /** Un bouton du DSFR ; `options.secondaire`, `options.petit`, `options.classe` (classes de plus). */
  MJPM.bouton = function (texte, options) {
    options = options || {};
    var classes = "fr-btn" + (options.secondaire ? " fr-btn--secondary" : "") + (options.petit ? " fr-btn--sm" : "");
    return el("button", { type: options.type || "button", class: classes + (options.classe ? " " + options.classe : ""), texte: texte });
  };

  /** Une alerte du DSFR (petite) : type "error", "success", "info" ou "warning". */
  MJPM.alerte = function (type, enfants, attrs) {
    return el("div", Object.assign({ class: "fr-alert fr-alert--sm fr-alert--" + type }, attrs || {}), [
      el("p", {}, typeof enfants === "string" ? [enfants] : enfants),
    ]);
  };

  /**
   * Un tableau HTML (dans son enveloppe fr-table) à partir de la réponse d'un tableau de bord : {colonnes: [{cle, libelle, type}], lignes, totaux}.
   * `limite` borne le nombre de lignes affichées (les exports contiennent tout).
   */
  MJPM.tableau = function (donnees, options) {
    options = options || {};
    var colonnes = donnees.colonnes || [];
    var lignes = donnees.lignes || [];
    var limite = options.limite || lignes.length;
    var table = el("table", { "aria-labelledby": options.titreId || null });
    if (options.legende) table.appendChild(el("caption", { texte: options.legende }));
    table.appendChild(
      el("thead", {}, [
        el("tr", {}, colonnes.map(function (c) {
          return el("th", { scope: "col", class: MJPM.estNumerique(c) ? "num" : null, texte: c.libelle || c.cle });
        })),
      ])
    );
    var corps = el("tbody");
    lignes.slice(0, limite).forEach(function (ligne) {
      corps.appendChild(
        el("tr", {}, colonnes.map(function (c, i) {
          var valeur = MJPM.formater(ligne[c.cle], c.type, c.cle);
          var attrs = { class: MJPM.estNumerique(c) || typeof ligne[c.cle] === "number" ? "num" : null, texte: valeur };
          if (i === 0) {
            attrs.scope = "row";
            return el("th", attrs);
          }
          return el("td", attrs);
        }))
      );
    });
    table.appendChild(corps);
    var totaux = donnees.totaux;
    if (totaux && typeof totaux === "object" && !Array.isArray(totaux) && Object.keys(totaux).length) {
      table.appendChild(
        el("tfoot", {}, [
          el("tr", {}, colonnes.map(function (c, i) {
            if (i === 0 && !(c.cle in totaux)) return el("th", { scope: "row", texte: "Total" });
            var total = totaux[c.cle];
            var valeur = total === null || total === undefined ? "" : MJPM.formater(total, c.type, c.cle);
            return el("td", { class: MJPM.estNumerique(c) ? "num" : null, texte: valeur });
          })),
        ])
      );
    }
    return MJPM.enveloppeTableau(table, { petit: true });
  };
})();
