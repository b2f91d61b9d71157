import { activationSuite } from './activation.suite';
import { agentSuite } from './agent.suite';
import { analysisSuite } from './analysis.suite';
import { hostileTelemetrySuite } from './hostileTelemetry.suite';
import { panelSuite } from './panel.suite';
import { refreshSuite } from './refresh.suite';
import { shadowSuite } from './shadow.suite';
import { surfacesSuite } from './surfaces.suite';
import { teamSuite } from './team.suite';

/** The environment variable naming the suite set (`team`: the team's backends, receiver off; `shadow`: the shadow run; `agent`: activation and the agent tools only); unset = the default set. */
export const SUITE_SET_ENV = 'RUNTIME_LENS_SUITES';

/** Every suite of the selected set, in the order they run (activation first: the others rely on a running receiver). */
export function registerSuites(set = process.env[SUITE_SET_ENV]): void {
  if (set === 'team') {
    // A workspace reading Jaeger and Prometheus with the receiver off (test/integration/team.test.ts).
    teamSuite();
    return;
  }
  if (set === 'shadow') {
    // The shop service with regressions planted, run from the editor (test/integration/shadow.test.ts).
    shadowSuite();
    return;
  }
  if (set === 'agent') {
    // The default workspace, only what the agent tools need (a quicker run while working on them).
    activationSuite();
    agentSuite();
    return;
  }
  activationSuite();
  surfacesSuite();
  // After the surfaces: the tools' answers are checked against figures the demo's traffic has built up by then.
  agentSuite();
  panelSuite();
  refreshSuite();
  analysisSuite();
  // Last: it selects an environment of its own and adds spans to the demo's pricing.js.
  hostileTelemetrySuite();
}
