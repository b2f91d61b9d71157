/**
 * An OTLP/JSON trace export whose one span threw: the receiver files it as an error group with
 * a message, a stack and the trace id, which is exactly what a hostile page must never read.
 */
import { codeSpansJson } from './otlpJson';

/** Marker strings a test can look for in anything that leaked. */
export const SECRET_MESSAGE = 'card 4111-1111 declined for customer 4242';
export const SECRET_TRACE_ID = '5ec2e7000000000000000000000000aa';

/** The export: service `payments`, function `charge` in `/srv/app/src/pay.js`, one exception. */
export function errorSpanJson(traceId = SECRET_TRACE_ID): string {
  const startNs = BigInt(Date.now() - 1_000) * 1_000_000n;
  return codeSpansJson({ 'service.name': 'payments' }, [
    {
      function: 'charge',
      file: '/srv/app/src/pay.js',
      line: 2,
      startNs,
      durationMs: 20,
      error: true,
      kind: 2,
      traceId,
      spanId: '5ec2e70000000001',
      exception: { type: 'PaymentError', message: SECRET_MESSAGE, stacktrace: `PaymentError: ${SECRET_MESSAGE}\n    at charge (/srv/app/src/pay.js:2:9)` },
    },
  ]);
}
