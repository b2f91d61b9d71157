import type { RuleId } from '../findings';
import type { Rule } from './context';
import { hollowHealthCheck } from './hollowHealthCheck';
import { missingTimeout } from './missingTimeout';
import { nonIdempotentMigration } from './nonIdempotentMigration';
import { retryWithoutBackoff } from './retryWithoutBackoff';
import { secretInLog } from './secretInLog';
import { swallowedError } from './swallowedError';

/** Every tree rule, keyed by id (non-idempotent-migration also reads `.sql` files as text). */
export const RULES: Readonly<Record<RuleId, Rule>> = {
  'missing-timeout': missingTimeout,
  'swallowed-error': swallowedError,
  'retry-without-backoff': retryWithoutBackoff,
  'hollow-health-check': hollowHealthCheck,
  'non-idempotent-migration': nonIdempotentMigration,
  'secret-in-log': secretInLog,
};
