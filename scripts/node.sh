# Sourced by the scripts: installs the npm packages of scripts/node (the DSFR, axe-core, oidc-provider) exactly as
# scripts/node/package-lock.json pins them, again only when that lock file changed. node_modules is never
# committed. Install scripts are skipped: the DSFR's asks for a project configuration we do not use (we serve its
# built files), and no package here needs one to work. The DSFR's built files are then copied into the
# application's static files (scripts/dsfr-assets.sh).
NODE_DIR="scripts/node"
ensure_node_modules() {
  command -v npm >/dev/null || { echo "npm (Node 20) is required for the DSFR, axe-core and oidc-provider" >&2; return 1; }
  local stamp="$NODE_DIR/node_modules/.installed"
  local wanted
  wanted="$(sha256sum "$NODE_DIR/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "Installing the npm packages of $NODE_DIR from its package-lock.json ..."
    if ! (cd "$NODE_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$NODE_DIR/npm.log" 2>&1; then
      cat "$NODE_DIR/npm.log" >&2
      echo "npm installation failed (log: $NODE_DIR/npm.log)" >&2
      return 1
    fi
    echo "$wanted" > "$stamp"
  fi
  # The pages serve the DSFR from app/web/static/dsfr (gitignored): copy it again when the package changed.
  local served="app/web/static/dsfr/.installed"
  if [ "$(cat "$served" 2>/dev/null)" != "$wanted" ]; then
    sh scripts/dsfr-assets.sh "$NODE_DIR/node_modules/@gouvfr/dsfr/dist" app/web/static/dsfr || return 1
    echo "$wanted" > "$served"
  fi
}
