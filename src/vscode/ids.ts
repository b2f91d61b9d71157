/** Command ids, setting keys, view and colour ids: the one typed place; a unit test checks them against package.json. */

/** Commands contributed in package.json (category `Runtime Lens`). */
export const Commands = {
  startReceiver: 'runtimeLens.startReceiver',
  stopReceiver: 'runtimeLens.stopReceiver',
  chooseEnvironment: 'runtimeLens.chooseEnvironment',
  chooseWindow: 'runtimeLens.chooseWindow',
  openPanel: 'runtimeLens.openPanel',
  copyOtlpEndpoint: 'runtimeLens.copyOtlpEndpoint',
  showLogs: 'runtimeLens.showLogs',
  showFunction: 'runtimeLens.showFunction',
  openTrace: 'runtimeLens.openTrace',
  openLocation: 'runtimeLens.openLocation',
  scanWorkspace: 'runtimeLens.scanWorkspace',
  addTelemetrySource: 'runtimeLens.addTelemetrySource',
  removeTelemetrySource: 'runtimeLens.removeTelemetrySource',
  shadowRun: 'runtimeLens.shadowRun',
  showShadowReport: 'runtimeLens.showShadowReport',
} as const;

/** Commands that take arguments and are hidden from the palette. */
export const INTERNAL_COMMANDS: readonly string[] = [Commands.showFunction, Commands.openTrace, Commands.openLocation];

/** The configuration section every key lives under. */
export const SECTION = 'runtimeLens';

/** Setting keys, relative to SECTION. */
export const Settings = {
  receiverHost: 'receiver.host',
  receiverPort: 'receiver.port',
  receiverEnabled: 'receiver.enabled',
  sources: 'sources',
  autoStart: 'autoStart',
  window: 'window',
  environment: 'environment',
  codeLensEnabled: 'codeLens.enabled',
  codeLensTemplate: 'codeLens.template',
  inlineHintsEnabled: 'inlineHints.enabled',
  diagnosticsEnabled: 'diagnostics.enabled',
  latencyWarningMs: 'thresholds.latencyWarningMs',
  latencyErrorMs: 'thresholds.latencyErrorMs',
  errorRateWarning: 'thresholds.errorRateWarning',
  errorRateError: 'thresholds.errorRateError',
  traceUrlTemplate: 'traceUrlTemplate',
  analysisAll: 'analysis.all',
  analysisIncludeTests: 'analysis.includeTests',
  analysisSeverity: 'analysis.severity',
  analysisTimeoutMs: 'analysis.timeoutMs',
  serviceRoots: 'serviceRoots',
  faroAllowedOrigins: 'faro.allowedOrigins',
  agentTools: 'agent.tools',
} as const;

/** One of Settings' values. */
export type SettingKey = (typeof Settings)[keyof typeof Settings];

/** Activity-bar container and views. */
export const Views = {
  container: 'runtimeLens',
  liveSignals: 'runtimeLens.liveSignals',
  productionRisk: 'runtimeLens.productionRisk',
} as const;

/** Context keys the extension sets (package.json's `when` clauses read them). */
export const ContextKeys = {
  /** Where the Production risk view's workspace scan is (RiskScanState); unset until it starts. */
  riskScan: 'runtimeLens.riskScan',
} as const;

/** The values of ContextKeys.riskScan; the view's welcome text (package.json `viewsWelcome`) follows them. */
export const RISK_SCAN_STATES = ['scanning', 'done', 'untrusted', 'stopped'] as const;
export type RiskScanState = (typeof RISK_SCAN_STATES)[number];

/** Themable colours contributed in package.json. */
export const Colors = {
  hintError: 'runtimeLens.hint.errorForeground',
  hintWarning: 'runtimeLens.hint.warningForeground',
  hintOk: 'runtimeLens.hint.okForeground',
} as const;

/** The diagnostics source and collection name. */
export const DIAGNOSTIC_SOURCE = 'Runtime Lens';

/** The SecretStorage key of the Faro endpoint's API key (the X-API-Key browser pages must send); unset = no key. */
export const FARO_API_KEY_SECRET = 'runtimeLens.faro.apiKey';

/** The diagnostics collection of the AI-code risk analysis (separate from production errors). */
export const RISK_COLLECTION = 'runtimeLens.risk';
