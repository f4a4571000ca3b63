#!/bin/sh
# se-bench, portable: runs the bundled CLI with the Node binary beside this script.
# Usage: ./run.sh <command> [options]   (./run.sh help lists them; README "Portable pack")
# Golden data: ./golden in the working folder (the se-bench checkout), or --golden=DIR.
here=$(cd "$(dirname "$0")" && pwd) || exit 2
if ! "$here/bin/node" -e 0 2>/dev/null; then
  echo "se-bench: $here/bin/node does not run here (this pack is for $(cat "$here/pack-info.json" 2>/dev/null | sed -n 's/.*"platform": "\(.*\)".*/\1/p'); this machine is $(uname -s)-$(uname -m))" >&2
  exit 2
fi
exec "$here/bin/node" "$here/se-bench.mjs" "$@"
