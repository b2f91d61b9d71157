import { activationSuite } from './activation.suite';
import { analysisSuite } from './analysis.suite';
import { hostileTelemetrySuite } from './hostileTelemetry.suite';
import { panelSuite } from './panel.suite';
import { refreshSuite } from './refresh.suite';
import { surfacesSuite } from './surfaces.suite';

/** Every suite, in the order they run (activation first: the others rely on a running receiver). */
export function registerSuites(): void {
  activationSuite();
  surfacesSuite();
  panelSuite();
  refreshSuite();
  analysisSuite();
  // Last: it selects an environment of its own and adds spans to the demo's pricing.js.
  hostileTelemetrySuite();
}
