/* mjpm-match : page des tableaux de bord. Lit les tableaux JSON de /tableaux-de-bord/{nom} avec les filtres
   de la page, les affiche en tableaux, colore la carte des départements et trace les graphiques, selon ce que
   la page déclare de chaque tableau (colonnes des séries et de la carte, libellés des codes). */
(function () {
  "use strict";

  var MJPM = window.MJPM;
  var el = MJPM.el;
  var svg = MJPM.svg;
  var LIGNES_AFFICHEES = 200;
  // Palette séquentielle (clair → foncé) lisible par les daltoniens ; les valeurs restent dans les tableaux.
  var PALETTE = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];
  var resultats = {};
  var chemins = null;

  function url(section) {
    var q = section.getAttribute("data-requete");
    return "/tableaux-de-bord/" + section.getAttribute("data-nom") + (q ? "?" + q : "");
  }

  /** Les lignes avec le libellé français des codes, pour les colonnes dont la page déclare les libellés. */
  function avecLibelles(section, donnees) {
    var codes = JSON.parse(section.getAttribute("data-codes") || "{}");
    var cles = Object.keys(codes);
    if (!cles.length) return donnees;
    function traduire(ligne) {
      var copie = Object.assign({}, ligne);
      cles.forEach(function (cle) {
        if (typeof copie[cle] === "string" && codes[cle][copie[cle]]) copie[cle] = codes[cle][copie[cle]];
      });
      return copie;
    }
    return Object.assign({}, donnees, { lignes: (donnees.lignes || []).map(traduire) });
  }

  function afficherTableau(section, nom, donnees) {
    var titre = section.querySelector("h2");
    if (donnees.titre) titre.textContent = donnees.titre;
    section.querySelector('[data-role="note"]').textContent = donnees.note || "";
    var contenu = section.querySelector('[data-role="contenu"]');
    contenu.textContent = "";
    var lignes = donnees.lignes || [];
    if (!lignes.length) {
      contenu.appendChild(el("p", { class: "note", texte: "Aucune ligne pour ces filtres." }));
    } else {
      contenu.appendChild(MJPM.tableau(avecLibelles(section, donnees), { titreId: titre.id, limite: LIGNES_AFFICHEES }));
      if (lignes.length > LIGNES_AFFICHEES) {
        contenu.appendChild(el("p", {
          class: "note",
          texte: "Les " + LIGNES_AFFICHEES + " premières lignes sur " + MJPM.nombre(lignes.length, 0) +
            " sont affichées ; les fichiers CSV et XLSX les contiennent toutes.",
        }));
      }
    }
    section.setAttribute("data-lignes", String(lignes.length));
    section.removeAttribute("aria-busy");
  }

  function afficherErreur(section, erreur) {
    var contenu = section.querySelector('[data-role="contenu"]');
    contenu.textContent = "";
    contenu.appendChild(MJPM.alerte("error", "Tableau indisponible : " + erreur.message, { role: "alert" }));
    section.setAttribute("data-lignes", "erreur");
    section.removeAttribute("aria-busy");
  }

  // --- carte ------------------------------------------------------------------------------------------------

  /** L'indicateur choisi, tel que la page le déclare : sa colonne, ses seuils fixes éventuels, son sens. */
  function indicateurChoisi() {
    var select = document.getElementById("indicateur");
    var option = select.options[select.selectedIndex];
    var seuils = JSON.parse(option.getAttribute("data-seuils") || "[]");
    var donnees = resultats[select.getAttribute("data-tableau")];
    var colonne = donnees && (donnees.colonnes || []).filter(function (c) { return c.cle === option.value; })[0];
    var type = colonne ? colonne.type : "decimal";
    return {
      cle: option.value,
      libelle: colonne ? colonne.libelle : option.textContent,
      seuils: seuils.length ? seuils : null,
      inverse: option.hasAttribute("data-inverse"),
      format: function (v) { return MJPM.formater(v, type); },
      donnees: donnees,
      departement: select.getAttribute("data-departement"),
      renseigne: select.getAttribute("data-renseigne"),
    };
  }

  /**
   * Valeurs par département, lues dans la colonne déclarée du tableau qui colore la carte ; un département sans
   * professionnel inscrit n'a pas de donnée (et non une valeur nulle).
   */
  function valeursParDepartement(indicateur) {
    var valeurs = {};
    ((indicateur.donnees && indicateur.donnees.lignes) || []).forEach(function (l) {
      var code = l[indicateur.departement];
      if (code && l[indicateur.renseigne] > 0 && typeof l[indicateur.cle] === "number") valeurs[code] = l[indicateur.cle];
    });
    return valeurs;
  }

  /**
   * Bornes des classes tirées des données : une classe par valeur quand elles sont peu nombreuses, sinon des
   * quantiles des valeurs distinctes (des départements à égalité ne remplissent pas toutes les classes).
   */
  function classes(valeurs) {
    var distinctes = valeurs.slice().sort(function (a, b) { return a - b; })
      .filter(function (v, i, t) { return i === 0 || v !== t[i - 1]; });
    if (distinctes.length <= PALETTE.length) return distinctes.slice(1);
    var seuils = [];
    for (var i = 1; i < PALETTE.length; i++) {
      var s = distinctes[Math.floor((i * distinctes.length) / PALETTE.length)];
      if (seuils.indexOf(s) < 0) seuils.push(s);
    }
    return seuils;
  }

  /** Les classes qui ont au moins une valeur, bornées par les valeurs extrêmes, avec leur libellé. */
  function legendeDesClasses(liste, seuils, format) {
    var lignes = [];
    for (var i = 0; i <= seuils.length; i++) {
      var bas = i === 0 ? -Infinity : seuils[i - 1];
      var haut = i === seuils.length ? Infinity : seuils[i];
      var dedans = liste.filter(function (v) { return v >= bas && v < haut; });
      if (!dedans.length) continue;
      var min = Math.min.apply(null, dedans);
      var max = Math.max.apply(null, dedans);
      var texte = min === max ? format(min)
        : haut === Infinity ? "de " + format(min) + " à " + format(max)
        : "de " + format(min) + " à moins de " + format(haut);
      lignes.push({ rang: i, texte: texte });
    }
    return lignes;
  }

  function colorerCarte() {
    if (!chemins) return;
    var indicateur = indicateurChoisi();
    var valeurs = valeursParDepartement(indicateur);
    var liste = Object.keys(valeurs).map(function (k) { return valeurs[k]; });
    var seuils = indicateur.seuils || classes(liste);
    function rang(v) {
      var r = 0;
      while (r < seuils.length && v >= seuils[r]) r++;
      return r;
    }
    // Les classes prennent les teintes les plus foncées d'abord du côté de la tension.
    function couleur(r) {
      var decalage = PALETTE.length - 1 - seuils.length;
      return PALETTE[(indicateur.inverse ? seuils.length - r : r) + decalage];
    }
    Object.keys(chemins).forEach(function (code) {
      var path = chemins[code];
      var titre = path.querySelector("title");
      var base = titre.textContent.split(" : ")[0];
      if (code in valeurs) {
        path.setAttribute("fill", couleur(rang(valeurs[code])));
        path.setAttribute("data-valeur", String(valeurs[code]));
        path.classList.remove("sans-donnee");
        titre.textContent = base + " : " + indicateur.format(valeurs[code]);
      } else {
        path.removeAttribute("fill");
        path.removeAttribute("data-valeur");
        path.classList.add("sans-donnee");
        titre.textContent = base + " : pas de donnée";
      }
    });
    var legende = document.getElementById("legende");
    legende.textContent = "";
    legendeDesClasses(liste, seuils, indicateur.format).forEach(function (classe) {
      legende.appendChild(el("li", {}, [el("span", { class: "pastille", "data-couleur": couleur(classe.rang) }), classe.texte]));
    });
    legende.appendChild(el("li", {}, [el("span", { class: "pastille sans-donnee" }), "pas de donnée"]));
    Array.prototype.forEach.call(legende.querySelectorAll("[data-couleur]"), function (s) {
      s.style.backgroundColor = s.getAttribute("data-couleur");
    });
    cadrer(valeurs, indicateur);
    document.getElementById("resume-carte").textContent = liste.length
      ? indicateur.libelle + " : " + liste.length + " département" + (liste.length > 1 ? "s" : "") + " renseigné" +
        (liste.length > 1 ? "s" : "") + (indicateur.inverse ? " (plus foncé = moins de places libres)." : " (plus foncé = plus chargé).")
      : indicateur.libelle + " : aucune donnée pour ces filtres.";
  }

  /** Vue resserrée sur les départements renseignés (s'ils sont peu nombreux), avec leur code et leur valeur. */
  function cadrer(valeurs, indicateur) {
    var carte = document.getElementById("carte");
    var ancien = carte.querySelector(".etiquettes");
    if (ancien) carte.removeChild(ancien);
    var codes = Object.keys(valeurs).filter(function (c) { return chemins[c]; });
    if (!document.getElementById("zoom-carte").checked || !codes.length || codes.length > 30) {
      carte.setAttribute("viewBox", "0 0 800 660");
      return;
    }
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    var boites = {};
    codes.forEach(function (c) {
      var r = chemins[c].getBBox();
      boites[c] = r;
      b = [Math.min(b[0], r.x), Math.min(b[1], r.y), Math.max(b[2], r.x + r.width), Math.max(b[3], r.y + r.height)];
    });
    var marge = Math.max(b[2] - b[0], b[3] - b[1]) * 0.08 + 4;
    var l = b[2] - b[0] + 2 * marge;
    var h = b[3] - b[1] + 2 * marge;
    // Garder le rapport largeur / hauteur du cadre (800 × 660) pour que les étiquettes gardent leur taille.
    if (l / h < 800 / 660) { var nl = (h * 800) / 660; b[0] -= (nl - l) / 2; l = nl; }
    else { var nh = (l * 660) / 800; b[1] -= (nh - h) / 2; h = nh; }
    carte.setAttribute("viewBox", [b[0] - marge, b[1] - marge, l, h].map(function (v) { return v.toFixed(1); }).join(" "));
    var taille = l / 55;
    var groupe = svg("g", { class: "etiquettes", "aria-hidden": "true" });
    codes.forEach(function (c) {
      var r = boites[c];
      var x = r.x + r.width / 2;
      var y = r.y + r.height / 2;
      groupe.appendChild(svg("text", { x: x, y: y, "font-size": taille.toFixed(2), "stroke-width": (taille / 4).toFixed(2), "text-anchor": "middle", texte: c }));
      groupe.appendChild(svg("text", { x: x, y: y + taille * 1.15, "font-size": (taille * 0.9).toFixed(2), "stroke-width": (taille / 4).toFixed(2), "text-anchor": "middle", texte: indicateur.format(valeurs[c]) }));
    });
    carte.appendChild(groupe);
  }

  // --- graphiques -------------------------------------------------------------------------------------------

  var MOIS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
  function libelleMois(texte) {
    var m = /^(\d{4})-(\d{2})$/.exec(texte);
    return m ? MOIS[Number(m[2]) - 1] + " " + m[1] : texte;
  }

  /** Regroupe les lignes par valeur de l'abscisse (les lignes d'une même valeur s'additionnent). */
  function series(donnees, abscisse, colonnes) {
    var ordre = [];
    var sommes = {};
    (donnees.lignes || []).forEach(function (l) {
      var libelle = String(l[abscisse]);
      if (!(libelle in sommes)) {
        ordre.push(libelle);
        sommes[libelle] = colonnes.map(function () { return 0; });
      }
      colonnes.forEach(function (c, i) { sommes[libelle][i] += typeof l[c.cle] === "number" ? l[c.cle] : 0; });
    });
    return ordre.map(function (libelle) { return { libelle: libelleMois(libelle), valeurs: sommes[libelle] }; });
  }

  function graphiqueBarres(cible, groupes, noms, options) {
    while (cible.firstChild) cible.removeChild(cible.firstChild);
    var vb = cible.viewBox.baseVal;
    var m = { g: 48, d: 10, h: noms.length > 1 ? 30 : 14, b: options.incliner ? 58 : 34 };
    var l = vb.width - m.g - m.d;
    var h = vb.height - m.h - m.b;
    if (!groupes.length) {
      cible.appendChild(svg("text", { x: vb.width / 2, y: vb.height / 2, "text-anchor": "middle", class: "vide", texte: "Aucune donnée pour ces filtres" }));
      return;
    }
    var max = Math.max.apply(null, [].concat.apply([1], groupes.map(function (g) { return g.valeurs; })));
    var pas = Math.pow(10, Math.floor(Math.log10(max)));
    var haut = Math.ceil(max / pas) * pas;
    var defs = svg("defs", {}, [
      svg("pattern", { id: cible.id + "-hachures", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, [
        svg("rect", { width: 6, height: 6, class: "serie-1" }),
        svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "hachure" }),
      ]),
    ]);
    cible.appendChild(defs);
    for (var t = 0; t <= 4; t++) {
      var v = (haut * t) / 4;
      var y = m.h + h - (h * t) / 4;
      cible.appendChild(svg("line", { x1: m.g, x2: m.g + l, y1: y, y2: y, class: "grille" }));
      cible.appendChild(svg("text", { x: m.g - 6, y: y + 4, "text-anchor": "end", class: "axe", texte: MJPM.nombre(v, 0) }));
    }
    var largeurGroupe = l / groupes.length;
    var largeurBarre = Math.min(40, (largeurGroupe * 0.8) / noms.length);
    groupes.forEach(function (g, i) {
      var x0 = m.g + i * largeurGroupe + (largeurGroupe - largeurBarre * noms.length) / 2;
      g.valeurs.forEach(function (valeur, s) {
        var hb = (h * valeur) / haut;
        var barre = svg("rect", {
          x: x0 + s * largeurBarre, y: m.h + h - hb, width: Math.max(1, largeurBarre - 1), height: hb,
          class: "barre", fill: s === 0 ? null : "url(#" + cible.id + "-hachures)", "data-serie": s,
        }, [svg("title", { texte: g.libelle + " – " + noms[s] + " : " + MJPM.nombre(valeur, 2) })]);
        cible.appendChild(barre);
        if (options.valeurs) {
          cible.appendChild(svg("text", { x: x0 + s * largeurBarre + largeurBarre / 2, y: m.h + h - hb - 4, "text-anchor": "middle", class: "valeur", texte: MJPM.nombre(valeur, 0) }));
        }
      });
      var xl = m.g + i * largeurGroupe + largeurGroupe / 2;
      var saut = Math.ceil(groupes.length / 14);
      if (i % saut === 0) {
        cible.appendChild(options.incliner
          ? svg("text", { x: xl, y: m.h + h + 12, "text-anchor": "end", transform: "rotate(-40 " + xl + " " + (m.h + h + 12) + ")", class: "axe", texte: g.libelle })
          : svg("text", { x: xl, y: m.h + h + 16, "text-anchor": "middle", class: "axe", texte: g.libelle }));
      }
    });
    cible.appendChild(svg("line", { x1: m.g, x2: m.g + l, y1: m.h + h, y2: m.h + h, class: "axe-x" }));
    if (noms.length > 1) {
      noms.forEach(function (nom, s) {
        var x = m.g + s * 190;
        cible.appendChild(svg("rect", { x: x, y: 6, width: 14, height: 14, class: "barre", fill: s === 0 ? null : "url(#" + cible.id + "-hachures)" }));
        cible.appendChild(svg("text", { x: x + 20, y: 18, class: "axe", texte: nom }));
      });
    }
  }

  /**
   * Le graphique déclaré d'un tableau : chaque série est la première de ses colonnes que la réponse contient
   * (le total, ou la seule colonne qu'un filtre de type garde).
   */
  function tracer(cible) {
    var donnees = resultats[cible.getAttribute("data-tableau")];
    if (!donnees) return graphiqueBarres(cible, [], [], {});
    var colonnes = {};
    (donnees.colonnes || []).forEach(function (c) { colonnes[c.cle] = c; });
    var choisies = JSON.parse(cible.getAttribute("data-series")).map(function (cles) {
      return cles.map(function (cle) { return colonnes[cle]; }).filter(Boolean)[0];
    }).filter(Boolean);
    var valeursAffichees = choisies.length === 1;
    graphiqueBarres(cible, series(donnees, cible.getAttribute("data-abscisse"), choisies),
      choisies.map(function (c) { return c.libelle; }), { valeurs: valeursAffichees, incliner: true });
  }

  // --- chargement -------------------------------------------------------------------------------------------

  var sections = Array.prototype.slice.call(document.querySelectorAll(".tableau-bord"));
  var chargements = sections.map(function (section) {
    var nom = section.getAttribute("data-nom");
    return MJPM.api(url(section)).then(
      function (donnees) {
        resultats[nom] = donnees;
        afficherTableau(section, nom, donnees);
      },
      function (erreur) { afficherErreur(section, erreur); }
    );
  });
  var carte = MJPM.chargerDepartements().then(
    function (collection) { chemins = MJPM.dessinerFrance(document.getElementById("carte"), collection); },
    function (erreur) { document.getElementById("resume-carte").textContent = "Carte indisponible : " + erreur.message; }
  );
  document.getElementById("indicateur").addEventListener("change", colorerCarte);
  document.getElementById("zoom-carte").addEventListener("change", colorerCarte);

  // Le choix d'une région restreint les départements proposés, celui d'un département les tribunaux.
  var region = document.getElementById("f-region");
  var departement = document.getElementById("f-departement");
  var tribunal = document.getElementById("f-tribunal");
  function restreindre() {
    Array.prototype.forEach.call(departement.options, function (o) {
      o.hidden = Boolean(o.value && region.value && o.getAttribute("data-region") !== region.value);
    });
    Array.prototype.forEach.call(tribunal.options, function (o) {
      var d = o.getAttribute("data-departement");
      var option = departement.querySelector('option[value="' + d + '"]');
      o.hidden = Boolean(o.value && ((departement.value && d !== departement.value) ||
        (region.value && option && option.getAttribute("data-region") !== region.value)));
    });
  }
  region.addEventListener("change", restreindre);
  departement.addEventListener("change", restreindre);
  restreindre();

  Promise.all(chargements.concat([carte])).then(function () {
    colorerCarte();
    Array.prototype.forEach.call(document.querySelectorAll("svg.graphique[data-tableau]"), tracer);
    document.body.setAttribute("data-etat", "pret");
  });
})();
