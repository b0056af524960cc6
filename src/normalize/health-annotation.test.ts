import assert from 'node:assert/strict';
import type { MonitorModel } from '../model/virtual.js';
import { FieldReader } from './fields.js';
import { parseHealthAnnotation } from './health-annotation.js';

const FIELD = 'metadata.annotations["cis.f5.com/health"]';

function parse(
  text: string,
  defaultType: 'http' | 'tcp' | 'udp' | 'sctp' = 'tcp',
): { monitors: MonitorModel[] | undefined; reader: FieldReader } {
  const reader = new FieldReader({ kind: 'Service', namespace: 'prod', name: 'db' });
  return { monitors: parseHealthAnnotation(reader, FIELD, text, defaultType), reader };
}

describe('parseHealthAnnotation', () => {
  const good: Array<[string, string, 'http' | 'tcp' | 'udp' | 'sctp', MonitorModel[]]> = [
    ['one object, type from the port protocol', '{"interval": 5, "timeout": 16}', 'tcp', [{ type: 'tcp', interval: 5, timeout: 16 }]],
    ['one object on a UDP port', '{"send": "ping", "recv": "pong"}', 'udp', [{ type: 'udp', send: 'ping', receive: 'pong' }]],
    [
      'a list with an explicit type and a target port',
      '[{"type": "http", "send": "GET /healthz HTTP/1.1\\r\\nHost: db\\r\\n\\r\\n", "recv": "200", "targetPort": 8081}]',
      'tcp',
      [{ type: 'http', send: 'GET /healthz HTTP/1.1\r\nHost: db\r\n\r\n', receive: '200', targetPort: 8081 }],
    ],
    [
      'a BIG-IP monitor by reference',
      '[{"name": "/Common/tcp_half_open", "reference": "bigip"}, {"type": "tcp"}]',
      'tcp',
      [{ bigip: '/Common/tcp_half_open' }, { type: 'tcp' }],
    ],
    [
      'a typed monitor on an SCTP port',
      '{"type": "tcp", "interval": 10, "timeout": 31}',
      'sctp',
      [{ type: 'tcp', interval: 10, timeout: 31 }],
    ],
    ['an empty list', '[]', 'tcp', []],
  ];
  for (const [what, text, type, expected] of good) {
    it(`reads ${what}`, () => {
      const { monitors, reader } = parse(text, type);
      assert.deepEqual(reader.diagnostics, []);
      assert.deepEqual(monitors, expected);
    });
  }

  it('translates a timeout not above the interval as written, warning at the annotation what to write instead', () => {
    const { monitors, reader } = parse('{"interval": 10, "timeout": 10}', 'tcp');
    assert.deepEqual(monitors, [{ type: 'tcp', interval: 10, timeout: 10 }]);
    assert.deepEqual(
      reader.diagnostics.map((d) => [d.severity, d.field]),
      [['warning', FIELD]],
    );
    assert.match(
      reader.diagnostics[0]?.message ?? '',
      /^timeout: 10 is not greater than interval \(10s\).*such as 3 × interval \+ 1 \(31\)$/,
    );
  });

  const bad: Array<[string, string, 'http' | 'tcp' | 'udp' | 'sctp', RegExp]> = [
    [
      'a bare word',
      '{"type": tcp}',
      'tcp',
      /^is not valid JSON: unexpected "tcp" at line 1, column 10 \(position 9\); expected a monitor object or a list of them/,
    ],
    [
      'a trailing comma on the second line',
      '[\n  {"type": "tcp"},\n]',
      'tcp',
      /^is not valid JSON: unexpected "]" at line 3, column 1 \(position 21\)/,
    ],
    ['a truncated list', '[{"type": "tcp"}', 'tcp', /^is not valid JSON: unexpected end of text at line 1, column 17 \(position 16\)/],
    ['an unterminated string', '{"type": "tcp', 'tcp', /^is not valid JSON: unexpected end of text at line 1, column 14/],
    ['a misspelt literal', '{"type": "tcp", "adaptive": ture}', 'tcp', /^is not valid JSON: unexpected "ture" at line 1, column 29/],
    ['a number', '42', 'tcp', /^must be a monitor object or a list of them/],
    [
      'an unknown type in a list',
      '[{"type": "tcp"}, {"type": "icmp"}]',
      'tcp',
      /^\[1\]\.type: "icmp" must be one of http, https, tcp, udp/,
    ],
    ['a bad target port', '{"targetPort": 0}', 'tcp', /^targetPort: 0 is not a port number/],
    [
      'a reference without a path',
      '{"name": "tcp", "reference": "bigip"}',
      'tcp',
      /^name: a monitor with reference: bigip needs the full path/,
    ],
    ['a list entry that is not an object', '[5]', 'tcp', /^\[0\]: must be an object/],
    ['an untyped monitor on an SCTP port', '{"interval": 5}', 'sctp', /^type: is required for an SCTP pool \(AS3 has no SCTP monitor\)/],
    ['an untyped list entry on an SCTP port', '[{"type": "tcp"}, {"interval": 5}]', 'sctp', /^\[1\]\.type: is required for an SCTP pool/],
  ];
  for (const [what, text, type, message] of bad) {
    it(`rejects ${what} at the annotation, saying where`, () => {
      const { monitors, reader } = parse(text, type);
      assert.equal(monitors, undefined);
      assert.equal(reader.diagnostics.length, 1, JSON.stringify(reader.diagnostics));
      const d = reader.diagnostics[0];
      assert.equal(d?.severity, 'error');
      assert.equal(d?.field, FIELD);
      assert.match(d?.message ?? '', message);
    });
  }
});
