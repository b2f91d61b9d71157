/**
 * An OTLP/JSON trace export whose every free-text field is hostile: the resource's service,
 * revision and version, the span and function name, and an exception event's type and message.
 */
import { HOSTILE_MESSAGE, HOSTILE_NAME, HOSTILE_REVISION, HOSTILE_VERSION } from './hostileText';

/** Where the spans claim to run and what they carry. */
export interface HostileExportOptions {
  /** The path `code.file.path` reports (absolute, as a service has it). */
  file: string;
  /** `code.line.number`: a line inside the function the spans are mapped to. */
  line: number;
  environment: string;
  spans: number;
  startNs: bigint;
  service?: string;
  revision?: string;
  version?: string;
  name?: string;
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** The export as JSON: `spans` failing spans, each with one exception event. */
export function hostileExportJson(o: HostileExportOptions): string {
  const name = o.name ?? HOSTILE_NAME;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', o.service ?? HOSTILE_NAME),
            str('deployment.environment.name', o.environment),
            str('vcs.ref.head.revision', o.revision ?? HOSTILE_REVISION),
            str('service.version', o.version ?? HOSTILE_VERSION),
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'runtime-lens-hostile' },
            spans: Array.from({ length: o.spans }, (_, i) => {
              const start = o.startNs + BigInt(i) * 1_000_000n;
              return {
                traceId: (i + 1).toString(16).padStart(32, 'e'),
                spanId: (i + 1).toString(16).padStart(16, 'e'),
                name,
                kind: 1,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 5_000_000n),
                attributes: [str('code.function.name', name), str('code.file.path', o.file), { key: 'code.line.number', value: { intValue: o.line } }],
                events: [{ name: 'exception', timeUnixNano: String(start + 1_000_000n), attributes: [str('exception.type', `Evil${HOSTILE_NAME}`), str('exception.message', HOSTILE_MESSAGE)] }],
                status: { code: 2, message: HOSTILE_MESSAGE },
              };
            }),
          },
        ],
      },
    ],
  });
}
