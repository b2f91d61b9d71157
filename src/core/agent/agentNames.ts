/** How a function name a model typed matches the names telemetry maps to. */

/** True when `asked` names `actual`: equal, or one is the other qualified (`create` names `OrderService.create`). */
export function sameFunctionName(actual: string, asked: string): boolean {
  return actual === asked || actual.endsWith(`.${asked}`) || asked.endsWith(`.${actual}`);
}
