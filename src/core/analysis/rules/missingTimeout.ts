import { isJsFamily } from '../languages';
import type { Rule } from './context';
import { checkGoTimeouts } from './timeoutGo';
import { checkJavaTimeouts } from './timeoutJava';
import { checkJsTimeouts } from './timeoutJs';
import { checkPythonTimeouts } from './timeoutPython';

/** `missing-timeout`: outgoing network or database calls with no timeout or deadline. */
export const missingTimeout: Rule = {
  id: 'missing-timeout',
  languages: ['typescript', 'tsx', 'javascript', 'python', 'go', 'java'],
  check(ctx) {
    if (isJsFamily(ctx.language)) checkJsTimeouts(ctx);
    else if (ctx.language === 'python') checkPythonTimeouts(ctx);
    else if (ctx.language === 'go') checkGoTimeouts(ctx);
    else if (ctx.language === 'java') checkJavaTimeouts(ctx);
  },
};
