#!/bin/sh
# Validate an OSCAL JSON document: against the official NIST JSON schema with
# ajv (draft-07, formats checked), then that every UUID it references
# ("#uuid" hrefs, *-uuid and *-uuids fields) is defined in it exactly once.
#   tests/oscal_validate.sh SCHEMA FILE
#   tests/oscal_validate.sh --install     (installs ajv-cli@5, ajv-formats@3)
# ajv is looked for under $CAISSON_NPM_PREFIX (default: build/npm of the
# source tree), where --install puts it with `npm install --prefix`.
# The plain `caisson verify --format json` output is checked the same way
# against docs/verify-json.schema.json (it has no UUIDs to resolve).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${CAISSON_NPM_PREFIX:-$here/../build/npm}
ajv=$prefix/node_modules/.bin/ajv

if [ "${1:-}" = "--install" ]; then
	[ -x "$ajv" ] && [ -d "$prefix/node_modules/ajv-formats" ] && exit 0
	mkdir -p "$prefix"
	exec npm install --prefix "$prefix" --no-audit --no-fund ajv-cli@5 ajv-formats@3
fi
if [ $# -ne 2 ]; then
	echo "usage: $0 SCHEMA FILE | $0 --install" >&2
	exit 2
fi
if [ ! -x "$ajv" ]; then
	echo "oscal_validate: no ajv under $prefix; run $0 --install" >&2
	exit 1
fi
# -c is resolved by ajv-cli with require(): let node find the prefix's modules.
NODE_PATH=$prefix/node_modules "$ajv" validate --spec=draft7 -c ajv-formats \
	--strict=false --all-errors -s "$1" -d "$2"
node "$here/oscal_refs.js" "$2"
