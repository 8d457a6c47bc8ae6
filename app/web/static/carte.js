/* mjpm-match : cartes en SVG à partir des contours simplifiés des départements (GeoJSON WGS 84).
   Projection équirectangulaire corrigée par le cosinus de la latitude centrale : suffisante à l'échelle d'un
   pays ou d'une zone ; les départements d'outre-mer sont dessinés en cartouches. */
(function () {
  "use strict";

  var MJPM = (window.MJPM = window.MJPM || {});
  var svg = MJPM.svg;
  var RAD = Math.PI / 180;
  var OUTRE_MER = ["971", "972", "973", "974", "976"];
  var geojson = null;

  MJPM.chargerDepartements = function () {
    if (!geojson) {
      geojson = fetch("/referentiel/departements.geojson", { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("contours des départements indisponibles (" + r.status + ")");
        return r.json();
      });
    }
    return geojson;
  };

  function anneaux(geometrie) {
    if (geometrie.type === "Polygon") return geometrie.coordinates;
    if (geometrie.type === "MultiPolygon") return [].concat.apply([], geometrie.coordinates);
    return [];
  }

  function emprise(features) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    features.forEach(function (f) {
      anneaux(f.geometry).forEach(function (anneau) {
        anneau.forEach(function (p) {
          if (p[0] < b[0]) b[0] = p[0];
          if (p[1] < b[1]) b[1] = p[1];
          if (p[0] > b[2]) b[2] = p[0];
          if (p[1] > b[3]) b[3] = p[1];
        });
      });
    });
    return b;
  }

  /** Projection qui fait tenir l'emprise [lonMin, latMin, lonMax, latMax] dans le cadre {x, y, l, h}. */
  function projection(b, cadre) {
    var k = Math.cos(((b[1] + b[3]) / 2) * RAD);
    var largeur = Math.max((b[2] - b[0]) * k, 1e-6);
    var hauteur = Math.max(b[3] - b[1], 1e-6);
    var echelle = Math.min(cadre.l / largeur, cadre.h / hauteur);
    var dx = cadre.x + (cadre.l - largeur * echelle) / 2;
    var dy = cadre.y + (cadre.h - hauteur * echelle) / 2;
    var projeter = function (lon, lat) {
      return [dx + (lon - b[0]) * k * echelle, dy + (b[3] - lat) * echelle];
    };
    projeter.kmParUnite = 111.32 / echelle;
    return projeter;
  }
  MJPM.projection = projection;

  function chemin(geometrie, projeter) {
    return anneaux(geometrie)
      .map(function (anneau) {
        return anneau
          .map(function (p, i) {
            var xy = projeter(p[0], p[1]);
            return (i ? "L" : "M") + xy[0].toFixed(1) + " " + xy[1].toFixed(1);
          })
          .join("") + "Z";
      })
      .join("");
  }

  /**
   * Dessine les 101 départements dans `cible` (un <svg> de viewBox 0 0 800 660) : la métropole à droite, les
   * cinq départements d'outre-mer en cartouches à gauche. Renvoie {code: <path>}.
   */
  MJPM.dessinerFrance = function (cible, collection) {
    while (cible.firstChild) cible.removeChild(cible.firstChild);
    var metropole = collection.features.filter(function (f) { return OUTRE_MER.indexOf(f.properties.code) < 0; });
    var chemins = {};
    var groupe = svg("g", { class: "departements" });
    cible.appendChild(groupe);

    function tracer(feature, projeter, parent) {
      var p = feature.properties;
      var path = svg("path", {
        d: chemin(feature.geometry, projeter),
        "data-code": p.code,
        "fill-rule": "evenodd",
        class: "departement",
      }, [svg("title", { texte: p.code + " – " + p.nom })]);
      parent.appendChild(path);
      chemins[p.code] = path;
    }

    var proj = projection(emprise(metropole), { x: 170, y: 8, l: 622, h: 644 });
    metropole.forEach(function (f) { tracer(f, proj, groupe); });

    OUTRE_MER.forEach(function (code, i) {
      var feature = collection.features.filter(function (f) { return f.properties.code === code; })[0];
      if (!feature) return;
      var cadre = { x: 8, y: 8 + i * 130, l: 150, h: 122 };
      var cartouche = svg("g", { class: "cartouche" });
      cartouche.appendChild(svg("rect", { x: cadre.x, y: cadre.y, width: cadre.l, height: cadre.h, class: "cadre-cartouche" }));
      cartouche.appendChild(svg("text", { x: cadre.x + 6, y: cadre.y + 15, class: "etiquette-cartouche", texte: feature.properties.nom }));
      groupe.appendChild(cartouche);
      var projDrom = projection(emprise([feature]), { x: cadre.x + 10, y: cadre.y + 22, l: cadre.l - 20, h: cadre.h - 30 });
      tracer(feature, projDrom, cartouche);
    });
    return chemins;
  };

  /**
   * Carte d'une zone autour de points {lat, lon, rang?, nom, residence?} : contours des départements voisins,
   * la résidence en carré, les sites en cercles numérotés, une échelle en kilomètres. Avec
   * `options.effectifs`, chaque point {lat, lon, nom, effectif} est un disque à sa place exacte, d'aire
   * proportionnelle à son effectif (des centaines de communes restent lisibles).
   */
  MJPM.dessinerZone = function (cible, collection, points, options) {
    while (cible.firstChild) cible.removeChild(cible.firstChild);
    var vb = cible.viewBox.baseVal;
    var lats = points.map(function (p) { return p.lat; });
    var lons = points.map(function (p) { return p.lon; });
    var b = [Math.min.apply(null, lons), Math.min.apply(null, lats), Math.max.apply(null, lons), Math.max.apply(null, lats)];
    var marge = Math.max(0.15, (b[3] - b[1]) * 0.15, (b[2] - b[0]) * 0.1);
    b = [b[0] - marge, b[1] - marge, b[2] + marge, b[3] + marge];
    var projeter = projection(b, { x: 10, y: 10, l: vb.width - 20, h: vb.height - 40 });
    var fond = svg("g", { class: "fond" });
    cible.appendChild(fond);
    (collection ? collection.features : []).forEach(function (f) {
      var e = emprise([f]);
      if (e[0] > b[2] + 1 || e[2] < b[0] - 1 || e[1] > b[3] + 1 || e[3] < b[1] - 1) return;
      fond.appendChild(svg("path", { d: chemin(f.geometry, projeter), "fill-rule": "evenodd", class: "departement-fond" },
        [svg("title", { texte: f.properties.code + " – " + f.properties.nom })]));
    });
    cible.appendChild(svg("rect", { x: 0, y: 0, width: vb.width, height: vb.height, class: "cadre-zone" }));
    var couche = svg("g", { class: "points" });
    cible.appendChild(couche);
    if (options && options.effectifs) {
      var plus = Math.max.apply(null, points.map(function (p) { return p.effectif; }).concat([1]));
      points.slice().sort(function (a, b) { return b.effectif - a.effectif; }).forEach(function (p) {
        var xy = projeter(p.lon, p.lat);
        couche.appendChild(svg("circle", {
          cx: xy[0], cy: xy[1], r: (3 + 17 * Math.sqrt(p.effectif / plus)).toFixed(1), class: "effectif",
        }, [svg("title", { texte: p.nom })]));
      });
      echelle(cible, vb, projeter);
      return;
    }
    // La résidence d'abord (dessous), puis les sites. Des disques qui se chevauchent sont écartés les uns des
    // autres (et du carré de la résidence) par quelques itérations de répulsion ; un trait les relie à leur lieu.
    var DIAMETRE = 23;
    var marques = points.map(function (p) {
      var xy = projeter(p.lon, p.lat);
      return { p: p, vrai: xy, pos: [xy[0], xy[1]], fixe: Boolean(p.residence) };
    });
    for (var tour = 0; tour < 80; tour++) {
      var bouge = false;
      for (var i = 0; i < marques.length; i++) {
        for (var j = i + 1; j < marques.length; j++) {
          var a = marques[i], b = marques[j];
          if (a.fixe && b.fixe) continue;
          var dx = b.pos[0] - a.pos[0], dy = b.pos[1] - a.pos[1];
          var d = Math.sqrt(dx * dx + dy * dy);
          if (d >= DIAMETRE) continue;
          if (d < 0.01) { // confondus : une direction propre à la paire
            var angle = (i * 7 + j * 3) * 0.9;
            dx = Math.cos(angle); dy = Math.sin(angle); d = 1;
          }
          var pousse = (DIAMETRE - d) / 2 + 0.5;
          var ux = dx / d, uy = dy / d;
          var fa = a.fixe ? 0 : b.fixe ? 2 : 1, fb = b.fixe ? 0 : a.fixe ? 2 : 1;
          a.pos = [a.pos[0] - ux * pousse * fa, a.pos[1] - uy * pousse * fa];
          b.pos = [b.pos[0] + ux * pousse * fb, b.pos[1] + uy * pousse * fb];
          bouge = true;
        }
      }
      if (!bouge) break;
    }
    marques.forEach(function (m) {
      if (m.fixe) {
        couche.appendChild(svg("rect", { x: m.pos[0] - 8, y: m.pos[1] - 8, width: 16, height: 16, class: "residence" },
          [svg("title", { texte: m.p.nom })]));
      }
    });
    marques.forEach(function (m) {
      if (m.fixe) return;
      var dx = m.pos[0] - m.vrai[0], dy = m.pos[1] - m.vrai[1];
      if (dx * dx + dy * dy > 9) {
        couche.insertBefore(svg("line", { x1: m.vrai[0], y1: m.vrai[1], x2: m.pos[0], y2: m.pos[1], class: "renvoi" }), couche.firstChild);
      }
    });
    marques.forEach(function (m) {
      if (m.fixe) return;
      var g = svg("g", { class: "site" }, [svg("title", { texte: m.p.nom })]);
      g.appendChild(svg("circle", { cx: m.pos[0], cy: m.pos[1], r: 10 }));
      g.appendChild(svg("text", { x: m.pos[0], y: m.pos[1] + 4, "text-anchor": "middle", texte: String(m.p.rang) }));
      couche.appendChild(g);
    });
    echelle(cible, vb, projeter);
  };

  // Échelle : une longueur ronde d'environ un cinquième de la largeur.
  function echelle(cible, vb, projeter) {
    var kmParUnite = projeter.kmParUnite;
    var cible_km = (vb.width / 5) * kmParUnite;
    var rond = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500].filter(function (v) { return v <= cible_km; }).pop() || 1;
    var longueur = rond / kmParUnite;
    var y = vb.height - 14;
    cible.appendChild(svg("g", { class: "echelle" }, [
      svg("line", { x1: 14, y1: y, x2: 14 + longueur, y2: y }),
      svg("text", { x: 20 + longueur, y: y + 4, texte: rond + " km" }),
    ]));
  }
})();
