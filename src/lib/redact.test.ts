import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SHOP_CERT, SHOP_KEY, WILDCARD_KEY } from '../../test/support/certificates.js';
import { redactLogArgument, redactPatch, redactText, redactValue, secretFingerprint, secretMarker, secretStrings } from './redact.js';

const KEY_BODY = SHOP_KEY.split('\n')[1] ?? '';
const SHOP_MARK = `<redacted sha256:${createHash('sha256').update(SHOP_KEY).digest('hex').slice(0, 12)}>`;

function assertNoKey(text: string): void {
  assert.ok(!text.includes(KEY_BODY), `the key's text is shown: ${text}`);
  assert.ok(!text.includes('PRIVATE KEY-----M'), `a key block is shown: ${text}`);
}

describe('redact', () => {
  it('marks a secret by the first 12 hex digits of its SHA-256, so a rotated key gives another marker', () => {
    assert.equal(secretMarker(SHOP_KEY), SHOP_MARK);
    assert.match(secretFingerprint(WILDCARD_KEY), /^[0-9a-f]{12}$/);
    assert.notEqual(secretMarker(WILDCARD_KEY), secretMarker(SHOP_KEY));
  });

  it('replaces secret properties deeply and keeps everything else, including certificates', () => {
    const app = {
      class: 'Application',
      cert: {
        class: 'Certificate',
        certificate: SHOP_CERT,
        privateKey: SHOP_KEY,
        passphrase: { ciphertext: 'c2VjcmV0LXBocmFzZQ==', protected: 'eyJhbGciOiJkaXIifQ' },
      },
      pools: [{ password: 'hunter22' }],
      remark: 'kept',
    };
    const redacted = redactValue(app);
    assert.equal(redacted.cert.privateKey, SHOP_MARK);
    assert.equal(redacted.cert.passphrase as unknown, secretMarker(app.cert.passphrase));
    assert.equal(redacted.pools[0]?.password, secretMarker('hunter22'));
    assert.equal(redacted.cert.certificate, SHOP_CERT);
    assert.equal(redacted.remark, 'kept');
    assert.equal(app.cert.privateKey, SHOP_KEY, 'the input is not modified');
    assert.deepEqual([...secretStrings(app)].sort(), [SHOP_KEY, 'c2VjcmV0LXBocmFzZQ==', 'eyJhbGciOiJkaXIifQ', 'hunter22'].sort());
  });

  const texts: Array<[what: string, text: string, known: string[], shows: string | undefined]> = [
    ['a PEM key in an error', `invalid key ${SHOP_KEY} in /T/app/cert`, [], SHOP_MARK],
    ['a known key, JSON-escaped as AS3 echoes declarations', `{"privateKey":${JSON.stringify(SHOP_KEY)}}`, [SHOP_KEY], SHOP_MARK],
    ['a JSON-escaped key not known beforehand', `{"privateKey":${JSON.stringify(SHOP_KEY)}}`, [], undefined],
    ['a key cut short by a message limit', `bad: ${SHOP_KEY.slice(0, 90)}`, [], undefined],
    [
      'an encrypted key',
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----',
      [],
      undefined,
    ],
  ];
  for (const [what, text, known, shows] of texts) {
    it(`redacts ${what}`, () => {
      const out = redactText(text, known);
      assertNoKey(out);
      assert.ok(!out.includes('MIIFHDBOBgkqhkiG9w0BBQ0w'));
      assert.match(out, /<redacted sha256:[0-9a-f]{12}>/);
      if (shows) assert.ok(out.includes(shows), out);
    });
  }

  it('redacts known passphrases and leaves other text alone', () => {
    assert.equal(
      redactText('AS3: passphrase "s3cr3t-phrase" is wrong', ['s3cr3t-phrase']),
      `AS3: passphrase "${secretMarker('s3cr3t-phrase')}" is wrong`,
    );
    assert.equal(redactText('nothing secret here: 10.1.1.1:443'), 'nothing secret here: 10.1.1.1:443');
  });

  it('redacts patch values whose path goes through a secret property, and secret properties inside added objects', () => {
    const ops = redactPatch([
      { op: 'replace', path: '/app/cert/privateKey', value: SHOP_KEY },
      { op: 'add', path: '/app/cert', value: { class: 'Certificate', privateKey: WILDCARD_KEY } },
      { op: 'replace', path: '/app/cert/passphrase/ciphertext', value: 'abcdefgh' },
      { op: 'remove', path: '/app/old' },
      { op: 'replace', path: '/app/vs/virtualPort', value: 443 },
    ]);
    assert.deepEqual(ops, [
      { op: 'replace', path: '/app/cert/privateKey', value: SHOP_MARK },
      { op: 'add', path: '/app/cert', value: { class: 'Certificate', privateKey: secretMarker(WILDCARD_KEY) } },
      { op: 'replace', path: '/app/cert/passphrase/ciphertext', value: secretMarker('abcdefgh') },
      { op: 'remove', path: '/app/old' },
      { op: 'replace', path: '/app/vs/virtualPort', value: 443 },
    ]);
  });

  it('makes log arguments safe: messages, fields and errors', () => {
    const [message, fields, error] = [
      `refused: ${SHOP_KEY}`,
      { tenant: 'shop', detail: `x ${SHOP_KEY}`, privateKey: SHOP_KEY },
      new Error(`bad ${SHOP_KEY}`),
    ].map(redactLogArgument);
    const shown = JSON.stringify([message, fields, (error as Error).message]);
    assertNoKey(shown);
    assert.ok(shown.includes(SHOP_MARK));
    assert.ok(error instanceof Error);
    assert.equal((fields as { tenant: string }).tenant, 'shop');
  });
});
