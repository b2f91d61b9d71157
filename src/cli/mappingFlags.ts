import type { PathRule } from '../core/mapping/pathResolver';
import type { ServiceRootRule } from '../core/mapping/serviceRoots';
import { parseServiceRootFlags } from './serviceRootFlags';
import { UsageError } from './usageError';

/** The flags that say how production maps to the workspace, for commands that build the in-process server (`serve`, `mcp --source`). */
export const MAPPING_FLAG_OPTIONS = {
  'path-rule': { type: 'string', multiple: true },
  'service-root': { type: 'string', multiple: true },
  environment: { type: 'string' },
} as const;

export interface MappingFlags {
  'path-rule'?: string[];
  'service-root'?: string[];
  environment?: string;
}

/** Whether any mapping flag was given. */
export function hasMappingFlags(values: MappingFlags): boolean {
  return values['path-rule'] !== undefined || values['service-root'] !== undefined || values.environment !== undefined;
}

/** The mapping flags as server options; throws a UsageError naming a malformed value. */
export function mappingOptions(values: MappingFlags, workspace: string): { pathRules: PathRule[]; serviceRoots: ServiceRootRule[]; defaultEnvironment: string } {
  return {
    pathRules: (values['path-rule'] ?? []).map(parsePathRule),
    serviceRoots: parseServiceRootFlags(values['service-root'] ?? [], workspace),
    defaultEnvironment: values.environment ?? '',
  };
}

function parsePathRule(text: string): PathRule {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`--path-rule takes FROM=TO (e.g. /app/=), got "${text}"`);
  return { from: text.slice(0, at), to: text.slice(at + 1) };
}
