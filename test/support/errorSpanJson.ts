/**
 * An OTLP/JSON trace export whose one span threw: the receiver files it as an error group with
 * a message, a stack and the trace id, which is exactly what a hostile page must never read.
 */

/** Marker strings a test can look for in anything that leaked. */
export const SECRET_MESSAGE = 'card 4111-1111 declined for customer 4242';
export const SECRET_TRACE_ID = '5ec2e7000000000000000000000000aa';

/** The export: service `payments`, function `charge` in `/srv/app/src/pay.js`, one exception. */
export function errorSpanJson(traceId = SECRET_TRACE_ID): string {
  const start = BigInt(Date.now() - 1_000) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }] },
      scopeSpans: [{
        scope: { name: 'runtime-lens-tests' },
        spans: [{
          traceId,
          spanId: '5ec2e70000000001',
          name: 'charge',
          kind: 2,
          startTimeUnixNano: String(start),
          endTimeUnixNano: String(start + 20_000_000n),
          attributes: [
            { key: 'code.function.name', value: { stringValue: 'charge' } },
            { key: 'code.file.path', value: { stringValue: '/srv/app/src/pay.js' } },
            { key: 'code.line.number', value: { intValue: 2 } },
          ],
          events: [{
            name: 'exception',
            timeUnixNano: String(start + 10_000_000n),
            attributes: [
              { key: 'exception.type', value: { stringValue: 'PaymentError' } },
              { key: 'exception.message', value: { stringValue: SECRET_MESSAGE } },
              { key: 'exception.stacktrace', value: { stringValue: `PaymentError: ${SECRET_MESSAGE}\n    at charge (/srv/app/src/pay.js:2:9)` } },
            ],
          }],
          status: { code: 2 },
        }],
      }],
    }],
  });
}
