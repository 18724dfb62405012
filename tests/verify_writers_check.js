// Checks the documents test_verify_writers wrote into DIR: every JSON parses;
// the plain JSON and the OSCAL finding agree with the synthetic reports
// (pass: satisfied; fail: not-satisfied, the exception a risk with its
// deadline); the hostile strings arrive escaped, sanitised, never raw; and
// each evidence resource decodes to bytes matching its SHA-256.
'use strict';
const fs = require('fs');
const crypto = require('crypto');

const dir = process.argv[2];
let failures = 0;
function check(cond, what) {
  if (!cond) {
    console.error(`FAIL: ${what}`);
    failures++;
  }
}
function load(name) {
  return JSON.parse(fs.readFileSync(`${dir}/${name}`, 'utf8'));
}
function result(doc) {
  return doc['assessment-results'].results[0];
}

function checkEvidence(name) {
  const ar = load(name)['assessment-results'];
  const res = new Map(ar['back-matter'].resources.map((r) => [r.uuid, r]));
  for (const obs of result(load(name)).observations || [])
    for (const ev of obs['relevant-evidence'] || []) {
      const r = res.get(ev.href.slice(1));
      check(r, `${name}: ${ev.href} resolves`);
      if (!r)
        continue;
      const data = r.base64 ? Buffer.from(r.base64.value, 'base64') : Buffer.alloc(0);
      const want = r.rlinks[0].hashes.find((h) => h.algorithm === 'SHA-256').value;
      check(crypto.createHash('sha256').update(data).digest('hex') === want,
            `${name}: ${r.uuid} content matches its SHA-256`);
    }
}

const pass = load('pass.json'), fail = load('fail.json'), hostile = load('hostile.json');
check(pass.passed === true && fail.passed === false && hostile.passed === false, 'passed flags');
check(pass.counts.probes === 2 && pass.counts.contained === 2, 'pass counts');
check(fail.counts.escaped === 2 && fail.counts.unsupported === 1 &&
      fail.counts.attestation_ok === 3 && fail.counts.attestation === 5 &&
      fail.counts.attestation_unverified === 1, 'fail counts');
check(fail.attestation[4].verified === false && fail.attestation[4].result === 'unverified' &&
      fail.attestation[3].result === 'mismatch' && fail.attestation[0].result === 'match',
      'attestation results');
check(fail.exceptions[0].expires === '2027-03-31' && fail.exceptions[0].days_left === 120,
      'fail exception in JSON');
check(Buffer.from(pass.evidence[0].base64, 'base64').toString().startsWith('Name:\techo\n'),
      'JSON evidence base64');
check(hostile.profile.name.includes('"q"\\ \n\r\t\u0001\u001f\u007f \ufffd\ufffd') &&
      hostile.profile.name.includes('\u2028\u00a0</script>{"a":1}\ufffd\ufffd '),
      'hostile name round-trips with U+FFFD for the invalid bytes');
check(hostile.probes[3].how === 'A'.repeat(256), 'unterminated field bounded by its array');
check(hostile.probes[2].verdict === 'error', 'out-of-range verdict is an error');
check(hostile.finished === '2'.repeat(32) && hostile.exceptions[1].expires === '9'.repeat(11),
      'unterminated time and date bounded by their arrays');
check(hostile.attestation[3].evidence === null && hostile.attestation[4].evidence === null &&
      hostile.attestation[5].evidence === 2, 'evidence indexes bounds-checked');

const pbm = load('pass.oscal.json')['assessment-results']['back-matter'].resources;
check(pbm[1].rlinks[0]['media-type'] === 'text/plain' && pbm[1].base64.filename === 'evidence-0.txt',
      'evidence media type and file name kept');
const fp = result(load('pass.oscal.json')).findings[0];
check(fp.target.status.state === 'satisfied' && fp.target['target-id'] === 'sc-39_smt',
      'pass finding satisfied for sc-39');
const rf = result(load('fail.oscal.json'));
const ff = rf.findings[0];
check(ff.target.status.state === 'not-satisfied', 'fail finding not-satisfied');
check(ff['related-observations'].length === rf.observations.length &&
      rf.observations.length === 5 + 5, 'fail finding relates every observation');
check(rf.observations[4].props.find((p) => p.name === 'result').value === 'unverified',
      'unverified item shown as unverified');
check(rf.risks.length === 1 && rf.risks[0].deadline === '2027-03-31T23:59:59Z' &&
      rf.risks[0].status === 'deviation-approved' &&
      rf.risks[0].description.includes('J. Doe (security)') &&
      rf.risks[0].description.includes('fetches thumbnails from the CDN'),
      'exception is a risk with its deadline, reason and approver');
check(ff['related-risks'][0]['risk-uuid'] === rf.risks[0].uuid, 'finding relates the risk');
check(rf.observations.filter((o) => o.methods[0] === 'TEST').length === 5 &&
      rf.observations.filter((o) => o.methods[0] === 'EXAMINE').length === 5,
      'one observation per item and probe');
const rh = result(load('hostile.oscal.json'));
check(rh.findings[0].target.status.state === 'not-satisfied', 'hostile finding not-satisfied');
check(rh.risks[0].status === 'open' && !('deadline' in rh.risks[0]),
      'expired exception with an impossible date: open, no deadline');
check(rh.observations[3].title.includes('\\</script\\>\\{"a":1\\}') &&
      rh.risks[0].description.includes('\\</script\\>') &&
      !/[^\\][<`\[]/.test(rh.observations[8].description) &&
      rh.observations[8].description.includes("\\</script"),
      'hostile text cannot open markup in OSCAL descriptions');
check(rh.risks[1].status === 'deviation-approved' && !('deadline' in rh.risks[1]),
      'unterminated expiry date: no deadline');
check(typeof rh.remarks === 'string', 'unreadable report times are remarked');
const bm = load('hostile.oscal.json')['assessment-results']['back-matter'].resources;
check(bm.length === 4 && bm.slice(2).every((r) => r.rlinks[0]['media-type'] === 'application/octet-stream'),
      'invalid media types replaced');
check(!('base64' in bm[3]) && bm[3].rlinks[0].hashes[0].value ===
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'empty evidence: hash only, no empty base64');
for (const n of ['pass.oscal.json', 'fail.oscal.json', 'hostile.oscal.json'])
  checkEvidence(n);
if (failures)
  process.exit(1);
console.log('verify writer outputs: all checks passed');
