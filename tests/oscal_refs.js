// The reference check of tests/oscal_validate.sh: in one OSCAL JSON document,
// every "uuid" is defined once, and every reference to a UUID (an href
// "#<uuid>", a "*-uuid" field, an item of a "*-uuids" array) names one of
// them. JSON Schema cannot express this; OSCAL tools rely on it.
'use strict';
const fs = require('fs');

const file = process.argv[2];
const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
const defined = new Map();
const refs = [];

function walk(node, path) {
  if (Array.isArray(node)) {
    node.forEach((v, i) => walk(v, `${path}[${i}]`));
    return;
  }
  if (node === null || typeof node !== 'object')
    return;
  for (const [k, v] of Object.entries(node)) {
    const p = `${path}.${k}`;
    if (k === 'uuid' && typeof v === 'string')
      defined.set(v, (defined.get(v) || 0) + 1);
    else if (k.endsWith('-uuid') && typeof v === 'string')
      refs.push([p, v]);
    else if (k.endsWith('-uuids') && Array.isArray(v))
      v.forEach((u, i) => refs.push([`${p}[${i}]`, u]));
    else if (k === 'href' && typeof v === 'string' && v.startsWith('#'))
      refs.push([p, v.slice(1)]);
    walk(v, p);
  }
}

walk(doc, '$');
let bad = 0;
for (const [u, n] of defined)
  if (n > 1) {
    console.error(`${file}: uuid ${u} defined ${n} times`);
    bad++;
  }
for (const [p, u] of refs)
  if (!defined.has(u)) {
    console.error(`${file}: ${p} references ${u}, which is not defined`);
    bad++;
  }
if (bad)
  process.exit(1);
console.log(`${file}: ${defined.size} uuids, ${refs.length} references, all resolved`);
