/**
 * What bench:agent measures of one tool call: the answer's size in real tokens (gpt-tokenizer's
 * o200k_base, the vocabulary of current OpenAI models; other vocabularies differ by ~10-20%) and
 * the call's latency, against the read API's raw JSON answer for the same question (what a
 * backend-scoped server would hand the agent) as the peer.
 */
import { encode } from 'gpt-tokenizer';
import type { AgentData } from '../../src/core/agent/agentData';
import { type AgentTool, DEFAULT_MAX_TOKENS, DETAIL_MAX_TOKENS } from '../../src/core/agent/agentTool';

/** Tokens of `text`. */
export function tokens(text: string): number {
  return encode(text).length;
}

/** One measured call. */
export interface CallFigures {
  tool: string;
  case: string;
  tokens: number;
  chars: number;
  medianMs: number;
  maxMs: number;
  empty: boolean;
  /** The answer's first line, to show what was answered. */
  head: string;
}

/** Calls `tool` `rounds` times with `input` (the first call warms caches and is not timed). */
export async function measureCall(tool: AgentTool, label: string, input: unknown, data: AgentData, rounds: number, detail = false): Promise<CallFigures> {
  const options = { maxTokens: detail ? DETAIL_MAX_TOKENS : DEFAULT_MAX_TOKENS };
  let answer = await tool.run(input, data, options);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    answer = await tool.run(input, data, options);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    tool: tool.name,
    case: label,
    tokens: tokens(answer.text),
    chars: answer.text.length,
    medianMs: times[Math.floor(times.length / 2)] ?? 0,
    maxMs: times[times.length - 1] ?? 0,
    empty: answer.empty === true,
    head: answer.text.split('\n')[0]?.slice(0, 100) ?? '',
  };
}

/** The tool list as an MCP server lists it (`tools/list`): what every agent session pays for up front. */
export function toolListJson(tools: readonly AgentTool[]): string {
  return JSON.stringify({
    tools: tools.map((t) => ({ name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema, annotations: { readOnlyHint: t.readOnly } })),
  });
}

/** Median latency of `fn` over `rounds` calls after one warm-up. */
export async function medianMs(fn: () => Promise<unknown>, rounds: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}
