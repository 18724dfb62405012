#!/bin/sh
# tests/oscal_validate.sh must reject broken documents, not only pass good
# ones: each variant of a valid assessment-results document breaks one rule
# (a dangling "#uuid" href, a dangling *-uuid, a duplicate uuid, white space
# a StringDatatype forbids, a malformed URI reference that only the format
# check catches, a finding state outside the enum) and must fail validation
# for that reason.
#   tests/oscal_validate_rejects.sh SCHEMA GOOD_FILE WORKDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
schema=$1 good=$2 work=$3
mkdir -p "$work"
"$here/oscal_validate.sh" "$schema" "$good" >/dev/null

fails=0
for case in "href-dangling:is not defined" "uuid-dangling:is not defined" \
	    "uuid-duplicate:defined 2 times" "string-space:keyword: 'pattern'" \
	    "uri-format:keyword: 'format'" "state-enum:keyword: 'enum'"; do
	variant=${case%%:*} reason=${case#*:}
	out=$work/$variant.json
	node -e '
const fs = require("fs");
const [file, variant, out] = process.argv.slice(1);
const doc = JSON.parse(fs.readFileSync(file, "utf8"));
const ar = doc["assessment-results"], res = ar.results[0];
const other = "0d7e0c1e-2f6b-4c57-9a3e-5b1c2d3e4f50";
switch (variant) {
case "href-dangling": ar["import-ap"].href = "#" + other; break;
case "uuid-dangling": res.findings[0]["related-observations"][0]["observation-uuid"] = other; break;
case "uuid-duplicate": res.findings[0].uuid = res.uuid; break;
case "string-space": ar.metadata.version = "0.1.0 "; break;
case "uri-format": ar["import-ap"].href = "#a b"; break;
case "state-enum": res.findings[0].target.status.state = "mostly-satisfied"; break;
}
fs.writeFileSync(out, JSON.stringify(doc));
' "$good" "$variant" "$out"
	if "$here/oscal_validate.sh" "$schema" "$out" >"$work/$variant.log" 2>&1; then
		echo "FAIL: $variant was accepted" >&2
		fails=$((fails + 1))
	elif ! grep -q "$reason" "$work/$variant.log"; then
		echo "FAIL: $variant rejected, but not for \"$reason\":" >&2
		cat "$work/$variant.log" >&2
		fails=$((fails + 1))
	else
		echo "ok: $variant rejected ($reason)"
	fi
done
[ "$fails" -eq 0 ]
