/** A read-API answer for tests: empty lists in the `production` environment, with `over` on top. */
import type { SignalsResponse } from '../../src/core/api/signals';

/** An answer of window 5m holding nothing but what `over` gives. */
export function signalsAnswer(over: Partial<SignalsResponse> = {}): SignalsResponse {
  return {
    window: '5m',
    environment: 'production',
    environments: ['production'],
    generatedAt: 0,
    functions: [],
    operations: [],
    errors: [],
    unmapped: [],
    calls: [],
    evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
    ...over,
  };
}
