import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanServiceDir, parseServiceRootRule, type ServiceRootRule } from '../core/mapping/serviceRoots';
import { UsageError } from './usageError';

/**
 * Parses `--service-root NAME=DIR` flags: DIR is relative to the workspace (or absolute inside
 * it) and must be a folder there. Throws a UsageError naming the flag's value.
 */
export function parseServiceRootFlags(flags: readonly string[], workspace: string): ServiceRootRule[] {
  if (flags.length > 0 && !workspace) throw new UsageError('--service-root needs --workspace DIR (its folders are inside the workspace)');
  return flags.map((text) => {
    let rule: ServiceRootRule;
    try {
      rule = parseServiceRootRule(text);
    } catch (err) {
      throw new UsageError(`--service-root ${(err as Error).message}`);
    }
    const abs = path.resolve(workspace, rule.dir || '.');
    const dir = cleanServiceDir(path.relative(workspace, abs).split(path.sep).join('/'));
    if (dir === undefined) throw new UsageError(`--service-root ${text}: ${rule.dir} is outside the workspace ${workspace}`);
    if (!fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--service-root ${text}: no folder ${rule.dir} in the workspace`);
    return { name: rule.name, dir };
  });
}
